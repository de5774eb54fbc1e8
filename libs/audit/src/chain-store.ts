import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Database as SqliteDatabase, Statement } from 'better-sqlite3';
import { openSqliteFile } from '@app/event-store';
import type { ChainHead } from './hash-chain.js';
import type { HistoryFilter } from './history-filter.js';
import type { IndexedFields } from './indexed-fields.js';

/** The chain file inside DATA_DIR (one per api instance, next to read-models.db). */
export const auditChainFile = (dataDir: string) => join(dataDir, 'audit-chain.db');

/** One event's row: its link, what fetching it back needs, and the indexed fields. */
export interface ChainRow {
  readonly position: bigint;
  readonly sequence: bigint;
  readonly link: string;
  readonly stream: string;
  readonly revision: bigint;
  readonly type: string;
  /** The largest recordedAtMs of this event and every event before it (see LedgerClock). */
  readonly recordedMaxMs: number;
  readonly fields: Omit<IndexedFields, 'recordedAtMs'>;
}

/** A stored link, as verify compares it. */
export interface StoredLink {
  readonly position: bigint;
  readonly sequence: bigint;
  readonly link: string;
}

/** An event the index points at: enough to read it back from its stream. */
export interface IndexedEvent {
  readonly position: bigint;
  readonly stream: string;
  readonly revision: bigint;
}

