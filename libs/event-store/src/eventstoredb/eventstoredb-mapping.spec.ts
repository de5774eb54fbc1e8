/**
 * Unit tests of the EventStoreDB adapter without a server: the pure mapping helpers, and the
 * adapter itself over an in-memory imitation of `EventStoreDBClient` that behaves as the
 * client 6.x / server 24.x do where the adapter depends on it (inclusive forward start
 * positions, exclusive backward ones, StreamNotFoundError, WrongExpectedVersionError,
 * subscription streams that are Node Readables). The imitation can also drop subscriptions,
 * so the reconnect path runs. The real-server leg is test/contract/eventstoredb.contract-spec.ts.
 */
import { randomUUID } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { Logger } from '@nestjs/common';
import {
  type AppendExpectedRevision,
  type EventData,
  type EventStoreDBClient,
  type Filter,
  type Position,
  type ReadPosition,
  type RecordedEvent as EsdbRecordedEvent,
  StreamNotFoundError,
  UnavailableError,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import {
  ANY,
  EventStoreError,
  NO_STREAM,
  type RecordedEvent,
  STREAM_EXISTS,
  WrongExpectedRevisionError,
} from '../event-store.port.js';
import { describeEventStoreContract } from '../../../../test/contract/event-store.contract.js';
import {
  EventStoreDbEventStore,
  SUBSCRIPTION_HIGH_WATER,
  comparePositions,
  excludedByFrom,
  isSystemEvent,
  knownPosition,
  normalizeConnectionString,
  reconnectDelay,
  redactConnectionString,
  serverFilterFor,
  toActualRevision,
  toClientExpectedRevision,
  toClientPosition,
  toEventData,
  toRecordedEvent,
  toStoreError,
} from './eventstoredb-event-store.js';

Logger.overrideLogger(false);

describe('EventStoreDB mapping helpers', () => {
  it('maps every expected revision to the client', () => {
    expect(toClientExpectedRevision(NO_STREAM)).toBe('no_stream');
    expect(toClientExpectedRevision(STREAM_EXISTS)).toBe('stream_exists');
    expect(toClientExpectedRevision(ANY)).toBe('any');
    expect(toClientExpectedRevision(0n)).toBe(0n);
    expect(toClientExpectedRevision(41n)).toBe(41n);
    expect(() => toClientExpectedRevision(-1n)).toThrow(EventStoreError);
  });

  it('reads the actual revision of a conflict, negative meaning no stream', () => {
    expect(toActualRevision(5n)).toBe(5n);
    expect(toActualRevision(0n)).toBe(0n);
    expect(toActualRevision('no_stream')).toBe(NO_STREAM);
    expect(toActualRevision(-1n)).toBe(NO_STREAM);
    expect(toActualRevision(undefined)).toBe(NO_STREAM);
  });

  it('turns the client conflict into WrongExpectedRevisionError with our stream and expectation', () => {
    const clientError = new WrongExpectedVersionError(undefined, { streamName: 's-1', expected: 3n, current: 7n });
    const error = toStoreError(clientError, 'append to "s-1"', { stream: 's-1', expected: 3n });
    expect(error).toBeInstanceOf(WrongExpectedRevisionError);
    expect(error).toMatchObject({ stream: 's-1', expected: 3n, actual: 7n });

    const absent = toStoreError(
      new WrongExpectedVersionError(undefined, { streamName: 's-2', expected: 'stream_exists', current: 'no_stream' }),
      'append',
      { stream: 's-2', expected: STREAM_EXISTS },
    );
    expect(absent).toMatchObject({ stream: 's-2', expected: STREAM_EXISTS, actual: NO_STREAM });

    // Older servers: legacy numbers in the error metadata.
    const legacy = toStoreError(
      new WrongExpectedVersionError(undefined, { streamName: 's-3', expected: -1n, current: -1n }),
      'append',
    );
    expect(legacy).toMatchObject({ stream: 's-3', expected: NO_STREAM, actual: NO_STREAM });
  });

  it('wraps every other failure in EventStoreError and keeps ours as they are', () => {
    const unavailable = new UnavailableError(undefined, 'connect ECONNREFUSED');
    const wrapped = toStoreError(unavailable, 'read $all');
    expect(wrapped).toBeInstanceOf(EventStoreError);
    expect(wrapped.message).toContain('could not read $all');
    expect(wrapped.cause).toBe(unavailable);
    const ours = new WrongExpectedRevisionError('s', 1n, 2n);
    expect(toStoreError(ours, 'x')).toBe(ours);
  });

  it('recognises system events by type or stream', () => {
    expect(isSystemEvent({ type: '$metadata', streamId: 'plan-1' })).toBe(true);
    expect(isSystemEvent({ type: 'PlanAdopted', streamId: '$$plan-1' })).toBe(true);
    expect(isSystemEvent({ type: '$>', streamId: '$ce-plan' })).toBe(true);
    expect(isSystemEvent({ type: 'PlanAdopted', streamId: 'plan-1' })).toBe(false);
  });

  it('treats `from` as exclusive in both directions', () => {
    expect(excludedByFrom(10n, 10n, 'forwards')).toBe(true);
    expect(excludedByFrom(9n, 10n, 'forwards')).toBe(true);
    expect(excludedByFrom(11n, 10n, 'forwards')).toBe(false);
    expect(excludedByFrom(10n, 10n, 'backwards')).toBe(true);
    expect(excludedByFrom(11n, 10n, 'backwards')).toBe(true);
    expect(excludedByFrom(9n, 10n, 'backwards')).toBe(false);
  });

  it('converts and orders positions as bigints', () => {
    expect(toClientPosition(12345678901234567890n)).toEqual({ commit: 12345678901234567890n, prepare: 12345678901234567890n });
    expect(comparePositions({ commit: 1n, prepare: 1n }, { commit: 2n, prepare: 0n })).toBe(-1);
    expect(comparePositions({ commit: 2n, prepare: 2n }, { commit: 2n, prepare: 1n })).toBe(1);
    expect(comparePositions({ commit: 2n, prepare: 2n }, { commit: 2n, prepare: 2n })).toBe(0);
    expect(knownPosition(0xffff_ffff_ffff_ffffn)).toBeUndefined();
    expect(knownPosition(-1n)).toBeUndefined();
    expect(knownPosition(42n)).toBe(42n);
  });

  it('backs off from 100 ms doubling up to 5 s', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 50, 5000].map(reconnectDelay)).toEqual([100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000]);
  });

  it('picks a server-side filter, always keeping system events out when nothing narrower applies', () => {
    expect(serverFilterFor({ streamPrefixes: ['activity-'], eventTypes: ['MeetingHeld'] })).toMatchObject({
      filterOn: 'streamName',
      prefixes: ['activity-'],
    });
    expect(serverFilterFor({ eventTypes: ['MeetingHeld'] })).toMatchObject({ filterOn: 'eventType', prefixes: ['MeetingHeld'] });
    const none = serverFilterFor(undefined);
    expect(none).toMatchObject({ filterOn: 'eventType', regex: '^[^$].*' });
    expect(serverFilterFor({ streamPrefixes: [] })).toEqual(none);
    expect(serverFilterFor({ streamPrefixes: [''] })).toEqual(none);
  });

  it('builds JSON events, keeping a given id', () => {
    const id = randomUUID();
    const kept = toEventData({ id, type: 'MeetingHeld', data: { a: 1 }, metadata: { agencyId: 'x' } });
    expect(kept).toMatchObject({ id, type: 'MeetingHeld', contentType: 'application/json', data: { a: 1 }, metadata: { agencyId: 'x' } });
    const generated = toEventData({ type: 'Counted', data: 3 });
    expect(generated.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(generated.data).toBe(3);
    expect(generated.metadata).toBeUndefined();
    expect(() => toEventData({ id: 'not-a-uuid', type: 'X', data: {} })).toThrow(EventStoreError);
  });

  it('maps a client event, with {} for absent or non-JSON metadata', () => {
    const created = new Date('2024-05-01T10:00:00Z');
    const base = {
      streamId: 'plan-1',
      id: randomUUID(),
      isJson: true as const,
      revision: 4n,
      type: 'PlanAdopted',
      created,
      data: { code: 'II.1.3' },
      metadata: { agencyId: 'a' },
      position: { commit: 9007199254740993n, prepare: 9007199254740993n },
    };
    expect(toRecordedEvent(base as EsdbRecordedEvent)).toEqual({
      id: base.id,
      type: 'PlanAdopted',
      stream: 'plan-1',
      revision: 4n,
      position: 9007199254740993n,
      data: { code: 'II.1.3' },
      metadata: { agencyId: 'a' },
      created,
    });
    expect(toRecordedEvent({ ...base, metadata: undefined } as EsdbRecordedEvent).metadata).toEqual({});
    expect(toRecordedEvent({ ...base, metadata: new Uint8Array([1, 2]) } as EsdbRecordedEvent).metadata).toEqual({});
    expect(() => toRecordedEvent({ ...base, position: undefined } as EsdbRecordedEvent)).toThrow(EventStoreError);
    expect(() =>
      toRecordedEvent({ ...base, position: { commit: 0xffff_ffff_ffff_ffffn, prepare: 0n } } as EsdbRecordedEvent),
    ).toThrow(/22\.6/);
  });

  it('never shows credentials of a connection string and accepts the KurrentDB spellings', () => {
    expect(redactConnectionString('esdb://admin:changeit@db:2113?tls=false')).toBe('esdb://***@db:2113?tls=false');
    expect(redactConnectionString('esdb://db:2113?tls=false')).toBe('esdb://db:2113?tls=false');
    expect(redactConnectionString('esdb+discover://u:p@a@x,y:2113')).toBe('esdb+discover://***@x,y:2113');
    expect(normalizeConnectionString('kurrentdb://db:2113?tls=false')).toBe('esdb://db:2113?tls=false');
    expect(normalizeConnectionString('kdb+discover://db:2113')).toBe('esdb+discover://db:2113');
    expect(normalizeConnectionString(' esdb://db:2113 ')).toBe('esdb://db:2113');
  });

  it('connect() names the server without credentials when it cannot reach it', async () => {
    const error = await EventStoreDbEventStore.connect('esdb://admin:s3cret@127.0.0.1:1?tls=false', { timeoutMs: 5_000 }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(EventStoreError);
    expect(error?.message).toContain('Cannot connect to EventStoreDB at esdb://***@127.0.0.1:1?tls=false');
    expect(error?.message).not.toContain('s3cret');
  }, 15_000);
});

