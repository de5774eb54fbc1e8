import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Database as SqliteDatabase } from 'better-sqlite3';

/** How long a writer waits for another connection's lock before SQLITE_BUSY (ms). */
export const SQLITE_BUSY_TIMEOUT_MS = 5000;

/**
 * Opens (creating it and its folder if needed) one of the instance's SQLite files — the event
 * store, the read models, the hash chain, key usage — the way they all are: write-ahead log (one
 * writer, readers never blocked) and a busy timeout, so another process (the CLI beside the api)
 * waits for a lock instead of failing. `synchronous`: FULL where a lost commit would lose a fact
 * (the event store); NORMAL where the last transaction can be derived again from the log.
 */
export function openSqliteFile(file: string, synchronous: 'FULL' | 'NORMAL'): SqliteDatabase {
  mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous}`);
  db.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
  return db;
}
