import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidPositionError, NO_STREAM, type RecordedEvent, SqliteEventStore } from '@app/event-store';
import { type Plan, loadPlan } from '@app/plan';
import {
  ACTIVITY_PROJECTION,
  COORDINATOR_PROJECTIONS,
  KeyedState,
  MONTH_REPORTS,
  type MonthCandidates,
  NO_POSITION,
  ProjectionSnapshot,
  REPORT_LIST,
  type ReadModelSource,
  type ReportListFilter,
  foldProjection,
  listReports,
  reportListProjection,
} from '@app/projections';
import { generateHistory, historyPlan, historyPlanSource } from '../../../test/support/history-generator.js';
import { PointInTime } from './point-in-time.js';

const bigints = (_key: string, value: unknown) => (typeof value === 'bigint' ? value.toString() : value);

/** Everything the coordinator queries answer, as plain JSON. */
function answers(source: ReadModelSource): unknown {
  const snapshot = new ProjectionSnapshot(source);
  const plans = snapshot.plans();
  return JSON.parse(
    JSON.stringify(
      {
        plans: plans.map((p) => p.id),
        measures: plans.map((p) =>
          snapshot.measures(p.id).map(({ measure }) => {
            const evaluation = snapshot.evaluate(p.id, measure.code, '2023-06-30')!;
            const figures = snapshot.measureFigures(p.id, measure.code);
            return {
              evaluation,
              breakdowns: measure.indicators.map((i) => (i.aggregate === 'milestone' ? [] : [figures.byAgency(i), figures.byPeriod(i, 'QUARTER')])),
            };
          }),
        ),
        rollUp: plans.map((p) => snapshot.rollUp(p.id, '2024-01-01')),
        funding: plans.map((p) => [snapshot.fundingSummary(p.id), snapshot.fundingSummary(p.id, 2023)]),
        agencies: snapshot.reportingAgencies().map((a) => snapshot.agencyActivity(a)),
      },
      bigints,
    ),
  );
}

/** The oracle: every projection folded from position 0 up to `position`, in one go. */
async function foldedAt(store: SqliteEventStore, events: readonly RecordedEvent[], position: bigint): Promise<ReadModelSource> {
  const states = new Map<string, KeyedState>();
  for (const p of COORDINATOR_PROJECTIONS) {
    const state = new KeyedState();
    for (const change of (await p.initialEntries?.(store)) ?? []) state.apply(change);
    states.set(p.name, foldProjection(p, events.filter((e) => e.position <= position), { state, position: NO_POSITION }).state);
  }
  return { position, view: (name) => states.get(name)! };
}

