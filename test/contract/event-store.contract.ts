/**
 * The event store contract, written once and run against every adapter (see the
 * *.contract-spec.ts files). Each test uses streams under a fresh random prefix and filters
 * the global log by it, so the suite also runs against a shared, non-empty EventStoreDB.
 */
import { randomUUID } from 'node:crypto';
import {
  ANY,
  DuplicateEventIdError,
  type EventStore,
  EventStoreError,
  InvalidPositionError,
  NO_STREAM,
  type NewEvent,
  type RecordedEvent,
  STREAM_EXISTS,
  WrongExpectedRevisionError,
} from '@app/event-store';

export interface ContractSetup {
  store: EventStore;
  cleanup: () => Promise<void>;
}

const ev = (type: string, data: Record<string, unknown> = {}, metadata?: Record<string, unknown>): NewEvent => ({
  type,
  data: data as never,
  metadata: metadata as never,
});

async function collect(iterable: AsyncIterable<RecordedEvent>, limit = Number.POSITIVE_INFINITY): Promise<RecordedEvent[]> {
  const out: RecordedEvent[] = [];
  for await (const e of iterable) {
    out.push(e);
    if (out.length >= limit) break;
  }
  return out;
}

/** Takes `count` events from a subscription, failing after `timeoutMs`. */
async function take(iterator: AsyncIterator<RecordedEvent>, count: number, timeoutMs = 20_000): Promise<RecordedEvent[]> {
  const out: RecordedEvent[] = [];
  const deadline = Date.now() + timeoutMs;
  while (out.length < count) {
    const remaining = deadline - Date.now();
    let timer: NodeJS.Timeout | undefined;
    const next = await Promise.race([
      iterator.next(),
      new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), Math.max(remaining, 0));
      }),
    ]);
    clearTimeout(timer);
    if (next === 'timeout') throw new Error(`subscription delivered ${out.length} of ${count} events in ${timeoutMs} ms`);
    if (next.done) throw new Error(`subscription ended after ${out.length} of ${count} events`);
    out.push(next.value);
  }
  return out;
}

async function expectConflict(promise: Promise<unknown>): Promise<WrongExpectedRevisionError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WrongExpectedRevisionError);
  return error as WrongExpectedRevisionError;
}

