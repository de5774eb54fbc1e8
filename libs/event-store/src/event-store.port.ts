/**
 * The event store port: the only way the rest of the system touches stored events.
 * Two adapters implement it (embedded SQLite, EventStoreDB) and one contract suite
 * (test/contract) proves they behave the same.
 *
 * Positions are global, monotonically increasing bigints: the commit order of the store.
 * Revisions are per stream, starting at 0n for a stream's first event.
 *
 * Positions are not event counts. In the embedded store they are row ids (1, 2, 3, …, so every
 * integer from 0n to the head is a boundary between events); in EventStoreDB they are byte
 * offsets of the transaction log, so most integers are not boundaries. Subtracting two positions
 * therefore says nothing portable: to know how many events lie between, count them (readAll).
 * Only pass as `from` a position the store returned (or 0n): a position that is not an event
 * boundary is refused with {@link InvalidPositionError} (callers taking positions from clients —
 * history cursors, `at.position` — map it to BAD_USER_INPUT naming their field).
 *
 * Errors (all but the conflict are {@link EventStoreError}s with a `retryable` flag):
 * - {@link WrongExpectedRevisionError}: the concurrency check failed; nothing was written.
 * - {@link EventStoreUnavailableError} (retryable): the store could not serve the call now — no
 *   connection, a leader election in progress, not the leader. Nothing was written.
 * - {@link AppendOutcomeUnknownError} (retryable): an append was sent but its answer was lost
 *   (deadline exceeded, connection dropped mid-call). It may have been committed. Retry it with
 *   the SAME event ids and expected revision: a conflict or duplicate-id answer then means the
 *   first attempt was committed (see "Event ids" on {@link NewEvent}).
 * - {@link InvalidPositionError}, {@link DuplicateEventIdError} and any other EventStoreError with
 *   `retryable: false`: permanent for this input (bad input, access denied, limits) — the same
 *   call fails again.
 * - {@link SubscriptionFailedError}: a subscription ended for good; what it had delivered stands.
 */

/** JSON as stored: plain data, never class instances. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** The stream must not exist yet (its first append). */
export const NO_STREAM = 'no_stream' as const;
/** The stream must already exist, at any revision. */
export const STREAM_EXISTS = 'stream_exists' as const;
/** No concurrency check. Use only where the caller really does not care. */
export const ANY = 'any' as const;

/** What the caller believes the stream's current revision is. */
export type ExpectedRevision = bigint | typeof NO_STREAM | typeof STREAM_EXISTS | typeof ANY;

/**
 * An event to append.
 *
 * Event ids: `id` is generated (a random UUID) when absent; import keeps the original. Give UUIDs:
 * EventStoreDB refuses anything else (EventStoreError, not retryable) and returns them in lower
 * case; the embedded store accepts any non-empty string and returns it as given. Ids identify an
 * event, and both stores make re-sending an append safe, differently:
 * - embedded (SQLite): an id already stored anywhere is refused with {@link DuplicateEventIdError}
 *   and nothing of that append is written.
 * - EventStoreDB: re-appending the same events (same ids, same stream, same expected revision)
 *   is an idempotent success that writes nothing new (the server's idempotency check); other
 *   duplicates are not checked by the server, so this adapter does not promise to refuse them.
 * Portable rule: never reuse an id for a different event; after {@link AppendOutcomeUnknownError}
 * retry with the same ids — the store then holds the events once.
 */
export interface NewEvent {
  readonly id?: string;
  readonly type: string;
  readonly data: JsonValue;
  readonly metadata?: JsonObject;
}

/** An event as the store holds it. */
export interface RecordedEvent {
  readonly id: string;
  readonly type: string;
  readonly stream: string;
  readonly revision: bigint;
  readonly position: bigint;
  readonly data: JsonValue;
  readonly metadata: JsonObject;
  /** When the store committed it (server clock). */
  readonly created: Date;
  /**
   * The event's link in the hash chain (chain/chain-link.ts) as the store's append wrote it, in
   * the same transaction as the event: stores with `chainLinked` only. An event of such a store
   * without it, or whose link is not the chain's, was not written by append.
   */
  readonly chain?: StoreLink;
}

/** A chain link kept in the event's own row: its sequence number n in the log and link_n. */
export interface StoreLink {
  readonly sequence: bigint;
  readonly link: string;
}

/** One part of {@link EventStore.appendMany}: what {@link EventStore.append} takes. */
export interface StreamAppend {
  readonly stream: string;
  readonly events: readonly NewEvent[];
  readonly expected: ExpectedRevision;
}

