import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidPositionError, NO_STREAM, type RecordedEvent, SqliteEventStore } from '@app/event-store';
import { generateHistory } from '../../../test/support/history-generator.js';
import { ChainFollower } from './chain-follower.js';
import { ChainStore } from './chain-store.js';
import { type HistoryFilter, matchesHistoryFilter } from './history-filter.js';
import { EventHistory, type HistoryOrder, HistoryInputError, MAX_PAGE_SIZE, decodeCursor, encodeCursor } from './history.js';
import { indexedFieldsOf } from './indexed-fields.js';
import { LedgerClock } from './ledger-clock.js';

describe('cursors', () => {
  it('are opaque and give the position back', () => {
    const cursor = encodeCursor(1234567890123n);
    expect(cursor).not.toContain('1234567890123');
    expect(decodeCursor(cursor, 'after')).toBe(1234567890123n);
  });

  it('refuse anything that is not one of ours, naming the argument', () => {
    for (const bad of ['', 'abc', '42', Buffer.from('p:x').toString('base64url'), 'a'.repeat(100), '!!']) {
      expect(() => decodeCursor(bad, 'before')).toThrow(expect.objectContaining({ field: 'before' }));
    }
  });
});

describe('the event history', () => {
  let dir: string;
  let store: SqliteEventStore;
  let chain: ChainStore;
  let all: RecordedEvent[];
  /** Running maximum of the recording time, by position: the oracle of the recorded span. */
  let runningMax: Map<bigint, number>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'apl-audit-history-'));
    store = SqliteEventStore.open(join(dir, 'events.db'));
    chain = ChainStore.open(join(dir, 'audit-chain.db'));
    await generateHistory(store, { events: 600, seed: 11, correctionRate: 0.05, retractionRate: 0.02 });
    await new ChainFollower({ store, chain }).catchUp();
    // A tail the index has not reached: queries must still see it.
    for (let i = 0; i < 25; i++) {
      await store.append(
        `activity-police-tail-${i}`,
        [{ type: 'MeetingHeld', data: { measureCode: 'I.1.1', agencyId: 'police', occurredOn: '2023-12-01' }, metadata: { agencyId: 'police', occurredOn: '2023-12-01', recordedAt: `2024-01-0${1 + (i % 9)}T00:00:00.000Z` } }],
        NO_STREAM,
      );
    }
    all = [];
    for await (const e of store.readAll()) all.push(e);
    runningMax = new Map();
    let max = Number.NEGATIVE_INFINITY;
    for (const e of all) runningMax.set(e.position, (max = Math.max(max, indexedFieldsOf(e).recordedAtMs)));
  });
  afterAll(async () => {
    chain.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const expected = (filter: HistoryFilter, order: HistoryOrder): bigint[] => {
    const from = filter.recordedFrom?.getTime();
    const to = filter.recordedTo?.getTime();
    const list = all.filter((e) => {
      const m = runningMax.get(e.position)!;
      // In the span: past the last position recorded before `from`, up to the last recorded by `to`.
      if (from !== undefined && m < from) return false;
      if (to !== undefined && m > to) return false;
      return matchesHistoryFilter(e, filter);
    });
    const positions = list.map((e) => e.position);
    return order === 'OLDEST_FIRST' ? positions : positions.reverse();
  };

  const walk = async (history: EventHistory, filter: HistoryFilter, order: HistoryOrder, size: number, backwards = false) => {
    const seen: bigint[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 1_000; pages++) {
      const page = await history.page(backwards ? { last: size, before: cursor, order, filter } : { first: size, after: cursor, order, filter });
      const positions = page.edges.map((e) => e.node.position);
      expect(positions.length).toBeLessThanOrEqual(size);
      if (backwards) seen.unshift(...positions);
      else seen.push(...positions);
      expect(backwards ? page.pageInfo.hasNextPage : page.pageInfo.hasPreviousPage).toBe(cursor !== undefined);
      if (page.edges.length) {
        expect(page.pageInfo.startCursor).toBe(page.edges[0].cursor);
        expect(page.pageInfo.endCursor).toBe(page.edges[page.edges.length - 1].cursor);
      }
      const more = backwards ? page.pageInfo.hasPreviousPage : page.pageInfo.hasNextPage;
      if (!more) break;
      cursor = backwards ? page.pageInfo.startCursor! : page.pageInfo.endCursor!;
    }
    return seen;
  };

  const some = () => {
    const report = all.find((e) => e.stream.startsWith('activity-') && e.revision > 0n)!;
    const data = report.data as { measureCode: string; agencyId: string };
    return { stream: report.stream, measureCode: data.measureCode, agencyId: data.agencyId, type: all.find((e) => e.type === 'FundsDisbursed')?.type ?? 'MeetingHeld' };
  };

  const filters = (): Array<[string, HistoryFilter]> => {
    const s = some();
    const mid = new Date(runningMax.get(all[300].position)!);
    const later = new Date(runningMax.get(all[450].position)!);
    return [
      ['no filter', {}],
      ['eventType', { eventType: s.type }],
      ['stream', { stream: s.stream }],
      ['measureCode', { measureCode: s.measureCode }],
      ['agencyId', { agencyId: 'police' }],
      ['occurred dates', { occurredFrom: '2022-10-01', occurredTo: '2023-03-31' }],
      ['recorded span', { recordedFrom: mid, recordedTo: later }],
      ['recorded from only', { recordedFrom: later }],
      ['measure, type and dates', { measureCode: s.measureCode, eventType: 'ReportCorrected', occurredFrom: '2022-06-01' }],
      ['agency and recorded span', { agencyId: s.agencyId, recordedFrom: mid }],
      ['nothing matches', { measureCode: 'no-such-measure' }],
      ['recorded before the first event', { recordedTo: new Date('2000-01-01T00:00:00Z') }],
    ];
  };

  it.each(['OLDEST_FIRST', 'NEWEST_FIRST'] as const)('pages forwards and backwards through every filter, %s, with the audit index', async (order) => {
    const history = new EventHistory(store, chain);
    for (const [name, filter] of filters()) {
      const want = expected(filter, order);
      expect({ name, got: await walk(history, filter, order, 7) }).toEqual({ name, got: want });
      expect({ name, back: await walk(history, filter, order, 9, true) }).toEqual({ name, back: want });
    }
  });

  it('answers the same without the index (reading the log)', async () => {
    const history = new EventHistory(store);
    for (const [name, filter] of filters()) {
      expect({ name, got: await walk(history, filter, 'NEWEST_FIRST', 50) }).toEqual({ name, got: expected(filter, 'NEWEST_FIRST') });
    }
  });

  it('combines after and before into a window, and first pages of it', async () => {
    const history = new EventHistory(store, chain);
    const page = await history.page({ first: 3, after: encodeCursor(all[10].position), before: encodeCursor(all[20].position) });
    expect(page.edges.map((e) => e.node.position)).toEqual(all.slice(11, 14).map((e) => e.position));
    expect(page.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
    // Newest first, `after` is the newer end of the window.
    const last = await history.page({ last: 3, after: encodeCursor(all[20].position), before: encodeCursor(all[10].position), order: 'NEWEST_FIRST' });
    expect(last.edges.map((e) => e.node.position)).toEqual([all[13], all[12], all[11]].map((e) => e.position));
    expect(last.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
  });

  it('gives each node whole, as stored', async () => {
    const page = await new EventHistory(store, chain).page({ first: 2, filter: { stream: some().stream } });
    const stored = await store.readStream(some().stream);
    expect(page.edges.map((e) => e.node)).toEqual(stored.slice(0, 2));
  });

  it('bounds the page size and refuses what cannot be answered, naming the argument', async () => {
    const history = new EventHistory(store, chain);
    await expect(history.page({ first: MAX_PAGE_SIZE + 1 })).rejects.toEqual(expect.objectContaining({ field: 'first' }));
    await expect(history.page({ last: 0 })).rejects.toEqual(expect.objectContaining({ field: 'last' }));
    await expect(history.page({ first: 1.5 })).rejects.toBeInstanceOf(HistoryInputError);
    await expect(history.page({ first: 2, last: 2 })).rejects.toEqual(expect.objectContaining({ field: 'last' }));
    await expect(history.page({ first: 2, after: 'nope' })).rejects.toEqual(expect.objectContaining({ field: 'after' }));
    // A well-formed cursor whose position the store refuses (EventStoreDB: an offset inside a record).
    const between = all[10].position + 1n;
    const offsets: typeof store = Object.create(store, {
      readAll: {
        value: (options: Parameters<typeof store.readAll>[0] = {}) => {
          if (options.from === between) throw new InvalidPositionError(between, 'is not the position of an event in this log');
          return store.readAll(options);
        },
      },
    });
    for (const field of ['after', 'before'] as const) {
      await expect(new EventHistory(offsets).page({ [field === 'after' ? 'first' : 'last']: 2, [field]: encodeCursor(between) })).rejects.toEqual(
        expect.objectContaining({ name: 'HistoryInputError', field }),
      );
    }
    expect((await history.page({ first: MAX_PAGE_SIZE })).edges).toHaveLength(MAX_PAGE_SIZE);
    expect((await history.page({})).edges).toHaveLength(50);
  });

  it('resolves instants to the last position recorded by then, with or without the index', async () => {
    const instant = new Date(runningMax.get(all[200].position)!);
    const want = all.filter((e) => runningMax.get(e.position)! <= instant.getTime()).at(-1)!.position;
    expect(await new LedgerClock(store, chain).positionAt(instant)).toBe(want);
    expect(await new LedgerClock(store).positionAt(instant)).toBe(want);
    const tail = new Date('2024-01-05T00:00:00.000Z');
    const wantTail = all.filter((e) => runningMax.get(e.position)! <= tail.getTime()).at(-1)!.position;
    expect(await new LedgerClock(store, chain).positionAt(tail)).toBe(wantTail);
    expect(await new LedgerClock(store, chain).positionAt(new Date('1999-01-01T00:00:00Z'))).toBeUndefined();
  });
});
