/**
 * The EventStoreDB / KurrentDB adapter of the {@link EventStore} port, over
 * `@kurrent/kurrentdb-client` (the successor of `@eventstore/db-client`, whose 6.x `readAll` could
 * not filter on the server: every filtered read scanned all of `$all`). Every call to the client
 * stays in this folder.
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
 *   position, so the appended revisions are read back from the stream, from the leader (servers
 *   from 22.6 on report the `$all` position on stream reads). A single-event append needs none.
 * - A `from` given to readAll is checked to be an event boundary (one extra one-event read):
 *   positions are byte offsets here, and the server answers a read from inside a record with an
 *   internal error, not a usable one. See {@link EventStoreDbEventStore.assertBoundary}.
 * - Errors are classified in eventstoredb-errors.ts (transient, answer lost, permanent).
 * - appendMany appends its parts one after another and is NOT atomic here (atomicAppendMany is
 *   false): the client's multiStreamAppend (1.3) needs a KurrentDB 25.1 server and stores metadata
 *   as string-only properties, not our JSON metadata object, so events written by it would read
 *   back differently from those written by append.
 *
 * The files: this one (the store), eventstoredb-subscription.ts (the $all subscription with its
 * queue and resubscription), eventstoredb-mapping.ts (pure mapping), eventstoredb-errors.ts,
 * connection-string.ts.
 */
import { Logger } from '@nestjs/common';
import {
  type AllStreamRecordedEvent,
  type AllStreamResolvedEvent,
  BACKWARDS,
  END,
  type EventData,
  type Filter,
  KurrentDBClient,
  FORWARDS,
  type Position,
  type ReadPosition,
  type ResolvedEvent,
  START,
  StreamNotFoundError,
  ErrorType,
  isCommandError,
} from '@kurrent/kurrentdb-client';
import {
  type AllSubscription,
  type AppendResult,
  type EventStore,
  EventStoreError,
  type ExpectedRevision,
  InvalidPositionError,
  NO_STREAM,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type StreamAppend,
  type SubscribeAllOptions,
  WrongExpectedRevisionError,
  matchesFilter,
} from '../event-store.port.js';
import { normalizeConnectionString, redactConnectionString, scrub } from './connection-string.js';
import { toStoreError } from './eventstoredb-errors.js';
import {
  describeError,
  excludedByFrom,
  isSystemEvent,
  knownPosition,
  samePosition,
  serverFilterFor,
  toClientExpectedRevision,
  toClientPosition,
  toEventData,
  toRecordedEvent,
  withTimeout,
} from './eventstoredb-mapping.js';
import { EventStoreDbAllSubscription } from './eventstoredb-subscription.js';

export { SUBSCRIPTION_HIGH_WATER, SUBSCRIPTION_LOW_WATER } from './eventstoredb-subscription.js';

/** $all reads are paged; a page is read whole, so an abandoned iteration leaves no open call. */
const MAX_PAGE_SIZE = 512;
const CONNECT_TIMEOUT_MS = 10_000;

export interface EventStoreDbConnectOptions {
  /** How long the connection check may take before `connect` gives up (ms). */
  readonly timeoutMs?: number;
}

export class EventStoreDbEventStore implements EventStore {
  readonly kind = 'eventstoredb';
  readonly atomicAppendMany = false;

  private readonly logger = new Logger(EventStoreDbEventStore.name);
  private readonly subscriptions = new Set<EventStoreDbAllSubscription>();
  private closing: Promise<void> | undefined;

  /**
   * Prefer {@link EventStoreDbEventStore.connect}, which also checks the server is reachable.
   * @param description how logs and errors name the server (never with credentials).
   */
  constructor(
    private readonly client: KurrentDBClient,
    private readonly description = 'EventStoreDB',
  ) {}