export interface AppendResult {
  /** Revision of the last event written: pass it as `expected` for the next append. */
  readonly nextExpectedRevision: bigint;
  /** Global position of the last event written. */
  readonly position: bigint;
  /** Position of each event written, in order. */
  readonly positions: readonly bigint[];
}

export interface ReadAllFilter {
  /** Only events of these types. */
  readonly eventTypes?: readonly string[];
  /** Only events of streams whose name starts with one of these prefixes. */
  readonly streamPrefixes?: readonly string[];
}

export interface ReadAllOptions {
  /**
   * Exclusive bound: forwards reads events after this position, backwards reads
   * events before it. Absent = from the start (forwards) or the end (backwards).
   * Must be 0n or a position the store returned: a negative one, or one inside the log that is
   * not an event boundary, fails the read with {@link InvalidPositionError} before anything is
   * delivered. A position beyond the head reads nothing (forwards).
   */
  readonly from?: bigint;
  readonly direction?: 'forwards' | 'backwards';
  readonly filter?: ReadAllFilter;
  readonly maxCount?: number;
}

export interface ReadStreamOptions {
  /** Inclusive: the first revision to read. */
  readonly fromRevision?: bigint;
  readonly maxCount?: number;
}

export interface SubscribeAllOptions {
  /**
   * Exclusive: deliver every event after this position. Absent = from the start. A negative
   * position throws {@link InvalidPositionError} at once; on EventStoreDB one that is not an event
   * boundary ends the subscription with {@link SubscriptionFailedError}.
   */
  readonly from?: bigint;
  readonly filter?: ReadAllFilter;
}

/**
 * A live subscription to the global log. Iterate it with `for await`; it first delivers the
 * events already stored after `from`, then new ones as they are committed, in commit order,
 * each exactly once. `close()` ends the iteration.
 *
 * Transient failures (connection lost, leader change) are retried inside the adapter, resuming
 * after the last event or checkpoint received, so the consumer sees no gap or repeat. A permanent
 * one (access denied, an invalid position, an event it cannot map) rejects the iterator's `next()`
 * with {@link SubscriptionFailedError} once the events already received are taken; the
 * subscription is then over.
 */
export interface AllSubscription extends AsyncIterable<RecordedEvent> {
  close(): Promise<void>;
}

export interface EventStore {
  /** A short name for logs and health output ("sqlite", "eventstoredb"). */
  readonly kind: string;

  /**
   * True when every append writes each event's chain link with it (RecordedEvent.chain), so
   * that a row put into the store by other means can be told apart (the embedded store, whose
   * file anyone with access can write). EventStoreDB offers no way to write around its append.
   */
  readonly chainLinked?: boolean;

