/**
 * The EventStoreDB adapter of the {@link EventStore} port, over `@eventstore/db-client` (gRPC).
 * Every call to the client stays in this file.
 *
 * How our port maps onto EventStoreDB:
 * - A position is the event's `$all` **commit** position. For events appended through the gRPC
 *   API (implicit transactions — the only kind this adapter writes) the server records each
 *   event as its own committed prepare, so commit === prepare and positions are unique per
 *   event. When turning one of our bigints back into a client `Position` we therefore use
 *   `{ commit: p, prepare: p }`.
 * - Our `from` bounds are exclusive; the client's start positions are inclusive for forward
 *   reads (and may be for subscriptions), so every reader also drops events at the bound.
 * - System events (event types or stream names starting with `$`) never leave this adapter.
 * - Per-event positions of a multi-event append: the server only reports the last event's
 *   position, so the appended revisions are read back from the stream (servers from 22.6 on
 *   report the `$all` position on stream reads). A single-event append needs no extra read.
 */
import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import {
  type AllStreamRecordedEvent,
  type AllStreamResolvedEvent,
  type AllStreamSubscription,
  type AppendExpectedRevision,
  BACKWARDS,
  END,
  type EventData,
  EventStoreDBClient,
  type Filter,
  FORWARDS,
  type JSONType,
  type Position,
  type ReadPosition,
  type RecordedEvent as EsdbRecordedEvent,
  type ResolvedEvent,
  START,
  StreamNotFoundError,
  WrongExpectedVersionError,
  eventTypeFilter,
  excludeSystemEvents,
  jsonEvent,
  streamNameFilter,
} from '@eventstore/db-client';
import {
  ANY,
  type AllSubscription,
  type AppendResult,
  type EventStore,
  EventStoreError,
  type ExpectedRevision,
  type JsonObject,
  type JsonValue,
  NO_STREAM,
  type NewEvent,
  type ReadAllFilter,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  STREAM_EXISTS,
  type SubscribeAllOptions,
  WrongExpectedRevisionError,
  matchesFilter,
} from '../event-store.port.js';

/** $all reads are paged; a page is read whole, so an abandoned iteration leaves no open call. */
const MAX_PAGE_SIZE = 512;
/** A subscription pauses the client stream at this many undelivered events … */
export const SUBSCRIPTION_HIGH_WATER = 1024;
/** … and resumes it once the consumer has brought the queue down to this many. */
export const SUBSCRIPTION_LOW_WATER = 256;
const RECONNECT_BASE_MS = 100;
const RECONNECT_MAX_MS = 5_000;
const CONNECT_TIMEOUT_MS = 10_000;
const UNSUBSCRIBE_TIMEOUT_MS = 2_000;
/** Positions are int64 on the server; anything outside is the "no position" marker (2^64-1). */
const MAX_POSITION = 2n ** 63n;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface EventStoreDbConnectOptions {
  /** How long the connection check may take before `connect` gives up (ms). */
  readonly timeoutMs?: number;
}

export class EventStoreDbEventStore implements EventStore {
  readonly kind = 'eventstoredb';

  private readonly logger = new Logger(EventStoreDbEventStore.name);
  private readonly subscriptions = new Set<EventStoreDbAllSubscription>();
  private closing: Promise<void> | undefined;

  /**
   * Prefer {@link EventStoreDbEventStore.connect}, which also checks the server is reachable.
   * @param description how logs and errors name the server (never with credentials).
   */
  constructor(
    private readonly client: EventStoreDBClient,
    private readonly description = 'EventStoreDB',
  ) {}

  /**
   * Connects and proves the connection by reading the last event of `$all`.
   * Accepts `esdb://` and `esdb+discover://` strings (and their `kurrentdb://`/`kdb://` spellings).
   */
  static async connect(connectionString: string, options: EventStoreDbConnectOptions = {}): Promise<EventStoreDbEventStore> {
    const safe = redactConnectionString(connectionString);
    let client: EventStoreDBClient;
    try {
      client = EventStoreDBClient.connectionString(normalizeConnectionString(connectionString));
    } catch (error) {
      throw new EventStoreError(
        `Invalid EventStoreDB connection string ${safe}: ${scrub(describeError(error), connectionString)}`,
        { cause: error },
      );
    }
    const store = new EventStoreDbEventStore(client, `EventStoreDB at ${safe}`);
    const timeoutMs = options.timeoutMs ?? CONNECT_TIMEOUT_MS;
    try {
      await withTimeout(store.readAllPage(END, 'backwards', 1), timeoutMs, `no answer within ${timeoutMs} ms`);
    } catch (error) {
      await client.dispose().catch(() => undefined);
      const reason = error instanceof EventStoreError && error.cause !== undefined ? error.cause : error;
      throw new EventStoreError(
        `Cannot connect to EventStoreDB at ${safe}: ${scrub(describeError(reason), connectionString)}`,
        { cause: error },
      );
    }
    return store;
  }