  /**
   * Connects and proves the connection by reading the last event of `$all`.
   * Accepts `esdb://` and `esdb+discover://` strings (and their `kurrentdb://`, `kurrent://` and
   * `kdb://` spellings).
   */
  static async connect(connectionString: string, options: EventStoreDbConnectOptions = {}): Promise<EventStoreDbEventStore> {
    const safe = redactConnectionString(connectionString);
    let client: KurrentDBClient;
    try {
      client = KurrentDBClient.connectionString(normalizeConnectionString(connectionString));
    } catch (error) {
      throw new EventStoreError(`Invalid EventStoreDB connection string ${safe}: ${scrub(describeError(error), connectionString)}`, {
        cause: error,
      });
    }
    const store = new EventStoreDbEventStore(client, `EventStoreDB at ${safe}`);
    const timeoutMs = options.timeoutMs ?? CONNECT_TIMEOUT_MS;
    try {
      await withTimeout(store.readAllPage(END, 'backwards', 1), timeoutMs, `no answer within ${timeoutMs} ms`);
    } catch (error) {
      await client.dispose().catch(() => undefined);
      const reason = error instanceof EventStoreError && error.cause !== undefined ? error.cause : error;
      // Retryable: a server that is starting or electing a leader answers later.
      throw new EventStoreError(`Cannot connect to EventStoreDB at ${safe}: ${scrub(describeError(reason), connectionString)}`, {
        cause: error,
        retryable: true,
      });
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
      result = await this.client.appendToStream(stream, data, { streamState: toClientExpectedRevision(expected) });
    } catch (error) {
      throw toStoreError(error, `append to "${stream}"`, { stream, expected });
    }
    // Only when the connection string sets throwOnAppendFailure=false: the client then reports a
    // conflict as a result. Its revision cannot be trusted — client 6.2.1's batch append (used by
    // every server from 21.10) reports BigInt(hasCurrentStreamRevision()), i.e. 1n or 0n — so
    // the stream's revision is read from the leader.
    if (!result.success) {
      throw new WrongExpectedRevisionError(stream, expected, await this.currentRevision(stream));
    }

    const nextExpectedRevision = result.nextExpectedRevision;
    const reported = result.position ? knownPosition(result.position.commit) : undefined;
    if (data.length === 1 && reported !== undefined) {
      return { nextExpectedRevision, position: reported, positions: [reported] };
    }
    const positions = await this.readBackPositions(stream, data, nextExpectedRevision);
    return { nextExpectedRevision, position: positions[positions.length - 1], positions };
  }

  /** Part by part (see the file's header): part i's error leaves parts 0..i-1 written. */
  async appendMany(appends: readonly StreamAppend[]): Promise<AppendResult[]> {
    const results: AppendResult[] = [];
    for (const part of appends) results.push(await this.append(part.stream, part.events, part.expected));
    return results;
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    const maxCount = options.maxCount === undefined ? undefined : Math.floor(options.maxCount);
    if (maxCount !== undefined && maxCount <= 0) return [];
    const resolved = await this.readStreamResolved(stream, { fromRevision: options.fromRevision, maxCount });
    const out: RecordedEvent[] = [];
    for (const { event } of resolved) if (event) out.push(toRecordedEvent(event));
    return out;
  }

  readAll(options: ReadAllOptions = {}): AsyncIterable<RecordedEvent> {
    return { [Symbol.asyncIterator]: () => this.readAllEvents(options) };
  }

