import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Database as SqliteDatabase, Statement } from 'better-sqlite3';
import { openSqliteFile } from '@app/event-store';
import { intern } from './intern.js';
import type { EntryValue, KeyedState } from './keyed-state.js';

/** The read models' file inside DATA_DIR. */
export const readModelsFile = (dataDir: string) => join(dataDir, 'read-models.db');

/** Position of a projection that has applied nothing yet (0n can be a real position elsewhere). */
export const NO_POSITION = -1n;

export interface StoredCheckpoint {
  readonly version: number;
  /** The last event applied, or {@link NO_POSITION}. */
  readonly position: bigint;
}

/** What one projection writes in a batch's transaction. */
export interface ProjectionWrite {
  readonly name: string;
  readonly version: number;
  readonly position: bigint;
  /** Its state, with dirty tracking on: the changed entries are taken from it. */
  readonly state: KeyedState;
  /**
   * Write every entry of the state, replacing the stored log, instead of the changed ones: a
   * one-off build that tracks no changes (see ProjectionRunnerOptions.commitOnce).
   */
  readonly whole?: boolean;
}

/**
 * One record of a stored chunk: an entry changed in a batch, `[table, group, key, value]`
 * (value null = removed), or, as a whole state is written, the entries of one group,
 * `[table, group, [key, value, key, value, …]]` — a group's table and group written once
 * instead of per entry, and no array per entry: half the CPU of writing a rebuilt state and a
 * tenth fewer bytes. A chunk may hold both kinds; files written before the second hold only the first.
 */
type ChunkRecord = readonly [string, string, string, EntryValue | null] | readonly [string, string, readonly EntryValue[]];

