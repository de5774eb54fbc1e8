import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { ANY, DuplicateEventIdError, NO_STREAM, type RecordedEvent, WrongExpectedRevisionError, matchesFilter } from '../event-store.port.js';
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

  it('appendMany: one transaction for all parts, and a refused call leaves the appends beside it', async () => {
    const before = store.commitCount;
    const parts = Array.from({ length: 200 }, (_, i) => ({ stream: `m-${i}`, events: [{ type: 'E', data: { i } }], expected: NO_STREAM }));
    const results = await store.appendMany(parts);
    expect(results).toHaveLength(200);
    expect(store.commitCount - before).toBe(1);
    // In one flush: a single append, a refused appendMany (its second part conflicts), another single append.
    const outcomes = await Promise.allSettled([
      store.append('beside-1', [{ type: 'A', data: {} }], NO_STREAM),
      store.appendMany([
        { stream: 'refused-new', events: [{ type: 'B', data: {} }], expected: NO_STREAM },
        { stream: 'm-0', events: [{ type: 'B', data: {} }], expected: NO_STREAM },
      ]),
      store.append('beside-2', [{ type: 'C', data: {} }], NO_STREAM),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toBeInstanceOf(WrongExpectedRevisionError);
    expect(store.commitCount - before).toBe(2);
    expect(await store.readStream('refused-new')).toEqual([]);
    // The chain goes on from the last link actually stored: the next append links to beside-2.
    const [b1] = await store.readStream('beside-1');
    const [b2] = await store.readStream('beside-2');
    expect(b2.chain!.sequence).toBe(b1.chain!.sequence + 1n);
    const after = await store.append('after', [{ type: 'D', data: {} }], NO_STREAM);
    const [d] = await store.readStream('after');
    expect(d.chain!.sequence).toBe(b2.chain!.sequence + 1n);
    expect(after.position).toBe(d.position);
  });

  it('appendMany refuses an event id already stored, and keeps none of its parts', async () => {
    await store.append('x', [{ id: 'id-1', type: 'A', data: {} }], NO_STREAM);
    await expect(
      store.appendMany([
        { stream: 'y', events: [{ id: 'id-2', type: 'A', data: {} }], expected: NO_STREAM },
        { stream: 'z', events: [{ id: 'id-1', type: 'A', data: {} }], expected: NO_STREAM },
      ]),
    ).rejects.toBeInstanceOf(DuplicateEventIdError);
    expect(await store.readStream('y')).toEqual([]);
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

  it('refuses an event id already stored (or repeated) with DuplicateEventIdError, failing only that append of the batch', async () => {
    await store.append('first', [{ id: 'imported-1', type: 'A', data: {} }], NO_STREAM);
    const results = await Promise.allSettled([
      store.append('other', [{ type: 'B', data: {} }, { id: 'imported-1', type: 'B', data: {} }], ANY),
      store.append('third', [{ id: 'x-2', type: 'C', data: {} }, { id: 'x-2', type: 'C', data: {} }], ANY),
      store.append('fine', [{ id: 'x-3', type: 'D', data: {} }], NO_STREAM),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'fulfilled']);
    expect((results[0] as PromiseRejectedResult).reason).toMatchObject({ name: 'DuplicateEventIdError', id: 'imported-1', stream: 'other', retryable: false });
    expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(DuplicateEventIdError);
    expect(await store.readStream('other')).toEqual([]);
    expect(await store.readStream('third')).toEqual([]);
    expect((await store.readStream('fine')).map((e) => e.id)).toEqual(['x-3']);
  });

  it('flushes queued appends on close', async () => {
    const pending = store.append('late', [{ type: 'E', data: {} }], NO_STREAM);
    await store.close();
    await expect(pending).resolves.toMatchObject({ nextExpectedRevision: 0n });
    store = SqliteEventStore.open(join(dir, 'events.db'));
    expect(await store.readStream('late')).toHaveLength(1);
  });
});

describe('SqliteEventStore hands its own commits to live subscriptions', () => {
  let dir: string;
  let store: SqliteEventStore;
  const file = () => join(dir, 'events.db');
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'apl-sqlite-handoff-'));
    // A long poll: anything delivered here came from a commit of this process or a resync.
    store = SqliteEventStore.open(file(), { pollIntervalMs: 60_000 });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Takes `count` events from a subscription. */
  async function take(iterator: AsyncIterator<RecordedEvent>, count: number): Promise<RecordedEvent[]> {
    const out: RecordedEvent[] = [];
    while (out.length < count) {
      const next = await iterator.next();
      if (next.done) throw new Error('subscription ended');
      out.push(next.value);
    }
    return out;
  }

  it('delivers local commits without reading them back, exactly as a read returns them', async () => {
    await store.append('a-0', [{ type: 'E', data: { i: 0 } }], NO_STREAM);
    const subscription = store.subscribeAll();
    const iterator = subscription[Symbol.asyncIterator]();
    await take(iterator, 1);
    const reads = jest.spyOn(store as unknown as { readPage: () => unknown }, 'readPage');
    for (let i = 1; i <= 100; i++) await store.append(`a-${i}`, [{ type: 'E', data: { i, nested: { list: [i] } }, metadata: { n: i } }], NO_STREAM);
    const live = await take(iterator, 100);
    expect(reads).not.toHaveBeenCalled();
    const stored = await collect(store.readAll({ from: live[0].position - 1n, maxCount: 100 }));
    expect(live).toEqual(stored);
    await subscription.close();
  });

  it('freezes handed-over events: one consumer cannot change what another sees', async () => {
    const first = store.subscribeAll()[Symbol.asyncIterator]();
    const second = store.subscribeAll()[Symbol.asyncIterator]();
    const pending = [first.next(), second.next()];
    await new Promise((resolve) => setImmediate(resolve));
    await store.append('x', [{ type: 'E', data: { list: [1] } }], NO_STREAM);
    const [a, b] = await Promise.all(pending);
    expect(a.value).toBe(b.value);
    expect(() => ((a.value as RecordedEvent).data as { list: number[] }).list.push(2)).toThrow(TypeError);
    expect(b.value.data).toEqual({ list: [1] });
  });

  it('keeps global order when another process writes between two local commits', async () => {
    const other = SqliteEventStore.open(file());
    try {
      await store.append('seed', [{ type: 'E', data: {} }], NO_STREAM);
      const subscription = store.subscribeAll({ filter: { eventTypes: ['E'] } });
      const iterator = subscription[Symbol.asyncIterator]();
      await take(iterator, 1);
      await store.append('mine-1', [{ type: 'E', data: {} }], NO_STREAM);
      await other.append('theirs-1', [{ type: 'E', data: {} }], NO_STREAM);
      await store.append('mine-2', [{ type: 'E', data: {} }], NO_STREAM);
      await other.append('theirs-skipped', [{ type: 'Other', data: {} }], NO_STREAM);
      await store.append('mine-3', [{ type: 'E', data: {} }], NO_STREAM);
      const events = await take(iterator, 4);
      expect(events.map((e) => e.stream)).toEqual(['mine-1', 'theirs-1', 'mine-2', 'mine-3']);
      const positions = events.map((e) => e.position);
      expect(positions).toEqual(positions.toSorted((x, y) => (x < y ? -1 : 1)));
      await subscription.close();
    } finally {
      await other.close();
    }
  });

  it('does not wake a filtered subscription for commits holding none of its events, and still hands it the next that does', async () => {
    await store.append('keep-0', [{ type: 'K', data: {} }], NO_STREAM);
    const subscription = store.subscribeAll({ filter: { streamPrefixes: ['keep-'] } });
    const iterator = subscription[Symbol.asyncIterator]();
    await take(iterator, 1);
    const next = iterator.next();
    await new Promise((resolve) => setImmediate(resolve));
    // A woken subscription that finds nothing waits again with a new poll timer.
    const timers = jest.spyOn(globalThis, 'setTimeout');
    const reads = jest.spyOn(store as unknown as { readPage: () => unknown }, 'readPage');
    try {
      for (let i = 0; i < 20; i++) await store.append(`other-${i}`, [{ type: 'E', data: { i } }], NO_STREAM);
      expect(timers).not.toHaveBeenCalled();
      await store.append('keep-1', [{ type: 'K', data: {} }], NO_STREAM);
      expect(((await next).value as RecordedEvent).stream).toBe('keep-1');
      expect(reads).not.toHaveBeenCalled();
    } finally {
      timers.mockRestore();
    }
    await subscription.close();
  });

  it('filters handed-over commits like reads, and a slow consumer falls back to reading in order', async () => {
    const subscription = store.subscribeAll({ filter: { streamPrefixes: ['keep-'] } });
    const iterator = subscription[Symbol.asyncIterator]();
    const first = iterator.next();
    await new Promise((resolve) => setImmediate(resolve));
    // 12,000 events while nobody consumes: more than a subscription may hold in memory.
    for (let i = 0; i < 12; i++) {
      await store.append(
        `batch-${i}`,
        Array.from({ length: 1000 }, (_, j) => ({ type: 'E', data: { i, j } })),
        NO_STREAM,
      );
      await store.append(`keep-${i}`, [{ type: 'K', data: { i } }], NO_STREAM);
    }
    const events = [(await first).value as RecordedEvent, ...(await take(iterator, 11))];
    expect(events.map((e) => e.stream)).toEqual(Array.from({ length: 12 }, (_, i) => `keep-${i}`));
    await subscription.close();
  });
});