export function describeEventStoreContract(adapterName: string, setup: () => Promise<ContractSetup>): void {
  describe(`EventStore contract: ${adapterName}`, () => {
    let store: EventStore;
    let cleanup: () => Promise<void>;
    let prefix: string;
    const stream = (name: string) => `${prefix}${name}`;
    const mine = () => ({ streamPrefixes: [prefix] });

    beforeAll(async () => {
      ({ store, cleanup } = await setup());
    });
    afterAll(async () => {
      // Absent when setup failed: its error is the one to read.
      await cleanup?.();
    });
    beforeEach(() => {
      prefix = `ct${randomUUID().replaceAll('-', '').slice(0, 12)}-`;
    });

    describe('expected revision', () => {
      it('NO_STREAM creates a stream at revision 0 and then refuses', async () => {
        const s = stream('a');
        const first = await store.append(s, [ev('Created', { n: 1 })], NO_STREAM);
        expect(first.nextExpectedRevision).toBe(0n);
        expect(typeof first.position).toBe('bigint');
        const error = await expectConflict(store.append(s, [ev('Again')], NO_STREAM));
        expect(error.stream).toBe(s);
        expect(error.actual).toBe(0n);
        expect(error.expected).toBe(NO_STREAM);
        expect(await store.readStream(s)).toHaveLength(1);
      });

      it('an exact revision must match the stream revision', async () => {
        const s = stream('b');
        await store.append(s, [ev('One'), ev('Two')], NO_STREAM);
        const ok = await store.append(s, [ev('Three')], 1n);
        expect(ok.nextExpectedRevision).toBe(2n);
        const stale = await expectConflict(store.append(s, [ev('Stale')], 1n));
        expect(stale.actual).toBe(2n);
        const ahead = await expectConflict(store.append(s, [ev('Ahead')], 7n));
        expect(ahead.actual).toBe(2n);
        const absent = await expectConflict(store.append(stream('absent'), [ev('X')], 0n));
        expect(absent.actual).toBe(NO_STREAM);
        expect((await store.readStream(s)).map((e) => e.type)).toEqual(['One', 'Two', 'Three']);
      });

      it('STREAM_EXISTS requires the stream, ANY accepts anything', async () => {
        const s = stream('c');
        const error = await expectConflict(store.append(s, [ev('X')], STREAM_EXISTS));
        expect(error.actual).toBe(NO_STREAM);
        expect(await store.readStream(s)).toEqual([]);
        await store.append(s, [ev('First')], ANY);
        const exists = await store.append(s, [ev('Second')], STREAM_EXISTS);
        expect(exists.nextExpectedRevision).toBe(1n);
        const any = await store.append(s, [ev('Third')], ANY);
        expect(any.nextExpectedRevision).toBe(2n);
      });

      it('concurrent appenders at the same revision: exactly one wins each round', async () => {
        const s = stream('race');
        await store.append(s, [ev('Start')], NO_STREAM);
        for (let round = 0; round < 5; round++) {
          const expected = BigInt(round);
          const attempts = await Promise.allSettled(
            Array.from({ length: 20 }, (_, i) => store.append(s, [ev('Attempt', { round, i })], expected)),
          );
          const winners = attempts.filter((a) => a.status === 'fulfilled');
          const losers = attempts.filter((a) => a.status === 'rejected');
          expect(winners).toHaveLength(1);
          for (const loser of losers) {
            expect((loser as PromiseRejectedResult).reason).toBeInstanceOf(WrongExpectedRevisionError);
          }
        }
        const events = await store.readStream(s);
        expect(events.map((e) => e.revision)).toEqual([0n, 1n, 2n, 3n, 4n, 5n]);
        expect(events.slice(1).map((e) => (e.data as { round: number }).round)).toEqual([0, 1, 2, 3, 4]);
      });

      it('a multi-event append is atomic and gets consecutive revisions and increasing positions', async () => {
        const s = stream('batch');
        const result = await store.append(s, [ev('A'), ev('B'), ev('C')], NO_STREAM);
        expect(result.positions).toHaveLength(3);
        expect(result.positions[0] < result.positions[1] && result.positions[1] < result.positions[2]).toBe(true);
        expect(result.position).toBe(result.positions[2]);
        const events = await store.readStream(s);
        expect(events.map((e) => [e.revision, e.position])).toEqual([
          [0n, result.positions[0]],
          [1n, result.positions[1]],
          [2n, result.positions[2]],
        ]);
      });
    });

    describe('appendMany', () => {
      it('appends to several streams, each part at its own expected revision, answered part by part', async () => {
        const [a, b, c] = [stream('many-a'), stream('many-b'), stream('many-c')];
        await store.append(b, [ev('B0')], NO_STREAM);
        const results = await store.appendMany([
          { stream: a, events: [ev('A0'), ev('A1')], expected: NO_STREAM },
          { stream: b, events: [ev('B1')], expected: 0n },
          { stream: c, events: [ev('C0')], expected: ANY },
        ]);
        expect(results.map((r) => r.nextExpectedRevision)).toEqual([1n, 1n, 0n]);
        expect(results[0].positions).toHaveLength(2);
        const positions = results.flatMap((r) => r.positions);
        expect(positions).toEqual([...positions].sort((x, y) => (x < y ? -1 : 1)));
        const log = await collect(store.readAll({ filter: mine() }));
        expect(log.map((e) => e.type)).toEqual(['B0', 'A0', 'A1', 'B1', 'C0']);
        expect(log.slice(1).map((e) => e.position)).toEqual(positions);
        expect((await store.readStream(b)).map((e) => [e.type, e.revision])).toEqual([
          ['B0', 0n],
          ['B1', 1n],
        ]);
      });

      it('checks a stream named twice against the part before it', async () => {
        const s = stream('many-twice');
        const results = await store.appendMany([
          { stream: s, events: [ev('X')], expected: NO_STREAM },
          { stream: s, events: [ev('Y')], expected: 0n },
        ]);
        expect(results.map((r) => r.nextExpectedRevision)).toEqual([0n, 1n]);
        expect((await store.readStream(s)).map((e) => e.type)).toEqual(['X', 'Y']);
      });

      it('a refused part rejects the call; an atomic store keeps none of it, any store keeps none after it', async () => {
        const [a, taken, c] = [stream('many-r-a'), stream('many-r-taken'), stream('many-r-c')];
        await store.append(taken, [ev('T0')], NO_STREAM);
        const conflict = await expectConflict(
          store.appendMany([
            { stream: a, events: [ev('A0')], expected: NO_STREAM },
            { stream: taken, events: [ev('T1')], expected: NO_STREAM },
            { stream: c, events: [ev('C0')], expected: NO_STREAM },
          ]),
        );
        expect(conflict.stream).toBe(taken);
        expect(await store.readStream(taken)).toHaveLength(1);
        expect(await store.readStream(c)).toEqual([]);
        expect(await store.readStream(a)).toHaveLength(store.atomicAppendMany ? 0 : 1);
        // The stream the refused call would have created can still be created at NO_STREAM.
        if (store.atomicAppendMany) await store.append(a, [ev('A0')], NO_STREAM);
      });

      it('an empty call appends nothing; an empty part is refused', async () => {
        expect(await store.appendMany([])).toEqual([]);
        const s = stream('many-empty');
        await expect(store.appendMany([{ stream: s, events: [], expected: ANY }])).rejects.toBeInstanceOf(EventStoreError);
        expect(await store.readStream(s)).toEqual([]);
      });
    });

    describe('reading', () => {
      it('round-trips ids, data, metadata and the commit time', async () => {
        const s = stream('rt');
        const id = randomUUID();
        const before = Date.now();
        await store.append(
          s,
          [{ id, type: 'Recorded', data: { a: 1, b: [true, null, 'x'], c: { d: 'e' } }, metadata: { agencyId: 'x', n: 2 } }],
          NO_STREAM,
        );
        const [event] = await store.readStream(s);
        expect(event.id).toBe(id);
        expect(event.type).toBe('Recorded');
        expect(event.stream).toBe(s);
        expect(event.revision).toBe(0n);
        expect(event.data).toEqual({ a: 1, b: [true, null, 'x'], c: { d: 'e' } });
        expect(event.metadata).toEqual({ agencyId: 'x', n: 2 });
        expect(event.created).toBeInstanceOf(Date);
        expect(event.created.getTime()).toBeGreaterThanOrEqual(before - 5_000);
      });

      it('readStream: absent stream is empty; fromRevision and maxCount', async () => {
        expect(await store.readStream(stream('nothing'))).toEqual([]);
        const s = stream('rs');
        await store.append(s, Array.from({ length: 10 }, (_, i) => ev('N', { i })), NO_STREAM);
        const part = await store.readStream(s, { fromRevision: 3n, maxCount: 4 });
        expect(part.map((e) => (e.data as { i: number }).i)).toEqual([3, 4, 5, 6]);
      });

      it('readAll: commit order, exclusive from, backwards, maxCount, filters', async () => {
        const appended: bigint[] = [];
        for (let i = 0; i < 6; i++) {
          const r = await store.append(stream(i % 2 ? 'odd' : 'even'), [ev(i % 3 === 0 ? 'Three' : 'Other', { i })], ANY);
          appended.push(r.position);
        }
        const all = await collect(store.readAll({ filter: mine() }));
        expect(all.map((e) => (e.data as { i: number }).i)).toEqual([0, 1, 2, 3, 4, 5]);
        expect(all.map((e) => e.position)).toEqual(appended);

        const after = await collect(store.readAll({ from: appended[2], filter: mine() }));
        expect(after.map((e) => (e.data as { i: number }).i)).toEqual([3, 4, 5]);

        const back = await collect(store.readAll({ direction: 'backwards', filter: mine() }));
        expect(back.map((e) => (e.data as { i: number }).i)).toEqual([5, 4, 3, 2, 1, 0]);
        const backFrom = await collect(store.readAll({ direction: 'backwards', from: appended[3], filter: mine(), maxCount: 2 }));
        expect(backFrom.map((e) => (e.data as { i: number }).i)).toEqual([2, 1]);

        const limited = await collect(store.readAll({ filter: mine(), maxCount: 2 }));
        expect(limited).toHaveLength(2);

        const threes = await collect(store.readAll({ filter: { ...mine(), eventTypes: ['Three'] } }));
        expect(threes.map((e) => (e.data as { i: number }).i)).toEqual([0, 3]);

        const odd = await collect(store.readAll({ filter: { streamPrefixes: [stream('odd')] } }));
        expect(odd.map((e) => (e.data as { i: number }).i)).toEqual([1, 3, 5]);
      });

      it('headPosition is the position of the last committed event', async () => {
        const r = await store.append(stream('head'), [ev('H')], NO_STREAM);
        expect(await store.headPosition()).toBeGreaterThanOrEqual(r.position);
      });
    });

    describe('subscribeAll', () => {
      it('delivers the events after `from`, then live ones, in order, once', async () => {
        const first = await store.append(stream('sub'), [ev('Old', { i: 0 }), ev('Old', { i: 1 }), ev('Old', { i: 2 })], NO_STREAM);
        const subscription = store.subscribeAll({ from: first.positions[0], filter: mine() });
        const iterator = subscription[Symbol.asyncIterator]();
        try {
          const caughtUp = await take(iterator, 2);
          expect(caughtUp.map((e) => (e.data as { i: number }).i)).toEqual([1, 2]);
          const live: Promise<RecordedEvent[]> = take(iterator, 5);
          for (let i = 3; i < 8; i++) await store.append(stream('sub'), [ev('New', { i })], BigInt(i - 1));
          const received = await live;
          expect(received.map((e) => (e.data as { i: number }).i)).toEqual([3, 4, 5, 6, 7]);
          const positions = [...caughtUp, ...received].map((e) => e.position);
          expect([...positions].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(positions);
          expect(new Set(positions).size).toBe(positions.length);
        } finally {
          await subscription.close();
        }
      });

      it('sees concurrent appends to many streams without gaps or repeats', async () => {
        const subscription = store.subscribeAll({ from: await store.headPosition(), filter: mine() });
        const iterator = subscription[Symbol.asyncIterator]();
        try {
          const received = take(iterator, 200);
          await Promise.all(
            Array.from({ length: 200 }, (_, i) => store.append(stream(`many-${i}`), [ev('Many', { i })], NO_STREAM)),
          );
          const events = await received;
          expect(new Set(events.map((e) => (e.data as { i: number }).i)).size).toBe(200);
          const positions = events.map((e) => e.position);
          expect(positions.every((p, i) => i === 0 || p > positions[i - 1])).toBe(true);
        } finally {
          await subscription.close();
        }
      });

      it('close() ends the iteration', async () => {
        const subscription = store.subscribeAll({ from: await store.headPosition(), filter: mine() });
        const done = collect(subscription);
        await subscription.close();
        await expect(done).resolves.toEqual([]);
      });
    });

    describe('event ids', () => {
      it('a re-sent append (same ids, same expected revision) leaves the events stored once', async () => {
        const s = stream('resend');
        const events = [
          { id: randomUUID(), type: 'Sent', data: { n: 1 } },
          { id: randomUUID(), type: 'Sent', data: { n: 2 } },
        ];
        await store.append(s, [ev('First')], NO_STREAM);
        const first = await store.append(s, events, 0n);
        // As after AppendOutcomeUnknownError: EventStoreDB answers an idempotent success, the
        // embedded store a conflict (its revision check comes first) or DuplicateEventIdError.
        const again = await store.append(s, events, 0n).then(
          (result) => result,
          (error: unknown) => error,
        );
        if (again instanceof Error) {
          expect(again instanceof WrongExpectedRevisionError || again instanceof DuplicateEventIdError).toBe(true);
        } else {
          expect(again).toEqual(first);
        }
        const stored = await store.readStream(s);
        expect(stored.map((e) => e.id)).toEqual([stored[0].id, events[0].id, events[1].id]);
        const viaAll = await collect(store.readAll({ filter: { streamPrefixes: [s] } }));
        expect(viaAll).toHaveLength(3);
      });

      it('keeps a UUID id, up to letter case', async () => {
        const s = stream('upper');
        const id = randomUUID().toUpperCase();
        await store.append(s, [{ id, type: 'Upper', data: {} }], NO_STREAM);
        const [event] = await store.readStream(s);
        expect(event.id.toLowerCase()).toBe(id.toLowerCase());
      });
    });

    describe('positions from callers', () => {
      it('a negative position is refused with InvalidPositionError before anything is read', async () => {
        await store.append(stream('neg'), [ev('N')], NO_STREAM);
        for (const direction of ['forwards', 'backwards'] as const) {
          const error = await collect(store.readAll({ from: -1n, direction, filter: mine() })).then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(error).toBeInstanceOf(InvalidPositionError);
          expect(error).toMatchObject({ position: -1n, retryable: false });
        }
        expect(() => store.subscribeAll({ from: -5n, filter: mine() })).toThrow(InvalidPositionError);
      });

      it('a position between two events is refused, or is a boundary and reads only what follows it', async () => {
        const { positions } = await store.append(stream('gap'), [ev('G', { i: 0 }), ev('G', { i: 1 }), ev('G', { i: 2 })], NO_STREAM);
        for (const inside of [positions[0] + 1n, positions[1] - 1n]) {
          const read = await collect(store.readAll({ from: inside, filter: mine() })).then(
            (events) => events,
            (e: unknown) => e,
          );
          if (read instanceof Error) {
            // EventStoreDB: positions are byte offsets, most integers lie inside a record.
            expect(read).toBeInstanceOf(InvalidPositionError);
            expect((read as InvalidPositionError).reason).toMatch(/not the position of an event/);
          } else {
            // The embedded store: row ids, every integer is a boundary.
            expect((read as RecordedEvent[]).every((e) => e.position > inside)).toBe(true);
          }
        }
        const fromReal = await collect(store.readAll({ from: positions[0], filter: mine() }));
        expect(fromReal.map((e) => e.position)).toEqual(positions.slice(1));
      });
    });

    describe('failures', () => {
      it('refusals are EventStoreErrors that say whether retrying can help', async () => {
        const empty = await store.append(stream('none'), [], ANY).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(empty).toBeInstanceOf(EventStoreError);
        expect(empty).toMatchObject({ retryable: false });
      });

      it('close() during a readAll fails the read instead of ending it looking complete', async () => {
        const other = await setup();
        const s = `${prefix}closing-`;
        try {
          for (let b = 0; b < 3; b++) {
            await Promise.all(
              Array.from({ length: 10 }, (_, k) =>
                other.store.append(`${s}${b}-${k}`, Array.from({ length: 50 }, (_, j) => ev('C', { j })), NO_STREAM),
              ),
            );
          }
          let seen = 0;
          const read = (async () => {
            for await (const _ of other.store.readAll({ filter: { streamPrefixes: [s] } })) {
              if (++seen === 5) await other.store.close();
            }
          })();
          const error = await read.then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(error).toBeInstanceOf(EventStoreError);
          expect(seen).toBeLessThan(1_500);
        } finally {
          await other.cleanup();
        }
      });
    });

    describe('content', () => {
      it('stores an event of 1 MB', async () => {
        const big = 'x'.repeat(1024 * 1024 - 100);
        await store.append(stream('big'), [ev('Big', { big })], NO_STREAM);
        const [event] = await store.readStream(stream('big'));
        expect((event.data as { big: string }).big).toBe(big);
      });

      it('keeps unicode in stream names, types, data and metadata', async () => {
        const s = stream('árvíztűrő-tükörfúrógép-🚀');
        const data = { name: 'Országos Rendőr-főkapitányság', quote: '„I’ll Stand Up for You”', emoji: '🇭🇺', cjk: '人身売買' };
        await store.append(s, [ev('Ünnep', data, { note: 'ő ű 😀' })], NO_STREAM);
        const [event] = await store.readStream(s);
        expect(event.stream).toBe(s);
        expect(event.type).toBe('Ünnep');
        expect(event.data).toEqual(data);
        expect(event.metadata).toEqual({ note: 'ő ű 😀' });
        const viaAll = await collect(store.readAll({ filter: { streamPrefixes: [s] } }));
        expect(viaAll).toHaveLength(1);
      });

      it('holds 10,000 events in order, readable and subscribable', async () => {
        const total = 10_000;
        const batch = 100;
        for (let b = 0; b < total / batch; b++) {
          await Promise.all(
            Array.from({ length: batch / 10 }, (_, k) =>
              store.append(
                stream(`bulk-${b}-${k}`),
                Array.from({ length: 10 }, (_, j) => ev('Bulk', { n: b * batch + k * 10 + j })),
                NO_STREAM,
              ),
            ),
          );
        }
        const all = await collect(store.readAll({ filter: mine() }));
        expect(all).toHaveLength(total);
        expect(all.every((e, i) => i === 0 || e.position > all[i - 1].position)).toBe(true);
        expect(new Set(all.map((e) => (e.data as { n: number }).n)).size).toBe(total);

        const subscription = store.subscribeAll({ filter: mine() });
        try {
          const delivered = await take(subscription[Symbol.asyncIterator](), total, 60_000);
          expect(delivered.map((e) => e.position)).toEqual(all.map((e) => e.position));
        } finally {
          await subscription.close();
        }
      }, 120_000);
    });
  });
}