/** Entries per stored chunk: rows stay a few MB at most. */
const CHUNK_ENTRIES = 20_000;
/** The log is compacted once it holds this many entries more than twice the state. */
const COMPACT_SLACK = 100_000;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS projection_checkpoints (
  name       TEXT    PRIMARY KEY,
  version    INTEGER NOT NULL,
  position   TEXT    NOT NULL,
  logged     INTEGER NOT NULL,
  updated_at TEXT    NOT NULL
);
CREATE TABLE IF NOT EXISTS projection_chunks (
  name    TEXT    NOT NULL,
  seq     INTEGER NOT NULL,
  entries INTEGER NOT NULL,
  data    TEXT    NOT NULL,
  PRIMARY KEY (name, seq)
);
`;

/**
 * The read models on disk: one SQLite file (`<DATA_DIR>/read-models.db`). Each projection's
 * state is stored as a log of chunks — JSON arrays of entries (see ChunkRecord) — replayed in
 * order on load, and each projection's checkpoint. A
 * batch's changed entries and the checkpoints are written in one transaction, so after a crash
 * the file holds the state exactly as of its checkpoint and the runner resumes from there.
 *
 * Why a log of chunks and not a row per entry: a million reports make a few million entries,
 * and one row insert per entry (a B-tree insert at a random key) costs several times more than
 * serialising the entry; a rebuild would spend most of its time there. The log keeps old
 * versions of entries changed again, so it is compacted (rewritten from the state) when it
 * holds more than twice the state's entries: amortised, each change is written a bounded
 * number of times.
 *
 * synchronous=NORMAL (not FULL as in the event store): in WAL mode a power cut may lose the
 * last transactions but never corrupts the file, and a lost transaction only takes the
 * checkpoint back with it — those events are applied again on restart. Read models are
 * rebuildable from the store at any time, so durability of each commit is not worth an fsync.
 */
export class ReadModelStore {
  private readonly stmtCheckpoint: Statement<[string], { version: number; position: string; logged: number } | undefined>;
  private readonly stmtSaveCheckpoint: Statement<[string, number, string, number, string]>;
  private readonly stmtNextSeq: Statement<[string], { seq: number | null }>;
  private readonly stmtInsertChunk: Statement<[string, number, number, string]>;
  private readonly stmtDeleteChunks: Statement<[string]>;
  private readonly stmtChunks: Statement<[string], { data: string }>;
  /** Per projection: next chunk number and entries in its log. */
  private readonly logs = new Map<string, { seq: number; logged: number }>();

  private constructor(
    private readonly db: SqliteDatabase,
    readonly file: string,
  ) {
    this.stmtCheckpoint = db.prepare('SELECT version, position, logged FROM projection_checkpoints WHERE name = ?') as never;
    this.stmtSaveCheckpoint = db.prepare(
      `INSERT INTO projection_checkpoints (name, version, position, logged, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET version = excluded.version, position = excluded.position,
         logged = excluded.logged, updated_at = excluded.updated_at`,
    );
    this.stmtNextSeq = db.prepare('SELECT max(seq) AS seq FROM projection_chunks WHERE name = ?') as never;
    this.stmtInsertChunk = db.prepare('INSERT INTO projection_chunks (name, seq, entries, data) VALUES (?, ?, ?, ?)');
    this.stmtDeleteChunks = db.prepare('DELETE FROM projection_chunks WHERE name = ?');
    this.stmtChunks = db.prepare('SELECT data FROM projection_chunks WHERE name = ? ORDER BY seq') as never;
  }

  /**
   * Opens (creating if needed) the read-model file. `fresh` deletes whatever the file held
   * first: a rebuild into a new file (`cli replay`) starts from nothing.
   */
  static open(file: string, options: { readonly fresh?: boolean } = {}): ReadModelStore {
    if (options.fresh) for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
    const db = openSqliteFile(file, 'NORMAL');
    db.exec(SCHEMA);
    return new ReadModelStore(db, file);
  }

  checkpoint(name: string): StoredCheckpoint | undefined {
    const row = this.stmtCheckpoint.get(name);
    return row ? { version: row.version, position: BigInt(row.position) } : undefined;
  }

  /** Loads a projection's stored entries into `state`; returns how many entries it holds. */
  load(name: string, state: KeyedState): number {
    for (const { data } of this.stmtChunks.iterate(name)) {
      for (const record of JSON.parse(data) as ChunkRecord[]) {
        if (record.length === 4) {
          const [tbl, grp, key, value] = record;
          state.put(intern(tbl), intern(grp), key, value === null ? undefined : internStrings(value));
        } else {
          const [tbl, grp, flat] = record;
          const t = intern(tbl);
          const g = intern(grp);
          for (let i = 0; i < flat.length; i += 2) state.put(t, g, flat[i] as string, internStrings(flat[i + 1]));
        }
      }
    }
    this.log(name);
    return state.size;
  }

  /** Drops a projection's entries and sets its checkpoint to "nothing applied" at `version`. */
  reset(name: string, version: number): void {
    this.db.transaction(() => {
      this.stmtDeleteChunks.run(name);
      this.stmtSaveCheckpoint.run(name, version, NO_POSITION.toString(), 0, new Date().toISOString());
    })();
    this.logs.set(name, { seq: 1, logged: 0 });
  }

  /**
   * Writes the changed entries and the checkpoint of every projection in one transaction,
   * compacting a projection's log when it has grown past twice its state.
   */
  commit(writes: readonly ProjectionWrite[]): void {
    const now = new Date().toISOString();
    this.db.transaction(() => {
      for (const write of writes) {
        const log = this.log(write.name);
        const dirty = write.state.takeDirty();
        if (write.whole || log.logged + dirty.length > 2 * write.state.size + COMPACT_SLACK) {
          this.stmtDeleteChunks.run(write.name);
          log.seq = 1;
          log.logged = 0;
          this.writeWhole(write.name, log, write.state);
        } else {
          this.writeChunks(write.name, log, dirty);
        }
        this.stmtSaveCheckpoint.run(write.name, write.version, write.position.toString(), log.logged, now);
      }
    })();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  private writeChunks(name: string, log: { seq: number; logged: number }, entries: Iterable<readonly [string, string, string, EntryValue | undefined]>): void {
    let chunk: Array<readonly [string, string, string, EntryValue | null]> = [];
    const flush = () => {
      if (chunk.length === 0) return;
      this.stmtInsertChunk.run(name, log.seq++, chunk.length, JSON.stringify(chunk));
      log.logged += chunk.length;
      chunk = [];
    };
    for (const [tbl, grp, key, value] of entries) {
      chunk.push([tbl, grp, key, value === undefined ? null : value]);
      if (chunk.length >= CHUNK_ENTRIES) flush();
    }
    flush();
  }

  /** Writes every entry of the state as group records (see ChunkRecord), about CHUNK_ENTRIES per chunk. */
  private writeWhole(name: string, log: { seq: number; logged: number }, state: KeyedState): void {
    let chunk: ChunkRecord[] = [];
    let inChunk = 0;
    const flush = () => {
      if (inChunk === 0) return;
      this.stmtInsertChunk.run(name, log.seq++, inChunk, JSON.stringify(chunk));
      log.logged += inChunk;
      chunk = [];
      inChunk = 0;
    };
    for (const tableName of state.tableNames()) {
      for (const [group, entries] of state.tableGroups(tableName)) {
        let flat: EntryValue[] = [];
        for (const [key, value] of entries) {
          flat.push(key, value);
          if (++inChunk >= CHUNK_ENTRIES) {
            chunk.push([tableName, group, flat]);
            flat = [];
            flush();
          }
        }
        if (flat.length > 0) chunk.push([tableName, group, flat]);
      }
    }
    flush();
  }

  private log(name: string): { seq: number; logged: number } {
    let log = this.logs.get(name);
    if (!log) {
      log = { seq: (this.stmtNextSeq.get(name)?.seq ?? 0) + 1, logged: this.stmtCheckpoint.get(name)?.logged ?? 0 };
      this.logs.set(name, log);
    }
    return log;
  }
}

/** Loaded values get the shared copies of their strings, as live-built ones have (see intern.ts). */
function internStrings(value: EntryValue): EntryValue {
  if (typeof value === 'string') return intern(value);
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const array = value as EntryValue[];
    for (let i = 0; i < array.length; i++) array[i] = internStrings(array[i]);
    return array;
  }
  const object = value as Record<string, EntryValue>;
  for (const key of Object.keys(object)) object[key] = internStrings(object[key]);
  return object;
}