// ---------------------------------------------------------------------------------------------
// An in-memory imitation of the parts of EventStoreDBClient the adapter uses.
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
}

class FakeEventStoreDb {
  readonly log: Record_[] = [];
  readonly subscribeCalls: ReadPosition[] = [];
  readonly subscriptions: FakeSubscription[] = [];
  private readonly revisions = new Map<string, bigint>();
  private readonly live = new Set<(record: Record_) => void>();
  private nextPosition = 1_000n;
  disposed = false;

  constructor(private readonly options: FakeOptions = {}) {
    this.write('$settings', '$settings', {}); // the server's own events come first
  }

  asClient(): EventStoreDBClient {
    return this as unknown as EventStoreDBClient;
  }

  async appendToStream(stream: string, events: EventData[], { expectedRevision }: { expectedRevision: AppendExpectedRevision }) {
    await Promise.resolve();
    const current = this.revisions.get(stream);
    const ok =
      expectedRevision === 'any' ||
      (expectedRevision === 'no_stream' && current === undefined) ||
      (expectedRevision === 'stream_exists' && current !== undefined) ||
      (typeof expectedRevision === 'bigint' && current === expectedRevision);
    if (!ok) {
      throw new WrongExpectedVersionError(undefined, { streamName: stream, expected: expectedRevision, current: current ?? 'no_stream' });
    }
    let last: Record_ | undefined;
    for (const e of events) last = this.write(stream, e.type, e.data, e.metadata, e.id);
    // Something else writes a system event now and then, between our appends.
    if (this.log.length % 7 === 0) this.write(`$stats-${this.log.length}`, '$statsCollected', {});
    return { success: true, nextExpectedRevision: last!.event.revision, position: last!.position };
  }

