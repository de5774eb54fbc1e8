import { type Indicator, type Plan, diffPlans } from '@app/plan';
import { ProjectionFailedError } from '../errors.js';
import { foldProjection } from '../fold.js';
import { KeyedState, digestState } from '../keyed-state.js';
import { NO_POSITION } from '../read-model-store.js';
import { DEMO_PLAN_FILE, TestLog, loadTestPlan } from '../test-support.js';
import { ACTIVITY_MODELS, activityDigests, activityProjection as indicatorsProjection } from '../activity/activity.projection.js';
import { LEFT_MONTH, MONTH_REPORTS } from './indicators.model.js';
import { MeasureFigures } from './indicators.query.js';

const plan = loadTestPlan(DEMO_PLAN_FILE);
const indicator = (code: string, key: string): Indicator => {
  for (const p of plan.pillars) for (const o of p.objectives) for (const m of o.measures) if (m.code === code) return m.indicators.find((i) => i.key === key)!;
  throw new Error(`no ${code}/${key}`);
};
const trainings = indicator('A.1.1', 'trainings');
const participants = indicator('A.1.1', 'participants');
const meetingKinds = indicator('A.1.2', 'channels');
const study = indicator('A.2.1', 'study');
const moneyPaid = indicator('B.1.1', 'disbursed');

const police = { agencyId: 'river-city-police', measureCode: 'A.1.1' };
const ngo = { agencyId: 'helping-hands', measureCode: 'A.1.1' };

function build(log: TestLog) {
  const { state } = foldProjection(indicatorsProjection, log.events);
  return { state, figures: (code: string) => new MeasureFigures(state, 'demo-2030', code) };
}

