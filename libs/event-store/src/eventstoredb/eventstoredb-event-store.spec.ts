/**
 * The EventStoreDB adapter over an in-memory imitation of `KurrentDBClient` that behaves as the
 * client 6.x / server 24.x do where the adapter depends on it (inclusive forward start positions,
 * exclusive backward ones, StreamNotFoundError, WrongExpectedVersionError, idempotent re-appends,
 * subscription streams that are Node Readables, filter checkpoints). The imitation can also drop
 * subscriptions (transiently or for good), lose an append's answer, report conflicts the way
 * `throwOnAppendFailure=false` does, and end a read early when disposed. The real-server leg is
 * test/contract/eventstoredb.contract-spec.ts; the pure parts are in eventstoredb-mapping.spec.ts.
 */
import { randomUUID } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { Logger } from '@nestjs/common';
import {
  AccessDeniedError,
  type AppendStreamState,
  DeadlineExceededError,
  type EventData,
  type KurrentDBClient,
  type Filter,
  type Position,
  type ReadPosition,
  type RecordedEvent as EsdbRecordedEvent,
  StreamNotFoundError,
  UnavailableError,
  WrongExpectedVersionError,
} from '@kurrent/kurrentdb-client';
import {
  ANY,
  AppendOutcomeUnknownError,
  EventStoreError,
  InvalidPositionError,
  NO_STREAM,
  type RecordedEvent,
  SubscriptionFailedError,
  WrongExpectedRevisionError,
} from '../event-store.port.js';
import { describeEventStoreContract } from '../../../../test/contract/event-store.contract.js';
import { EventStoreDbEventStore, SUBSCRIPTION_HIGH_WATER } from './eventstoredb-event-store.js';
import { comparePositions } from './eventstoredb-mapping.js';
import { waitUntil } from '../../../../test/support/wait-until.js';

Logger.overrideLogger(false);

// ---------------------------------------------------------------------------------------------
// An in-memory imitation of the parts of KurrentDBClient the adapter uses.
// ---------------------------------------------------------------------------------------------

interface Record_ {
  readonly event: EsdbRecordedEvent;
  readonly position: Position;
}

class FakeSubscription extends PassThrough {
  unsubscribed = false;
  constructor() {
    super({ objectMode: true });
  }
  async unsubscribe(): Promise<void> {
    this.unsubscribed = true;
  }
}

interface FakeOptions {
  /** Emit an error on a subscription after it has sent this many records. */
  readonly dropEvery?: number;
  /** Subscriptions start at, not after, their position (the adapter must cope with both). */
  readonly inclusiveSubscriptions?: boolean;
  /** The error a dropped subscription emits (default: UnavailableError, a transient one). */
  readonly dropWith?: () => Error;
  /** Like the connection string's throwOnAppendFailure=false, with client 6.2.1's batch-append revision. */
  readonly throwOnAppendFailure?: boolean;
  /** A filtered subscription reports a checkpoint after this many records searched. */
  readonly checkpointEvery?: number;
}

class FakeEventStoreDb {
  readonly log: Record_[] = [];
  readonly subscribeCalls: ReadPosition[] = [];
  readonly subscriptions: FakeSubscription[] = [];
  readonly readStreamCalls: Array<{ stream: string; requiresLeader?: boolean; direction?: string }> = [];
  /** Thrown by the next append, after (`afterWrite`) or instead of writing. */
  failNextAppend: { error: Error; afterWrite: boolean } | undefined;
  private readonly revisions = new Map<string, bigint>();
  private readonly live = new Set<(record: Record_) => void>();
  private nextPosition = 1_000n;
  disposed = false;
  readAllCalls = 0;
  readonly readAllFilters: Array<Filter | undefined> = [];
  /** Records the imitation server has sent for $all reads: what a filter saves. */
  recordsSent = 0;

  constructor(private readonly options: FakeOptions = {}) {
    this.write('$settings', '$settings', {}); // the server's own events come first
  }

  asClient(): KurrentDBClient {
    return this as unknown as KurrentDBClient;
  }

