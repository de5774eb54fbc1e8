import type { Indicator, Measure, Plan } from '@app/plan';
import { foldProjection } from '../fold.js';
import { MeasureFigures } from '../indicators/indicators.query.js';
import { activityProjection as indicatorsProjection } from '../activity/activity.projection.js';
import { DEMO_PLAN_FILE, TestLog, loadTestPlan } from '../test-support.js';
import { evaluateMeasure, indicatorProgress, planRollUp, rollUp } from './measure-status.js';
import { type AssessmentEntry, assessmentsOf, assessmentsProjection, latestAssessment } from '../assessments/assessments.projection.js';
import type { ImplementationLevel } from '@app/domain';

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
    expect(evaluateMeasure(a11, figures(new TestLog(), 'A.1.1'), '2032-01-01')).toMatchObject({ status: 'OVERDUE', reason: 'DEADLINE_PASSED' });
    expect(evaluateMeasure(a11, figures(new TestLog(), 'A.1.1'), '2030-05-01').reason).toBe('NO_REPORT');
    expect(evaluateMeasure(a11, figures(trainings(3), 'A.1.1'), '2030-05-01').reason).toBe('TARGET_NOT_MET');
    expect(evaluateMeasure(a11, figures(trainings(10), 'A.1.1'), '2030-05-01').reason).toBe('TARGET_MET');
    // The deadline day itself is not overdue.
    expect(evaluateMeasure(a11, figures(trainings(3), 'A.1.1'), '2031-12-31').status).toBe('IN_PROGRESS');
  });

  it('a measure with neither target nor milestone is never ACHIEVED', () => {
    const log = new TestLog();
    log.report('CampaignConducted', { agencyId: 'example-ministry', measureCode: 'A.1.2', reportId: 'c' }, '2030-03-01', { title: 'c', scope: 'LOCAL' });
    const a12 = measure('A.1.2');
    expect(evaluateMeasure(a12, figures(log, 'A.1.2'), '2030-05-01')).toMatchObject({ status: 'IN_PROGRESS', progress: undefined });
    // The calendar alone does not make it OVERDUE: there is no finish line to be late for.
    expect(evaluateMeasure(a12, figures(log, 'A.1.2'), '2030-07-01')).toMatchObject({ status: 'AWAITING_ASSESSMENT', reason: 'NO_FINISH_LINE' });
    expect(evaluateMeasure(a12, figures(new TestLog(), 'A.1.2'), '2030-07-01')).toMatchObject({ status: 'AWAITING_ASSESSMENT', reason: 'NO_FINISH_LINE' });
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
      byStatus: { NOT_STARTED: 1, IN_PROGRESS: 1, ACHIEVED: 1, OVERDUE: 0, AWAITING_ASSESSMENT: 0, WITHDRAWN: 0 },
      byReason: { NO_REPORT: 1, TARGET_NOT_MET: 1, TARGET_MET: 1 },
      meanProgress: 75,
      measuresWithProgress: 2,
      progressMeasureCodes: ['A.1.1', 'A.2.1'],
    });
    // A.1.2 has no finish line: the mean is over the three others, and says so.
    expect(planRollUp(plan as Plan, evaluations)).toMatchObject({ measures: 4, measuresWithProgress: 3, progressMeasureCodes: ['A.1.1', 'A.2.1', 'B.1.1'] });
    expect(a.objectives.map((o) => [o.code, o.measures, o.meanProgress])).toEqual([
      ['A.1', 2, 50],
      ['A.2', 1, 100],
    ]);
    expect(b).toMatchObject({ code: 'B', measures: 1, byStatus: { NOT_STARTED: 1 }, meanProgress: 0 });
  });

  it('leaves a withdrawn measure out of the mean progress, and still counts it by status', () => {
    const log = trainings(5);
    const { state } = foldProjection(indicatorsProjection, log.events);
    const evaluations = new Map(
      plan.pillars.flatMap((p) => p.objectives.flatMap((o) => o.measures)).map((m) => [m.code, evaluateMeasure(m, new MeasureFigures(state, plan.id, m.code), '2030-05-01')]),
    );
    const before = planRollUp(plan as Plan, evaluations);
    expect(before).toMatchObject({ measuresWithProgress: 3, progressMeasureCodes: ['A.1.1', 'A.2.1', 'B.1.1'] });
    // B.1.1 (0 %) withdrawn by the coordinator: the mean is over A.1.1 and A.2.1 alone.
    const withdrawn = new Map(evaluations);
    withdrawn.set('B.1.1', { ...evaluations.get('B.1.1')!, status: 'WITHDRAWN', reason: 'ASSESSED_WITHDRAWN' });
    const after = planRollUp(plan as Plan, withdrawn);
    expect(after).toMatchObject({ measures: 4, measuresWithProgress: 2, progressMeasureCodes: ['A.1.1', 'A.2.1'], byStatus: { WITHDRAWN: 1 } });
    expect(after.meanProgress).toBe(Math.round(((evaluations.get('A.1.1')!.progress! + evaluations.get('A.2.1')!.progress!) / 2) * 10) / 10);
    expect(after.meanProgress).not.toBe(before.meanProgress);
  });

  describe('with assessments', () => {
    const entry = (level: ImplementationLevel, asOf: string): AssessmentEntry => ({
      assessmentId: `${level}-${asOf}`,
      level,
      asOf,
      narrative: 'n',
      evidence: [],
      indicatorComments: [],
      corrections: 0,
      recordedAt: '2030-01-01T00:00:00Z',
      recordedBy: 'k',
      updatedAt: '2030-01-01T00:00:00Z',
      position: '1',
      stream: 's',
    });
    const period = { from: '2030-01-01', to: '2031-12-31' };
    const a12 = measure('A.1.2');
    const a11 = measure('A.1.1');
    const none = (code: string) => figures(new TestLog(), code);

    it.each([
      // [measure, level, assessment asOf, status asOf, status, reason]
      ['A.1.2', 'COMPLETE', '2030-06-30', '2030-07-01', 'ACHIEVED', 'ASSESSED_COMPLETE'],
      ['A.1.2', 'WITHDRAWN', '2030-03-01', '2030-07-01', 'WITHDRAWN', 'ASSESSED_WITHDRAWN'],
      ['A.1.2', 'SUBSTANTIAL', '2030-06-30', '2030-07-01', 'OVERDUE', 'ASSESSED_SUBSTANTIAL'],
      ['A.1.2', 'LIMITED', '2030-05-01', '2030-05-02', 'IN_PROGRESS', 'ASSESSED_LIMITED'],
      ['A.1.2', 'NOT_STARTED', '2030-05-01', '2030-05-02', 'NOT_STARTED', 'ASSESSED_NOT_STARTED'],
      // Judged before the deadline: it says nothing of completion after it.
      ['A.1.2', 'LIMITED', '2030-05-01', '2030-07-01', 'AWAITING_ASSESSMENT', 'NO_FINISH_LINE'],
      // Not in force yet on the status date.
      ['A.1.2', 'COMPLETE', '2030-06-30', '2030-06-29', 'NOT_STARTED', 'NO_REPORT'],
      // A finish line with an incomplete judgement after the deadline: the judgement is the reason.
      ['A.1.1', 'LIMITED', '2032-01-05', '2032-02-01', 'OVERDUE', 'ASSESSED_LIMITED'],
      ['A.1.1', 'COMPLETE', '2031-12-31', '2032-02-01', 'ACHIEVED', 'ASSESSED_COMPLETE'],
    ] as const)('%s assessed %s as of %s, on %s: %s (%s)', (code, level, assessedOn, on, status, reason) => {
      const m = code === 'A.1.2' ? a12 : a11;
      expect(evaluateMeasure(m, none(code), on, { period, assessment: entry(level, assessedOn) })).toMatchObject({ status, reason });
    });

    it('a met finish line stays ACHIEVED whatever an older judgement said', () => {
      expect(evaluateMeasure(a11, figures(trainings(10), 'A.1.1'), '2032-02-01', { period, assessment: entry('LIMITED', '2032-01-01') })).toMatchObject({
        status: 'ACHIEVED',
        reason: 'TARGET_MET',
      });
    });

    it('a deadline before the plan starts says so, OVERDUE only when completion can be judged', () => {
      const early = { ...a11, deadline: '2029-12-31' };
      expect(evaluateMeasure(early, none('A.1.1'), '2030-02-01', { period })).toMatchObject({ status: 'OVERDUE', reason: 'DEADLINE_BEFORE_PLAN_START' });
      const earlyNoLine = { ...a12, deadline: '2029-12-31' };
      expect(evaluateMeasure(earlyNoLine, none('A.1.2'), '2030-02-01', { period })).toMatchObject({
        status: 'AWAITING_ASSESSMENT',
        reason: 'DEADLINE_BEFORE_PLAN_START',
      });
      expect(evaluateMeasure(earlyNoLine, none('A.1.2'), '2030-02-01', { period, assessment: entry('SUBSTANTIAL', '2030-01-31') })).toMatchObject({
        status: 'OVERDUE',
        reason: 'ASSESSED_SUBSTANTIAL',
      });
    });

    it('the projection keeps each assessment as corrected; the one in force is the latest as of the date', () => {
      const log = new TestLog();
      const data = (id: string, level: string, asOf: string) => ({ planId: 'demo-2030', measureCode: 'A.1.2', assessmentId: id, level, asOf, narrative: 'because', evidence: ['doc-1'], indicatorComments: [] });
      log.append('assessment-demo-2030_A.1.2', 'MeasureAssessed', data('mid', 'LIMITED', '2030-03-31'), { principalId: 'coord' });
      log.append('assessment-demo-2030_A.1.2', 'MeasureAssessed', data('final', 'SUBSTANTIAL', '2030-06-30'), { principalId: 'coord' });
      log.append('assessment-demo-2030_A.1.2', 'AssessmentCorrected', { ...data('final', 'COMPLETE', '2030-06-30'), correctionId: 'c1', reason: 'late evidence' });
      // A repeated first event and a correction of an unknown assessment change nothing.
      log.append('assessment-demo-2030_A.1.2', 'MeasureAssessed', data('final', 'NOT_STARTED', '2030-06-30'));
      log.append('assessment-demo-2030_A.1.2', 'AssessmentCorrected', { ...data('nope', 'COMPLETE', '2030-06-30'), correctionId: 'c2', reason: 'x' });
      const { state } = foldProjection(assessmentsProjection, log.events);
      const all = assessmentsOf(state, 'demo-2030', 'A.1.2');
      expect(all.map((a) => [a.assessmentId, a.level, a.corrections, a.recordedBy])).toEqual([
        ['mid', 'LIMITED', 0, 'coord'],
        ['final', 'COMPLETE', 1, 'coord'],
      ]);
      expect(latestAssessment(all, '2030-06-29')?.assessmentId).toBe('mid');
      expect(latestAssessment(all, '2030-06-30')?.assessmentId).toBe('final');
      expect(latestAssessment(all, '2030-03-30')).toBeUndefined();
    });
  });
});
