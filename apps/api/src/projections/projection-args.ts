import { checkedAsOf } from '../common/query-arguments.js';
import { today } from '@app/projections';
import { STATUS_REASONS, type MeasureStatus as StatusValue, type StatusReason as ReasonValue, type StatusRollUp } from '@app/projections';
import type { ReasonCount, StatusCounts, StatusReason } from './models/measure-progress.model.js';

/** GraphQL argument descriptions shared by the projection queries and fields. */
export const AT_LEAST_POSITION =
  'A global position (bigint as a string, e.g. what a mutation returned): the answer waits until the read models include it (bounded; TIMEOUT when they do not in time).';
export const AS_OF =
  'The date to evaluate on (YYYY-MM-DD): deadlines compared with it, the assessment in force on it, and only the reports whose occurredOn is on or before it (docs/status.md). Default today (UTC), over every report counted so far.';
export const AS_OF_MONEY =
  'The business date to count money to (YYYY-MM-DD): only disbursements whose occurredOn is on or before it; allocations are the plan\'s whatever the date (docs/status.md, "Money as of a date"). Default: every disbursement counted so far.';

/** `asOf` checked, or today (UTC). */
export function asOfDate(asOf: string | null | undefined): string {
  return datedAsOf(asOf) ?? today();
}

/**
 * `asOf` checked (BAD_USER_INPUT naming it; "" too, as any malformed date), or undefined when omitted: ProjectionSnapshot then
 * evaluates as of today over every report counted so far (its cached path).
 */
export function datedAsOf(asOf: string | null | undefined): string | undefined {
  return checkedAsOf(asOf);
}

export function statusCounts(byStatus: Readonly<Record<StatusValue, number>>): StatusCounts {
  return {
    notStarted: byStatus.NOT_STARTED,
    inProgress: byStatus.IN_PROGRESS,
    achieved: byStatus.ACHIEVED,
    overdue: byStatus.OVERDUE,
    awaitingAssessment: byStatus.AWAITING_ASSESSMENT,
    withdrawn: byStatus.WITHDRAWN,
  };
}

/** Counts by reason, in the order of STATUS_REASONS, reasons without a measure left out. */
export function reasonCounts(byReason: Readonly<Partial<Record<ReasonValue, number>>>): ReasonCount[] {
  return STATUS_REASONS.filter((r) => (byReason[r] ?? 0) > 0).map((r) => ({ reason: r as StatusReason, measures: byReason[r]! }));
}

export function rollUpModel(r: StatusRollUp) {
  return {
    code: r.code,
    title: r.title,
    measures: r.measures,
    byStatus: statusCounts(r.byStatus),
    byReason: reasonCounts(r.byReason),
    meanProgress: r.meanProgress,
    measuresWithProgress: r.measuresWithProgress,
    progressMeasureCodes: [...r.progressMeasureCodes],
  };
}
