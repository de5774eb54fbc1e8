import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EventStore, NO_STREAM, SqliteEventStore, WrongExpectedRevisionError } from '@app/event-store';
import { LedgerMetrics } from './ledger-metrics.js';
import { MeteredEventStore } from './metered-event-store.js';

describe('MeteredEventStore', () => {
  let dir: string;
  let inner: SqliteEventStore;
  let metrics: LedgerMetrics;
  let store: EventStore;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'apl-metered-'));
    inner = SqliteEventStore.open(join(dir, 'events.db'));
    metrics = new LedgerMetrics();
    store = new MeteredEventStore(inner, metrics);
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const appended = async (type: string, outcome: string) =>
    (await metrics.eventsAppended.get()).values.find((v) => v.labels.event_type === type && v.labels.outcome === outcome)?.value ?? 0;

  it('counts appended events by type and outcome, and passes results and errors through', async () => {
    const result = await store.append('s-1', [{ type: 'A', data: {} }, { type: 'B', data: {} }], NO_STREAM);
    expect(result.positions).toHaveLength(2);
    await expect(store.append('s-1', [{ type: 'A', data: {} }], NO_STREAM)).rejects.toBeInstanceOf(WrongExpectedRevisionError);
    expect(await appended('A', 'ok')).toBe(1);
    expect(await appended('B', 'ok')).toBe(1);
    expect(await appended('A', 'conflict')).toBe(1);
    expect((await metrics.storeErrors.get()).values).toEqual([]);
  });

  it('reads through, early exits included', async () => {
    await store.append('s-1', [{ type: 'A', data: {} }, { type: 'A', data: {} }, { type: 'A', data: {} }], NO_STREAM);
    expect(store.kind).toBe('sqlite');
    expect(await store.headPosition()).toBe(3n);
    expect(await store.readStream('s-1')).toHaveLength(3);
    const read: bigint[] = [];
    for await (const event of store.readAll()) {
      read.push(event.position);
      if (read.length === 2) break;
    }
    expect(read).toEqual([1n, 2n]);
  });

  it('counts failing operations as store errors', async () => {
    const failing: EventStore = {
      kind: 'broken',
      atomicAppendMany: true,
      append: () => Promise.reject(new Error('disk full')),
      appendMany: () => Promise.reject(new Error('disk full')),
      readStream: () => Promise.reject(new Error('io')),
      readAll: () => ({
        [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(new Error('io')) }),
      }),
      subscribeAll: () => {
        throw new Error('unused');
      },
      headPosition: () => Promise.reject(new Error('io')),
      close: () => Promise.resolve(),
    };
    const metered = new MeteredEventStore(failing, metrics);
    await expect(metered.append('s', [{ type: 'A', data: {} }], NO_STREAM)).rejects.toThrow('disk full');
    await expect(metered.appendMany([{ stream: 's', events: [{ type: 'A', data: {} }], expected: NO_STREAM }])).rejects.toThrow('disk full');
    await expect(metered.headPosition()).rejects.toThrow('io');
    await expect(metered.readStream('s')).rejects.toThrow('io');
    await expect(
      (async () => {
        for await (const _ of metered.readAll()) void _;
      })(),
    ).rejects.toThrow('io');
    const errors = Object.fromEntries((await metrics.storeErrors.get()).values.map((v) => [v.labels.operation, v.value]));
    expect(errors).toEqual({ append: 2, headPosition: 1, readStream: 1, readAll: 1 });
    expect(await appended('A', 'error')).toBe(2);
  });
});
