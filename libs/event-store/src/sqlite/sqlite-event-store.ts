import { randomUUID } from 'node:crypto';
import type { Database as SqliteDatabase, Statement } from 'better-sqlite3';
import {
  type AllSubscription,
  type AppendResult,
  type EventStore,
  type ExpectedRevision,
  type JsonObject,
  type NewEvent,
  NO_STREAM,
  type ReadAllFilter,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type StreamAppend,
  type SubscribeAllOptions,
  DuplicateEventIdError,
  EventStoreError,
  InvalidPositionError,
  WrongExpectedRevisionError,
  matchesFilter,
  satisfiesExpected,
  type StoreLink,
} from '../event-store.port.js';
import { GENESIS_LINK, nextLink, rememberLinkedHere } from '../chain/chain-link.js';
import { openSqliteFile } from './open-sqlite-file.js';

/**
 * A stored event as better-sqlite3 returns it in raw mode (an array, in the order of
 * {@link COLUMNS}): a third cheaper to read than a row object.
 */
type EventRow = [
  position: number | bigint,
  id: string,
  stream: string,
  revision: number | bigint,
  type: string,
  data: string,
  metadata: string,
  created: string,
  seq: number | bigint | null,
  link: string | null,
];
const COLUMNS = 'position, id, stream, revision, type, data, metadata, created, seq, link';
const POSITION = 0;

/** One call of append (one part) or appendMany (its parts, written all or none). */
interface PendingAppend {
  readonly parts: readonly StreamAppend[];
  readonly resolve: (results: AppendResult[]) => void;
  readonly reject: (error: Error) => void;
}

type WriteOutcome = { ok: true; result: AppendResult; events: RecordedEvent[] } | { ok: false; error: Error };
type PendingOutcome = { ok: true; results: AppendResult[]; events: RecordedEvent[] } | { ok: false; error: Error };

/** A part of an appendMany was refused: unwinds its savepoint so none of its parts stays. */
class PartRefused extends Error {
  constructor(readonly refusal: Error) {
    super(refusal.message);
  }
}

/**
 * What one commit of this process wrote: every row after position `after` up to `last`
 * (nobody else can write inside the transaction, so the range holds nothing else).
 */
interface LocalCommit {
  readonly after: bigint;
  readonly last: bigint;
  readonly events: readonly RecordedEvent[];
}

/**
 * A live subscription's side of the hand-off. While `expecting` is set, the subscription has
 * read everything up to it and takes the next commits from `inbox` instead of querying and
 * parsing them again; a commit that does not start at `expecting` (another process wrote in
 * between) or an inbox that grows too long sets `resync`, and the subscription queries.
 */
interface LocalSubscriber {
  expecting: bigint | undefined;
  inbox: LocalCommit[];
  inboxEvents: number;
  resync: boolean;
  /** The subscription's filter: a commit holding none of its events does not wake it. */
  readonly filter: ReadAllFilter | undefined;
  wake?: () => void;
}