describe('indicators projection', () => {
  it('counts and sums reports per measure, broken down by agency and by month, quarter and year', () => {
    const log = new TestLog();
    log.adopt(plan);
    log.report('TrainingDelivered', { ...police, reportId: 'r1' }, '2030-01-15', { title: 't', participants: 20, days: 1 });
    log.report('TrainingDelivered', { ...police, reportId: 'r2' }, '2030-02-03', { title: 't', participants: 5, days: 2 });
    log.report('TrainingDelivered', { ...ngo, reportId: 'r1' }, '2030-04-30', { title: 't', participants: 7, days: 1 });
    const f = build(log).figures('A.1.1');

    expect(f.reports).toBe(3);
    expect(f.value(trainings)).toBe(3n);
    expect(f.value(participants)).toBe(32n);
    expect(f.byAgency(participants)).toEqual([
      { key: 'helping-hands', value: 7n },
      { key: 'river-city-police', value: 25n },
    ]);
    expect(f.byPeriod(trainings, 'MONTH')).toEqual([
      { key: '2030-01', value: 1n },
      { key: '2030-02', value: 1n },
      { key: '2030-04', value: 1n },
    ]);
    expect(f.byPeriod(participants, 'QUARTER')).toEqual([
      { key: '2030-Q1', value: 25n },
      { key: '2030-Q2', value: 7n },
    ]);
    expect(f.byPeriod(trainings, 'YEAR')).toEqual([{ key: '2030', value: 3n }]);
    expect(f.value(participants, { agencyId: 'river-city-police', period: '2030-Q1' })).toBe(25n);
    expect(f.value(participants, { period: '2030-02' })).toBe(5n);
  });

  it('a correction replaces the figures and may move the report to another period', () => {
    const log = new TestLog();
    log.adopt(plan);
    const r1 = log.report('TrainingDelivered', { ...police, reportId: 'r1' }, '2030-01-15', { title: 't', participants: 20, days: 1 });
    log.report('TrainingDelivered', { ...police, reportId: 'r2' }, '2030-01-20', { title: 't', participants: 5, days: 1 });
    log.correct(r1, '2030-05-02', { title: 't', participants: 12, days: 1 });
    const f = build(log).figures('A.1.1');

    expect(f.value(trainings)).toBe(2n);
    expect(f.value(participants)).toBe(17n);
    expect(f.byPeriod(participants, 'MONTH')).toEqual([
      { key: '2030-01', value: 5n },
      { key: '2030-05', value: 12n },
    ]);
  });

  it('a second correction replaces the first one, not the original', () => {
    const log = new TestLog();
    log.adopt(plan);
    const r1 = log.report('TrainingDelivered', { ...police, reportId: 'r1' }, '2030-01-15', { title: 't', participants: 20, days: 1 });
    log.correct(r1, '2030-01-15', { title: 't', participants: 12, days: 1 });
    log.correct(r1, '2030-03-01', { title: 't', participants: 9, days: 3 });
    const f = build(log).figures('A.1.1');
    expect(f.value(participants)).toBe(9n);
    expect(f.byPeriod(trainings, 'MONTH')).toEqual([{ key: '2030-03', value: 1n }]);
  });

  it('a retraction takes the report out; the state is as if it had never been reported', () => {
    const log = new TestLog();
    log.adopt(plan);
    log.report('TrainingDelivered', { ...police, reportId: 'r2' }, '2030-02-03', { title: 't', participants: 5, days: 2 });
    // The month index is left out: it keeps a tombstone of the report (checked below).
    const digests = (state: KeyedState) => {
      const { funding, reports } = activityDigests(state);
      return { indicators: digestState(state, ACTIVITY_MODELS.indicators.filter((t) => t !== MONTH_REPORTS.name)), funding, reports };
    };
    const withoutIt = digests(build(log).state);

    const r1 = log.report('TrainingDelivered', { ...police, reportId: 'r1' }, '2030-01-15', { title: 't', participants: 20, days: 1 });
    log.correct(r1, '2030-03-15', { title: 't', participants: 21, days: 1 });
    log.retract(r1);
    const f = build(log).figures('A.1.1');
    expect(f.value(trainings)).toBe(1n);
    expect(f.value(participants)).toBe(5n);
    expect(f.byPeriod(trainings, 'MONTH')).toEqual([{ key: '2030-02', value: 1n }]);
    // Its agency's last recording time moved on, nothing else remembers it but the month index:
    // a tombstone in each month it was dated in (what point-in-time reads back, MONTH_REPORTS).
    const state = build(log).state;
    expect(digests(state)).toEqual(withoutIt);
    expect([...state.entries()].filter(([table, , key]) => table === MONTH_REPORTS.name && key === r1.stream).map(([, group, , value]) => [group.slice(-7), value])).toEqual([
      ['2030-01', LEFT_MONTH],
      ['2030-03', LEFT_MONTH],
    ]);
  });

  it('ignores corrections and retractions of unknown or already retracted reports', () => {
    const log = new TestLog();
    log.adopt(plan);
    const r1 = log.report('TrainingDelivered', { ...police, reportId: 'r1' }, '2030-01-15', { title: 't', participants: 20, days: 1 });
    log.retract(r1);
    log.retract(r1);
    log.correct(r1, '2030-01-15', { title: 't', participants: 3, days: 1 });
    const f = build(log).figures('A.1.1');
    expect(f.reports).toBe(0);
    expect(f.value(participants)).toBe(0n);
  });

  it('counts distinct values with their multiplicities, so taking one report out keeps shared values', () => {
    const log = new TestLog();
    log.adopt(plan);
    const on = { agencyId: 'example-ministry', measureCode: 'A.1.2' };
    const m1 = log.report('MeetingHeld', { ...on, reportId: 'm1' }, '2030-01-10', { title: 'a', meetingKind: 'WORKING_GROUP' });
    const m2 = log.report('MeetingHeld', { ...on, reportId: 'm2' }, '2030-02-10', { title: 'b', meetingKind: 'WORKING_GROUP' });
    log.report('MeetingHeld', { ...on, reportId: 'm3' }, '2030-04-10', { title: 'c', meetingKind: 'ROUND_TABLE' });
    expect(build(log).figures('A.1.2').value(meetingKinds)).toBe(2n);

    log.retract(m1);
    let f = build(log).figures('A.1.2');
    expect(f.value(meetingKinds)).toBe(2n);
    expect(f.byPeriod(meetingKinds, 'QUARTER')).toEqual([
      { key: '2030-Q1', value: 1n },
      { key: '2030-Q2', value: 1n },
    ]);

    log.correct(m2, '2030-02-10', { title: 'b', meetingKind: 'ROUND_TABLE' });
    f = build(log).figures('A.1.2');
    expect(f.value(meetingKinds)).toBe(1n);
    expect(f.byPeriod(meetingKinds, 'YEAR')).toEqual([{ key: '2030', value: 1n }]);
  });

  it('a milestone is reached once a report of its type counts, and no longer when it is retracted', () => {
    const log = new TestLog();
    log.adopt(plan);
    const on = { agencyId: 'example-ministry', measureCode: 'A.2.1' };
    const s1 = log.report('StudyCompleted', { ...on, reportId: 's1' }, '2030-09-01', { title: 'study' });
    const s2 = log.report('StudyCompleted', { ...on, reportId: 's2' }, '2030-10-01', { title: 'study, final' });
    expect(build(log).figures('A.2.1').value(study)).toBe(1n);
    log.retract(s1);
    expect(build(log).figures('A.2.1').value(study)).toBe(1n);
    log.retract(s2);
    expect(build(log).figures('A.2.1').value(study)).toBe(0n);
  });

  it('sums money exactly, beyond what a double holds', () => {
    const log = new TestLog();
    log.adopt(plan);
    const on = { agencyId: 'example-ministry', measureCode: 'B.1.1' };
    log.report('FundsDisbursed', { ...on, reportId: 'f1' }, '2031-01-10', { amount: '9007199254740993', source: 'national', purpose: 'x' });
    const f2 = log.report('FundsDisbursed', { ...on, reportId: 'f2' }, '2031-02-10', { amount: '1', source: 'eu', purpose: 'y' });
    log.correct(f2, '2031-02-10', { amount: '2', source: 'eu', purpose: 'y' });
    expect(build(log).figures('B.1.1').value(moneyPaid)).toBe(9007199254740995n);
  });

  it('computes indicators from the plan as amended: new targets and new indicators need no rebuild', () => {
    const log = new TestLog();
    log.adopt(plan);
    log.report('TrainingDelivered', { ...police, reportId: 'r1' }, '2030-01-15', { title: 't', participants: 20, days: 4 });
    const amended = structuredClone(plan) as Plan & { pillars: Array<{ objectives: Array<{ measures: Array<{ indicators: Indicator[] }> }> }> };
    amended.pillars[0].objectives[0].measures[0].indicators.push({ key: 'days', label: 'Training days', event: 'TrainingDelivered', aggregate: 'sum', field: 'days' });
    log.amend(plan.id, diffPlans(plan, amended));
    const { state, figures } = build(log);
    expect(indicatorsProjection.needsRebuild!(state)).toBe(false);
    const days = amended.pillars[0].objectives[0].measures[0].indicators.find((i) => i.key === 'days')!;
    expect(figures('A.1.1').value(days)).toBe(4n);
  });

  it('an amendment that counts distinct values of an untracked field of a reported type marks the state stale', () => {
    const log = new TestLog();
    log.adopt(plan);
    log.report('TrainingDelivered', { ...police, reportId: 'r1' }, '2030-01-15', { title: 't', participants: 20, days: 4, audience: 'border police' });
    const amended = structuredClone(plan) as Plan & { pillars: Array<{ objectives: Array<{ measures: Array<{ indicators: Indicator[] }> }> }> };
    amended.pillars[0].objectives[0].measures[0].indicators.push({ key: 'audiences', label: 'Audiences', event: 'TrainingDelivered', aggregate: 'distinct', field: 'audience' });
    log.amend(plan.id, diffPlans(plan, amended));
    expect(indicatorsProjection.needsRebuild!(build(log).state)).toBe(true);

    // A build that knows the pair from the start (what initialEntries provides) is not stale.
    const start = new KeyedState();
    start.put('tracked', 'TrainingDelivered', 'audience', 1);
    start.put('tracked', 'MeetingHeld', 'meetingKind', 1);
    const { state } = foldProjection(indicatorsProjection, log.events, { state: start, position: NO_POSITION });
    expect(indicatorsProjection.needsRebuild!(state)).toBe(false);
    const audiences = amended.pillars[0].objectives[0].measures[0].indicators.find((i) => i.key === 'audiences')!;
    expect(new MeasureFigures(state, 'demo-2030', 'A.1.1').value(audiences)).toBe(1n);
  });

  it('an amendment adding a distinct count for a type not yet reported just starts tracking it', () => {
    const log = new TestLog();
    log.adopt(plan);
    const amended = structuredClone(plan) as Plan & { pillars: Array<{ objectives: Array<{ measures: Array<{ indicators: Indicator[] }> }> }> };
    amended.pillars[0].objectives[0].measures[0].indicators.push({ key: 'audiences', label: 'Audiences', event: 'TrainingDelivered', aggregate: 'distinct', field: 'audience' });
    log.amend(plan.id, diffPlans(plan, amended));
    log.report('TrainingDelivered', { ...police, reportId: 'r1' }, '2030-01-15', { title: 't', participants: 20, days: 4, audience: 'judges' });
    const { state } = build(log);
    expect(indicatorsProjection.needsRebuild!(state)).toBe(false);
    const audiences = amended.pillars[0].objectives[0].measures[0].indicators.find((i) => i.key === 'audiences')!;
    expect(new MeasureFigures(state, 'demo-2030', 'A.1.1').value(audiences)).toBe(1n);
  });

  it('counts only the reports whose field has the where value, through corrections and retractions', () => {
    const withWhere = structuredClone(plan) as Plan & { pillars: Array<{ objectives: Array<{ measures: Array<{ indicators: Indicator[] }> }> }> };
    const forPolice: Indicator = { key: 'policeTrainings', label: 'Trainings for the police', event: 'TrainingDelivered', aggregate: 'count', where: { field: 'audience', equals: 'police' } };
    const policeMilestone: Indicator = { ...forPolice, key: 'firstPoliceTraining', aggregate: 'milestone' };
    withWhere.pillars[0].objectives[0].measures[0].indicators.push(forPolice, policeMilestone);
    const log = new TestLog();
    log.adopt(withWhere);
    const details = (audience?: string) => ({ title: 't', participants: 10, days: 1, ...(audience && { audience }) });
    const r1 = log.report('TrainingDelivered', { ...police, reportId: 'r1' }, '2030-01-15', details('police'));
    log.report('TrainingDelivered', { ...police, reportId: 'r2' }, '2030-02-15', details('judges'));
    const r3 = log.report('TrainingDelivered', { ...ngo, reportId: 'r3' }, '2030-04-15', details('police'));
    const r4 = log.report('TrainingDelivered', { ...ngo, reportId: 'r4' }, '2030-04-20', details());
    log.report('TrainingDelivered', { ...police, reportId: 'r5' }, '2030-05-15', details('Police'));
    let f = build(log).figures('A.1.1');
    expect(f.value(trainings)).toBe(5n);
    expect(f.value(forPolice)).toBe(2n);
    expect(f.byAgency(forPolice)).toEqual([
      { key: 'helping-hands', value: 1n },
      { key: 'river-city-police', value: 1n },
    ]);
    expect(f.byPeriod(forPolice, 'QUARTER')).toEqual([
      { key: '2030-Q1', value: 1n },
      { key: '2030-Q2', value: 1n },
    ]);
    expect(f.value(policeMilestone)).toBe(1n);

    // A correction moves a report into or out of the condition; a retraction takes it out.
    log.correct(r1, '2030-01-15', details('prosecutors'));
    log.correct(r4, '2030-04-20', details('police'));
    log.retract(r3);
    f = build(log).figures('A.1.1');
    expect(f.value(trainings)).toBe(4n);
    expect(f.value(forPolice)).toBe(1n);
    expect(f.byAgency(forPolice)).toEqual([{ key: 'helping-hands', value: 1n }]);
    log.retract(r4);
    f = build(log).figures('A.1.1');
    expect(f.value(forPolice)).toBe(0n);
    expect(f.value(policeMilestone)).toBe(0n);
  });

  it('an amendment adding a where over an untracked field of a reported type marks the state stale', () => {
    const log = new TestLog();
    log.adopt(plan);
    log.report('TrainingDelivered', { ...police, reportId: 'r1' }, '2030-01-15', { title: 't', participants: 20, days: 4, audience: 'police' });
    const amended = structuredClone(plan) as Plan & { pillars: Array<{ objectives: Array<{ measures: Array<{ indicators: Indicator[] }> }> }> };
    amended.pillars[0].objectives[0].measures[0].indicators.push({ key: 'forPolice', label: 'For the police', event: 'TrainingDelivered', aggregate: 'count', where: { field: 'audience', equals: 'police' } });
    log.amend(plan.id, diffPlans(plan, amended));
    expect(indicatorsProjection.needsRebuild!(build(log).state)).toBe(true);
  });

  it('applies an event at or below the checkpoint only once', () => {
    const log = new TestLog();
    log.adopt(plan);
    log.report('TrainingDelivered', { ...police, reportId: 'r1' }, '2030-01-15', { title: 't', participants: 20, days: 1 });
    log.report('TrainingDelivered', { ...police, reportId: 'r2' }, '2030-01-16', { title: 't', participants: 2, days: 1 });
    const once = foldProjection(indicatorsProjection, log.events);
    const again = foldProjection(indicatorsProjection, [...log.events, ...log.events], once);
    expect(again.position).toBe(once.position);
    expect(new MeasureFigures(again.state, 'demo-2030', 'A.1.1').value(participants)).toBe(22n);
  });

  it('a second activity event on a report stream is not a second report', () => {
    const log = new TestLog();
    log.adopt(plan);
    const r1 = log.report('TrainingDelivered', { ...police, reportId: 'r1' }, '2030-01-15', { title: 't', participants: 20, days: 1 });
    log.append(r1.stream, r1.type, r1.data, r1.metadata);
    expect(build(log).figures('A.1.1').value(trainings)).toBe(1n);
  });

  it('stops at a malformed report event instead of counting it in part, naming its position and the reason', () => {
    const base = () => {
      const log = new TestLog();
      log.adopt(plan);
      log.report('TrainingDelivered', { ...police, reportId: 'ok' }, '2030-01-15', { title: 't', participants: 20, days: 1 });
      return log;
    };
    const good = { planId: 'demo-2030', measureCode: 'A.1.1', agencyId: 'x' };
    const cases: [string, string, unknown, RegExp][] = [
      ['activity-x-1', 'TrainingDelivered', { ...good, occurredOn: '2030-13-01', details: { title: 't', participants: 1, days: 1 } }, /needs .*occurredOn/],
      ['activity-x-2', 'TrainingDelivered', { planId: 'demo-2030', agencyId: 'x', occurredOn: '2030-01-01', details: {} }, /needs planId, measureCode/],
      ['activity-x-3', 'TrainingDelivered', 'not an object', /needs planId/],
      ['activity-x-4', 'TrainingDelivered', { ...good, occurredOn: '2030-01-01', details: { title: 't', participants: 'many', days: 1 } }, /details\.participants must be a whole number.*"many"/],
      ['activity-x-5', 'TrainingDelivered', { ...good, occurredOn: '2030-01-01', details: { title: 't', participants: 2.5, days: 1 } }, /details\.participants must be a whole number/],
      ['activity-x-6', 'TrainingDelivered', { ...good, occurredOn: '2030-01-01', details: { title: 't', days: 1 } }, /details\.participants is required/],
      ['activity-x-7', 'FundsDisbursed', { ...good, occurredOn: '2030-01-01', details: { amount: '1.5e6', source: 'national', purpose: 'x' } }, /details\.amount must be a whole number of HUF/],
      ['activity-x-8', 'ReportCorrected', { ...good, activityType: 'TrainingDelivered', occurredOn: '2030-01-01', details: { title: 't', participants: -3, days: 1 }, reason: 'r' }, /details\.participants/],
      ['activity-x-9', 'ReportCorrected', { ...good, activityType: 'NoSuchType', occurredOn: '2030-01-01', details: {}, reason: 'r' }, /NoSuchType is not an event type/],
      // The same kinds an import is held to (libs/domain validateDetails, 'stored'): a catalogue enum value, a real date.
      ['activity-x-10', 'FundsDisbursed', { ...good, occurredOn: '2030-01-01', details: { amount: '5', source: 'NATIONAL', purpose: 'x' } }, /details\.source must be one of .*"NATIONAL"/],
      ['activity-x-11', 'TrainingDelivered', { ...good, occurredOn: '2030-01-01', details: { title: ' ', participants: 1, days: 1 } }, /details\.title is required/],
    ];
    for (const [stream, type, data, reason] of cases) {
      const log = base();
      const bad = log.append(stream, type, data as never);
      let error: unknown;
      try {
        build(log);
      } catch (e) {
        error = e;
      }
      expect({ stream, error }).toEqual({ stream, error: expect.any(ProjectionFailedError) });
      expect(error).toMatchObject({ projection: 'activity', eventPosition: bad.position });
      expect((error as ProjectionFailedError).reason).toMatch(reason);
    }
  });

  it('applies a report with a field its type does not know (nothing to sum from it)', () => {
    const log = new TestLog();
    log.adopt(plan);
    log.report('TrainingDelivered', { ...police, reportId: 'extra' }, '2030-01-15', { title: 't', participants: 20, days: 1, venue: 'Budapest' } as never);
    expect(build(log).figures('A.1.1').reports).toBe(1);
  });

  it('ignores events of its types that are not report events', () => {
    const log = new TestLog();
    log.adopt(plan);
    log.append('other-stream', 'TrainingDelivered', { planId: 'demo-2030', measureCode: 'A.1.1', agencyId: 'x', occurredOn: '2030-01-01', details: {} });
    expect(build(log).figures('A.1.1').reports).toBe(0);
  });
});