describe('point-in-time evaluation', () => {
  let dir: string;
  let store: SqliteEventStore;
  let events: RecordedEvent[];
  let amendment: bigint;
  let plan: Plan;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'apl-audit-pit-'));
    store = SqliteEventStore.open(join(dir, 'events.db'));
    await generateHistory(store, { events: 1_200, seed: 5, correctionRate: 0.05, retractionRate: 0.02 });
    // An amendment that counts distinct values of a field no report kept so far: snapshots made
    // before it lack those figures, and must be made again.
    plan = historyPlan();
    const measure = plan.pillars.flatMap((p) => p.objectives.flatMap((o) => o.measures)).find((m) => m.indicators.some((i) => i.event === 'MeetingHeld'))!;
    const amended = JSON.parse(JSON.stringify(plan)) as { pillars: Array<{ objectives: Array<{ measures: Array<{ code: string; indicators: unknown[] }> }> }> };
    amended.pillars
      .flatMap((p) => p.objectives.flatMap((o) => o.measures))
      .find((m) => m.code === measure.code)!
      .indicators.push({ key: 'meetingKinds', label: 'Kinds of meetings', event: 'MeetingHeld', aggregate: 'distinct', field: 'meetingKind' });
    const result = await loadPlan(store, amended as unknown as Plan, { ...historyPlanSource(plan), recordedAt: '2025-09-01T00:00:00.000Z', correlationId: 'amend' });
    if (result.outcome !== 'amended') throw new Error(`the amendment was not recorded (${result.outcome})`);
    amendment = result.position!;
    const agencyId = measure.responsible[0];
    for (let i = 0; i < 300; i++) {
      const reportId = `pit-${i}`;
      const stream = `activity-${agencyId}-${reportId}`;
      const ref = { planId: plan.id, measureCode: measure.code, agencyId, reportId };
      const occurredOn = `2023-${String(1 + (i % 12)).padStart(2, '0')}-15`;
      const metadata = { agencyId, occurredOn, recordedAt: `2025-10-${String(1 + (i % 28)).padStart(2, '0')}T00:00:00.000Z` };
      const details = { title: `Meeting ${i}`, meetingKind: ['WORKING_GROUP', 'ROUND_TABLE', 'BILATERAL'][i % 3], participants: 5 + (i % 7) };
      await store.append(stream, [{ type: 'MeetingHeld', data: { ...ref, occurredOn, details }, metadata }], NO_STREAM);
      if (i % 10 === 9) {
        const earlier = `activity-${agencyId}-pit-${i - 7}`;
        await store.append(earlier, [{ type: 'ReportCorrected', data: { ...ref, reportId: `pit-${i - 7}`, activityType: 'MeetingHeld', occurredOn, details: { ...details, meetingKind: 'OTHER' }, reason: 'kind was wrong' }, metadata }], 0n);
      }
    }
    events = [];
    for await (const e of store.readAll()) events.push(e);
  }, 60_000); // generates and folds a history: past 5 s under a full run's load
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers every query exactly as a fold from position 0 does, at any position', async () => {
    const pit = new PointInTime({ store, interval: 100 });
    const head = events[events.length - 1].position;
    const positions = [head, 1n, 57n, 100n, 101n, 777n, amendment - 1n, amendment, amendment + 1n, amendment + 250n, head - 1n, events[1000].position, NO_POSITION];
    for (const position of positions) {
      const view = await pit.at(position);
      expect(view.position).toBe(position < 0n ? 0n : position);
      expect({ position, answers: answers(view) }).toEqual({ position, answers: answers(await foldedAt(store, events, position)) });
    }
    // Snapshots were made along the way (one every 100 events), and the stale ones made again.
    expect(pit.stats().snapshots).toBeGreaterThan(10);
  }, 60_000);

  it('counts a day inside a month exactly once that month is read back (prepareAsOf), at any position', async () => {
    const pit = new PointInTime({ store, interval: 100 });
    const head = events[events.length - 1].position;
    // The live month index at the head (tombstones included) names the candidates, as the api's runner does.
    const live = (await foldedAt(store, events, head)).view(ACTIVITY_PROJECTION);
    const asked: string[] = [];
    const candidates: MonthCandidates = async (position, groups) => {
      expect(position).toBeLessThanOrEqual(head);
      asked.push(...groups);
      return new Map(groups.map((group) => [group, [...live.group(MONTH_REPORTS, group).keys()]]));
    };
    const evaluations = (snapshot: ProjectionSnapshot, planId: string, asOf: string) =>
      JSON.parse(JSON.stringify([...snapshot.evaluatePlan(planId, asOf)], bigints)) as unknown;
    let refusedWithout = 0;
    const measuresAlone: string[] = [];
    const measuresFolded: string[] = [];
    for (const position of [events[300].position, events[800].position, amendment + 40n, head]) {
      const view = await pit.at(position);
      const folded = new ProjectionSnapshot(await foldedAt(store, events, position));
      for (const asOf of ['2022-09-14', '2023-03-15', '2023-06-16', '2023-10-01', '2023-12-30']) {
        for (const { id } of folded.plans()) {
          try {
            new ProjectionSnapshot(view).evaluatePlan(id, asOf);
          } catch {
            refusedWithout += 1;
          }
          const replayed = new ProjectionSnapshot(view, candidates);
          await replayed.prepareAsOf(id, asOf);
          expect({ position, asOf, evaluations: evaluations(replayed, id, asOf) }).toEqual({ position, asOf, evaluations: evaluations(folded, id, asOf) });
          // One measure alone, prepared alone, evaluates alike.
          const one = folded.measures(id).find(({ measure }) => replayed.measureFigures(id, measure.code, asOf).reports > 0);
          if (one) {
            const alone = new ProjectionSnapshot(view, candidates);
            await alone.prepareAsOf(id, asOf, [one.measure.code]);
            measuresAlone.push(JSON.stringify([position, asOf, alone.evaluate(id, one.measure.code, asOf)], bigints));
            measuresFolded.push(JSON.stringify([position, asOf, folded.evaluate(id, one.measure.code, asOf)], bigints));
          }
        }
      }
    }
    // The days chosen do fall inside months with reports (else this would test nothing).
    expect(refusedWithout).toBeGreaterThan(5);
    expect(measuresAlone.length).toBeGreaterThan(5);
    expect(measuresAlone).toEqual(measuresFolded);
    expect(asked.length).toBeGreaterThan(0);
  }, 120_000);

  it('lists reports as the report list stood at any position: the live list, with only the reports changed since read back', async () => {
    // A store that counts the streams read back.
    const read: string[] = [];
    const counting: typeof store = Object.create(store, {
      readStream: { value: (stream: string, ...rest: unknown[]) => (read.push(stream), (store.readStream as (...a: unknown[]) => unknown)(stream, ...rest)) },
    });
    const pit = new PointInTime({ store: counting, interval: 100 });
    const head = events[events.length - 1].position;
    const live = foldProjection(reportListProjection, events).state;
    const agency = live.groups(REPORT_LIST)[Symbol.iterator]().next().value!;
    const filters: ReportListFilter[] = [
      {},
      { status: 'RETRACTED' },
      { agencyId: agency, occurredFrom: '2023-01-01', occurredTo: '2023-06-30' },
      { status: 'ACTIVE', occurredFrom: '2022-07-01' },
    ];
    let readBackSomewhere = 0;
    const changedAt = new Map<bigint, number>();
    for (const position of [NO_POSITION, 1n, events[150].position, events[600].position, amendment, amendment + 150n, head - 5n, head]) {
      const then = foldProjection(reportListProjection, events.filter((e) => e.position <= position)).state;
      const changedSince = new Set<string>();
      for (const group of live.groups(REPORT_LIST)) {
        for (const r of live.group(REPORT_LIST, group).values()) if (BigInt(r.position) <= position && BigInt(r.lastPosition) > position) changedSince.add(r.stream);
      }
      for (const filter of filters) {
        for (const [first, after] of [[500, undefined], [7, undefined], [7, events[40].position]] as const) {
          const view = await pit.at(position);
          // The fold of the view itself reads back register entries: only the list's reads count here.
          read.length = 0;
          const snapshot = new ProjectionSnapshot(view, undefined, async (p) => (expect(p).toBe(position < 0n ? 0n : position), live));
          const page = await snapshot.reportList(filter, first, after);
          expect({ position, filter, first, after, page }).toEqual({ position, filter, first, after, page: listReports(then, filter, first, after) });
          // What was read back is what changed after the position (and no more than once).
          expect(read.every((s) => changedSince.has(s))).toBe(true);
          expect(new Set(read).size).toBe(read.length);
          readBackSomewhere += read.length;
        }
      }
      changedAt.set(position, changedSince.size);
    }
    expect(readBackSomewhere).toBeGreaterThan(0);
    // At the head nothing changed since: nothing is read; early on, much did.
    expect(changedAt.get(head)).toBe(0);
    expect(changedAt.get(events[150].position)).toBeGreaterThan(5);
  }, 120_000);

  it('stays exact with few snapshots kept (folding from further back) and after warming up', async () => {
    const pit = new PointInTime({ store, interval: 64, maxSnapshots: 3, cachedResults: 0 });
    let slices = 0;
    await pit.warm({ slice: 2, beforeSlice: async () => void slices++ });
    // Every slice (of two snapshots) waited its turn: one per two snapshots, and the last that found none left to make.
    expect(slices).toBe(Math.floor(Math.floor(events.length / 64) / 2) + 1);
    expect(pit.stats().lastSnapshotEvents).toBe(Math.floor(events.length / 64) * 64);
    for (const position of [events[900].position, events[130].position, amendment + 3n]) {
      expect(answers(await pit.at(position))).toEqual(answers(await foldedAt(store, events, position)));
    }
    expect(pit.stats().snapshots).toBeLessThanOrEqual(3);
  }, 60_000); // folds the log several times over: past 5 s on a machine busy with a full run

  it('stops warming before the next slice once its signal is aborted', async () => {
    const pit = new PointInTime({ store, interval: 64 });
    const controller = new AbortController();
    let slices = 0;
    await pit.warm({ slice: 1, signal: controller.signal, beforeSlice: async () => void (++slices === 3 && controller.abort()) });
    expect(slices).toBe(3);
    expect(pit.stats().lastSnapshotEvents).toBe(2 * 64);
  }, 60_000);

  it('makes its snapshots again when an amendment needs figures they did not keep', async () => {
    const other = SqliteEventStore.open(join(dir, 'stale.db'));
    try {
      await generateHistory(other, { events: 400, seed: 9 });
      const pit = new PointInTime({ store: other, interval: 50 });
      await pit.warm();
      const before = pit.stats().snapshots;
      // The plan now counts distinct meeting kinds: reports already counted did not keep them.
      const amended = JSON.parse(JSON.stringify(plan)) as Plan;
      const measure = amended.pillars.flatMap((p) => p.objectives.flatMap((o) => o.measures)).find((m) => m.indicators.some((i) => i.event === 'MeetingHeld'))!;
      (measure.indicators as unknown[]).push({ key: 'meetingKinds', label: 'Kinds of meetings', event: 'MeetingHeld', aggregate: 'distinct', field: 'meetingKind' });
      await loadPlan(other, amended, { ...historyPlanSource(plan), recordedAt: '2025-09-01T00:00:00.000Z', correlationId: 'amend' });
      const all: RecordedEvent[] = [];
      for await (const e of other.readAll()) all.push(e);
      const head = all[all.length - 1].position;
      expect(answers(await pit.at(head))).toEqual(answers(await foldedAt(other, all, head)));
      expect(answers(await pit.at(all[120].position))).toEqual(answers(await foldedAt(other, all, all[120].position)));
      expect(before).toBeGreaterThan(5);
      expect(pit.stats().snapshots).toBeGreaterThanOrEqual(before);
    } finally {
      await other.close();
    }
  }, 60_000);

  it('resolves a point in time given as a position or as an instant', async () => {
    const pit = new PointInTime({ store });
    expect(await pit.resolve({ position: 42n })).toBe(42n);
    expect(await pit.resolve({ recordedAt: new Date('2025-09-01T00:00:00.000Z') })).toBe(amendment);
    expect(await pit.resolve({ recordedAt: new Date('2000-01-01T00:00:00.000Z') })).toBe(NO_POSITION);
    await expect(pit.resolve({})).rejects.toEqual(expect.objectContaining({ name: 'PointInTimeError', field: 'at', reason: 'must give exactly one of position and recordedAt (got neither)' }));
    await expect(pit.resolve({ position: 1n, recordedAt: new Date() })).rejects.toEqual(expect.objectContaining({ field: 'at', reason: 'must give exactly one of position and recordedAt (got both)' }));
    // A position of more digits than a store's positions have is still a position: past the end, saying where the end is.
    const head = events[events.length - 1].position;
    for (const beyond of [head + 1n, 99999999999999999999999n]) {
      await expect(pit.resolve({ position: beyond })).rejects.toEqual(expect.objectContaining({ field: 'at.position', reason: `is beyond the end of the log (its last position is ${head})` }));
    }
    await expect(pit.at(events[events.length - 1].position + 1n)).rejects.toEqual(expect.objectContaining({ field: 'at.position' }));
    await expect(pit.resolve({ position: -3n })).rejects.toEqual(expect.objectContaining({ field: 'at.position', reason: expect.stringContaining('negative') }));
  }, 60_000);

  it('refuses a position the store says is not an event boundary (EventStoreDB byte offsets), naming at.position', async () => {
    const between = events[3].position + 1n;
    // As EventStoreDB answers a read from inside a record; the embedded store has no such positions.
    const offsets: typeof store = Object.create(store, {
      readAll: {
        value: (options: Parameters<typeof store.readAll>[0] = {}) => {
          if (options.from === between) throw new InvalidPositionError(between, 'is not the position of an event in this log');
          return store.readAll(options);
        },
      },
    });
    const pit = new PointInTime({ store: offsets });
    await expect(pit.resolve({ position: between })).rejects.toEqual(
      expect.objectContaining({ name: 'PointInTimeError', field: 'at.position', reason: expect.stringContaining('not the position of an event') }),
    );
    expect(await pit.resolve({ position: events[3].position })).toBe(events[3].position);
  });
});
