import type { RecordedEvent } from '@app/event-store';
import { type Plan, diffPlans } from '@app/plan';
import { COORDINATOR_PROJECTIONS } from './coordinator-projections.js';
import { type Folded, foldProjection } from './fold.js';
import { KeyedState, canonicalJson, digestState } from './keyed-state.js';
import { allPlans, planOf, plansProjection } from './plans/plans.projection.js';
import { ProjectionSnapshot } from './snapshot.js';
import { DEMO_PLAN_FILE, TestLog, loadTestPlan } from './test-support.js';

const plan = loadTestPlan(DEMO_PLAN_FILE);

/** A deterministic mixed history: reports of every kind, corrections, retractions, an amendment. */
function history(reports: number, seed = 7): TestLog {
  let x = seed;
  const random = () => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)];
  const agencies = ['example-ministry', 'river-city-police', 'helping-hands', 'harbour-shelter'];
  const log = new TestLog();
  log.adopt(plan);
  const written: RecordedEvent[] = [];
  for (let i = 0; i < reports; i++) {
    const day = `203${pick(['0', '1'])}-${String(1 + Math.floor(random() * 12)).padStart(2, '0')}-${String(1 + Math.floor(random() * 28)).padStart(2, '0')}`;
    const ref = { agencyId: pick(agencies), reportId: `r${i}` };
    const kind = pick(['training', 'meeting', 'study', 'capacity', 'funds'] as const);
    const event =
      kind === 'training'
        ? log.report('TrainingDelivered', { ...ref, measureCode: 'A.1.1' }, day, { title: 't', participants: Math.floor(random() * 50), days: 1 })
        : kind === 'meeting'
          ? log.report('MeetingHeld', { ...ref, measureCode: 'A.1.2' }, day, { title: 'm', meetingKind: pick(['WORKING_GROUP', 'ROUND_TABLE', 'OTHER']) })
          : kind === 'study'
            ? log.report('StudyCompleted', { ...ref, measureCode: 'A.2.1' }, day, { title: 's' })
            : kind === 'capacity'
              ? log.report('CapacityCreated', { ...ref, measureCode: 'B.1.1' }, day, { facilityKind: 'h', location: pick(['A', 'B']), facilities: 1, places: Math.floor(random() * 5) })
              : log.report('FundsDisbursed', { ...ref, measureCode: 'B.1.1' }, day, { amount: String(Math.floor(random() * 1e9)), source: pick(['national', 'eu']), purpose: 'p' });
    written.push(event);
    const roll = random();
    if (roll < 0.15) log.retract(pick(written));
    else if (roll < 0.3) {
      const original = pick(written);
      log.correct(original, day, original.data && typeof original.data === 'object' && !Array.isArray(original.data) ? (original.data.details as never) : {});
    }
    if (i === Math.floor(reports / 2)) {
      const amended = structuredClone(plan) as Plan & { pillars: Array<{ objectives: Array<{ measures: Array<{ deadline: string }> }> }> };
      amended.pillars[0].objectives[0].measures[0].deadline = '2031-06-30';
      log.amend(plan.id, diffPlans(plan, amended));
    }
  }
  return log;
}

const foldAll = (events: readonly RecordedEvent[]) => COORDINATOR_PROJECTIONS.map((p) => foldProjection(p, events));
const digests = (folded: readonly Folded[]) => folded.map((f) => digestState(f.state));

/** The state as SQLite would hand it back: every value through JSON. */
function roundTrip(state: KeyedState): KeyedState {
  const copy = new KeyedState();
  for (const [table, group, key, value] of state.entries()) copy.put(table, group, key, JSON.parse(JSON.stringify(value)));
  return copy;
}