  readStream(stream: string, { fromRevision = 'start', maxCount = Number.MAX_SAFE_INTEGER }: { fromRevision?: bigint | 'start'; maxCount?: number }) {
    if (!this.revisions.has(stream)) {
      return new Readable({
        objectMode: true,
        read() {
          this.destroy(new StreamNotFoundError(undefined, stream));
        },
      });
    }
    const from = fromRevision === 'start' ? 0n : fromRevision;
    const events = this.log
      .filter((r) => r.event.streamId === stream && r.event.revision >= from)
      .slice(0, maxCount)
      .map((r) => ({ event: r.event }));
    return Readable.from(events);
  }

  readAll({ fromPosition = 'start', direction = 'forwards', maxCount = Number.MAX_SAFE_INTEGER }: { fromPosition?: ReadPosition; direction?: string; maxCount?: number }) {
    let records: Record_[];
    if (direction === 'forwards') {
      records = fromPosition === 'start' ? this.log : fromPosition === 'end' ? [] : this.log.filter((r) => comparePositions(r.position, fromPosition) >= 0);
    } else {
      const before = fromPosition === 'end' || fromPosition === 'start' ? this.log : this.log.filter((r) => comparePositions(r.position, fromPosition) < 0);
      records = fromPosition === 'start' ? [] : [...before].reverse();
    }
    return Readable.from(records.slice(0, maxCount).map((r) => ({ event: r.event, commitPosition: r.position.commit })));
  }

  subscribeToAll({ fromPosition = 'start', filter }: { fromPosition?: ReadPosition; filter?: Filter }) {
    this.subscribeCalls.push(fromPosition);
    const sub = new FakeSubscription();
    this.subscriptions.push(sub);
    let sent = 0;
    let dead = false;
    const send = (record: Record_) => {
      if (dead || !passes(record.event, filter)) return;
      sub.write({ event: record.event, commitPosition: record.position.commit });
      sent++;
      if (this.options.dropEvery && sent % this.options.dropEvery === 0) {
        dead = true;
        this.live.delete(send);
        setImmediate(() => sub.emit('error', new UnavailableError(undefined, 'simulated drop')));
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

const waitFor = async (condition: () => boolean, timeoutMs = 5_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

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
    await waitFor(() => stream().isPaused());
    const queued = (subscription as unknown as { queue: unknown[] }).queue.length;
    expect(queued).toBeGreaterThanOrEqual(SUBSCRIPTION_HIGH_WATER);
    expect(queued).toBeLessThan(SUBSCRIPTION_HIGH_WATER + 32);
    const delivered = await take(subscription[Symbol.asyncIterator](), total);
    expect(delivered.map((e) => (e.data as { i: number }).i)).toEqual(Array.from({ length: total }, (_, i) => i));
    expect(stream().isPaused()).toBe(false);
    await subscription.close();
    await store.close();
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