  /**
   * Appends events atomically to one stream. Fails with {@link WrongExpectedRevisionError}
   * when the stream is not at `expected`; then nothing is written. Resolves only once the
   * events are durable.
   */
  append(stream: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult>;

  /**
   * Appends to several streams in one call: `appends[i]` is checked against its own expected
   * revision (seeing the parts before it, so a stream may appear twice) and answered by
   * `results[i]`. All or nothing where the store can promise it ({@link atomicAppendMany}):
   * the first refused part ({@link WrongExpectedRevisionError}, {@link DuplicateEventIdError})
   * rejects the call and nothing of it is written — on the embedded store one transaction and one
   * fsync for all parts. Where it cannot (EventStoreDB: the parts are appended one after another),
   * part i's refusal or failure rejects the call with that part's error and leaves parts 0..i-1
   * written (a caller that re-reads its streams and decides again, as handleCommands does, stores
   * nothing twice). An empty list resolves to [].
   */
  appendMany(appends: readonly StreamAppend[]): Promise<AppendResult[]>;

  /** True when {@link appendMany} writes all parts or none (the embedded store). */
  readonly atomicAppendMany: boolean;

  /** A stream's events in revision order; an absent stream reads as empty. */
  readStream(stream: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;

  /**
   * The global log in commit order (or reverse), filtered. Ends only when the log (or maxCount)
   * is exhausted: if the store is closed or fails mid-read the iteration throws, so a read that
   * completes is complete.
   */
  readAll(options?: ReadAllOptions): AsyncIterable<RecordedEvent>;

  subscribeAll(options?: SubscribeAllOptions): AllSubscription;

  /** Position of the last committed event, 0n when the store is empty. */
  headPosition(): Promise<bigint>;

  close(): Promise<void>;
}

export class WrongExpectedRevisionError extends Error {
  override readonly name = 'WrongExpectedRevisionError';
  constructor(
    readonly stream: string,
    readonly expected: ExpectedRevision,
    /** The stream's revision at the time, or NO_STREAM when it does not exist. */
    readonly actual: bigint | typeof NO_STREAM,
  ) {
    super(
      `Stream "${stream}" is at ${describeRevision(actual)}, expected ${describeRevision(expected)}`,
    );
  }
}

export interface EventStoreErrorOptions extends ErrorOptions {
  /** Whether the same call may succeed later unchanged; default false. */
  readonly retryable?: boolean;
}

/** Anything the store refused or failed to do that is not a concurrency conflict. */
export class EventStoreError extends Error {
  override readonly name: string = 'EventStoreError';
  /**
   * True when the failure is transient (the store was unavailable, a leader changed, the answer
   * was lost): the same call may succeed if made again. False: it fails the same way until the
   * input or the store's configuration changes.
   */
  readonly retryable: boolean;

  constructor(message: string, options: EventStoreErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.retryable = options.retryable ?? false;
  }
}

/** Transient: the store could not serve the call now (unreachable, no leader, not the leader). Nothing was written. */
export class EventStoreUnavailableError extends EventStoreError {
  override readonly name: string = 'EventStoreUnavailableError';
  constructor(message: string, options: ErrorOptions = {}) {
    super(message, { ...options, retryable: true });
  }
}

/**
 * An append was sent but its answer was lost (deadline exceeded, connection dropped mid-call):
 * it may or may not have been committed. Retry with the same event ids and expected revision;
 * see the error list in this file's header.
 */
export class AppendOutcomeUnknownError extends EventStoreError {
  override readonly name: string = 'AppendOutcomeUnknownError';
  constructor(
    readonly stream: string,
    readonly expected: ExpectedRevision,
    options: ErrorOptions = {},
  ) {
    super(
      `The append to "${stream}" (expected ${describeRevision(expected)}) may or may not have been committed: ` +
        `its answer was lost${options.cause instanceof Error ? ` (${options.cause.message})` : ''}`,
      { ...options, retryable: true },
    );
  }
}

/** A position given to read from that is not 0n nor an event boundary of this store. Permanent. */
export class InvalidPositionError extends EventStoreError {
  override readonly name: string = 'InvalidPositionError';
  constructor(
    readonly position: bigint,
    /** Why, in words that can follow the field name ("is not the position of an event"). */
    readonly reason: string,
  ) {
    super(`Position ${position} ${reason}`);
  }
}

/** The embedded store refused an append because an event id is already stored. Nothing of the append was written. */
export class DuplicateEventIdError extends EventStoreError {
  override readonly name: string = 'DuplicateEventIdError';
  constructor(
    readonly stream: string,
    readonly id: string,
  ) {
    super(`Event id ${id} is already stored; nothing was appended to "${stream}"`);
  }
}

/**
 * A subscription ended for good (access denied, invalid position, an event it cannot map):
 * the iterator's `next()` rejects with it once the events already received are taken. Transient
 * failures are retried inside the adapter and never surface as this.
 */
export class SubscriptionFailedError extends EventStoreError {
  override readonly name: string = 'SubscriptionFailedError';
}

function describeRevision(revision: ExpectedRevision): string {
  return typeof revision === 'bigint' ? `revision ${revision}` : revision;
}

/** Whether a stream at `actual` satisfies `expected`. Shared by every adapter. */
export function satisfiesExpected(expected: ExpectedRevision, actual: bigint | typeof NO_STREAM): boolean {
  switch (expected) {
    case ANY:
      return true;
    case NO_STREAM:
      return actual === NO_STREAM;
    case STREAM_EXISTS:
      return actual !== NO_STREAM;
    default:
      return actual === expected;
  }
}

/** Whether an event passes a readAll/subscribeAll filter. Shared by every adapter. */
export function matchesFilter(
  event: Pick<RecordedEvent, 'type' | 'stream'>,
  filter: ReadAllFilter | undefined,
): boolean {
  if (!filter) return true;
  if (filter.eventTypes && !filter.eventTypes.includes(event.type)) return false;
  if (filter.streamPrefixes && !filter.streamPrefixes.some((p) => event.stream.startsWith(p))) {
    return false;
  }
  return true;
}

/**
 * Checks a position that came from a client (a history cursor, `at.position`) before it is used:
 * throws {@link InvalidPositionError} when the store would refuse reading from it. Reads at most
 * one event (EventStoreDB: plus the boundary check).
 */
export async function assertReadablePosition(store: Pick<EventStore, 'readAll'>, position: bigint): Promise<void> {
  for await (const _ of store.readAll({ from: position, maxCount: 1 })) break;
}
