import type { Indicator } from '@app/plan';
import { foldProjection } from '../fold.js';
import { activityProjection } from '../activity/activity.projection.js';
import { TestLog } from '../test-support.js';
import { MeasureFigures } from './indicators.query.js';
import { reportingYearOfMonth } from '../common/periods.js';
import { type PeriodReport, survivingReports } from './periods.model.js';

const STATS = 'InvestigationStatisticsReported';
const supersede: Indicator = { key: 'inv', label: 'inv', event: STATS, aggregate: 'sum', field: 'investigationsOpened', overlappingPeriods: 'supersede' };
const summed: Indicator = { key: 'all', label: 'all', event: STATS, aggregate: 'sum', field: 'investigationsOpened' };
const reports: Indicator = { ...supersede, aggregate: 'count', field: undefined };

function stats(log: TestLog, agencyId: string, reportId: string, periodStart: string, periodEnd: string, investigationsOpened: number, on = periodEnd) {
  return log.report(STATS, { agencyId, measureCode: 'A.1.1', reportId }, on, { periodStart, periodEnd, investigationsOpened });
}
const figures = (log: TestLog) => new MeasureFigures(foldProjection(activityProjection, log.events).state, 'demo-2030', 'A.1.1');

describe('period statistics: overlapping periods of one agency never both count', () => {
  it('the later recorded report supersedes the earlier ones it overlaps, per agency', () => {
    const log = new TestLog();
    stats(log, 'police', 'h1', '2030-01-01', '2030-06-30', 100);
    // The first quarter of the same half, reported later: it replaces the half-year figure.
    stats(log, 'police', 'q1', '2030-01-01', '2030-03-31', 40);
    // Another agency's overlapping period counts on its own.
    stats(log, 'prosecutors', 'p1', '2030-01-01', '2030-06-30', 7);
    // A later, non-overlapping quarter adds.
    stats(log, 'police', 'q3', '2030-07-01', '2030-09-30', 30);
    const f = figures(log);
    expect(f.value(summed)).toBe(177n);
    expect(f.value(supersede)).toBe(77n);
    expect(f.value(reports)).toBe(3n);
    expect(f.byAgency(supersede).map((b) => [b.key, b.value])).toEqual([
      ['police', 70n],
      ['prosecutors', 7n],
    ]);
    expect(f.byPeriod(supersede, 'QUARTER').map((b) => [b.key, b.value])).toEqual([
      ['2030-Q1', 40n],
      ['2030-Q2', 7n],
      ['2030-Q3', 30n],
    ]);
  });

  it('a period touching another on one day overlaps; a correction keeps the report’s place in the order; a retraction brings the earlier back', () => {
    const log = new TestLog();
    const h1 = stats(log, 'police', 'h1', '2030-01-01', '2030-06-30', 100);
    const q2 = stats(log, 'police', 'q2', '2030-06-30', '2030-09-30', 10);
    expect(figures(log).value(supersede)).toBe(10n);
    // Correcting the earlier report does not make it the later one.
    log.correct(h1, '2030-06-30', { periodStart: '2030-01-01', periodEnd: '2030-06-30', investigationsOpened: 90 });
    expect(figures(log).value(supersede)).toBe(10n);
    // Corrected to a period that no longer overlaps: both count.
    log.correct(h1, '2030-06-30', { periodStart: '2030-01-01', periodEnd: '2030-06-29', investigationsOpened: 90 });
    expect(figures(log).value(supersede)).toBe(100n);
    log.retract(q2);
    expect(figures(log).value(supersede)).toBe(90n);
  });
});

describe('periods that are not calendar periods', () => {
  it('names reporting years starting on the first of a month as ISO intervals', () => {
    expect(reportingYearOfMonth('2023-03', 4)).toBe('2022-04-01/2023-03-31');
    expect(reportingYearOfMonth('2023-04', 4)).toBe('2023-04-01/2024-03-31');
    expect(reportingYearOfMonth('2024-02', 3)).toBe('2023-03-01/2024-02-29');
    expect(reportingYearOfMonth('2023-12', 10)).toBe('2023-10-01/2024-09-30');
    expect(reportingYearOfMonth('2023-12', 1)).toBe('2023');
  });

  it('sums over reporting years and over any list of month ranges, overlapping ones included', () => {
    const log = new TestLog();
    const training = (id: string, on: string, participants: number) =>
      log.report('TrainingDelivered', { agencyId: 'police', measureCode: 'A.1.1', reportId: id }, on, { title: 't', participants, days: 1 });
    training('a', '2030-03-31', 10);
    training('b', '2030-04-01', 20);
    training('c', '2031-02-10', 40);
    const f = figures(log);
    const participants: Indicator = { key: 'p', label: 'p', event: 'TrainingDelivered', aggregate: 'sum', field: 'participants' };
    expect(f.byReportingYear(participants, 4).map((b) => [b.key, b.value])).toEqual([
      ['2029-04-01/2030-03-31', 10n],
      ['2030-04-01/2031-03-31', 60n],
    ]);
    expect(
      f.byRanges(participants, [
        { key: 'H1', from: '2030-01', to: '2030-06' },
        { key: 'Q2', from: '2030-04', to: '2030-06' },
        { key: 'none', from: '2030-07', to: '2030-12' },
      ]).map((b) => [b.key, b.value]),
    ).toEqual([
      ['H1', 30n],
      ['Q2', 20n],
      ['none', 0n],
    ]);
  });

  it('recording order is the position as a number: 10 comes after 9, 100 after 99', () => {
    const report = (seq: string, ps: string, pe: string): PeriodReport => ({ t: STATS, a: 'police', mo: '2030-06', ps, pe, seq, f: { investigationsOpened: Number(seq) } });
    const kept = survivingReports([report('10', '2030-01-01', '2030-03-31'), report('9', '2030-01-01', '2030-06-30'), report('100', '2030-07-01', '2030-09-30'), report('99', '2030-08-01', '2030-08-31')]);
    expect(kept.map((r) => r.seq)).toEqual(['10', '100']);
  });
});