  subscribeAll(options: SubscribeAllOptions = {}): AllSubscription {
    this.assertOpen();
    if (options.from !== undefined && options.from < 0n) throw new InvalidPositionError(options.from, 'is negative');
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

  private assertOpen(during?: string): void {
    if (this.closing) throw new EventStoreError(`The event store (${this.description}) was closed${during ? ` ${during}` : ''}`);
  }

  /**
   * Refuses a `from` that is not 0n nor an event boundary: the read from there (inclusive, one
   * record) must start with a record at exactly that position. Nothing there = at or beyond the
   * end of the log, which reads nothing, as in the embedded store.
   */
  private async assertBoundary(from: bigint): Promise<void> {
    if (from < 0n) throw new InvalidPositionError(from, 'is negative');
    if (from === 0n) return;
    if (knownPosition(from) === undefined) throw new InvalidPositionError(from, 'is beyond the largest position EventStoreDB can hold');
    let page: AllStreamResolvedEvent[];
    try {
      page = await this.readAllPage(toClientPosition(from), 'forwards', 1);
    } catch (error) {
      const cause = error instanceof EventStoreError ? error.cause : error;
      if (cause instanceof Error && isCommandError(cause) && cause.type === ErrorType.INVALID_ARGUMENT) {
        throw new InvalidPositionError(from, `is not the position of an event in this log (${describeError(cause)})`);
      }
      throw error;
    }
    const first = page[0]?.event ?? page[0]?.link;
    if (first?.position && first.position.commit !== from) {
      throw new InvalidPositionError(from, 'is not the position of an event in this log');
    }
  }

  /**
   * The server filters (stream prefixes, else event types by prefix, else no system events) and
   * the exact filter is applied again here: the server's event-type filter matches prefixes.
   */
  private async *readAllEvents(options: ReadAllOptions): AsyncGenerator<RecordedEvent> {
    this.assertOpen();
    const direction = options.direction ?? 'forwards';
    const limit = options.maxCount === undefined ? Number.POSITIVE_INFINITY : Math.max(0, Math.floor(options.maxCount));
    if (limit === 0) return;
    if (options.from !== undefined) await this.assertBoundary(options.from);
    const start: ReadPosition =
      options.from === undefined ? (direction === 'forwards' ? START : END) : toClientPosition(options.from);
    let delivered = 0;
    for await (const event of this.scanAll(start, direction, limit, serverFilterFor(options.filter))) {
      if (options.from !== undefined && excludedByFrom(event.position.commit, options.from, direction)) continue;
      if (isSystemEvent(event)) continue;
      const recorded = toRecordedEvent(event);
      if (!matchesFilter(recorded, options.filter)) continue;
      yield recorded;
      if (++delivered >= limit) return;
    }
  }

  /** The records of `$all` from `start` (inclusive start dropped) that pass `filter`, page by page. */
  private async *scanAll(
    start: ReadPosition,
    direction: 'forwards' | 'backwards',
    wanted: number,
    filter: Filter,
  ): AsyncGenerator<AllStreamRecordedEvent> {
    let cursor = start;
    let pageSize = Math.min(MAX_PAGE_SIZE, Math.max(2, wanted + 1));
    for (;;) {
      const page = await this.readAllPage(cursor, direction, pageSize, filter);
      // close() disposes the client, which can end a read in flight early and quietly: a short
      // page would then look like the end of the log and the read like a complete one.
      this.assertOpen('during a read of $all');
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

  /** One page of `$all`; with a filter the server returns only matching events, up to `maxCount` of them. */
  private async readAllPage(
    fromPosition: ReadPosition,
    direction: 'forwards' | 'backwards',
    maxCount: number,
    filter?: Filter,
  ): Promise<AllStreamResolvedEvent[]> {
    const page: AllStreamResolvedEvent[] = [];
    try {
      const read = this.client.readAll({
        fromPosition,
        direction: direction === 'forwards' ? FORWARDS : BACKWARDS,
        maxCount,
        resolveLinkTos: false,
        ...(filter ? { filter } : {}),
      });
      for await (const resolved of read) page.push(resolved);
    } catch (error) {
      throw toStoreError(error, `read $all from ${this.description}`);
    }
    return page;
  }

  /** A stream's events as the client returns them; an absent stream is empty. */
  private async readStreamResolved(
    stream: string,
    options: { fromRevision?: bigint; maxCount?: number; backwards?: boolean; requiresLeader?: boolean },
  ): Promise<ResolvedEvent[]> {
    const out: ResolvedEvent[] = [];
    try {
      const read = this.client.readStream(stream, {
        fromRevision: options.fromRevision ?? (options.backwards ? END : START),
        direction: options.backwards ? BACKWARDS : FORWARDS,
        resolveLinkTos: false,
        ...(options.maxCount === undefined ? {} : { maxCount: options.maxCount }),
        ...(options.requiresLeader ? { requiresLeader: true } : {}),
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
    // From the leader: a follower may not have the events yet and would answer with fewer.
    const readBack = await this.readStreamResolved(stream, { fromRevision: first, maxCount: count, requiresLeader: true });
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

  /** The stream's current revision on the leader, or NO_STREAM. */
  private async currentRevision(stream: string): Promise<bigint | typeof NO_STREAM> {
    const [last] = await this.readStreamResolved(stream, { backwards: true, maxCount: 1, requiresLeader: true });
    return last?.event ? last.event.revision : NO_STREAM;
  }
}