  async append(stream: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    this.assertOpen();
    if (!stream) throw new EventStoreError('A stream name is required');
    if (events.length === 0) throw new EventStoreError('Nothing to append');
    const data = events.map(toEventData);

    let result;
    try {
      result = await this.client.appendToStream(stream, data, { expectedRevision: toClientExpectedRevision(expected) });
    } catch (error) {
      throw toStoreError(error, `append to "${stream}"`, { stream, expected });
    }
    // Only when the connection string sets throwOnAppendFailure=false: the client then reports
    // a conflict as a result carrying the current revision (-1 for an absent stream).
    if (!result.success) {
      throw new WrongExpectedRevisionError(stream, expected, toActualRevision(result.nextExpectedRevision));
    }

    const nextExpectedRevision = result.nextExpectedRevision;
    const reported = result.position ? knownPosition(result.position.commit) : undefined;
    if (data.length === 1 && reported !== undefined) {
      return { nextExpectedRevision, position: reported, positions: [reported] };
    }
    const positions = await this.readBackPositions(stream, data, nextExpectedRevision);
    return { nextExpectedRevision, position: positions[positions.length - 1], positions };
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    const maxCount = options.maxCount === undefined ? undefined : Math.floor(options.maxCount);
    if (maxCount !== undefined && maxCount <= 0) return [];
    const resolved = await this.readStreamResolved(stream, options.fromRevision, maxCount);
    const out: RecordedEvent[] = [];
    for (const { event } of resolved) if (event) out.push(toRecordedEvent(event));
    return out;
  }

  readAll(options: ReadAllOptions = {}): AsyncIterable<RecordedEvent> {
    return { [Symbol.asyncIterator]: () => this.readAllEvents(options) };
  }

  subscribeAll(options: SubscribeAllOptions = {}): AllSubscription {
    this.assertOpen();
    const subscription = new EventStoreDbAllSubscription(this.client, options, this.logger, (s) =>
      this.subscriptions.delete(s),
    );
    this.subscriptions.add(subscription);
    return subscription;
  }

