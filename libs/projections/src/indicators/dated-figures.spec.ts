import type { Indicator, Measure } from '@app/plan';
import type { RecordedEvent } from '@app/event-store';
import { DomainError } from '@app/domain';
import { foldProjection } from '../fold.js';
import { ChangeSet, KeyedState, type StateView } from '../keyed-state.js';
import { activityProjection } from '../activity/activity.projection.js';
import { REPORTS } from '../activity/report-register.js';
import { measureKey } from '../common/report-input.js';
import { reportStreamName } from '@app/domain';
import { evaluateMeasure } from '../status/measure-status.js';
import { DEMO_PLAN_FILE, TestLog, loadTestPlan } from '../test-support.js';
import { LEFT_MONTH, MONTH_REPORTS, TRACKED, indicatorsOnReport, monthGroup } from './indicators.model.js';
import { MeasureFigures } from './indicators.query.js';
import { figuresAsOf, lastDayOfMonth } from './dated-figures.js';
import { measureFiguresAsOf } from '../figures-cache.js';

const plan = loadTestPlan(DEMO_PLAN_FILE);
const measures = plan.pillars.flatMap((p) => p.objectives.flatMap((o) => o.measures));
const measure = (code: string): Measure => measures.find((m) => m.code === code)!;
const a11 = measure('A.1.1');
const police = (reportId: string) => ({ agencyId: 'river-city-police', measureCode: 'A.1.1', reportId });
const training = (participants: number) => ({ title: 't', participants, days: 1 });

const stateOf = (log: TestLog) => foldProjection(activityProjection, log.events).state;
const datedOf = (view: StateView, code: string, asOf: string, exactDays = true) =>
  figuresAsOf(view, 'demo-2030', code, asOf, new MeasureFigures(view, 'demo-2030', code), exactDays);
const values = (figures: MeasureFigures, code: string) => measure(code).indicators.map((i) => figures.value(i));

/**
 * The reference: every counted report of the register dated on or before asOf, one by one through
 * the indicators model's contribution rule (as the implementation report used to build its figures):
 * no month split, no index, no cache.
 */
function reference(view: StateView, code: string, asOf: string): MeasureFigures {
  const state = new KeyedState();
  for (const type of view.groups(TRACKED)) for (const field of view.group(TRACKED, type).keys()) state.put(TRACKED.name, type, field, 1);
  const mk = measureKey('demo-2030', code);
  for (const [stream, report] of view.group(REPORTS, '')) {
    if (report[0] !== mk || report[3] > asOf) continue;
    const cs = new ChangeSet(state);
    indicatorsOnReport(cs, state, { stream, agencyId: report[2], before: undefined, after: report });
    for (const change of cs.changes) state.apply(change);
  }
  return new MeasureFigures(state, 'demo-2030', code);
}

/** Reports of every kind on days all over 2030–2031, corrected (often to another month) and retracted. */
function history(reports: number, seed: number): TestLog {
  let x = seed;
  const random = () => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)];
  const day = () => `203${pick(['0', '1'])}-${String(1 + Math.floor(random() * 12)).padStart(2, '0')}-${String(1 + Math.floor(random() * 28)).padStart(2, '0')}`;
  const agencies = ['example-ministry', 'river-city-police', 'helping-hands'];
  const log = new TestLog();
  log.adopt(plan);
  const written: RecordedEvent[] = [];
  for (let i = 0; i < reports; i++) {
    const ref = { agencyId: pick(agencies), reportId: `r${i}` };
    const kind = pick(['training', 'meeting', 'study', 'capacity', 'funds'] as const);
    const on = day();
    written.push(
      kind === 'training'
        ? log.report('TrainingDelivered', { ...ref, measureCode: 'A.1.1' }, on, training(Math.floor(random() * 50)))
        : kind === 'meeting'
          ? log.report('MeetingHeld', { ...ref, measureCode: 'A.1.2' }, on, { title: 'm', meetingKind: pick(['WORKING_GROUP', 'ROUND_TABLE', 'OTHER']) })
          : kind === 'study'
            ? log.report('StudyCompleted', { ...ref, measureCode: 'A.2.1' }, on, { title: 's' })
            : kind === 'capacity'
              ? log.report('CapacityCreated', { ...ref, measureCode: 'B.1.1' }, on, { facilityKind: 'h', location: pick(['A', 'B']), facilities: 1, places: Math.floor(random() * 5) })
              : log.report('FundsDisbursed', { ...ref, measureCode: 'B.1.1' }, on, { amount: String(Math.floor(random() * 1e9)), source: pick(['national', 'eu']), purpose: 'p' }),
    );
    const roll = random();
    if (roll < 0.1) log.retract(pick(written));
    else if (roll < 0.3) {
      const original = pick(written);
      log.correct(original, day(), (original.data as { details: never }).details);
    }
  }
  return log;
}