  async appendToStream(stream: string, events: EventData[], { streamState: expectedRevision }: { streamState: AppendStreamState }) {
    await Promise.resolve();
    const failure = this.failNextAppend;
    this.failNextAppend = undefined;
    if (failure && !failure.afterWrite) throw failure.error;
    const current = this.revisions.get(stream);
    // The server's idempotency check: the same ids at the same place again is a success writing nothing.
    const first = expectedRevision === 'no_stream' ? 0n : typeof expectedRevision === 'bigint' ? expectedRevision + 1n : undefined;
    if (first !== undefined) {
      const at = this.log.filter((r) => r.event.streamId === stream && r.event.revision >= first).slice(0, events.length);
      if (at.length === events.length && at.every((r, i) => r.event.id === events[i].id)) {
        return { success: true, nextExpectedRevision: at.at(-1)!.event.revision, position: at.at(-1)!.position };
      }
    }
    const ok =
      expectedRevision === 'any' ||
      (expectedRevision === 'no_stream' && current === undefined) ||
      (expectedRevision === 'stream_exists' && current !== undefined) ||
      (typeof expectedRevision === 'bigint' && current === expectedRevision);
    if (!ok) {
      if (this.options.throwOnAppendFailure === false) {
        // batchAppend.js: BigInt(wrongExpectedVersion.hasCurrentStreamRevision()).
        return { success: false, nextExpectedRevision: BigInt(current !== undefined), position: undefined };
      }
      throw new WrongExpectedVersionError(undefined, { streamName: stream, expected: expectedRevision, current: current ?? 'no_stream' });
    }
    let last: Record_ | undefined;
    for (const e of events) last = this.write(stream, e.type, e.data, e.metadata, e.id);
    // Something else writes a system event now and then, between our appends.
    if (this.log.length % 7 === 0) this.write(`$stats-${this.log.length}`, '$statsCollected', {});
    if (failure) throw failure.error;
    return { success: true, nextExpectedRevision: last!.event.revision, position: last!.position };
  }

  readStream(
    stream: string,
    {
      fromRevision = 'start',
      maxCount = Number.MAX_SAFE_INTEGER,
      direction = 'forwards',
      requiresLeader,
    }: { fromRevision?: bigint | 'start' | 'end'; maxCount?: number; direction?: string; requiresLeader?: boolean },
  ) {
    this.readStreamCalls.push({ stream, requiresLeader, direction });
    if (!this.revisions.has(stream)) {
      return new Readable({
        objectMode: true,
        read() {
          this.destroy(new StreamNotFoundError(undefined, stream));
        },
      });
    }
    const mine = this.log.filter((r) => r.event.streamId === stream);
    if (direction === 'backwards') {
      const upTo = typeof fromRevision === 'bigint' ? fromRevision : undefined;
      const newestFirst = [...mine].reverse().filter((r) => upTo === undefined || r.event.revision <= upTo);
      return Readable.from(newestFirst.slice(0, maxCount).map((r) => ({ event: r.event })));
    }
    const from = fromRevision === 'start' ? 0n : fromRevision === 'end' ? 2n ** 62n : fromRevision;
    const events = mine.filter((r) => r.event.revision >= from).slice(0, maxCount).map((r) => ({ event: r.event }));
    return Readable.from(events);
  }

  readAll({
    fromPosition = 'start',
    direction = 'forwards',
    maxCount = Number.MAX_SAFE_INTEGER,
    filter,
  }: { fromPosition?: ReadPosition; direction?: string; maxCount?: number; filter?: Filter }) {
    this.readAllCalls++;
    this.readAllFilters.push(filter);
    // A read cancelled by dispose() ends quietly, as the client's cancelled gRPC stream does.
    if (this.disposed) return Readable.from([]);
    let records: Record_[];
    if (direction === 'forwards') {
      records = fromPosition === 'start' ? this.log : fromPosition === 'end' ? [] : this.log.filter((r) => comparePositions(r.position, fromPosition) >= 0);
    } else {
      const before = fromPosition === 'end' || fromPosition === 'start' ? this.log : this.log.filter((r) => comparePositions(r.position, fromPosition) < 0);
      records = fromPosition === 'start' ? [] : [...before].reverse();
    }
    // The server filters before counting: maxCount matching events.
    const page = records.filter((r) => passes(r.event, filter)).slice(0, maxCount);
    this.recordsSent += page.length;
    return Readable.from(page.map((r) => ({ event: r.event, commitPosition: r.position.commit })));
  }

