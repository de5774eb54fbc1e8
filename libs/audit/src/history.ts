import { type EventStore, InvalidPositionError, type RecordedEvent, assertReadablePosition } from '@app/event-store';
import type { ChainStore, PositionRange } from './chain-store.js';
import { type HistoryFilter, matchesHistoryFilter, needsIndex } from './history-filter.js';
import { LedgerClock } from './ledger-clock.js';

/** Most events one page may hold. */
export const MAX_PAGE_SIZE = 500;
/** Events per page when neither `first` nor `last` is given. */
export const DEFAULT_PAGE_SIZE = 50;

export type HistoryOrder = 'OLDEST_FIRST' | 'NEWEST_FIRST';

/** A refused paging argument; `field` names it. The api answers it as BAD_USER_INPUT. */
export class HistoryInputError extends Error {
  override readonly name = 'HistoryInputError';
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field} ${reason}`);
  }
}

const CURSOR_PREFIX = 'p:';

/** A cursor: opaque to clients, the event's position underneath (base64url of `p:<position>`). */
export function encodeCursor(position: bigint): string {
  return Buffer.from(`${CURSOR_PREFIX}${position}`, 'utf8').toString('base64url');
}

/** The position a cursor stands for; HistoryInputError naming `field` when it is not one of ours. */
export function decodeCursor(cursor: string, field: string): bigint {
  const text = /^[A-Za-z0-9_-]{1,40}$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const digits = text.startsWith(CURSOR_PREFIX) ? text.slice(CURSOR_PREFIX.length) : '';
  if (!/^\d{1,20}$/.test(digits)) throw new HistoryInputError(field, 'is not a cursor this query returned');
  return BigInt(digits);
}

export interface HistoryPageArgs {
  readonly first?: number;
  readonly after?: string;
  readonly last?: number;
  readonly before?: string;
  readonly order?: HistoryOrder;
  readonly filter?: HistoryFilter;
}

export interface HistoryEdge {
  readonly cursor: string;
  readonly node: RecordedEvent;
}

export interface HistoryPage {
  readonly edges: readonly HistoryEdge[];
  readonly pageInfo: {
    readonly hasNextPage: boolean;
    readonly hasPreviousPage: boolean;
    readonly startCursor: string | null;
    readonly endCursor: string | null;
  };
}

type Direction = 'forwards' | 'backwards';

/**
 * Reads matching events within a position range, nearest first in a direction. Which one serves a
 * query decides what a page costs (see {@link EventHistory}).
 */
interface EventSource {
  scan(direction: Direction, range: PositionRange, limit: number): Promise<RecordedEvent[]>;
}

/**
 * The global log as a Relay connection for auditors: forward (`first`/`after`) and backward
 * (`last`/`before`) paging over events oldest or newest first, filtered.
 *
 * What a page costs, by filter:
 * - none, or `eventType` only: the store reads exactly the page (`readAll` with the type pushed
 *   down: SQLite's (type, position) index; EventStoreDB filters as it reads $all).
 * - `stream`: the stream is read (`readStream`, indexed in both adapters) and cut to the page:
 *   proportional to the stream's length, which is small (a report and its corrections, a plan
 *   and its amendments).
 * - `measureCode`, `agencyId`, `occurredFrom`/`occurredTo` (with or without the others): the
 *   audit index (chain-store.ts) finds the page's positions — through its measure or agency
 *   index when one is named, else by walking its rows — and each event is read back from its
 *   stream; events the index has not reached yet (the follower's lag) are read from the store
 *   and tested. Without an index (a tool with no chain file) the log is read and tested: the
 *   cost then grows with the events between the cursor and the page's last match.
 * - `recordedFrom`/`recordedTo` become position bounds first (LedgerClock), so they narrow
 *   every one of the above and never cost a scan of their own.
 */
export class EventHistory {
  private readonly clock: LedgerClock;

  constructor(
    private readonly store: EventStore,
    private readonly chain?: ChainStore,
  ) {
    this.clock = new LedgerClock(store, chain);
  }

  async page(args: HistoryPageArgs): Promise<HistoryPage> {
    const { first, last } = args;
    if (first !== undefined && last !== undefined) throw new HistoryInputError('last', 'cannot be combined with first: page forwards with first/after or backwards with last/before');
    for (const [field, value] of [['first', first], ['last', last]] as const) {
      if (value === undefined) continue;
      if (!Number.isInteger(value) || value < 1 || value > MAX_PAGE_SIZE) throw new HistoryInputError(field, `must be a whole number from 1 to ${MAX_PAGE_SIZE}`);
    }
    const after = args.after ? await this.position(args.after, 'after') : undefined;
    const before = args.before ? await this.position(args.before, 'before') : undefined;
    const filter = args.filter ?? {};
    const ascending = (args.order ?? 'OLDEST_FIRST') === 'OLDEST_FIRST';
    const forward = last === undefined;
    const size = last ?? first ?? DEFAULT_PAGE_SIZE;

    const span = await this.recordedSpan(filter);
    if (!span || isEmpty(span)) return emptyPage();
    const within = (range: PositionRange): PositionRange => ({ lower: max(range.lower, span.lower), upper: min(range.upper, span.upper) });

    // The list runs by position ascending (OLDEST_FIRST) or descending; `after`/`before` cut it.
    const window = within(ascending ? { lower: after, upper: before } : { lower: before, upper: after });
    const readDirection: Direction = forward === ascending ? 'forwards' : 'backwards';
    const source = this.sourceFor(filter);
    const read = await source.scan(readDirection, window, size + 1);
    const more = read.length > size;
    const events = read.slice(0, size);
    if (!forward) events.reverse();

    // Paging forwards, the event of the `after` cursor itself lies before the page (and backwards,
    // the `before` cursor's after it): Relay's "may return true if edges prior to after exist".
    const hasNextPage = forward ? more : before !== undefined;
    const hasPreviousPage = forward ? after !== undefined : more;
    const edges = events.map((node) => ({ cursor: encodeCursor(node.position), node }));
    return {
      edges,
      pageInfo: {
        hasNextPage,
        hasPreviousPage,
        startCursor: edges[0]?.cursor ?? null,
        endCursor: edges[edges.length - 1]?.cursor ?? null,
      },
    };
  }

  /** A cursor's position, checked with the store (EventStoreDB refuses offsets between events). */
  private async position(cursor: string, field: string): Promise<bigint> {
    const position = decodeCursor(cursor, field);
    try {
      await assertReadablePosition(this.store, position);
    } catch (error) {
      if (error instanceof InvalidPositionError) throw new HistoryInputError(field, 'is not a cursor this query returned (no event at its position)');
      throw error;
    }
    return position;
  }

  /**
   * The recorded span as exclusive bounds that are positions of real events (or absent): stores
   * are only ever asked to read from a position they returned.
   */
  private async recordedSpan(filter: HistoryFilter): Promise<PositionRange | undefined> {
    let lower: bigint | undefined;
    let upper: bigint | undefined;
    if (filter.recordedFrom) lower = await this.clock.positionAt(new Date(filter.recordedFrom.getTime() - 1));
    if (filter.recordedTo) {
      const last = await this.clock.positionAt(filter.recordedTo);
      // Nothing was recorded by then.
      if (last === undefined) return undefined;
      for await (const next of this.store.readAll({ from: last, maxCount: 1 })) upper = next.position;
    }
    return { lower, upper };
  }

  private sourceFor(filter: HistoryFilter): EventSource {
    if (filter.stream !== undefined) return new StreamSource(this.store, filter);
    if (needsIndex(filter)) return this.chain ? new IndexSource(this.store, this.chain, filter) : new ScanSource(this.store, filter);
    return new ScanSource(this.store, filter);
  }
}

/** Reads the log in a direction with the type filter pushed down, testing the rest. */
class ScanSource implements EventSource {
  constructor(
    private readonly store: EventStore,
    private readonly filter: HistoryFilter,
  ) {}

  async scan(direction: Direction, range: PositionRange, limit: number): Promise<RecordedEvent[]> {
    const out: RecordedEvent[] = [];
    if (isEmpty(range)) return out;
    const pushedOnly = !needsIndex(this.filter);
    const events = this.store.readAll({
      direction,
      from: direction === 'forwards' ? range.lower : range.upper,
      filter: this.filter.eventType === undefined ? undefined : { eventTypes: [this.filter.eventType] },
      // Everything read is kept when the store applies the whole filter: read just the page.
      maxCount: pushedOnly ? limit : undefined,
    });
    for await (const event of events) {
      if (outside(event.position, range, direction)) break;
      if (!matchesHistoryFilter(event, this.filter)) continue;
      out.push(event);
      if (out.length >= limit) break;
    }
    return out;
  }
}

/** One stream, read whole (streams are short) and cut to the range. */
class StreamSource implements EventSource {
  private events: RecordedEvent[] | undefined;

  constructor(
    private readonly store: EventStore,
    private readonly filter: HistoryFilter & { readonly stream?: string },
  ) {}

  async scan(direction: Direction, range: PositionRange, limit: number): Promise<RecordedEvent[]> {
    this.events ??= (await this.store.readStream(this.filter.stream!)).filter((e) => matchesHistoryFilter(e, this.filter));
    const inRange = this.events.filter((e) => (range.lower === undefined || e.position > range.lower) && (range.upper === undefined || e.position < range.upper));
    if (direction === 'backwards') inRange.reverse();
    return inRange.slice(0, limit);
  }
}

/** The audit index for what it has linked, the store (tested) for the rest. */
class IndexSource implements EventSource {
  constructor(
    private readonly store: EventStore,
    private readonly chain: ChainStore,
    private readonly filter: HistoryFilter,
  ) {}

  async scan(direction: Direction, range: PositionRange, limit: number): Promise<RecordedEvent[]> {
    if (isEmpty(range)) return [];
    const tail = new ScanSource(this.store, this.filter);
    const indexed = this.chain.head()?.position;
    // Nothing indexed yet: all of it is tail.
    if (indexed === undefined) return tail.scan(direction, range, limit);
    const indexedRange = { lower: range.lower, upper: min(range.upper, indexed + 1n) };
    const tailRange = { lower: max(range.lower, indexed), upper: range.upper };
    if (direction === 'forwards') {
      const out = await this.fromIndex(direction, indexedRange, limit);
      if (out.length < limit) out.push(...(await tail.scan(direction, tailRange, limit - out.length)));
      return out;
    }
    const out = await tail.scan(direction, tailRange, limit);
    if (out.length < limit) out.push(...(await this.fromIndex(direction, indexedRange, limit - out.length)));
    return out;
  }

  private async fromIndex(direction: Direction, range: PositionRange, limit: number): Promise<RecordedEvent[]> {
    const out: RecordedEvent[] = [];
    let cursor = range;
    while (out.length < limit && !isEmpty(cursor)) {
      const hits = this.chain.find(this.filter, cursor, direction, limit - out.length);
      if (hits.length === 0) break;
      const events = await Promise.all(hits.map((hit) => this.store.readStream(hit.stream, { fromRevision: hit.revision, maxCount: 1 })));
      events.forEach(([event], i) => {
        // Re-tested as stored now: an index row never vouches for an event edited since.
        if (event && event.position === hits[i].position && matchesHistoryFilter(event, this.filter)) out.push(event);
      });
      const last = hits[hits.length - 1].position;
      cursor = direction === 'forwards' ? { lower: last, upper: cursor.upper } : { lower: cursor.lower, upper: last };
    }
    return out.slice(0, limit);
  }
}

function emptyPage(): HistoryPage {
  return { edges: [], pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null } };
}

function outside(position: bigint, range: PositionRange, direction: Direction): boolean {
  return direction === 'forwards' ? range.upper !== undefined && position >= range.upper : range.lower !== undefined && position <= range.lower;
}

function isEmpty(range: PositionRange): boolean {
  return range.lower !== undefined && range.upper !== undefined && range.upper <= range.lower + 1n;
}

function max(a: bigint | undefined, b: bigint | undefined): bigint | undefined {
  return a === undefined ? b : b === undefined ? a : a > b ? a : b;
}

function min(a: bigint | undefined, b: bigint | undefined): bigint | undefined {
  return a === undefined ? b : b === undefined ? a : a < b ? a : b;
}