  async headPosition(): Promise<bigint> {
    for await (const event of this.readAllEvents({ direction: 'backwards', maxCount: 1 })) return event.position;
    return 0n;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.allSettled([...this.subscriptions].map((s) => s.close()));
      await this.client.dispose();
    })();
    return this.closing;
  }

  private assertOpen(): void {
    if (this.closing) throw new EventStoreError(`The event store (${this.description}) is closed`);
  }

  private async *readAllEvents(options: ReadAllOptions): AsyncGenerator<RecordedEvent> {
    this.assertOpen();
    const direction = options.direction ?? 'forwards';
    const limit = options.maxCount === undefined ? Number.POSITIVE_INFINITY : Math.max(0, Math.floor(options.maxCount));
    if (limit === 0) return;
    const start: ReadPosition =
      options.from === undefined ? (direction === 'forwards' ? START : END) : toClientPosition(options.from);
    let delivered = 0;
    for await (const event of this.scanAll(start, direction, limit)) {
      if (options.from !== undefined && excludedByFrom(event.position.commit, options.from, direction)) continue;
      if (isSystemEvent(event)) continue;
      const recorded = toRecordedEvent(event);
      if (!matchesFilter(recorded, options.filter)) continue;
      yield recorded;
      if (++delivered >= limit) return;
    }
  }

  /**
   * Every record of `$all` from `start` (inclusive start dropped), page by page. The client
   * 6.x `readAll` takes no server-side filter, so filtering happens in {@link readAllEvents}.
   */
  private async *scanAll(
    start: ReadPosition,
    direction: 'forwards' | 'backwards',
    wanted: number,
  ): AsyncGenerator<AllStreamRecordedEvent> {
    let cursor = start;
    let pageSize = Math.min(MAX_PAGE_SIZE, Math.max(2, wanted + 1));
    for (;;) {
      const page = await this.readAllPage(cursor, direction, pageSize);
      let last: Position | undefined;
      for (const resolved of page) {
        const record = resolved.event ?? resolved.link;
        if (!record) continue;
        if (typeof cursor === 'object' && samePosition(record.position, cursor)) continue;
        last = record.position;
        if (resolved.event) yield resolved.event;
      }
      if (page.length < pageSize) return;
      if (!last) throw new EventStoreError(`Reading $all from ${this.description} made no progress`);
      cursor = last;
      pageSize = Math.min(MAX_PAGE_SIZE, pageSize * 4);
    }
  }

  private async readAllPage(
    fromPosition: ReadPosition,
    direction: 'forwards' | 'backwards',
    maxCount: number,
  ): Promise<AllStreamResolvedEvent[]> {
    const page: AllStreamResolvedEvent[] = [];
    try {
      const read = this.client.readAll({
        fromPosition,
        direction: direction === 'forwards' ? FORWARDS : BACKWARDS,
        maxCount,
        resolveLinkTos: false,
      });
      for await (const resolved of read) page.push(resolved);
    } catch (error) {
      throw toStoreError(error, `read $all from ${this.description}`);
    }
    return page;
  }

  /** A stream's events as the client returns them; an absent stream is empty. */
  private async readStreamResolved(stream: string, fromRevision: bigint | undefined, maxCount: number | undefined): Promise<ResolvedEvent[]> {
    const out: ResolvedEvent[] = [];
    try {
      const read = this.client.readStream(stream, {
        fromRevision: fromRevision ?? START,
        direction: FORWARDS,
        resolveLinkTos: false,
        ...(maxCount === undefined ? {} : { maxCount }),
      });
      for await (const resolved of read) out.push(resolved);
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw toStoreError(error, `read stream "${stream}" from ${this.description}`);
    }
    return out;
  }

  /**
   * The server reports only the last appended event's position, so the appended revisions
   * (`next - n + 1 … next`) are read back: stream reads carry `$all` positions from server 22.6.
   */
  private async readBackPositions(stream: string, appended: readonly EventData[], next: bigint): Promise<bigint[]> {
    const count = appended.length;
    const first = next - BigInt(count) + 1n;
    const cannot = (why: string) =>
      new EventStoreError(
        `Appended ${count} event(s) to "${stream}" (now at revision ${next}) but cannot tell their positions: ${why}`,
      );
    const readBack = await this.readStreamResolved(stream, first, count);
    if (
      readBack.length !== count ||
      readBack.some((r, i) => r.event?.id.toLowerCase() !== appended[i].id.toLowerCase())
    ) {
      throw cannot('reading the appended revisions back returned other events');
    }
    return readBack.map(({ event }) => {
      const position = event?.position ? knownPosition(event.position.commit) : undefined;
      if (position === undefined) {
        throw cannot('the server does not report $all positions on stream reads (EventStoreDB 22.6 or later does)');
      }
      return position;
    });
  }
}

/**
 * A catch-up subscription to `$all` with an internal bounded queue. The client stream runs in
 * flowing mode into the queue and is paused at {@link SUBSCRIPTION_HIGH_WATER} undelivered
 * events, resumed at {@link SUBSCRIPTION_LOW_WATER}. When the server drops the subscription
 * (an error, or an end we did not ask for) it resubscribes from the last position received,
 * after 100 ms doubling up to 5 s; events at or before that position are dropped, so nothing is
 * delivered twice or skipped.
 */
class EventStoreDbAllSubscription implements AllSubscription {
  private readonly queue: RecordedEvent[] = [];
  private readonly waiters: Array<{
    resolve: (result: IteratorResult<RecordedEvent>) => void;
    reject: (error: unknown) => void;
  }> = [];
  private readonly serverFilter: Filter;
  private current: AllStreamSubscription | undefined;
  /** Bumped on every (re)subscribe and on close: events of older client streams are ignored. */
  private generation = 0;
  private paused = false;
  private closed = false;
  private closing: Promise<void> | undefined;
  private failure: unknown;
  private attempt = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  /** Last position received from the server (delivered, queued or filtered out). */
  private cursor: Position | undefined;

  constructor(
    private readonly client: EventStoreDBClient,
    private readonly options: SubscribeAllOptions,
    private readonly logger: Logger,
    private readonly onClosed: (subscription: EventStoreDbAllSubscription) => void,
  ) {
    this.cursor = options.from === undefined ? undefined : toClientPosition(options.from);
    this.serverFilter = serverFilterFor(options.filter);
    this.subscribe();
  }

