import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NO_STREAM, WrongExpectedRevisionError } from '../event-store.port.js';
import { SqliteEventStore } from './sqlite-event-store.js';

describe('SqliteEventStore group commit', () => {
  let dir: string;
  let store: SqliteEventStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'apl-sqlite-'));
    store = SqliteEventStore.open(join(dir, 'events.db'));
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('commits appends that arrive together in one transaction', async () => {
    const before = store.commitCount;
    await Promise.all(Array.from({ length: 50 }, (_, i) => store.append(`s-${i}`, [{ type: 'E', data: { i } }], NO_STREAM)));
    expect(store.commitCount - before).toBe(1);
  });

  it('checks each append of a batch against its own expected revision, seeing earlier ones', async () => {
    const results = await Promise.allSettled([
      store.append('one', [{ type: 'A', data: {} }], NO_STREAM),
      store.append('one', [{ type: 'B', data: {} }], 0n),
      store.append('one', [{ type: 'C', data: {} }], NO_STREAM),
      store.append('two', [{ type: 'D', data: {} }], NO_STREAM),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect((results[2] as PromiseRejectedResult).reason).toBeInstanceOf(WrongExpectedRevisionError);
    expect((await store.readStream('one')).map((e) => e.type)).toEqual(['A', 'B']);
  });

  it('flushes queued appends on close', async () => {
    const pending = store.append('late', [{ type: 'E', data: {} }], NO_STREAM);
    await store.close();
    await expect(pending).resolves.toMatchObject({ nextExpectedRevision: 0n });
    store = SqliteEventStore.open(join(dir, 'events.db'));
    expect(await store.readStream('late')).toHaveLength(1);
  });
});