  subscribeToAll({ fromPosition = 'start', filter }: { fromPosition?: ReadPosition; filter?: Filter }) {
    this.subscribeCalls.push(fromPosition);
    const sub = new FakeSubscription();
    this.subscriptions.push(sub);
    let sent = 0;
    let searched = 0;
    let dead = false;
    const send = (record: Record_) => {
      if (dead) return;
      if (!passes(record.event, filter)) {
        if (this.options.checkpointEvery && ++searched % this.options.checkpointEvery === 0) {
          void filter?.checkpointReached?.(sub as never, record.position);
        }
        return;
      }
      sub.write({ event: record.event, commitPosition: record.position.commit });
      sent++;
      if (this.options.dropEvery && sent % this.options.dropEvery === 0) {
        dead = true;
        this.live.delete(send);
        const error = this.options.dropWith?.() ?? new UnavailableError(undefined, 'simulated drop');
        setImmediate(() => sub.emit('error', error));
      }
    };
    const after = (r: Record_) =>
      fromPosition === 'start' ||
      (fromPosition !== 'end' && comparePositions(r.position, fromPosition) >= (this.options.inclusiveSubscriptions ? 0 : 1));
    setImmediate(() => {
      sub.emit('confirmation');
      for (const record of this.log) if (after(record)) send(record);
      if (!dead) this.live.add(send);
    });
    sub.on('close', () => this.live.delete(send));
    return sub;
  }

  /** Drops every open subscription with a transient error, as a node restart would. */
  dropAll(): void {
    for (const sub of this.subscriptions) if (!sub.destroyed) sub.emit('error', new UnavailableError(undefined, 'node restarted'));
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    this.live.clear();
  }

  private write(stream: string, type: string, data: unknown, metadata?: unknown, id: string = randomUUID()): Record_ {
    const revision = (this.revisions.get(stream) ?? -1n) + 1n;
    this.revisions.set(stream, revision);
    const position = { commit: this.nextPosition, prepare: this.nextPosition };
    this.nextPosition += 97n;
    const json = (v: unknown) => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)));
    const event = {
      streamId: stream,
      id,
      isJson: true,
      revision,
      type,
      created: new Date(),
      data: json(data),
      metadata: json(metadata),
      position,
    } as EsdbRecordedEvent;
    const record = { event, position };
    this.log.push(record);
    for (const listener of this.live) listener(record);
    return record;
  }
}

function passes(event: EsdbRecordedEvent, filter: Filter | undefined): boolean {
  if (!filter) return true;
  const subject = filter.filterOn === 'streamName' ? event.streamId : event.type;
  if ('prefixes' in filter) return filter.prefixes.some((p) => subject.startsWith(p));
  return new RegExp(filter.regex).test(subject);
}