describe('figures as of a day: only the reports dated on or before it', () => {
  it('counts reports before and on asOf, not after; a mid-month asOf splits its month by day', () => {
    const log = new TestLog();
    log.report('TrainingDelivered', police('may'), '2030-05-20', training(10));
    log.report('TrainingDelivered', police('jun-10'), '2030-06-10', training(20));
    log.report('TrainingDelivered', police('jun-15'), '2030-06-15', training(40));
    log.report('TrainingDelivered', police('jun-20'), '2030-06-20', training(80));
    log.report('TrainingDelivered', police('jul'), '2030-07-01', training(160));
    const view = stateOf(log);
    expect(values(datedOf(view, 'A.1.1', '2030-05-19'), 'A.1.1')).toEqual([0n, 0n]);
    expect(values(datedOf(view, 'A.1.1', '2030-06-14'), 'A.1.1')).toEqual([2n, 30n]);
    // The day itself counts; a report five days later in the same month does not.
    expect(values(datedOf(view, 'A.1.1', '2030-06-15'), 'A.1.1')).toEqual([3n, 70n]);
    expect(values(datedOf(view, 'A.1.1', '2030-06-30'), 'A.1.1')).toEqual([4n, 150n]);
    expect(datedOf(view, 'A.1.1', '2030-06-30').reports).toBe(4);
    expect(values(datedOf(view, 'A.1.1', '2030-07-01'), 'A.1.1')).toEqual([5n, 310n]);
    // Breakdowns follow: no month after asOf, asOf's month only to the day.
    expect(datedOf(view, 'A.1.1', '2030-06-15').byPeriod(a11.indicators[1], 'MONTH').map((b) => [b.key, b.value])).toEqual([
      ['2030-05', 10n],
      ['2030-06', 60n],
    ]);
    // The status follows the figures: 3 of 10 trainings by 15 June.
    expect(evaluateMeasure(a11, datedOf(view, 'A.1.1', '2030-06-15'), '2030-06-15')).toMatchObject({ status: 'IN_PROGRESS', progress: 30, reports: 3 });
    expect(evaluateMeasure(a11, datedOf(view, 'A.1.1', '2030-05-01'), '2030-05-01')).toMatchObject({ status: 'NOT_STARTED', reason: 'NO_REPORT', reports: 0 });
  });

  it('with no report dated after asOf, the figures are the current ones (the cached path)', () => {
    const log = new TestLog();
    log.report('TrainingDelivered', police('a'), '2030-06-10', training(20));
    const view = stateOf(log);
    const current = new MeasureFigures(view, 'demo-2030', 'A.1.1');
    expect(figuresAsOf(view, 'demo-2030', 'A.1.1', '2030-06-10', current)).toBe(current);
    expect(figuresAsOf(view, 'demo-2030', 'A.1.1', '2031-01-01', current)).toBe(current);
    expect(figuresAsOf(view, 'demo-2030', 'A.1.1', '2030-06-09', current)).not.toBe(current);
  });

  it('a correction that moves a report across asOf moves it in or out; a retraction takes it out', () => {
    const log = new TestLog();
    const early = log.report('TrainingDelivered', police('early'), '2030-06-10', training(20));
    const late = log.report('TrainingDelivered', police('late'), '2030-07-05', training(40));
    const gone = log.report('TrainingDelivered', police('gone'), '2030-06-01', training(1));
    expect(values(datedOf(stateOf(log), 'A.1.1', '2030-06-15'), 'A.1.1')).toEqual([2n, 21n]);
    // Within the month, past asOf: out. From the next month to before asOf: in, with its new figures.
    log.correct(early, '2030-06-20', training(20));
    log.correct(late, '2030-06-05', training(45));
    log.retract(gone);
    const view = stateOf(log);
    expect(values(datedOf(view, 'A.1.1', '2030-06-15'), 'A.1.1')).toEqual([1n, 45n]);
    expect(values(datedOf(view, 'A.1.1', '2030-06-20'), 'A.1.1')).toEqual([2n, 65n]);
    expect(values(datedOf(view, 'A.1.1', '2030-06-04'), 'A.1.1')).toEqual([0n, 0n]);
  });

  it('the month index keeps a tombstone for a report that left a month, and the figures skip it', () => {
    const log = new TestLog();
    const month = (view: StateView, mo: string) => Object.fromEntries(view.group(MONTH_REPORTS, monthGroup(measureKey('demo-2030', 'A.1.1'), mo)));
    const stream = (reportId: string) => reportStreamName('river-city-police', reportId);
    log.report('TrainingDelivered', police('stays'), '2030-06-03', training(1));
    const moved = log.report('TrainingDelivered', police('moved'), '2030-06-08', training(2));
    const gone = log.report('TrainingDelivered', police('gone'), '2030-06-12', training(4));
    log.report('TrainingDelivered', police('late'), '2030-06-25', training(8));
    log.correct(moved, '2030-08-02', training(2));
    log.retract(gone);
    let view = stateOf(log);
    expect(month(view, '2030-06')).toEqual({ [stream('stays')]: '2030-06-03', [stream('moved')]: LEFT_MONTH, [stream('gone')]: LEFT_MONTH, [stream('late')]: '2030-06-25' });
    expect(month(view, '2030-08')).toEqual({ [stream('moved')]: '2030-08-02' });
    // Two tombstones and two reports in June: the counted reports (not the entries) choose the side to count from.
    for (const asOf of ['2030-06-02', '2030-06-03', '2030-06-10', '2030-06-24', '2030-06-25', '2030-07-31', '2030-08-01', '2030-08-02']) {
      expect([asOf, ...values(datedOf(view, 'A.1.1', asOf), 'A.1.1')]).toEqual([asOf, ...values(reference(view, 'A.1.1', asOf), 'A.1.1')]);
    }
    expect(values(datedOf(view, 'A.1.1', '2030-06-10'), 'A.1.1')).toEqual([1n, 1n]);
    // A correction back into June replaces the tombstone; the August entry becomes one.
    log.correct(moved, '2030-06-20', training(16));
    view = stateOf(log);
    expect(month(view, '2030-06')[stream('moved')]).toBe('2030-06-20');
    expect(month(view, '2030-08')).toEqual({ [stream('moved')]: LEFT_MONTH });
    expect(values(datedOf(view, 'A.1.1', '2030-06-20'), 'A.1.1')).toEqual([2n, 17n]);
    expect(values(datedOf(view, 'A.1.1', '2030-06-19'), 'A.1.1')).toEqual([1n, 1n]);
    for (const asOf of ['2030-06-19', '2030-06-20', '2030-06-24', '2030-08-01', '2030-08-15']) {
      expect([asOf, ...values(datedOf(view, 'A.1.1', asOf), 'A.1.1')]).toEqual([asOf, ...values(reference(view, 'A.1.1', asOf), 'A.1.1')]);
    }
  });

  it('a distinct count and a milestone count only the values and reports dated by asOf', () => {
    const log = new TestLog();
    // The plan tells the model which fields to keep values of (distinct counts).
    log.adopt(plan);
    const meeting = (id: string, on: string, meetingKind: string) =>
      log.report('MeetingHeld', { agencyId: 'example-ministry', measureCode: 'A.1.2', reportId: id }, on, { title: 'm', meetingKind });
    meeting('m1', '2030-03-03', 'WORKING_GROUP');
    meeting('m2', '2030-03-20', 'ROUND_TABLE');
    meeting('m3', '2030-03-21', 'WORKING_GROUP');
    log.report('StudyCompleted', { agencyId: 'example-ministry', measureCode: 'A.2.1', reportId: 's' }, '2030-03-25', { title: 's' });
    const view = stateOf(log);
    const kinds = measure('A.1.2').indicators.find((i) => i.aggregate === 'distinct')!;
    expect(datedOf(view, 'A.1.2', '2030-03-19').value(kinds)).toBe(1n);
    expect(datedOf(view, 'A.1.2', '2030-03-20').value(kinds)).toBe(2n);
    expect(evaluateMeasure(measure('A.2.1'), datedOf(view, 'A.2.1', '2030-03-24'), '2030-03-24')).toMatchObject({ status: 'NOT_STARTED', progress: 0 });
    expect(evaluateMeasure(measure('A.2.1'), datedOf(view, 'A.2.1', '2030-03-25'), '2030-03-25')).toMatchObject({ status: 'ACHIEVED', reason: 'TARGET_MET' });
  });

  it('statistics that cover a period: a later-recorded one dated after asOf does not yet replace an earlier one', () => {
    const STATS = 'InvestigationStatisticsReported';
    const supersede: Indicator = { key: 'inv', label: 'inv', event: STATS, aggregate: 'sum', field: 'investigationsOpened', overlappingPeriods: 'supersede' };
    const log = new TestLog();
    const stats = (id: string, ps: string, pe: string, n: number, on: string) =>
      log.report(STATS, police(id), on, { periodStart: ps, periodEnd: pe, investigationsOpened: n });
    stats('h1', '2030-01-01', '2030-06-30', 100, '2030-07-05');
    stats('q1', '2030-01-01', '2030-03-31', 40, '2030-07-20');
    const view = stateOf(log);
    expect(datedOf(view, 'A.1.1', '2030-07-10').value(supersede)).toBe(100n);
    expect(datedOf(view, 'A.1.1', '2030-07-20').value(supersede)).toBe(40n);
    expect(datedOf(view, 'A.1.1', '2030-07-04').value(supersede)).toBe(0n);
  });

  it('equals the report-by-report reference on a mixed history, for first, middle and last days of months', () => {
    for (const seed of [3, 11]) {
      const view = stateOf(history(1_500, seed));
      for (const asOf of ['2030-01-01', '2030-02-14', '2030-06-30', '2030-09-15', '2031-03-01', '2031-07-17', '2031-12-31', '2032-01-01']) {
        for (const m of measures) {
          const dated = datedOf(view, m.code, asOf);
          const expected = reference(view, m.code, asOf);
          expect([asOf, m.code, dated.reports, ...values(dated, m.code)]).toEqual([asOf, m.code, expected.reports, ...values(expected, m.code)]);
        }
      }
    }
  });

  describe('without per-report data (a point-in-time view)', () => {
    const log = new TestLog();
    log.report('TrainingDelivered', police('a'), '2030-05-10', training(10));
    log.report('TrainingDelivered', police('b'), '2030-06-10', training(20));
    log.report('TrainingDelivered', police('c'), '2030-06-20', training(40));
    const view = stateOf(log);

    it('whole months are exact: asOf the last day of a month, or a day of a month without reports', () => {
      expect(values(datedOf(view, 'A.1.1', '2030-06-30', false), 'A.1.1')).toEqual([3n, 70n]);
      expect(values(datedOf(view, 'A.1.1', '2030-05-31', false), 'A.1.1')).toEqual([1n, 10n]);
      expect(values(datedOf(view, 'A.1.1', '2030-04-15', false), 'A.1.1')).toEqual([0n, 0n]);
      expect(values(datedOf(view, 'A.1.1', '2030-07-15', false), 'A.1.1')).toEqual([3n, 70n]);
      expect(lastDayOfMonth('2032-02')).toBe('2032-02-29');
    });

    it('a day inside a month with reports is refused naming asOf, not guessed', () => {
      let error: unknown;
      try {
        datedOf(view, 'A.1.1', '2030-06-15', false);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(DomainError);
      expect((error as DomainError).extra).toMatchObject({ field: 'asOf' });
      expect((error as DomainError).extra.reason).toContain('2030-06-30');
    });
  });

  it('is remembered per date while the measure’s reports are unchanged, and recomputed when one arrives', () => {
    const log = new TestLog();
    log.report('TrainingDelivered', police('a'), '2030-06-10', training(20));
    log.report('TrainingDelivered', police('b'), '2030-06-20', training(40));
    const folded = foldProjection(activityProjection, log.events);
    const first = measureFiguresAsOf(folded.state, 'demo-2030', 'A.1.1', '2030-06-15');
    expect(measureFiguresAsOf(folded.state, 'demo-2030', 'A.1.1', '2030-06-15')).toBe(first);
    expect(first.reports).toBe(1);
    log.report('TrainingDelivered', police('c'), '2030-06-12', training(1));
    const after = foldProjection(activityProjection, log.events.slice(-1), folded);
    const second = measureFiguresAsOf(after.state, 'demo-2030', 'A.1.1', '2030-06-15');
    expect(second).not.toBe(first);
    expect(second.reports).toBe(2);
  });
});
