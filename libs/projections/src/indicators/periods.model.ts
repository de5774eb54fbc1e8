import { eventTypeSpec } from '@app/domain';
import { isPeriodic } from '@app/plan';
import { type ChangeSet, table } from '../keyed-state.js';
import { monthOf } from '../common/periods.js';
import { sumFieldsOf } from '../common/report-input.js';
import type { ReportDelta } from '../activity/report-register.js';

/**
 * Reports that each cover a period (event types with periodStart and periodEnd, e.g.
 * InvestigationStatisticsReported), kept one by one (part of the activity projection): the
 * buckets sum every report, but two reports of one agency for overlapping periods (the first half
 * of 2023, then its first quarter) must never both count. An indicator with
 * `overlappingPeriods: supersede` is computed from these instead (indicators.query.ts): per agency,
 * in recording order, each report replaces the earlier ones whose period overlaps it.
 *
 * Few: one entry per periodic report (a statistics return per agency and quarter or so).
 */
export type PeriodReport = {
  /** Event type, agency, month of occurredOn (as buckets have them). */
  readonly t: string;
  readonly a: string;
  readonly mo: string;
  /** The period covered, YYYY-MM-DD. */
  readonly ps: string;
  readonly pe: string;
  /** Global position of the report's first event: its recording order (a correction keeps it). */
  readonly seq: string;
  /** The count fields of the report. */
  readonly f: { readonly [field: string]: number };
};

/** Periodic reports, grouped by measure key, keyed by report stream. */
export const PERIOD_REPORTS = table<PeriodReport>('period');

export const PERIOD_FIELDS = ['periodStart', 'periodEnd'] as const;

const periodic = new Map<string, boolean>();

/** Whether the type's reports each cover a period. */
export function isPeriodicType(type: string): boolean {
  let known = periodic.get(type);
  if (known === undefined) {
    const spec = eventTypeSpec(type);
    known = spec !== undefined && isPeriodic(spec);
    periodic.set(type, known);
  }
  return known;
}

/** A report's contribution changed: replace (or remove) its period entry. */
export function periodsOnReport(cs: ChangeSet, delta: ReportDelta, position: bigint): void {
  const counted = delta.after ?? delta.before;
  if (!counted || !isPeriodicType(counted[1])) return;
  const [mk, type, agency] = counted;
  if (!delta.after) {
    cs.delete(PERIOD_REPORTS, mk, delta.stream);
    return;
  }
  const figures = delta.after[4];
  const ps = figures.periodStart;
  const pe = figures.periodEnd;
  if (typeof ps !== 'string' || typeof pe !== 'string') {
    cs.delete(PERIOD_REPORTS, mk, delta.stream);
    return;
  }
  const f: Record<string, number> = {};
  for (const field of sumFieldsOf(type)) {
    const value = figures[field.name];
    if (field.kind === 'count' && typeof value === 'number') f[field.name] = value;
  }
  const before = cs.get(PERIOD_REPORTS, mk, delta.stream);
  cs.set(PERIOD_REPORTS, mk, delta.stream, { t: type, a: agency, mo: monthOf(delta.after[3]), ps, pe, seq: before?.seq ?? position.toString(), f });
}

/**
 * The reports that count under "the later supersedes": per agency, in recording order, each
 * report removes the earlier survivors whose period overlaps its own (inclusive dates).
 */
export function survivingReports(reports: readonly PeriodReport[]): PeriodReport[] {
  // seq is a position written in decimal without leading zeros: the shorter is the smaller, and
  // equal lengths compare as text (no BigInt per comparison: a figure as of a new date sorts them all).
  const ordered = [...reports].sort((x, y) => x.seq.length - y.seq.length || (x.seq < y.seq ? -1 : x.seq > y.seq ? 1 : 0));
  const byAgency = new Map<string, PeriodReport[]>();
  for (const report of ordered) {
    const kept = (byAgency.get(report.a) ?? []).filter((earlier) => !(earlier.ps <= report.pe && report.ps <= earlier.pe));
    kept.push(report);
    byAgency.set(report.a, kept);
  }
  return [...byAgency.values()].flat();
}