async function collect(events: AsyncIterable<RecordedEvent>): Promise<RecordedEvent[]> {
  const out: RecordedEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}

describe('SqliteEventStore stream-prefix filters', () => {
  let dir: string;
  let store: SqliteEventStore;
  const streams = ['ab', 'ab-1', 'ab_1', 'ab%2', 'abc', 'ac', 'a', 'b', 'é-1', 'éa', 'f', 'x\u{10FFFF}', 'x\u{10FFFF}y', 'y', 'z-1'];
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'apl-sqlite-prefix-'));
    // Pages of 2: a prefix with more than 8 matches is read in position order, fewer through the stream index.
    store = SqliteEventStore.open(join(dir, 'events.db'), { pageSize: 2 });
    for (let round = 0; round < 3; round++) {
      for (const stream of streams) await store.append(stream, [{ type: 'E', data: { round } }], round === 0 ? NO_STREAM : BigInt(round - 1));
    }
    // Many events in one prefix, interleaved with the others.
    for (let i = 0; i < 12; i++) await store.append(`many-${i}`, [{ type: 'M', data: {} }], NO_STREAM);
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([['ab'], ['ab-'], ['ab%'], ['ab_'], ['a'], ['é'], ['x\u{10FFFF}'], ['\u{10FFFF}'], ['many-'], ['z-', 'ab-'], [''], ['nothing']])(
    'reads exactly the streams starting with %j, in position order, forwards and backwards',
    async (...prefixes: string[]) => {
      const all = await collect(store.readAll());
      const expected = all.filter((e) => matchesFilter(e, { streamPrefixes: prefixes }));
      const forwards = await collect(store.readAll({ filter: { streamPrefixes: prefixes } }));
      expect(forwards.map((e) => e.position)).toEqual(expected.map((e) => e.position));
      const backwards = await collect(store.readAll({ direction: 'backwards', filter: { streamPrefixes: prefixes } }));
      expect(backwards.map((e) => e.position)).toEqual(expected.map((e) => e.position).reverse());
      const from = expected.length > 2 ? expected[1].position : undefined;
      const after = await collect(store.readAll({ from, filter: { streamPrefixes: prefixes } }));
      expect(after.map((e) => e.position)).toEqual(expected.filter((e) => from === undefined || e.position > from).map((e) => e.position));
    },
  );
});
