import type { RecordedEvent } from '@app/event-store';
import { ACTIVITY_PROJECTION, activityProjection } from './activity/activity.projection.js';
import { foldProjection } from './fold.js';
import { KeyedState, type StateView, table } from './keyed-state.js';
import { PLANS_PROJECTION, plansProjection } from './plans/plans.projection.js';
import { NO_POSITION } from './read-model-store.js';
import { type ReadModelSource, ProjectionSnapshot } from './snapshot.js';
import { DEMO_PLAN_FILE, TestLog, loadTestPlan } from './test-support.js';

const plan = loadTestPlan(DEMO_PLAN_FILE);
const police = { agencyId: 'river-city-police', measureCode: 'A.1.1' };
const training = (participants: number) => ({ title: 't', participants, days: 1 });

/** A live source as the runner is one: the same states, evolved in place, event after event. */
class LiveSource implements ReadModelSource {
  readonly states = new Map([
    [PLANS_PROJECTION, { state: new KeyedState(), position: NO_POSITION }],
    [ACTIVITY_PROJECTION, { state: new KeyedState(), position: NO_POSITION }],
  ]);

  apply(events: readonly RecordedEvent[]): void {
    for (const [name, projection] of [
      [PLANS_PROJECTION, plansProjection],
      [ACTIVITY_PROJECTION, activityProjection],
    ] as const) {
      const slot = this.states.get(name)!;
      slot.position = foldProjection(projection, events, slot).position;
    }
  }

  view(name: string): StateView {
    return this.states.get(name)!.state;
  }

  get position(): bigint {
    return this.states.get(ACTIVITY_PROJECTION)!.position;
  }
}

describe('KeyedState stamps', () => {
  const T = table<number>('t');

  it('change with every change to a group, and are 0 while it has no entries', () => {
    const state = new KeyedState();
    expect(state.stamp(T, 'g')).toBe(0);
    state.put('t', 'g', 'a', 1);
    const s1 = state.stamp(T, 'g');
    expect(s1).toBeGreaterThan(0);
    state.put('t', 'other', 'a', 1);
    expect(state.stamp(T, 'g')).toBe(s1);
    state.put('t', 'g', 'a', 2);
    const s2 = state.stamp(T, 'g');
    expect(s2).not.toBe(s1);
    state.put('t', 'g', 'a', undefined);
    expect(state.stamp(T, 'g')).toBe(0);
    // Emptied and filled again, or cleared and filled again: never a stamp seen before.
    state.put('t', 'g', 'a', 2);
    expect([0, s1, s2]).not.toContain(state.stamp(T, 'g'));
    const s3 = state.stamp(T, 'g');
    state.clear();
    expect(state.stamp(T, 'g')).toBe(0);
    state.put('t', 'g', 'a', 2);
    expect([0, s1, s2, s3]).not.toContain(state.stamp(T, 'g'));
  });
});

