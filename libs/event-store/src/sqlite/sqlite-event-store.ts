import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
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
  type SubscribeAllOptions,
  EventStoreError,
  WrongExpectedRevisionError,
  satisfiesExpected,
} from '../event-store.port.js';

interface EventRow {
  position: number | bigint;
  id: string;
  stream: string;
  revision: number | bigint;
  type: string;
  data: string;
  metadata: string;
  created: string;
}

interface PendingAppend {
  readonly stream: string;
  readonly events: readonly NewEvent[];
  readonly expected: ExpectedRevision;
  readonly resolve: (result: AppendResult) => void;
  readonly reject: (error: Error) => void;
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
 */
export class SqliteEventStore implements EventStore {
  readonly kind = 'sqlite';

  private readonly queue: PendingAppend[] = [];
  private flushScheduled = false;
  private commits = 0;
  private closed = false;
  private readonly waiters = new Set<() => void>();
  private readonly pollIntervalMs: number;
  private readonly pageSize: number;

  private readonly stmtStreamRevision: Statement<[string], { revision: number | bigint } | undefined>;
  private readonly stmtInsert: Statement<[string, string, number | bigint, string, string, string, string]>;
  private readonly stmtHead: Statement<[], { position: number | bigint | null }>;

  private constructor(
    private readonly db: SqliteDatabase,
    options: SqliteEventStoreOptions,
  ) {
    this.pollIntervalMs = options.pollIntervalMs ?? 250;
    this.pageSize = options.pageSize ?? 1000;
    this.stmtStreamRevision = db.prepare('SELECT max(revision) AS revision FROM events WHERE stream = ?') as never;
    this.stmtInsert = db.prepare(
      'INSERT INTO events (id, stream, revision, type, data, metadata, created) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.stmtHead = db.prepare('SELECT max(position) AS position FROM events') as never;
  }

  /** Opens (creating if needed) the store in the given file. */
  static open(file: string, options: SqliteEventStoreOptions = {}): SqliteEventStore {
    mkdirSync(dirname(file), { recursive: true });
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('busy_timeout = 5000');
    db.exec(SCHEMA);
    return new SqliteEventStore(db, options);
  }

  append(stream: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    if (this.closed) return Promise.reject(new EventStoreError('The event store is closed'));
    if (!stream) return Promise.reject(new EventStoreError('A stream name is required'));
    if (events.length === 0) return Promise.reject(new EventStoreError('Nothing to append'));
    return new Promise<AppendResult>((resolve, reject) => {
      this.queue.push({ stream, events, expected, resolve, reject });
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
    const outcomes: Array<{ ok: true; result: AppendResult } | { ok: false; error: Error }> = [];
    const created = new Date().toISOString();
    try {
      this.db.transaction(() => {
        // Revisions written earlier in this same batch are visible to the SELECT (same connection).
        for (const pending of batch) outcomes.push(this.write(pending, created));
      })();
    } catch (error) {
      // The transaction rolled back: nothing of the batch is stored.
      const failure = new EventStoreError(`Append failed: ${(error as Error).message}`, { cause: error });
      for (const pending of batch) pending.reject(failure);
      return;
    }
    this.commits += 1;
    outcomes.forEach((outcome, i) => {
      if (outcome.ok) batch[i].resolve(outcome.result);
      else batch[i].reject(outcome.error);
    });
    this.wakeSubscribers();
  }

  private write(
    pending: PendingAppend,
    created: string,
  ): { ok: true; result: AppendResult } | { ok: false; error: Error } {
    const row = this.stmtStreamRevision.get(pending.stream);
    const current = row?.revision == null ? NO_STREAM : BigInt(row.revision);
    if (!satisfiesExpected(pending.expected, current)) {
      return { ok: false, error: new WrongExpectedRevisionError(pending.stream, pending.expected, current) };
    }
    let revision = current === NO_STREAM ? -1n : current;
    const positions: bigint[] = [];
    for (const event of pending.events) {
      revision += 1n;
      const info = this.stmtInsert.run(
        event.id ?? randomUUID(),
        pending.stream,
        revision,
        event.type,
        JSON.stringify(event.data),
        JSON.stringify(event.metadata ?? {}),
        created,
      );
      positions.push(BigInt(info.lastInsertRowid));
    }
    return { ok: true, result: { nextExpectedRevision: revision, position: positions[positions.length - 1], positions } };
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const rows = this.db
      .prepare('SELECT * FROM events WHERE stream = ? AND revision >= ? ORDER BY revision LIMIT ?')
      .all(stream, options.fromRevision ?? 0n, options.maxCount ?? -1) as EventRow[];
    return rows.map(toRecorded);
  }

  async *readAll(options: ReadAllOptions = {}): AsyncGenerator<RecordedEvent> {
    const backwards = options.direction === 'backwards';
    let cursor: bigint | undefined = options.from;
    let remaining = options.maxCount ?? Number.POSITIVE_INFINITY;
    while (remaining > 0) {
      const rows = this.page(cursor, backwards, options.filter, Math.min(this.pageSize, remaining));
      for (const row of rows) {
        yield toRecorded(row);
      }
      if (rows.length === 0) return;
      cursor = BigInt(rows[rows.length - 1].position);
      remaining -= rows.length;
    }
  }

  /** One page of the global log after (or before) `cursor`, filtered in SQL. */
  private page(
    cursor: bigint | undefined,
    backwards: boolean,
    filter: ReadAllFilter | undefined,
    limit: number,
  ): EventRow[] {
    const where: string[] = [];
    const params: unknown[] = [];
    if (cursor !== undefined) {
      where.push(backwards ? 'position < ?' : 'position > ?');
      params.push(cursor);
    }
    if (filter?.eventTypes) {
      where.push(`type IN (${filter.eventTypes.map(() => '?').join(',') || 'NULL'})`);
      params.push(...filter.eventTypes);
    }
    if (filter?.streamPrefixes) {
      // substr comparison instead of LIKE: stream names may contain % and _.
      where.push(`(${filter.streamPrefixes.map(() => 'substr(stream, 1, ?) = ?').join(' OR ') || '0'})`);
      for (const prefix of filter.streamPrefixes) params.push(prefix.length, prefix);
    }
    const sql =
      `SELECT * FROM events ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ` +
      `ORDER BY position ${backwards ? 'DESC' : 'ASC'} LIMIT ?`;
    params.push(limit);
    return this.db.prepare(sql).all(...params) as EventRow[];
  }

  subscribeAll(options: SubscribeAllOptions = {}): AllSubscription {
    let closed = false;
    let wake: (() => void) | undefined;
    let timer: NodeJS.Timeout | undefined;
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const store = this;
    const stop = () => {
      closed = true;
      wake?.();
    };

    async function* iterate(): AsyncGenerator<RecordedEvent> {
      let cursor = options.from;
      try {
        while (!closed && !store.closed) {
          // One read transaction: the page and the head come from the same snapshot.
          const { rows, head } = store.readPage(cursor, options.filter);
          for (const row of rows) {
            if (closed) return;
            cursor = BigInt(row.position);
            yield toRecorded(row);
          }
          if (rows.length === store.pageSize) continue;
          // A short page holds every match up to the head: a filtered subscription moves its
          // cursor past the rows that did not match, so the next wake-up reads only new rows
          // instead of rescanning everything since its last match.
          if (head !== undefined && (cursor === undefined || head > cursor)) cursor = head;
          if (rows.length > 0) continue;
          // Caught up: wait for an append of this process, or poll for another process's.
          await new Promise<void>((resolve) => {
            wake = resolve;
            store.waiters.add(resolve);
            timer = setTimeout(resolve, store.pollIntervalMs);
          });
          clearTimeout(timer);
          if (wake) store.waiters.delete(wake);
          wake = undefined;
        }
      } finally {
        closed = true;
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

  /** A subscription's page after `cursor` and, when filtered, the head of the same snapshot. */
  private readPage(cursor: bigint | undefined, filter: ReadAllFilter | undefined): { rows: EventRow[]; head?: bigint } {
    if (!filter) return { rows: this.page(cursor, false, undefined, this.pageSize) };
    return this.db.transaction(() => {
      const rows = this.page(cursor, false, filter, this.pageSize);
      const head = this.stmtHead.get()?.position;
      return { rows, head: head == null ? undefined : BigInt(head) };
    })();
  }

  private wakeSubscribers(): void {
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const wake of waiters) wake();
  }

  /** Transactions committed by this instance (each is one fsync): shows group commit at work. */
  get commitCount(): number {
    return this.commits;
  }

  async headPosition(): Promise<bigint> {
    const row = this.stmtHead.get();
    return row?.position == null ? 0n : BigInt(row.position);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    // Let appends already queued reach the disk before closing.
    if (this.queue.length > 0) this.flush();
    this.closed = true;
    this.wakeSubscribers();
    this.db.close();
  }
}

function toRecorded(row: EventRow): RecordedEvent {
  return {
    id: row.id,
    type: row.type,
    stream: row.stream,
    revision: BigInt(row.revision),
    position: BigInt(row.position),
    data: JSON.parse(row.data),
    metadata: JSON.parse(row.metadata) as JsonObject,
    created: new Date(row.created),
  };
}