  [Symbol.asyncIterator](): AsyncIterator<RecordedEvent> {
    return {
      next: () => this.next(),
      return: async () => {
        await this.close();
        return { value: undefined, done: true };
      },
    };
  }

  close(): Promise<void> {
    return this.shutdown(false);
  }

  /** Stops the client stream; `keepQueued` lets the consumer still take what is queued. */
  private shutdown(keepQueued: boolean): Promise<void> {
    if (this.closing) return this.closing;
    this.closed = true;
    this.generation++;
    clearTimeout(this.reconnectTimer);
    if (!keepQueued) this.queue.length = 0;
    for (const waiter of this.waiters.splice(0)) waiter.resolve({ value: undefined, done: true });
    this.onClosed(this);
    const stream = this.current;
    this.current = undefined;
    this.closing = stream ? release(stream) : Promise.resolve();
    return this.closing;
  }

  private next(): Promise<IteratorResult<RecordedEvent>> {
    const value = this.queue.shift();
    if (value !== undefined) {
      if (this.paused && this.queue.length <= SUBSCRIPTION_LOW_WATER) {
        this.paused = false;
        this.current?.resume();
      }
      return Promise.resolve({ value, done: false });
    }
    if (this.failure !== undefined) {
      const failure = this.failure;
      this.failure = undefined;
      return Promise.reject(failure);
    }
    if (this.closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  private subscribe(): void {
    if (this.closed) return;
    const generation = ++this.generation;
    this.paused = false;
    let stream: AllStreamSubscription;
    try {
      stream = this.client.subscribeToAll({
        fromPosition: this.cursor ?? START,
        filter: this.serverFilter,
        resolveLinkTos: false,
      });
    } catch (error) {
      this.dropped(generation, error);
      return;
    }
    this.current = stream;
    stream.on('confirmation', () => {
      if (generation === this.generation) this.attempt = 0;
    });
    stream.on('data', (resolved: AllStreamResolvedEvent) => this.received(generation, resolved));
    // A listener for 'error' stays attached for the stream's whole life: an unheard 'error' event
    // would crash the process.
    stream.on('error', (error: Error) => this.dropped(generation, error));
    stream.on('end', () => this.dropped(generation, undefined));
    stream.on('close', () => this.dropped(generation, undefined));
    if (this.queue.length >= SUBSCRIPTION_HIGH_WATER) this.pause();
  }

  private received(generation: number, resolved: AllStreamResolvedEvent): void {
    if (generation !== this.generation || this.closed) return;
    this.attempt = 0;
    const event = resolved.event;
    if (!event) return;
    // $all events always carry their position; without one, resuming could not be exact.
    if (!event.position) {
      this.fail(new EventStoreError(`EventStoreDB sent event ${event.id} on $all without its position`));
      return;
    }
    if (this.cursor && comparePositions(event.position, this.cursor) <= 0) return;
    this.cursor = event.position;
    if (isSystemEvent(event)) return;
    let recorded: RecordedEvent;
    try {
      recorded = toRecordedEvent(event);
    } catch (error) {
      this.fail(error);
      return;
    }
    if (!matchesFilter(recorded, this.options.filter)) return;
    const waiter = this.waiters.shift();
    if (waiter) {
      waiter.resolve({ value: recorded, done: false });
      return;
    }
    this.queue.push(recorded);
    if (this.queue.length >= SUBSCRIPTION_HIGH_WATER) this.pause();
  }

  private pause(): void {
    if (this.paused || !this.current) return;
    this.paused = true;
    this.current.pause();
  }

  /** The client stream failed or ended without close(): resubscribe after a bounded backoff. */
  private dropped(generation: number, error: unknown): void {
    if (generation !== this.generation || this.closed) return;
    this.generation++;
    const stream = this.current;
    this.current = undefined;
    this.paused = false;
    if (stream) void release(stream);
    const delay = reconnectDelay(this.attempt++);
    const from = this.cursor ? `after position ${this.cursor.commit}` : 'from the start';
    const reason = error === undefined ? 'the server ended it' : describeError(error);
    this.logger.warn(`Subscription to $all dropped (${reason}); resubscribing ${from} in ${delay} ms`);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.subscribe();
    }, delay);
  }

  /** Ends the subscription with an error for the consumer (after what is already queued). */
  private fail(error: unknown): void {
    this.logger.error(`Subscription to $all failed: ${describeError(error)}`);
    const waiter = this.waiters.shift();
    if (waiter) waiter.reject(error);
    else this.failure = error;
    void this.shutdown(true);
  }
}

