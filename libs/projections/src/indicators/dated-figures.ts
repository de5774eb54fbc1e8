import { DomainError } from '@app/domain';
import { ChangeSet, KeyedState, type StateView } from '../keyed-state.js';
import { monthOf } from '../common/periods.js';
import { measureKey } from '../common/report-input.js';
import { REPORTS } from '../activity/report-register.js';
import { BUCKETS, DISTINCT, LEFT_MONTH, MONTH_REPORTS, TRACKED, indicatorsOnReport, monthGroup } from './indicators.model.js';
import { PERIOD_REPORTS } from './periods.model.js';
import { MeasureFigures } from './indicators.query.js';

/**
 * A measure's figures as of a day: only the reports whose occurredOn is on or before `asOf`
 * (docs/status.md, "asOf"). The one rule for every figure evaluated as of a date — GraphQL's
 * status, progress, indicator values and roll-ups with asOf, and the implementation report's
 * status (libs/report) — so the two never count different reports for the same date.
 *
 * Exact to the day without walking every report: the read model keeps figures per month of
 * occurredOn (buckets, distinct values, periodic reports: `mo`), so the months before asOf's
 * month are taken whole, and asOf's own month is counted again from its reports one by one
 * (MONTH_REPORTS finds them; the report register holds what each contributes), with the
 * indicators model's own contribution rule — added to the months before, or, when fewer are dated
 * after asOf, taken back from the whole month. Cost: O(cells of the measure + the smaller part of
 * its reports dated in asOf's month); none for asOf a month's last day. When no report of the measure is dated after asOf, the figures are `current`
 * itself (the cached figures of "now"), so a date at or after the latest report costs nothing.
 *
 * Reports that cover a period (`overlappingPeriods: supersede`) are taken among those dated on or
 * before asOf: a later-recorded statistic dated after asOf does not yet replace an earlier one.
 *
 * The month index keeps tombstones ("", LEFT_MONTH) of reports that left the month: skipped here.
 *
 * `exactDays` false: the view holds no per-report data (a point-in-time view leaves the register
 * and the month index out). Whole months are still exact — asOf the last day of its month, or a
 * month without reports of the measure — and anything else is refused with BAD_USER_INPUT naming
 * `asOf` rather than answered with a guess. Point-in-time queries avoid the refusal by reading the
 * month back first (ProjectionSnapshot.prepareAsOf) and calling this with that view, exactDays true.
 */
export function figuresAsOf(view: StateView, planId: string, measureCode: string, asOf: string, current: MeasureFigures, exactDays = true): MeasureFigures {
  const month = monthOf(asOf);
  if (current.lastMonth === undefined || current.lastMonth < month) return current;
  const mk = measureKey(planId, measureCode);
  const monthEnd = lastDayOfMonth(month);
  let inMonth: ReadonlyMap<string, string> | undefined;
  let wholeMonthIncluded = false;
  if (exactDays) {
    inMonth = view.group(MONTH_REPORTS, monthGroup(mk, month));
    if (current.lastMonth === month && !hasLater(inMonth, asOf)) return current;
  } else {
    wholeMonthIncluded = asOf === monthEnd;
    if (current.lastMonth === month && wholeMonthIncluded) return current;
    const monthHasReports = [...view.group(BUCKETS, mk).values()].some((b) => b.mo === month);
    if (!wholeMonthIncluded && monthHasReports) {
      throw DomainError.badInput(
        'asOf',
        `with "at", must be the last day of a month or a day of a month without reports on ${measureCode}: the ledger replayed to a point keeps figures per month of occurredOn, not the reports of ${month} one by one (leave "at" out, or give ${monthEnd} or ${previousMonthEnd(month)})`,
      );
    }
  }
  if (!inMonth) return current.limitedTo((mo) => (wholeMonthIncluded ? mo <= month : mo < month));
  let later = 0;
  let counted = 0;
  for (const occurredOn of inMonth.values()) {
    // Tombstones (reports that left the month) are "" and so never dated after asOf.
    if (occurredOn !== LEFT_MONTH) counted += 1;
    if (occurredOn > asOf) later += 1;
  }
  // None of the month's reports is dated after asOf (its last day, say): the whole month counts.
  if (later === 0) return current.limitedTo((mo) => mo <= month);
  // Otherwise asOf's month by day, from whichever side has fewer reports: its reports dated by
  // asOf added to the months before, or those dated after it taken back from the whole month
  // (the model's own rule both ways: a retraction takes a contribution back exactly so).
  const subtract = later < counted - later;
  // asOf's month counted again: from nothing (adding) or from the whole month (taking back).
  const state = new KeyedState();
  // The same distinct-count fields as the view tracks, so the month's reports contribute alike.
  for (const type of view.groups(TRACKED)) {
    for (const field of view.group(TRACKED, type).keys()) state.put(TRACKED.name, type, field, 1);
  }
  if (subtract) {
    for (const [key, bucket] of view.group(BUCKETS, mk)) if (bucket.mo === month) state.put(BUCKETS.name, mk, key, bucket);
    for (const [key, value] of view.group(DISTINCT, mk)) if (value.mo === month) state.put(DISTINCT.name, mk, key, value);
    for (const [key, report] of view.group(PERIOD_REPORTS, mk)) if (report.mo === month) state.put(PERIOD_REPORTS.name, mk, key, report);
  }
  for (const [stream, occurredOn] of inMonth) {
    if (occurredOn === LEFT_MONTH || (subtract ? occurredOn <= asOf : occurredOn > asOf)) continue;
    const report = view.get(REPORTS, '', stream);
    if (!report) continue;
    const cs = new ChangeSet(state);
    indicatorsOnReport(cs, state, subtract ? { stream, agencyId: report[2], before: report, after: undefined } : { stream, agencyId: report[2], before: undefined, after: report });
    for (const change of cs.changes) state.apply(change);
    const period = view.get(PERIOD_REPORTS, mk, stream);
    if (period) state.put(PERIOD_REPORTS.name, mk, stream, subtract ? undefined : period);
  }
  return current.limitedTo((mo) => mo < month, new MeasureFigures(state, planId, measureCode));
}

function hasLater(reports: ReadonlyMap<string, string>, asOf: string): boolean {
  for (const occurredOn of reports.values()) if (occurredOn > asOf) return true;
  return false;
}

/** YYYY-MM-DD of the last day of a month (YYYY-MM). */
export function lastDayOfMonth(month: string): string {
  const day = new Date(Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5, 7)), 0)).getUTCDate();
  return `${month}-${String(day).padStart(2, '0')}`;
}

function previousMonthEnd(month: string): string {
  return new Date(Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5, 7)) - 1, 0)).toISOString().slice(0, 10);
}
