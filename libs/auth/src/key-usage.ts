import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Database as SqliteDatabase } from 'better-sqlite3';
import { openSqliteFile } from '@app/event-store';

/** Where an api instance records when each key was last used: `<DATA_DIR>/key-usage.db`. */
export const keyUsageFile = (dataDir: string) => join(dataDir, 'key-usage.db');

/** How often the uses seen since the last write are written (and once more on close). */
export const KEY_USAGE_FLUSH_MS = 60_000;

const SCHEMA = `CREATE TABLE IF NOT EXISTS key_usage (key_id TEXT PRIMARY KEY, last_used_at TEXT NOT NULL) WITHOUT ROWID`;

/**
 * When each API key was last used to authenticate, as seen by the api instances that share this
 * file. Not an event: a use is not a fact of the ledger, and an event per request would fill the
 * log with noise. Uses are noted in memory (one Map.set per request) and written at most every
 * KEY_USAGE_FLUSH_MS and on close, so a time read from the file is at most that much behind.
 * Operators read it with `ledger keys list`; losing the file loses only these times.
 */
export class KeyUsageLog {
  private readonly pending = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;

  private constructor(private readonly db: SqliteDatabase) {}

  /** Opens (creating if needed) the file, and writes pending uses every `flushMs`. */
  static open(file: string, flushMs = KEY_USAGE_FLUSH_MS): KeyUsageLog {
    const db = openSqliteFile(file, 'NORMAL');
    db.exec(SCHEMA);
    const log = new KeyUsageLog(db);
    if (flushMs > 0) {
      log.timer = setInterval(() => log.flush(), flushMs);
      log.timer.unref();
    }
    return log;
  }

  /** The last use of every key in `file` (ISO instants), or an empty map when there is no file: the CLI never creates it. */
  static read(file: string): Map<string, string> {
    if (!existsSync(file)) return new Map();
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      const rows = db.prepare('SELECT key_id AS keyId, last_used_at AS lastUsedAt FROM key_usage').all() as { keyId: string; lastUsedAt: string }[];
      return new Map(rows.map((r) => [r.keyId, r.lastUsedAt]));
    } finally {
      db.close();
    }
  }

  /** Notes that `keyId` authenticated at `at`. */
  used(keyId: string, at: Date = new Date()): void {
    this.pending.set(keyId, at.toISOString());
  }

  /** Writes the uses noted since the last write; a later time never goes back (several instances share the file). */
  flush(): void {
    if (this.pending.size === 0) return;
    const upsert = this.db.prepare(
      'INSERT INTO key_usage (key_id, last_used_at) VALUES (?, ?) ON CONFLICT (key_id) DO UPDATE SET last_used_at = max(last_used_at, excluded.last_used_at)',
    );
    const entries = [...this.pending];
    this.pending.clear();
    this.db.transaction(() => {
      for (const [keyId, at] of entries) upsert.run(keyId, at);
    })();
  }

  close(): void {
    clearInterval(this.timer);
    this.flush();
    this.db.close();
  }
}