/** Cancels a client subscription stream and destroys it, never waiting long or throwing. */
async function release(stream: AllStreamSubscription): Promise<void> {
  try {
    await withTimeout(stream.unsubscribe(), UNSUBSCRIBE_TIMEOUT_MS, 'unsubscribe timed out');
  } catch {
    // The stream is being discarded either way.
  } finally {
    stream.destroy();
  }
}

// ---------------------------------------------------------------------------------------------
// Pure mapping helpers (exported for the unit tests; not part of the library's public API).
// ---------------------------------------------------------------------------------------------

/** Our expected revision as the client spells it (the string constants happen to coincide). */
export function toClientExpectedRevision(expected: ExpectedRevision): AppendExpectedRevision {
  switch (expected) {
    case NO_STREAM:
      return 'no_stream';
    case STREAM_EXISTS:
      return 'stream_exists';
    case ANY:
      return 'any';
    default:
      if (typeof expected !== 'bigint' || expected < 0n) {
        throw new EventStoreError(`Invalid expected revision: ${String(expected)}`);
      }
      return expected;
  }
}

/**
 * The stream's actual revision from a client conflict report: a revision, or NO_STREAM. Older
 * servers report an absent stream as -1 in error metadata, so any negative value means absent.
 */
export function toActualRevision(actual: bigint | 'no_stream' | undefined): bigint | typeof NO_STREAM {
  if (actual === undefined || actual === 'no_stream' || actual < 0n) return NO_STREAM;
  return actual;
}

/**
 * A client failure in port terms: a wrong expected version becomes
 * {@link WrongExpectedRevisionError}; anything else an {@link EventStoreError} with the cause.
 */
export function toStoreError(
  error: unknown,
  operation: string,
  append?: { stream: string; expected: ExpectedRevision },
): Error {
  if (error instanceof WrongExpectedRevisionError || error instanceof EventStoreError) return error;
  if (error instanceof WrongExpectedVersionError) {
    const stream = append?.stream ?? error.streamName;
    const expected = append?.expected ?? fromClientExpectedRevision(error.expectedVersion);
    return new WrongExpectedRevisionError(stream, expected, toActualRevision(error.actualVersion));
  }
  return new EventStoreError(`EventStoreDB could not ${operation}: ${describeError(error)}`, { cause: error });
}

function fromClientExpectedRevision(expected: AppendExpectedRevision): ExpectedRevision {
  if (typeof expected !== 'bigint') return expected;
  // Error metadata of older servers uses the legacy numbers: -1 no stream, -2 any, -4 exists.
  if (expected === -1n) return NO_STREAM;
  if (expected === -4n) return STREAM_EXISTS;
  if (expected < 0n) return ANY;
  return expected;
}

/** System events: their type or their stream starts with `$`. Never delivered by this adapter. */
export function isSystemEvent(event: { readonly type: string; readonly streamId: string }): boolean {
  return event.type.startsWith('$') || event.streamId.startsWith('$');
}

/** Whether an event at `commit` falls outside an exclusive `from` bound. */
export function excludedByFrom(commit: bigint, from: bigint, direction: 'forwards' | 'backwards'): boolean {
  return direction === 'forwards' ? commit <= from : commit >= from;
}

/** One of our positions as a client position; see the file comment on commit === prepare. */
export function toClientPosition(position: bigint): Position {
  return { commit: position, prepare: position };
}

export function comparePositions(a: Position, b: Position): number {
  if (a.commit !== b.commit) return a.commit < b.commit ? -1 : 1;
  if (a.prepare !== b.prepare) return a.prepare < b.prepare ? -1 : 1;
  return 0;
}

function samePosition(a: Position, b: Position): boolean {
  return a.commit === b.commit && a.prepare === b.prepare;
}

/** A real position, or undefined for the server's "no position" marker. */
export function knownPosition(commit: bigint): bigint | undefined {
  return commit >= 0n && commit < MAX_POSITION ? commit : undefined;
}

/** Backoff before resubscribing: 100 ms doubling, at most 5 s. */
export function reconnectDelay(attempt: number): number {
  return Math.min(RECONNECT_MAX_MS, RECONNECT_BASE_MS * 2 ** Math.min(attempt, 16));
}

/**
 * The server-side part of a subscription filter. The client takes one filter (on stream names
 * or on event types, by prefix), so this narrows what travels over the wire; the exact filter
 * ({@link matchesFilter}) and the system-event exclusion are applied again on our side.
 */