describe('coordinator projections together', () => {
  const log = history(600);

  it('two independent builds from the same events have the same digests', () => {
    expect(digests(foldAll(log.events))).toEqual(digests(foldAll(structuredClone(log.events))));
  });

  it('replaying the same events again changes nothing (checkpoint guard)', () => {
    const once = foldAll(log.events);
    const before = digests(once);
    const again = COORDINATOR_PROJECTIONS.map((p, i) => foldProjection(p, log.events, once[i]));
    expect(digests(again)).toEqual(before);
  });

  it('a build interrupted and resumed from its stored entries ends with the same digests', () => {
    const half = Math.floor(log.events.length / 2);
    const resumed = COORDINATOR_PROJECTIONS.map((p) => {
      const first = foldProjection(p, log.events.slice(0, half));
      return foldProjection(p, log.events, { state: roundTrip(first.state), position: first.position });
    });
    expect(digests(resumed)).toEqual(digests(foldAll(log.events)));
  });

  it('a digest does not depend on the order entries were written in', () => {
    const a = new KeyedState();
    a.put('t', 'g', 'x', { b: 1, a: [1, '2'] });
    a.put('t', 'g', 'y', 2);
    const b = new KeyedState();
    b.put('t', 'g', 'y', 2);
    b.put('t', 'g', 'x', { a: [1, '2'], b: 1 });
    expect(digestState(a)).toBe(digestState(b));
    b.put('t', 'g', 'y', 3);
    expect(digestState(a)).not.toBe(digestState(b));
    expect(canonicalJson({ z: null, a: { d: true, c: 'x' } })).toBe('{"a":{"c":"x","d":true},"z":null}');
  });

  it('the plans read model holds each plan as amended', () => {
    const { state } = foldProjection(plansProjection, log.events);
    expect(allPlans(state).map((p) => p.id)).toEqual(['demo-2030']);
    expect(planOf(state, 'demo-2030')!.pillars[0].objectives[0].measures[0].deadline).toBe('2031-06-30');
  });

  it('a snapshot answers every coordinator question from the four read models', () => {
    const folded = foldAll(log.events);
    const views = new Map(COORDINATOR_PROJECTIONS.map((p, i) => [p.name, folded[i].state]));
    const snapshot = new ProjectionSnapshot({ view: (name) => views.get(name)!, position: folded[0].position });
    expect(snapshot.measures().map((m) => m.measure.code)).toEqual(['A.1.1', 'A.1.2', 'A.2.1', 'B.1.1']);
    const a11 = snapshot.evaluate('demo-2030', 'A.1.1', '2030-06-01')!;
    // A status as of a date counts the reports dated on or before it; without a date, every report.
    expect(a11.reports).toBe(snapshot.measureFigures('demo-2030', 'A.1.1', '2030-06-01').reports);
    expect(a11.reports).toBeLessThan(snapshot.measureFigures('demo-2030', 'A.1.1').reports);
    expect(snapshot.evaluate('demo-2030', 'A.1.1')!.reports).toBe(snapshot.measureFigures('demo-2030', 'A.1.1').reports);
    expect(a11.deadline).toBe('2031-06-30');
    expect(snapshot.rollUp('demo-2030', '2030-06-01').map((p) => p.measures)).toEqual([3, 1]);
    // After every deadline nothing is merely in progress: it is achieved, overdue, or awaits a judgement.
    const after = snapshot.measures().map((m) => snapshot.evaluate('demo-2030', m.measure.code, '2032-01-01')!);
    expect(after.filter((e) => e.status === 'IN_PROGRESS' || e.status === 'NOT_STARTED')).toEqual([]);
    expect(snapshot.overdueMeasures('2032-01-01').map((m) => m.measure.code)).toEqual(
      snapshot.measures().filter((_, i) => after[i].status === 'OVERDUE').map((m) => m.measure.code),
    );
    expect(snapshot.evaluate('demo-2030', 'A.1.2', '2032-01-01')).toMatchObject({ status: 'AWAITING_ASSESSMENT', reason: 'NO_FINISH_LINE' });
    const funding = snapshot.fundingSummary('demo-2030')!;
    expect(funding.disbursed).toBe(funding.measures.reduce((sum, m) => sum + m.disbursed, 0n));
    const agencies = snapshot.reportingAgencies();
    const total = agencies.reduce((n, a) => n + snapshot.agencyActivity(a).reports, 0);
    expect(total).toBe(snapshot.measures().reduce((n, m) => n + snapshot.measureFigures('demo-2030', m.measure.code).reports, 0));
  });
});
