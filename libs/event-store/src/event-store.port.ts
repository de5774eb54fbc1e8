/**
 * The event store port: the only way the rest of the system touches stored events.
 * Two adapters implement it (embedded SQLite, EventStoreDB) and one contract suite
 * (test/contract) proves they behave the same.
 *
 * Positions are global, monotonically increasing bigints: the commit order of the store.
 * Revisions are per stream, starting at 0n for a stream's first event.
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

/** An event to append. `id` (a UUID) is generated when absent; import keeps the original. */
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
  /** Exclusive: deliver every event after this position. Absent = from the start. */
  readonly from?: bigint;
  readonly filter?: ReadAllFilter;
}

/**
 * A live subscription to the global log. Iterate it with `for await`; it first delivers the
 * events already stored after `from`, then new ones as they are committed, in commit order,
 * each exactly once. `close()` ends the iteration.
 */
export interface AllSubscription extends AsyncIterable<RecordedEvent> {
  close(): Promise<void>;
}

export interface EventStore {
  /** A short name for logs and health output ("sqlite", "eventstoredb"). */
  readonly kind: string;

  /**
   * Appends events atomically to one stream. Fails with {@link WrongExpectedRevisionError}
   * when the stream is not at `expected`; then nothing is written. Resolves only once the
   * events are durable.
   */
  append(stream: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult>;

  /** A stream's events in revision order; an absent stream reads as empty. */
  readStream(stream: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;

  /** The global log in commit order (or reverse), filtered. */
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

/** Anything the store refused or failed to do that is not a concurrency conflict. */
export class EventStoreError extends Error {
  override readonly name = 'EventStoreError';
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