export interface SqliteEventStoreOptions {
  /**
   * How often a subscription looks for events appended by another process sharing the file
   * (e.g. `cli plan load` while the api runs). Appends of this process wake it at once.
   */
  readonly pollIntervalMs?: number;
  /** Events read per page by readAll and subscriptions. */
  readonly pageSize?: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  position  INTEGER PRIMARY KEY AUTOINCREMENT,
  id        TEXT    NOT NULL UNIQUE,
  stream    TEXT    NOT NULL,
  revision  INTEGER NOT NULL,
  type      TEXT    NOT NULL,
  data      TEXT    NOT NULL,
  metadata  TEXT    NOT NULL,
  created   TEXT    NOT NULL,
  seq       INTEGER,
  link      TEXT,
  UNIQUE (stream, revision)
);
CREATE INDEX IF NOT EXISTS events_type ON events (type, position);
`;

/**
 * The embedded event store: one SQLite file in WAL mode, synchronous=FULL, so an append is
 * on disk when its promise resolves.
 *
 * Group commit: appends are queued and written by one transaction per turn of the event loop.
 * Appends that arrive while a commit (and its fsync) is in progress wait for the next one, so
 * one fsync serves them all. Each append is still checked against its own expected revision,
 * in arrival order, seeing the appends queued before it; one that fails is rejected alone.
 * Global position is the row id, so global order is commit order.
 *
 * appendMany is one entry of that queue: its parts are written under a savepoint of the same
 * transaction, and a refused part rolls back the savepoint, so the call stores all or nothing and
 * costs one fsync however many streams it holds (a bulk import's batch).
 */
export class SqliteEventStore implements EventStore {
  readonly kind = 'sqlite';
  /** Each row carries its chain link, written by the append's transaction (see write). */
  readonly chainLinked = true;
  readonly atomicAppendMany = true;

  private readonly queue: PendingAppend[] = [];
  private flushScheduled = false;
  private commits = 0;
  private closed = false;
  private readonly subscribers = new Set<LocalSubscriber>();
  private readonly pollIntervalMs: number;
  private readonly pageSize: number;

  private readonly stmtStreamRevision: Statement<[string], { revision: number | bigint } | undefined>;
  private readonly stmtIdExists: Statement<[string], number>;
  private readonly stmtInsert: Statement<[string, string, number | bigint, string, string, string, string, bigint, string]>;
  private readonly stmtLastLink: Statement<[], { seq: number | bigint; link: string } | undefined>;
  private readonly stmtHead: Statement<[], { position: number | bigint | null }>;
  private readonly stmtReadStream: Statement<[string, bigint, number], EventRow>;
  private readonly readPageTransaction: (cursor: bigint | undefined, filter: ReadAllFilter | undefined) => { rows: EventRow[]; head: bigint };
  private readonly statements = new Map<string, Statement<unknown[], unknown>>();
  private readonly writeManyTransaction: (pending: PendingAppend, created: string, materialise: boolean, chain: ChainCursor) => PendingOutcome;

  private constructor(
    private readonly db: SqliteDatabase,
    options: SqliteEventStoreOptions,
  ) {
    this.pollIntervalMs = options.pollIntervalMs ?? 250;
    this.pageSize = options.pageSize ?? 1000;
    this.stmtStreamRevision = db.prepare('SELECT max(revision) AS revision FROM events WHERE stream = ?') as never;
    this.stmtIdExists = db.prepare('SELECT 1 FROM events WHERE id = ?').pluck() as never;
    this.stmtInsert = db.prepare(
      'INSERT INTO events (id, stream, revision, type, data, metadata, created, seq, link) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    // The last link an append wrote. Rows written around append carry none and are skipped, so
    // the chain of appends goes on and each such row stays visible to verification.
    this.stmtLastLink = db.prepare('SELECT seq, link FROM events WHERE link IS NOT NULL ORDER BY position DESC LIMIT 1') as never;
    this.stmtHead = db.prepare('SELECT max(position) AS position FROM events') as never;
    this.stmtReadStream = db
      .prepare(`SELECT ${COLUMNS} FROM events WHERE stream = ? AND revision >= ? ORDER BY revision LIMIT ?`)
      .raw(true) as never;
    this.readPageTransaction = db.transaction((cursor: bigint | undefined, filter: ReadAllFilter | undefined) => ({
      rows: this.page(cursor, false, filter, this.pageSize),
      head: this.head(),
    }));
    // Nested in flush's transaction, better-sqlite3 runs this under a SAVEPOINT: a throw rolls
    // back this call's parts only, the other appends of the batch stay.
    this.writeManyTransaction = db.transaction((pending: PendingAppend, created: string, materialise: boolean, chain: ChainCursor): PendingOutcome => {
      const results: AppendResult[] = [];
      const events: RecordedEvent[] = [];
      for (const part of pending.parts) {
        const outcome = this.write(part, created, materialise, chain);
        if (!outcome.ok) throw new PartRefused(outcome.error);
        results.push(outcome.result);
        for (const event of outcome.events) events.push(event);
      }
      return { ok: true, results, events };
    });
  }

  /** Opens (creating if needed) the store in the given file. */
  static open(file: string, options: SqliteEventStoreOptions = {}): SqliteEventStore {
    const db = openSqliteFile(file, 'FULL');
    db.exec(SCHEMA);
    linkUnlinkedStore(db);
    return new SqliteEventStore(db, options);
  }

  append(stream: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    return this.enqueue([{ stream, events, expected }]).then((results) => results[0]);
  }

  appendMany(appends: readonly StreamAppend[]): Promise<AppendResult[]> {
    if (appends.length === 0 && !this.closed) return Promise.resolve([]);
    return this.enqueue(appends);
  }

  private enqueue(parts: readonly StreamAppend[]): Promise<AppendResult[]> {
    if (this.closed) return Promise.reject(new EventStoreError('The event store is closed'));
    for (const part of parts) {
      if (!part.stream) return Promise.reject(new EventStoreError('A stream name is required'));
      if (part.events.length === 0) return Promise.reject(new EventStoreError(`Nothing to append to "${part.stream}"`));
    }
    return new Promise<AppendResult[]>((resolve, reject) => {
      this.queue.push({ parts, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.flushScheduled = false;
    const batch = this.queue.splice(0, this.queue.length);
    if (batch.length === 0) return;
    const outcomes: PendingOutcome[] = [];
    const created = new Date().toISOString();
    // Events are materialised for local subscribers only when there are any to hand them to.
    const handOff = this.subscribers.size > 0;
    let after = 0n;
    const chain: ChainCursor = { sequence: 0n, link: GENESIS_LINK };
    try {
      // IMMEDIATE: take the write lock first (waiting up to busy_timeout for another process),
      // so the reads below cannot be overtaken by a commit of that process.
      this.db
        .transaction(() => {
          if (handOff) after = this.head();
          const last = this.stmtLastLink.get();
          if (last) Object.assign(chain, { sequence: BigInt(last.seq), link: last.link });
          // Revisions written earlier in this same batch are visible to the SELECT (same connection).
          for (const pending of batch) outcomes.push(this.writePending(pending, created, handOff, chain));
        })
        .immediate();
    } catch (error) {
      // The transaction rolled back: nothing of the batch is stored.
      const failure = new EventStoreError(`Append failed: ${(error as Error).message}`, { cause: error });
      for (const pending of batch) pending.reject(failure);
      return;
    }
    this.commits += 1;
    outcomes.forEach((outcome, i) => {
      if (outcome.ok) batch[i].resolve(outcome.results);
      else batch[i].reject(outcome.error);
    });
    const events = handOff ? outcomes.flatMap((outcome) => (outcome.ok ? outcome.events : [])) : [];
    this.publish(events.length > 0 ? { after, last: events[events.length - 1].position, events } : undefined);
  }

  /** One append call (a part) or one appendMany call (all its parts or none of them). */
  private writePending(pending: PendingAppend, created: string, materialise: boolean, chain: ChainCursor): PendingOutcome {
    if (pending.parts.length === 1) {
      const outcome = this.write(pending.parts[0], created, materialise, chain);
      return outcome.ok ? { ok: true, results: [outcome.result], events: outcome.events } : outcome;
    }
    const before = { ...chain };
    try {
      return this.writeManyTransaction(pending, created, materialise, chain);
    } catch (error) {
      // The savepoint is gone, so are the links its parts moved the cursor on to.
      Object.assign(chain, before);
      if (error instanceof PartRefused) return { ok: false, error: error.refusal };
      throw error;
    }
  }

  /**
   * Writes one append's events, each with its chain link (`chain` is the last link written in
   * this transaction, moved on per event). The link is of the stored text parsed back, which is
   * what every reader — the follower, verify — hashes.
   */
  private write(pending: StreamAppend, created: string, materialise: boolean, chain: ChainCursor): WriteOutcome {
    const row = this.stmtStreamRevision.get(pending.stream);
    const current = row?.revision == null ? NO_STREAM : BigInt(row.revision);
    if (!satisfiesExpected(pending.expected, current)) {
      return { ok: false, error: new WrongExpectedRevisionError(pending.stream, pending.expected, current) };
    }
    // A duplicate id refuses its own append only, never the other appends the transaction holds.
    // A one-event part (each report of an import is one) leaves its id to the UNIQUE constraint
    // below: a failed INSERT that is caught undoes only itself (SQLite's ABORT), the transaction
    // goes on. Several events are checked first, so that none of them is written when a later one
    // is a duplicate.
    const single = pending.events.length === 1;
    if (!single) {
      const ids = new Set<string>();
      for (const event of pending.events) {
        if (event.id === undefined) continue;
        if (ids.has(event.id) || this.stmtIdExists.get(event.id) !== undefined) {
          return { ok: false, error: new DuplicateEventIdError(pending.stream, event.id) };
        }
        ids.add(event.id);
      }
    }
    let revision = current === NO_STREAM ? -1n : current;
    const positions: bigint[] = [];
    const events: RecordedEvent[] = [];
    for (const event of pending.events) {
      revision += 1n;
      const id = event.id ?? randomUUID();
      const data = JSON.stringify(event.data);
      const metadata = JSON.stringify(event.metadata ?? {});
      const stored = { id, stream: pending.stream, revision, type: event.type, data: JSON.parse(data), metadata: JSON.parse(metadata) as JsonObject };
      const sequence = chain.sequence + 1n;
      const previous = chain.link;
      const link = nextLink(previous, stored, sequence);
      let info: { lastInsertRowid: number | bigint };
      try {
        info = this.stmtInsert.run(id, pending.stream, revision, event.type, data, metadata, created, sequence, link);
      } catch (error) {
        // The revision was read in this transaction, so only the id can clash (a single part's).
        if (single && isUniqueViolation(error) && this.stmtIdExists.get(id) !== undefined) return { ok: false, error: new DuplicateEventIdError(pending.stream, id) };
        throw error;
      }
      chain.sequence = sequence;
      chain.link = link;
      const position = BigInt(info.lastInsertRowid);
      positions.push(position);
      if (materialise) {
        // Exactly what a read returns: the stored text parsed back (not the caller's objects).
        // Written out, not `{ ...stored, … }`: on Node 20 that literal costs tens of µs (handle-command.ts, storedEvent).
        const recorded = deepFreeze({ id, stream: pending.stream, revision, type: event.type, data: stored.data, metadata: stored.metadata, position, created: createdDate(created), chain: { sequence, link } });
        // Its link was just computed from this very object: the chain follower need not hash it again.
        rememberLinkedHere(recorded, previous);
        events.push(recorded);
      }
    }
    return { ok: true, result: { nextExpectedRevision: revision, position: positions[positions.length - 1], positions }, events };
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const rows = this.stmtReadStream.all(stream, options.fromRevision ?? 0n, options.maxCount ?? -1);
    return rows.map((row) => toRecorded(row));
  }

  async *readAll(options: ReadAllOptions = {}): AsyncGenerator<RecordedEvent> {
    const backwards = options.direction === 'backwards';
    // Every integer from 0 to the head is a boundary here (row ids); only a negative one is not.
    if (options.from !== undefined && options.from < 0n) throw new InvalidPositionError(options.from, 'is negative');
    const streamIndex = this.fewInStreams(options.filter?.streamPrefixes);
    let cursor: bigint | undefined = options.from;
    let remaining = options.maxCount ?? Number.POSITIVE_INFINITY;
    while (remaining > 0) {
      if (this.closed) throw new EventStoreError('The event store was closed during a read of the log');
      const rows = this.page(cursor, backwards, options.filter, Math.min(this.pageSize, remaining), streamIndex);
      for (const row of rows) {
        yield toRecorded(row);
      }
      if (rows.length === 0) return;
      cursor = BigInt(rows[rows.length - 1][POSITION]);
      remaining -= rows.length;
    }
  }

  /**
   * Whether the streams with these prefixes hold few events (at most a few pages): then pages
   * are read through the stream index (a plan stream among a million reports costs microseconds,
   * not a scan of the log). Many matches are read in position order instead: the index would
   * sort them all for every page. SQLite's planner cannot tell the two apart, so we decide.
   */
  private fewInStreams(prefixes: readonly string[] | undefined): boolean {
    const clause = prefixes && prefixClause(prefixes, 'stream');
    if (!clause) return false;
    const bound = 4 * this.pageSize;
    const sql = `SELECT count(*) AS n FROM (SELECT 1 FROM events WHERE ${clause.sql} LIMIT ?)`;
    const row = this.statement(sql).get(...clause.params, bound + 1) as { n: number };
    return row.n <= bound;
  }

  /** One page of the global log after (or before) `cursor`, filtered in SQL. */
  private page(
    cursor: bigint | undefined,
    backwards: boolean,
    filter: ReadAllFilter | undefined,
    limit: number,
    streamIndex = false,
  ): EventRow[] {
    const where: string[] = [];
    const params: unknown[] = [];
    if (cursor !== undefined) {
      // `+` keeps a column's index out of the plan: the stream index or the position order.
      where.push(`${streamIndex ? '+' : ''}position ${backwards ? '<' : '>'} ?`);
      params.push(cursor);
    }
    if (filter?.eventTypes) {
      where.push(`type IN (${filter.eventTypes.map(() => '?').join(',') || 'NULL'})`);
      params.push(...filter.eventTypes);
    }
    const prefixes = filter?.streamPrefixes && prefixClause(filter.streamPrefixes, streamIndex ? 'stream' : '+stream');
    if (prefixes) {
      where.push(prefixes.sql);
      params.push(...prefixes.params);
    }
    const sql =
      `SELECT ${COLUMNS} FROM events ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ` +
      `ORDER BY position ${backwards ? 'DESC' : 'ASC'} LIMIT ?`;
    params.push(limit);
    return this.statement(sql, true).all(...params) as EventRow[];
  }

  /** A prepared statement per SQL text: a handful of filter shapes, each prepared once. */
  private statement(sql: string, raw = false): Statement<unknown[], unknown> {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      if (raw) statement.raw(true);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  subscribeAll(options: SubscribeAllOptions = {}): AllSubscription {
    if (options.from !== undefined && options.from < 0n) throw new InvalidPositionError(options.from, 'is negative');
    let closed = false;
    let timer: NodeJS.Timeout | undefined;
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const store = this;
    const filter = options.filter;
    const local: LocalSubscriber = { expecting: undefined, inbox: [], inboxEvents: 0, resync: false, filter };
    const stop = () => {
      closed = true;
      local.wake?.();
    };

    async function* iterate(): AsyncGenerator<RecordedEvent> {
      let cursor = options.from;
      let query = true;
      store.subscribers.add(local);
      try {
        while (!closed && !store.closed) {
          // Commits of this process since the last read, handed over in memory.
          const commit = local.inbox.shift();
          if (commit) {
            local.inboxEvents -= commit.events.length;
            for (const event of commit.events) {
              if (closed) return;
              if (!matchesFilter(event, filter)) continue;
              cursor = event.position;
              yield event;
            }
            if (cursor === undefined || commit.last > cursor) cursor = commit.last;
            continue;
          }
          if (local.resync) {
            local.resync = false;
            query = true;
          }
          if (!query) {
            // Caught up: wait for a commit of this process, or poll for another process's.
            const polled = await new Promise<boolean>((resolve) => {
              local.wake = () => resolve(false);
              timer = setTimeout(() => resolve(true), store.pollIntervalMs);
            });
            clearTimeout(timer);
            local.wake = undefined;
            query = polled;
            continue;
          }
          // One read transaction: the page and the head come from the same snapshot.
          const { rows, head } = store.readPage(cursor, filter);
          const full = rows.length === store.pageSize;
          // After a short page everything up to `head` has been read: later commits of this
          // process can be handed over. Set before yielding, so none is missed meanwhile.
          local.expecting = full ? undefined : maxPosition(head, cursor);
          query = full;
          for (const row of rows) {
            if (closed) return;
            cursor = BigInt(row[POSITION]);
            yield toRecorded(row);
          }
          // A filtered subscription moves its cursor past the rows that did not match, so the
          // next read looks only at new rows instead of rescanning everything since its last match.
          if (!full && head > (cursor ?? 0n)) cursor = head;
        }
      } finally {
        closed = true;
        store.subscribers.delete(local);
      }
    }

    const generator = iterate();
    return {
      [Symbol.asyncIterator]: () => generator,
      close: async () => {
        stop();
        await generator.return(undefined);
      },
    };
  }

  /** A page after `cursor` and the head of the same snapshot. */
  private readPage(cursor: bigint | undefined, filter: ReadAllFilter | undefined): { rows: EventRow[]; head: bigint } {
    return this.readPageTransaction(cursor, filter);
  }

  /** Hands a commit to every live subscription (or tells it to read) and wakes them. */
  private publish(commit: LocalCommit | undefined): void {
    for (const subscriber of this.subscribers) {
      if (commit && subscriber.expecting !== undefined) {
        const chained = subscriber.expecting === commit.after && subscriber.inboxEvents + commit.events.length <= MAX_HANDED_OVER;
        if (chained && subscriber.filter && !commit.events.some((event) => matchesFilter(event, subscriber.filter))) {
          // Nothing in it for this subscription (the key registry, the plan catalog): it has now
          // seen up to the commit's last row without being woken — a promise and a poll timer per
          // commit saved. Its cursor stays behind until its next match or poll reads past it.
          subscriber.expecting = commit.last;
          continue;
        }
        if (chained) {
          subscriber.inbox.push(commit);
          subscriber.inboxEvents += commit.events.length;
          subscriber.expecting = commit.last;
        } else {
          // Something it has not seen lies in between, or it is far behind: it reads instead.
          subscriber.inbox = [];
          subscriber.inboxEvents = 0;
          subscriber.expecting = undefined;
          subscriber.resync = true;
        }
      } else if (!commit) {
        subscriber.resync = true;
      }
      subscriber.wake?.();
    }
  }

  private head(): bigint {
    const position = this.stmtHead.get()?.position;
    return position == null ? 0n : BigInt(position);
  }

  /** Transactions committed by this instance (each is one fsync): shows group commit at work. */
  get commitCount(): number {
    return this.commits;
  }

  async headPosition(): Promise<bigint> {
    return this.head();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    // Let appends already queued reach the disk before closing.
    if (this.queue.length > 0) this.flush();
    this.closed = true;
    for (const subscriber of this.subscribers) subscriber.wake?.();
    this.db.close();
  }
}

/**
 * Stream prefixes as SQL over ranges of stream names: a name starts with `prefix` exactly when
 * prefix <= name < the first string after every name that starts with it, in SQLite's BINARY
 * order (UTF-8 bytes, which is code point order). `+stream` keeps the stream index out of the
 * plan. Undefined when a prefix is empty: everything matches.
 */
function prefixClause(prefixes: readonly string[], column: 'stream' | '+stream'): { sql: string; params: string[] } | undefined {
  if (prefixes.some((p) => p === '')) return undefined;
  const params: string[] = [];
  const ranges = prefixes.map((prefix) => {
    const end = endOfPrefix(prefix);
    params.push(prefix);
    if (end === undefined) return `${column} >= ?`;
    params.push(end);
    return `(${column} >= ? AND ${column} < ?)`;
  });
  return { sql: `(${ranges.join(' OR ') || '0'})`, params };
}

/** The least string greater than every string that starts with `prefix`; undefined when none is. */
function endOfPrefix(prefix: string): string | undefined {
  // Code points, not grapheme clusters: SQLite orders names by code point.
  const points = Array.from(prefix);
  while (points.length > 0) {
    let next = points.pop()!.codePointAt(0)! + 1;
    if (next >= 0xd800 && next <= 0xdfff) next = 0xe000;
    if (next <= 0x10ffff) return points.join('') + String.fromCodePoint(next);
  }
  // Only U+10FFFF: every string from the prefix on starts with it.
  return undefined;
}

/**
 * Events a slow subscription may have waiting in memory before it is told to read instead. Three
 * bulk requests' worth (the bulk path appends 5,000 at a time, 10,000 to a request): at 10,000 the
 * log consumers, a commit or two behind during bulk ingest, were told to read back from the file
 * what the store had just handed them (≈ 0.5 s of 7 s CPU over 50,000 reports, bench/bulk.ts).
 * The events are the ones the append built for its answer, shared by every subscription.
 */
const MAX_HANDED_OVER = 30_000;

/**
 * better-sqlite3's SqliteError for a UNIQUE constraint. By its code, not `instanceof Error`: the
 * addon is loaded once per process and keeps the SqliteError class of the first context that
 * loaded it, so in another realm (jest's per-file contexts) its errors are no `Error` of that realm.
 */
function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'SQLITE_CONSTRAINT_UNIQUE';
}

function maxPosition(a: bigint, b: bigint | undefined): bigint {
  return b === undefined || a > b ? a : b;
}

/**
 * A row as the port's event. `shared` events go to several subscriptions at once: they are
 * frozen, so that one consumer cannot change what another sees.
 */
function toRecorded([position, id, stream, revision, type, data, metadata, created, seq, link]: EventRow, shared = false): RecordedEvent {
  const chain: StoreLink | undefined = link == null || seq == null ? undefined : { sequence: BigInt(seq), link };
  const event: RecordedEvent = {
    id,
    type,
    stream,
    revision: BigInt(revision),
    position: BigInt(position),
    data: JSON.parse(data),
    metadata: JSON.parse(metadata) as JsonObject,
    created: createdDate(created),
    ...(chain && { chain }),
  };
  return shared ? deepFreeze(event) : event;
}

/** Events of one commit share their `created` text: parse it once (a new Date each, all the same). */
let lastCreated = '';
let lastCreatedMs = 0;
function createdDate(text: string): Date {
  if (text !== lastCreated) {
    lastCreatedMs = Date.parse(text);
    lastCreated = text;
  }
  return new Date(lastCreatedMs);
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** The last link written while a transaction appends. */
interface ChainCursor {
  sequence: bigint;
  link: string;
}

const BACKFILL_PAGE = 5_000;

/**
 * Upgrade of a file written before rows carried their chain link (no `seq`, `link` columns):
 * adds them and links every existing row, in global order, in one transaction (about 30 s per
 * million events, once: ≈ 27 µs of hashing per event). Rows already there are linked as they are
 * now — as the api's chain follower would link them — so an edit made before the upgrade shows
 * only against the follower's audit-chain.db or a head recorded earlier; every row written from
 * then on around append shows.
 */
function linkUnlinkedStore(db: SqliteDatabase): void {
  const hasLink = () => (db.prepare('PRAGMA table_info(events)').all() as { name: string }[]).some((c) => c.name === 'link');
  if (hasLink()) return;
  db.transaction(() => {
    // Another process may have upgraded the file while this one waited for the write lock.
    if (hasLink()) return;
    db.exec('ALTER TABLE events ADD COLUMN seq INTEGER; ALTER TABLE events ADD COLUMN link TEXT;');
    const page = db.prepare('SELECT position, id, stream, revision, type, data, metadata FROM events WHERE position > ? ORDER BY position LIMIT ?');
    const update = db.prepare('UPDATE events SET seq = ?, link = ? WHERE position = ?');
    let cursor: number | bigint = -1;
    let link = GENESIS_LINK;
    let sequence = 0n;
    for (;;) {
      const rows = page.all(cursor, BACKFILL_PAGE) as { position: number | bigint; id: string; stream: string; revision: number | bigint; type: string; data: string; metadata: string }[];
      if (rows.length === 0) break;
      for (const row of rows) {
        sequence += 1n;
        link = nextLink(link, { ...row, revision: BigInt(row.revision), data: JSON.parse(row.data), metadata: JSON.parse(row.metadata) }, sequence);
        update.run(sequence, link, row.position);
      }
      cursor = rows[rows.length - 1].position;
    }
  }).immediate();
}