/** Positions, exclusive at both ends. */
export interface PositionRange {
  readonly lower?: bigint;
  readonly upper?: bigint;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS chain (
  position     INTEGER PRIMARY KEY,
  seq          INTEGER NOT NULL,
  link         BLOB    NOT NULL,
  stream       TEXT    NOT NULL,
  revision     INTEGER NOT NULL,
  type         TEXT    NOT NULL,
  recorded_max INTEGER NOT NULL,
  measure_code TEXT,
  agency_id    TEXT,
  occurred_on  TEXT
);
CREATE INDEX IF NOT EXISTS chain_recorded ON chain (recorded_max, position);
CREATE INDEX IF NOT EXISTS chain_measure ON chain (measure_code, position) WHERE measure_code IS NOT NULL;
CREATE INDEX IF NOT EXISTS chain_agency ON chain (agency_id, position) WHERE agency_id IS NOT NULL;
`;

interface RawRow {
  position: bigint;
  seq: bigint;
  link: Buffer;
  recorded_max: bigint;
}

/**
 * The audit file (`<DATA_DIR>/audit-chain.db`): for every event of the log, in one row keyed by
 * its position, the hash-chain link (hash-chain.ts) and a small index — stream and revision (to
 * read the event back), type, measure, agency, business date, and the running maximum of the
 * recording time. The ChainFollower writes it as the log grows; `verify` compares it with the
 * chain recomputed from the store (an event edited in place no longer gives its stored link),
 * history queries use the index to find events without reading the log, and LedgerClock
 * resolves instants to positions with it.
 *
 * About 260 bytes per event with its indexes (258 MB at a million events). It is evidence, not
 * a cache: unlike the read models it cannot be rebuilt to what it was (a rebuild would link the
 * edited events as they are now). Delete it only when the store itself is replaced
 * (docs/audit.md, "Migration").
 */
export class ChainStore {
  private readonly stmtInsert: Statement<[bigint, bigint, Buffer, string, bigint, string, number, string | null, string | null, string | null]>;
  private readonly stmtHead: Statement<[], RawRow | undefined>;
  private readonly stmtFirst: Statement<[], RawRow | undefined>;
  private readonly stmtLinks: Statement<[bigint, bigint, number], RawRow>;
  private readonly stmtAt: Statement<[number], { position: bigint } | undefined>;

  private constructor(
    private readonly db: SqliteDatabase,
    readonly file: string,
  ) {
    this.stmtInsert = db.prepare(
      `INSERT INTO chain (position, seq, link, stream, revision, type, recorded_max, measure_code, agency_id, occurred_on)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.stmtHead = db.prepare('SELECT position, seq, link, recorded_max FROM chain ORDER BY position DESC LIMIT 1').safeIntegers(true) as never;
    this.stmtFirst = db.prepare('SELECT position, seq, link, recorded_max FROM chain ORDER BY position ASC LIMIT 1').safeIntegers(true) as never;
    this.stmtLinks = db
      .prepare('SELECT position, seq, link, recorded_max FROM chain WHERE position > ? AND position <= ? ORDER BY position LIMIT ?')
      .safeIntegers(true) as never;
    this.stmtAt = db
      .prepare('SELECT position FROM chain WHERE recorded_max <= ? ORDER BY recorded_max DESC, position DESC LIMIT 1')
      .safeIntegers(true) as never;
  }

  /** Opens (creating if needed) the chain file. */
  static open(file: string): ChainStore {
    // NORMAL: a lost last transaction only means those events are linked again on restart.
    const db = openSqliteFile(file, 'NORMAL');
    db.exec(SCHEMA);
    return new ChainStore(db, file);
  }

  /** Opens the chain file when it exists (the cli reads the api's file; it never creates one). */
  static openExisting(file: string): ChainStore | undefined {
    return existsSync(file) ? ChainStore.open(file) : undefined;
  }

  /** Appends rows (in position order, after the current head) in one transaction. */
  append(rows: readonly ChainRow[]): void {
    if (rows.length === 0) return;
    this.db.transaction(() => {
      for (const r of rows) {
        this.stmtInsert.run(
          r.position,
          r.sequence,
          Buffer.from(r.link, 'hex'),
          r.stream,
          r.revision,
          r.type,
          r.recordedMaxMs,
          r.fields.measureCode ?? null,
          r.fields.agencyId ?? null,
          r.fields.occurredOn ?? null,
        );
      }
    })();
  }

  /** The last linked event, or undefined when nothing is linked yet. */
  head(): (ChainHead & { readonly recordedMaxMs: number }) | undefined {
    const row = this.stmtHead.get();
    return row && { hash: row.link.toString('hex'), position: row.position, sequence: row.seq, recordedMaxMs: Number(row.recorded_max) };
  }

  /** The first linked event (sequence 1 unless the file was tampered with). */
  first(): StoredLink | undefined {
    const row = this.stmtFirst.get();
    return row && { position: row.position, sequence: row.seq, link: row.link.toString('hex') };
  }

  /** Stored links after `after` (exclusive) up to `upTo` (inclusive), in position order. */
  links(after: bigint, upTo: bigint, limit: number): StoredLink[] {
    return this.stmtLinks.all(after, upTo, limit).map((row) => ({ position: row.position, sequence: row.seq, link: row.link.toString('hex') }));
  }

  /** The last position whose running recording time is at or before `ms`; undefined when none is. */
  positionAt(ms: number): bigint | undefined {
    return this.stmtAt.get(ms)?.position;
  }

  /**
   * Events of the index matching the filter's per-event conditions within `range`, nearest
   * first in `direction`. Uses the measure or agency index when the filter names one (a page
   * then reads only matching rows); a filter on type, stream or dates alone walks the rows in
   * position order, testing each (cheap: no event is read or parsed, but proportional to the
   * rows between the cursor and the page's last match).
   */
  find(filter: HistoryFilter, range: PositionRange, direction: 'forwards' | 'backwards', limit: number): IndexedEvent[] {
    const where: string[] = [];
    const params: unknown[] = [];
    const condition = (sql: string, value: unknown) => {
      where.push(sql);
      params.push(value);
    };
    if (range.lower !== undefined) condition('position > ?', range.lower);
    if (range.upper !== undefined) condition('position < ?', range.upper);
    if (filter.measureCode !== undefined) condition('measure_code = ?', filter.measureCode);
    if (filter.agencyId !== undefined) condition('agency_id = ?', filter.agencyId);
    if (filter.eventType !== undefined) condition('type = ?', filter.eventType);
    if (filter.stream !== undefined) condition('stream = ?', filter.stream);
    if (filter.occurredFrom !== undefined) condition('occurred_on >= ?', filter.occurredFrom);
    if (filter.occurredTo !== undefined) condition('occurred_on <= ?', filter.occurredTo);
    const sql =
      `SELECT position, stream, revision FROM chain ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ` +
      `ORDER BY position ${direction === 'backwards' ? 'DESC' : 'ASC'} LIMIT ?`;
    params.push(limit);
    const rows = this.db.prepare(sql).safeIntegers(true).all(...params) as Array<{ position: bigint; stream: string; revision: bigint }>;
    return rows.map((r) => ({ position: r.position, stream: r.stream, revision: r.revision }));
  }

  /** Rows linked so far. */
  count(): number {
    return Number((this.db.prepare('SELECT count(*) AS n FROM chain').get() as { n: number }).n);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