export function serverFilterFor(filter: ReadAllFilter | undefined): Filter {
  const usable = (values: readonly string[] | undefined): values is readonly string[] =>
    values !== undefined && values.length > 0 && values.every((v) => v.length > 0);
  if (usable(filter?.streamPrefixes)) return streamNameFilter({ prefixes: [...filter.streamPrefixes] });
  if (usable(filter?.eventTypes)) return eventTypeFilter({ prefixes: [...filter.eventTypes] });
  return excludeSystemEvents();
}

/** A new event as a client JSON event; data and metadata are serialised as JSON. */
export function toEventData(event: NewEvent): EventData {
  const id = event.id ?? randomUUID();
  if (!UUID.test(id)) throw new EventStoreError(`Event id "${id}" is not a UUID`);
  if (!event.type) throw new EventStoreError('An event type is required');
  return jsonEvent({
    id,
    type: event.type,
    // JSON.stringify'd by the client, so any JSON value works although its type says object/array/string.
    data: event.data as JSONType,
    ...(event.metadata === undefined ? {} : { metadata: event.metadata }),
  });
}

/** A client event as ours. Needs the event's `$all` position (always there on `$all` reads). */
export function toRecordedEvent(event: EsdbRecordedEvent): RecordedEvent {
  const position = event.position ? knownPosition(event.position.commit) : undefined;
  if (position === undefined) {
    throw new EventStoreError(
      `EventStoreDB did not report the $all position of event ${event.id} in "${event.streamId}" ` +
        '(stream reads carry it from EventStoreDB 22.6 on)',
    );
  }
  return {
    id: event.id,
    type: event.type,
    stream: event.streamId,
    revision: event.revision,
    position,
    data: toJsonData(event.data),
    metadata: toJsonMetadata(event.metadata),
    created: event.created,
  };
}

function toJsonData(data: unknown): JsonValue {
  if (data instanceof Uint8Array) {
    // Written by another tool as binary: JSON if it parses, else the text.
    const text = Buffer.from(data).toString('utf8');
    try {
      return JSON.parse(text) as JsonValue;
    } catch {
      return text;
    }
  }
  return data as JsonValue;
}

function toJsonMetadata(metadata: unknown): JsonObject {
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata) || metadata instanceof Uint8Array) {
    return {};
  }
  return metadata as JsonObject;
}

const SCHEMES: ReadonlyArray<readonly [RegExp, string]> = [
  [/^(?:kurrentdb|kdb)\+discover:\/\//i, 'esdb+discover://'],
  [/^(?:kurrentdb|kdb):\/\//i, 'esdb://'],
];

/** Client 6.x only parses `esdb://`/`esdb+discover://`; the KurrentDB spellings mean the same. */
export function normalizeConnectionString(connectionString: string): string {
  const trimmed = connectionString.trim();
  for (const [scheme, replacement] of SCHEMES) if (scheme.test(trimmed)) return trimmed.replace(scheme, replacement);
  return trimmed;
}

/** The connection string with any `user:password@` replaced by `***@`, for logs and errors. */
export function redactConnectionString(connectionString: string): string {
  const trimmed = connectionString.trim();
  const schemeEnd = trimmed.indexOf('://');
  if (schemeEnd < 0) return trimmed.replace(/^[^@?]*@/, '***@');
  const authorityStart = schemeEnd + 3;
  const queryStart = trimmed.indexOf('?', authorityStart);
  const authority = trimmed.slice(authorityStart, queryStart < 0 ? undefined : queryStart);
  const at = authority.lastIndexOf('@');
  if (at < 0) return trimmed;
  return `${trimmed.slice(0, authorityStart)}***@${trimmed.slice(authorityStart + at + 1)}`;
}

/** Removes the credentials of `connectionString` from a message that may quote it. */
function scrub(message: string, connectionString: string): string {
  const trimmed = connectionString.trim();
  const schemeEnd = trimmed.indexOf('://');
  const authority = trimmed.slice(schemeEnd < 0 ? 0 : schemeEnd + 3).split('?')[0];
  const at = authority.lastIndexOf('@');
  if (at < 0) return message;
  const userInfo = authority.slice(0, at);
  let out = message.split(trimmed).join(redactConnectionString(trimmed));
  if (userInfo) out = out.split(userInfo).join('***');
  return out;
}

function describeError(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(message)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
