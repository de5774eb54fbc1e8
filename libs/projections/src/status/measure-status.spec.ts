import type { Indicator, Measure, Plan } from '@app/plan';
import { foldProjection } from '../fold.js';
import { MeasureFigures } from '../indicators/indicators.query.js';
import { activityProjection as indicatorsProjection } from '../activity/activity.projection.js';
import { DEMO_PLAN_FILE, TestLog, loadTestPlan } from '../test-support.js';
import { evaluateMeasure, indicatorProgress, rollUp } from './measure-status.js';

const plan = loadTestPlan(DEMO_PLAN_FILE);
const measure = (code: string): Measure => plan.pillars.flatMap((p) => p.objectives.flatMap((o) => o.measures)).find((m) => m.code === code)!;

function trainings(n: number, log = new TestLog()): TestLog {
  for (let i = 0; i < n; i++) {
    log.report('TrainingDelivered', { agencyId: 'river-city-police', measureCode: 'A.1.1', reportId: `t${i}` }, '2030-03-01', { title: 't', participants: 10, days: 1 });
  }
  return log;
}

function figures(log: TestLog, code: string): MeasureFigures {
  return new MeasureFigures(foldProjection(indicatorsProjection, log.events).state, 'demo-2030', code);
}

describe('measure status', () => {
  it('NOT_STARTED without reports, IN_PROGRESS with some, ACHIEVED at target, OVERDUE after the deadline', () => {
    const a11 = measure('A.1.1');
    expect(evaluateMeasure(a11, figures(new TestLog(), 'A.1.1'), '2030-05-01')).toMatchObject({ status: 'NOT_STARTED', progress: 0, reports: 0 });
    const three = evaluateMeasure(a11, figures(trainings(3), 'A.1.1'), '2030-05-01');
    expect(three).toMatchObject({ status: 'IN_PROGRESS', progress: 30, reports: 3, deadline: '2031-12-31' });
    expect(three.indicators.map((i) => [i.indicator.key, i.value, i.target, i.progress, i.achieved])).toEqual([
      ['trainings', 3n, 10, 30, false],
      ['participants', 30n, undefined, undefined, undefined],
    ]);
    expect(evaluateMeasure(a11, figures(trainings(10), 'A.1.1'), '2032-06-01')).toMatchObject({ status: 'ACHIEVED', progress: 100 });
    expect(evaluateMeasure(a11, figures(trainings(3), 'A.1.1'), '2032-01-01')).toMatchObject({ status: 'OVERDUE', progress: 30 });
    expect(evaluateMeasure(a11, figures(new TestLog(), 'A.1.1'), '2032-01-01').status).toBe('OVERDUE');
    // The deadline day itself is not overdue.
    expect(evaluateMeasure(a11, figures(trainings(3), 'A.1.1'), '2031-12-31').status).toBe('IN_PROGRESS');
  });

  it('a measure with neither target nor milestone is never ACHIEVED', () => {
    const log = new TestLog();
    log.report('CampaignConducted', { agencyId: 'example-ministry', measureCode: 'A.1.2', reportId: 'c' }, '2030-03-01', { title: 'c', scope: 'LOCAL' });
    const a12 = measure('A.1.2');
    expect(evaluateMeasure(a12, figures(log, 'A.1.2'), '2030-05-01')).toMatchObject({ status: 'IN_PROGRESS', progress: undefined });
    expect(evaluateMeasure(a12, figures(log, 'A.1.2'), '2030-07-01')).toMatchObject({ status: 'OVERDUE' });
  });

  it('milestones must be reached; several targets give the lowest progress', () => {
    const log = new TestLog();
    log.report('StudyCompleted', { agencyId: 'example-ministry', measureCode: 'A.2.1', reportId: 's' }, '2030-03-01', { title: 's' });
    expect(evaluateMeasure(measure('A.2.1'), figures(log, 'A.2.1'), '2030-05-01')).toMatchObject({ status: 'ACHIEVED', progress: 100 });

    const twoTargets: Measure = {
      ...measure('A.1.1'),
      indicators: measure('A.1.1').indicators.map((i): Indicator => (i.key === 'participants' ? { ...i, target: 400 } : i)),
    };
    const result = evaluateMeasure(twoTargets, figures(trainings(10), 'A.1.1'), '2030-05-01');
    expect(result.indicators.map((i) => i.progress)).toEqual([100, 25]);
    expect(result).toMatchObject({ status: 'IN_PROGRESS', progress: 25 });
    const withMilestone: Measure = {
      ...measure('A.1.1'),
      indicators: [...measure('A.1.1').indicators, { key: 'm', label: 'm', event: 'StudyCompleted', aggregate: 'milestone' }],
    };
    expect(evaluateMeasure(withMilestone, figures(trainings(10), 'A.1.1'), '2030-05-01')).toMatchObject({ status: 'IN_PROGRESS', progress: 0 });
  });

  it('progress rounds down to 0.1 % and caps at 100; money targets compare exactly', () => {
    const ind: Indicator = { key: 'k', label: 'k', event: 'X', aggregate: 'count', target: 3 };
    expect(indicatorProgress(ind, 1n).progress).toBe(33.3);
    expect(indicatorProgress(ind, 7n)).toMatchObject({ progress: 100, achieved: true });
    const money: Indicator = { key: 'm', label: 'm', event: 'FundsDisbursed', aggregate: 'sum', field: 'amount', target: 9007199254740992 };
    expect(indicatorProgress(money, 9007199254740991n).achieved).toBe(false);
    expect(indicatorProgress(money, 9007199254740992n).achieved).toBe(true);
  });

  it('rolls up per pillar and objective: counts by status and mean progress', () => {
    const log = trainings(5);
    log.report('StudyCompleted', { agencyId: 'example-ministry', measureCode: 'A.2.1', reportId: 's' }, '2030-03-01', { title: 's' });
    const { state } = foldProjection(indicatorsProjection, log.events);
    const evaluations = new Map(
      plan.pillars.flatMap((p) => p.objectives.flatMap((o) => o.measures)).map((m) => [m.code, evaluateMeasure(m, new MeasureFigures(state, plan.id, m.code), '2030-05-01')]),
    );
    const [a, b] = rollUp(plan as Plan, evaluations);
    expect(a).toMatchObject({
      code: 'A',
      measures: 3,
      byStatus: { NOT_STARTED: 1, IN_PROGRESS: 1, ACHIEVED: 1, OVERDUE: 0 },
      meanProgress: 75,
      measuresWithProgress: 2,
    });
    expect(a.objectives.map((o) => [o.code, o.measures, o.meanProgress])).toEqual([
      ['A.1', 2, 50],
      ['A.2', 1, 100],
    ]);
    expect(b).toMatchObject({ code: 'B', measures: 1, byStatus: { NOT_STARTED: 1 }, meanProgress: 0 });
  });
});