async function take(iterator: AsyncIterator<RecordedEvent>, count: number): Promise<RecordedEvent[]> {
  const out: RecordedEvent[] = [];
  while (out.length < count) {
    const next = await iterator.next();
    if (next.done) break;
    out.push(next.value);
  }
  return out;
}
describe('EventStoreDbEventStore over an imitation client', () => {
  it('derives per-event positions of a multi-event append by reading the stream back', async () => {
    const fake = new FakeEventStoreDb();
    const store = new EventStoreDbEventStore(fake.asClient());
    const result = await store.append('s', [{ type: 'A', data: {} }, { type: 'B', data: {} }, { type: 'C', data: {} }], NO_STREAM);
    const written = fake.log.filter((r) => r.event.streamId === 's').map((r) => r.position.commit);
    expect(result.positions).toEqual(written);
    expect(result.position).toBe(written[2]);
    expect(result.nextExpectedRevision).toBe(2n);
    await store.close();
    expect(fake.disposed).toBe(true);
  });

  it('maps conflicts and rejects calls after close', async () => {
    const store = new EventStoreDbEventStore(new FakeEventStoreDb().asClient());
    await store.append('s', [{ type: 'A', data: {} }], NO_STREAM);
    await expect(store.append('s', [{ type: 'A', data: {} }], 5n)).rejects.toMatchObject({
      name: 'WrongExpectedRevisionError',
      stream: 's',
      expected: 5n,
      actual: 0n,
    });
    await expect(store.append('t', [{ type: 'A', data: {} }], 0n)).rejects.toMatchObject({ actual: NO_STREAM });
    await expect(store.append('s', [], ANY)).rejects.toBeInstanceOf(EventStoreError);
    await store.close();
    await expect(store.readStream('s')).rejects.toBeInstanceOf(EventStoreError);
  });

  it('headPosition skips system events and is 0n for a store without ours', async () => {
    const fake = new FakeEventStoreDb();
    const store = new EventStoreDbEventStore(fake.asClient());
    expect(await store.headPosition()).toBe(0n);
    const r = await store.append('s', [{ type: 'A', data: {} }], NO_STREAM);
    for (let i = 0; i < 20; i++) await store.append(`t-${i}`, [{ type: 'B', data: {} }], NO_STREAM);
    const last = fake.log.filter((x) => !x.event.streamId.startsWith('$')).at(-1)!;
    expect(await store.headPosition()).toBe(last.position.commit);
    expect(r.position).toBeLessThan(last.position.commit);
    await store.close();
  });

  it('pages through $all across page boundaries without repeats', async () => {
    const fake = new FakeEventStoreDb();
    const store = new EventStoreDbEventStore(fake.asClient());
    for (let i = 0; i < 1_300; i++) await store.append(`p-${i}`, [{ type: 'P', data: { i } }], NO_STREAM);
    const seen: number[] = [];
    for await (const e of store.readAll()) seen.push((e.data as { i: number }).i);
    expect(seen).toEqual(Array.from({ length: 1_300 }, (_, i) => i));
    const back: number[] = [];
    for await (const e of store.readAll({ direction: 'backwards' })) back.push((e.data as { i: number }).i);
    expect(back).toEqual([...seen].reverse());
    await store.close();
  });

  it('resubscribes after a drop from the last position received, delivering each event once in order', async () => {
    const fake = new FakeEventStoreDb({ dropEvery: 40, inclusiveSubscriptions: true });
    const store = new EventStoreDbEventStore(fake.asClient());
    for (let i = 0; i < 100; i++) await store.append(`d-${i}`, [{ type: 'D', data: { i } }], NO_STREAM);
    const subscription = store.subscribeAll({ filter: { streamPrefixes: ['d-'] } });
    const iterator = subscription[Symbol.asyncIterator]();
    const first = await take(iterator, 100);
    for (let i = 100; i < 150; i++) await store.append(`d-${i}`, [{ type: 'D', data: { i } }], NO_STREAM);
    const rest = await take(iterator, 50);
    const all = [...first, ...rest];
    expect(all.map((e) => (e.data as { i: number }).i)).toEqual(Array.from({ length: 150 }, (_, i) => i));
    expect(fake.subscribeCalls.length).toBeGreaterThanOrEqual(4);
    expect(fake.subscribeCalls[0]).toBe('start');
    expect(fake.subscribeCalls.slice(1).every((p) => typeof p === 'object')).toBe(true);
    await subscription.close();
    expect(fake.subscriptions.at(-1)!.unsubscribed).toBe(true);
    await store.close();
  });

  it('bounds its queue by pausing the client stream, and resumes it as the consumer catches up', async () => {
    const fake = new FakeEventStoreDb();
    const store = new EventStoreDbEventStore(fake.asClient());
    const total = SUBSCRIPTION_HIGH_WATER * 3;
    for (let i = 0; i < total; i++) await store.append(`b-${i}`, [{ type: 'B', data: { i } }], NO_STREAM);
    const subscription = store.subscribeAll({ from: 0n });
    const stream = () => fake.subscriptions.at(-1)!;
    await waitUntil(() => stream().isPaused());
    const queued = (subscription as unknown as { queue: unknown[] }).queue.length;
    expect(queued).toBeGreaterThanOrEqual(SUBSCRIPTION_HIGH_WATER);
    expect(queued).toBeLessThan(SUBSCRIPTION_HIGH_WATER + 32);
    const delivered = await take(subscription[Symbol.asyncIterator](), total);
    expect(delivered.map((e) => (e.data as { i: number }).i)).toEqual(Array.from({ length: total }, (_, i) => i));
    expect(stream().isPaused()).toBe(false);
    await subscription.close();
    await store.close();
  });

  it('ends a subscription with SubscriptionFailedError on a permanent failure, after what it delivered', async () => {
    const fake = new FakeEventStoreDb({ dropEvery: 5, dropWith: () => new AccessDeniedError(undefined, 'Access denied') });
    const store = new EventStoreDbEventStore(fake.asClient());
    for (let i = 0; i < 8; i++) await store.append(`x-${i}`, [{ type: 'X', data: { i } }], NO_STREAM);
    const iterator = store.subscribeAll({ filter: { streamPrefixes: ['x-'] } })[Symbol.asyncIterator]();
    const delivered = await take(iterator, 5);
    expect(delivered.map((e) => (e.data as { i: number }).i)).toEqual([0, 1, 2, 3, 4]);
    const error = await iterator.next().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SubscriptionFailedError);
    expect(error).toMatchObject({ retryable: false, message: expect.stringContaining('Access denied') });
    expect(fake.subscribeCalls).toHaveLength(1); // not retried
    await expect(iterator.next()).resolves.toEqual({ value: undefined, done: true });
    expect(() => store.subscribeAll({ from: -1n })).toThrow(InvalidPositionError);
    await store.close();
  });

  it('resumes a filtered subscription from its last checkpoint, not its last matching event', async () => {
    const fake = new FakeEventStoreDb({ checkpointEvery: 10 });
    const store = new EventStoreDbEventStore(fake.asClient());
    await store.append('match-1', [{ type: 'M', data: { i: 1 } }], NO_STREAM);
    for (let i = 0; i < 50; i++) await store.append(`other-${i}`, [{ type: 'O', data: {} }], NO_STREAM);
    await store.append('match-2', [{ type: 'M', data: { i: 2 } }], NO_STREAM);
    for (let i = 50; i < 100; i++) await store.append(`other-${i}`, [{ type: 'O', data: {} }], NO_STREAM);
    const subscription = store.subscribeAll({ filter: { streamPrefixes: ['match-'] } });
    const iterator = subscription[Symbol.asyncIterator]();
    expect((await take(iterator, 2)).map((e) => (e.data as { i: number }).i)).toEqual([1, 2]);
    await new Promise((resolve) => setImmediate(resolve));
    fake.dropAll();
    await waitUntil(() => fake.subscribeCalls.length >= 2);
    const lastMatch = fake.log.find((r) => r.event.streamId === 'match-2')!.position;
    const resumedAt = fake.subscribeCalls[1] as Position;
    // The server had searched past match-2 (checkpoints) when it dropped: the resubscription starts there.
    expect(comparePositions(resumedAt, lastMatch)).toBeGreaterThan(0);
    await store.append('match-3', [{ type: 'M', data: { i: 3 } }], NO_STREAM);
    expect((await take(iterator, 1)).map((e) => (e.data as { i: number }).i)).toEqual([3]);
    await subscription.close();
    await store.close();
  });

  it('an append whose answer was lost is outcome-unknown; retried with the same ids it is stored once', async () => {
    const fake = new FakeEventStoreDb();
    const store = new EventStoreDbEventStore(fake.asClient());
    await store.append('u', [{ type: 'A', data: {} }], NO_STREAM);
    const events = [{ id: randomUUID(), type: 'B', data: { n: 1 } }, { id: randomUUID(), type: 'B', data: { n: 2 } }];
    fake.failNextAppend = { error: new DeadlineExceededError(undefined, 'Deadline exceeded'), afterWrite: true };
    const lost = await store.append('u', events, 0n).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(lost).toBeInstanceOf(AppendOutcomeUnknownError);
    expect(lost).toMatchObject({ stream: 'u', expected: 0n, retryable: true });
    const retried = await store.append('u', events, 0n);
    expect(retried.nextExpectedRevision).toBe(2n);
    expect((await store.readStream('u')).map((e) => e.id)).toEqual([expect.any(String), events[0].id, events[1].id]);

    // Refused before anything was sent: not outcome-unknown, and not retryable when permanent.
    fake.failNextAppend = { error: new AccessDeniedError(undefined, 'Access denied'), afterWrite: false };
    await expect(store.append('u', [{ type: 'C', data: {} }], ANY)).rejects.toMatchObject({ name: 'EventStoreError', retryable: false });
    await store.close();
  });

  it('with throwOnAppendFailure=false reports the conflict with the revision read from the leader', async () => {
    const fake = new FakeEventStoreDb({ throwOnAppendFailure: false });
    const store = new EventStoreDbEventStore(fake.asClient());
    await store.append('w', [{ type: 'A', data: {} }, { type: 'A', data: {} }, { type: 'A', data: {} }, { type: 'A', data: {} }], NO_STREAM);
    const error = await store.append('w', [{ type: 'B', data: {} }], 1n).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(WrongExpectedRevisionError);
    expect(error).toMatchObject({ stream: 'w', expected: 1n, actual: 3n });
    await expect(store.append('nothing', [{ type: 'B', data: {} }], 0n)).rejects.toMatchObject({ actual: NO_STREAM });
    expect(fake.readStreamCalls.filter((c) => c.direction === 'backwards').every((c) => c.requiresLeader)).toBe(true);
    await store.close();
  });

  it('reads a multi-event append back from the leader', async () => {
    const fake = new FakeEventStoreDb();
    const store = new EventStoreDbEventStore(fake.asClient());
    await store.append('l', [{ type: 'A', data: {} }, { type: 'B', data: {} }], NO_STREAM);
    expect(fake.readStreamCalls).toEqual([{ stream: 'l', requiresLeader: true, direction: 'forwards' }]);
    await store.close();
  });

  it('filters reads of $all on the server: a filtered read transfers only what matches', async () => {
    const fake = new FakeEventStoreDb();
    const store = new EventStoreDbEventStore(fake.asClient());
    for (let i = 0; i < 300; i++) await store.append(`noise-${i}`, [{ type: 'Noise', data: {} }], NO_STREAM);
    await store.append('key-1', [{ type: 'KeyIssued', data: { n: 1 } }, { type: 'KeyRevoked', data: { n: 2 } }], NO_STREAM);
    await store.append('key-2', [{ type: 'KeyIssued', data: { n: 3 } }], NO_STREAM);
    const sentBefore = fake.recordsSent;
    const keys: number[] = [];
    for await (const e of store.readAll({ filter: { streamPrefixes: ['key-'] } })) keys.push((e.data as { n: number }).n);
    expect(keys).toEqual([1, 2, 3]);
    expect(fake.recordsSent - sentBefore).toBe(3);
    expect(fake.readAllFilters.at(-1)).toMatchObject({ filterOn: 'streamName', prefixes: ['key-'] });

    // Event types: the server's filter matches prefixes, the exact match is ours.
    await store.append('key-3', [{ type: 'KeyIssuedTwice', data: { n: 4 } }], NO_STREAM);
    const issued: number[] = [];
    for await (const e of store.readAll({ direction: 'backwards', filter: { eventTypes: ['KeyIssued'] } })) issued.push((e.data as { n: number }).n);
    expect(issued).toEqual([3, 1]);
    expect(fake.readAllFilters.at(-1)).toMatchObject({ filterOn: 'eventType', prefixes: ['KeyIssued'] });

    // Unfiltered: the server leaves out system events.
    for await (const _ of store.readAll({ maxCount: 1 })) void _;
    expect(fake.readAllFilters.at(-1)).toMatchObject({ filterOn: 'eventType', regex: '^[^$].*' });
    await store.close();
  });

  it('refuses a position that is not an event boundary before reading', async () => {
    const fake = new FakeEventStoreDb();
    const store = new EventStoreDbEventStore(fake.asClient());
    const { position } = await store.append('p', [{ type: 'A', data: {} }], NO_STREAM);
    await store.append('p', [{ type: 'A', data: {} }], 0n);
    for (const bad of [position + 1n, position - 1n, 1n]) {
      const read = async () => {
        for await (const _ of store.readAll({ from: bad })) void _;
      };
      await expect(read()).rejects.toBeInstanceOf(InvalidPositionError);
    }
    let after = 0;
    for await (const _ of store.readAll({ from: position })) after++;
    expect(after).toBe(1);
    await store.close();
  });

  it('close() during a readAll makes the read fail, never end looking complete', async () => {
    const fake = new FakeEventStoreDb();
    const store = new EventStoreDbEventStore(fake.asClient());
    for (let i = 0; i < 1_200; i++) await store.append(`c-${i}`, [{ type: 'C', data: { i } }], NO_STREAM);
    const seen: number[] = [];
    const read = (async () => {
      for await (const e of store.readAll()) {
        seen.push((e.data as { i: number }).i);
        if (seen.length === 10) await store.close();
      }
    })();
    await expect(read).rejects.toThrow(/closed during a read of \$all/);
    expect(seen.length).toBeLessThan(1_200);
  });

  it('close() of the store ends open subscriptions', async () => {
    const store = new EventStoreDbEventStore(new FakeEventStoreDb().asClient());
    const subscription = store.subscribeAll();
    const pending = subscription[Symbol.asyncIterator]().next();
    await store.close();
    await expect(pending).resolves.toEqual({ value: undefined, done: true });
  });
});

describeEventStoreContract('eventstoredb adapter over an imitation client', async () => {
  const store = new EventStoreDbEventStore(new FakeEventStoreDb().asClient());
  return { store, cleanup: () => store.close() };
});

describeEventStoreContract('eventstoredb adapter over an imitation client that drops subscriptions', async () => {
  const store = new EventStoreDbEventStore(
    new FakeEventStoreDb({ dropEvery: 997, inclusiveSubscriptions: true }).asClient(),
  );
  return { store, cleanup: () => store.close() };
});
