import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { type NewEvent, NO_STREAM, SqliteEventStore } from '@app/event-store';

/** Append rate of one loop. */
export interface AppendRate {
  readonly label: string;
  readonly events: number;
  readonly seconds: number;
  readonly rate: number;
  /** Events per transaction (or appends in flight, for the adapter). */
  readonly batch: number;
}

/** A TrainingDelivered event as the api stores it (same fields, similar sizes). */
export function trainingEvent(reportId: string): { stream: string; event: NewEvent & { id: string } } {
  const recordedAt = new Date().toISOString();
  return {
    stream: `activity-ministry-of-interior/${reportId}`,
    event: {
      id: randomUUID(),
      type: 'TrainingDelivered',
      data: {
        planId: 'hu-2022-2023',
        measureCode: 'II.1.3',
        agencyId: 'ministry-of-interior',
        reportId,
        occurredOn: '2023-05-02',
        details: { title: 'Border control course', participants: 12, days: 1 },
      },
      metadata: {
        agencyId: 'ministry-of-interior',
        principalId: 'benchkey0001',
        principalRole: 'AGENCY',
        recordedAt,
        occurredOn: '2023-05-02',
        correlationId: randomUUID(),
        causationId: randomUUID(),
        schemaVersion: 1,
      },
    },
  };
}

function freshStoreFile(root = tmpdir()): { file: string; cleanup: () => void } {
  const dir = mkdtempSync(join(root, 'apl-bench-raw-'));
  return { file: join(dir, 'events.db'), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * better-sqlite3 alone, on the adapter's own schema and pragmas (WAL, synchronous=FULL): INSERTs
 * of one event each, `batch` per transaction, for `seconds` or `maxEvents`, whichever ends first,
 * in a fresh file under `root` (the system's temporary folder by default: put it on the file system
 * the api's store is on when the figures are compared).
 */
export async function rawSqliteAppends(batch: number, seconds: number, maxEvents: number, root?: string): Promise<AppendRate> {
  const { file, cleanup } = freshStoreFile(root);
  try {
    // The schema exactly as the adapter creates it.
    await SqliteEventStore.open(file).close();
    const db = new Database(file);
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.pragma('busy_timeout = 5000');
      const insert = db.prepare('INSERT INTO events (id, stream, revision, type, data, metadata, created) VALUES (?, ?, ?, ?, ?, ?, ?)');
      const writeBatch = db.transaction((from: number, count: number) => {
        const created = new Date().toISOString();
        for (let i = from; i < from + count; i++) {
          const { stream, event } = trainingEvent(`raw-${i}`);
          insert.run(event.id, stream, 0, event.type, JSON.stringify(event.data), JSON.stringify(event.metadata), created);
        }
      });
      const started = performance.now();
      const deadline = started + seconds * 1000;
      let written = 0;
      while (written < maxEvents && performance.now() < deadline) {
        const count = Math.min(batch, maxEvents - written);
        writeBatch(written, count);
        written += count;
      }
      const elapsed = (performance.now() - started) / 1000;
      return { label: `better-sqlite3, ${batch} event${batch > 1 ? 's' : ''}/transaction`, events: written, seconds: elapsed, rate: written / elapsed, batch };
    } finally {
      db.close();
    }
  } finally {
    cleanup();
  }
}

/**
 * SqliteEventStore.append itself (expected revision NO_STREAM, one event each) with `inFlight`
 * appends outstanding: the adapter's group commit without HTTP, GraphQL or the handler.
 */
export async function adapterAppends(inFlight: number, seconds: number, maxEvents: number): Promise<AppendRate & { commits: number }> {
  const { file, cleanup } = freshStoreFile();
  const store = SqliteEventStore.open(file);
  try {
    let issued = 0;
    let done = 0;
    const started = performance.now();
    const deadline = started + seconds * 1000;
    const worker = async () => {
      while (issued < maxEvents && performance.now() < deadline) {
        const { stream, event } = trainingEvent(`adapter-${issued++}`);
        await store.append(stream, [event], NO_STREAM);
        done += 1;
      }
    };
    await Promise.all(Array.from({ length: inFlight }, worker));
    const elapsed = (performance.now() - started) / 1000;
    return { label: `SqliteEventStore.append, ${inFlight} in flight`, events: done, seconds: elapsed, rate: done / elapsed, batch: inFlight, commits: store.commitCount };
  } finally {
    await store.close();
    cleanup();
  }
}