describe('figures and evaluations kept across requests', () => {
  const reportCount = (source: ReadModelSource, code = 'A.1.1') => new ProjectionSnapshot(source).measureFigures('demo-2030', code).reports;
  const trainings = (source: ReadModelSource) => new ProjectionSnapshot(source).evaluate('demo-2030', 'A.1.1', '2030-06-01')!.indicators[0].value;

  it('are reused while nothing changed, and never served after an event that changes them', () => {
    const log = new TestLog();
    log.adopt(plan);
    const source = new LiveSource();
    source.apply(log.events);
    expect(reportCount(source)).toBe(0);
    expect(trainings(source)).toBe(0n);

    const r1 = log.report('TrainingDelivered', { ...police, reportId: 'r1' }, '2030-02-01', training(10));
    source.apply([r1]);
    expect(reportCount(source)).toBe(1);
    expect(trainings(source)).toBe(1n);

    // Unchanged: the same figures and evaluation objects as the request before.
    const a = new ProjectionSnapshot(source);
    const b = new ProjectionSnapshot(source);
    expect(b.measureFigures('demo-2030', 'A.1.1')).toBe(a.measureFigures('demo-2030', 'A.1.1'));
    expect(b.evaluate('demo-2030', 'A.1.1', '2030-06-01')).toBe(a.evaluate('demo-2030', 'A.1.1', '2030-06-01'));

    // A second report, its correction and its retraction: each shows in the next request.
    const r2 = log.report('TrainingDelivered', { ...police, reportId: 'r2' }, '2030-03-01', training(5));
    source.apply([r2]);
    expect(reportCount(source)).toBe(2);
    expect(trainings(source)).toBe(2n);
    source.apply([log.correct(r2, '2030-04-01', training(7))]);
    expect(new ProjectionSnapshot(source).evaluate('demo-2030', 'A.1.1', '2030-06-01')!.indicators.map((i) => i.value)).toEqual([2n, 17n]);
    source.apply([log.retract(r1)]);
    expect(reportCount(source)).toBe(1);
    expect(trainings(source)).toBe(1n);
    source.apply([log.retract(r2)]);
    expect(reportCount(source)).toBe(0);
    expect(trainings(source)).toBe(0n);
  });

  it('a snapshot keeps the figures it took, while a later request sees the new event', () => {
    const log = new TestLog();
    log.adopt(plan);
    log.report('TrainingDelivered', { ...police, reportId: 'r1' }, '2030-02-01', training(10));
    const source = new LiveSource();
    source.apply(log.events);
    const before = new ProjectionSnapshot(source);
    expect(before.measureFigures('demo-2030', 'A.1.1').reports).toBe(1);
    source.apply([log.report('TrainingDelivered', { ...police, reportId: 'r2' }, '2030-02-01', training(3))]);
    expect(before.measureFigures('demo-2030', 'A.1.1').reports).toBe(1);
    expect(reportCount(source)).toBe(2);
  });

  it('follow an amendment of the plan (a new measure definition) and the date evaluated on', () => {
    const log = new TestLog();
    log.adopt(plan);
    log.report('TrainingDelivered', { ...police, reportId: 'r1' }, '2030-02-01', training(10));
    const source = new LiveSource();
    source.apply(log.events);
    const onDate = (asOf: string) => new ProjectionSnapshot(source).evaluate('demo-2030', 'A.1.1', asOf)!;
    expect(onDate('2031-06-01')).toMatchObject({ status: 'IN_PROGRESS', deadline: '2031-12-31', asOf: '2031-06-01' });
    expect(onDate('2032-06-01')).toMatchObject({ status: 'OVERDUE', asOf: '2032-06-01' });
    expect(onDate('2031-06-01')).toBe(onDate('2031-06-01'));
    // Same figures (no report changed), but a new deadline: evaluated again.
    source.apply([log.amend('demo-2030', [{ op: 'set', path: ['measures', 'A.1.1', 'deadline'], before: '2031-12-31', after: '2031-01-31' }])]);
    expect(onDate('2031-06-01')).toMatchObject({ status: 'OVERDUE', deadline: '2031-01-31' });
    expect(onDate('2031-06-01').indicators.map((i) => i.value)).toEqual([1n, 10n]);
  });

  it('as of a day: reports dated later do not count; reused across requests; a new report in the month shows at once', () => {
    const log = new TestLog();
    log.adopt(plan);
    log.report('TrainingDelivered', { ...police, reportId: 'r1' }, '2030-06-10', training(10));
    log.report('TrainingDelivered', { ...police, reportId: 'r2' }, '2030-06-20', training(20));
    const source = new LiveSource();
    source.apply(log.events);
    const a = new ProjectionSnapshot(source);
    const dated = a.evaluate('demo-2030', 'A.1.1', '2030-06-15')!;
    expect(dated.indicators.map((i) => i.value)).toEqual([1n, 10n]);
    // Without a date: today over every report, the figures of the cached path.
    expect(a.evaluate('demo-2030', 'A.1.1')!.indicators.map((i) => i.value)).toEqual([2n, 30n]);
    expect(a.evaluate('demo-2030', 'A.1.1')!.reports).toBe(a.measureFigures('demo-2030', 'A.1.1').reports);
    // Within a request the values beside the status are the figures it was evaluated from.
    expect(a.measureFigures('demo-2030', 'A.1.1', '2030-06-15')).toBe(a.measureFigures('demo-2030', 'A.1.1', '2030-06-15'));
    // The next request, nothing changed: the same evaluation; a report dated 12 June: counted.
    expect(new ProjectionSnapshot(source).evaluate('demo-2030', 'A.1.1', '2030-06-15')).toBe(dated);
    source.apply([log.report('TrainingDelivered', { ...police, reportId: 'r3' }, '2030-06-12', training(1))]);
    expect(new ProjectionSnapshot(source).evaluate('demo-2030', 'A.1.1', '2030-06-15')!.indicators.map((i) => i.value)).toEqual([2n, 11n]);
    expect(new ProjectionSnapshot(source).rollUp('demo-2030', '2030-06-15')[0].byStatus.IN_PROGRESS).toBeGreaterThan(0);
  });
});
