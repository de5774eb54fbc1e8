import type { Indicator } from '@app/plan';
import type { StateView } from '../keyed-state.js';
import { type Granularity, type MonthRange, periodOfMonth, reportingYearOfMonth } from '../common/periods.js';
import { measureKey } from '../common/report-input.js';
import { BUCKETS, type Bucket, DISTINCT, type DistinctValue } from './indicators.model.js';
import { PERIOD_REPORTS, type PeriodReport, survivingReports } from './periods.model.js';

/** Which reports an indicator value covers: all, or those of one agency and/or period. */
export interface FigureFilter {
  readonly agencyId?: string;
  /** A period as {@link periodOfMonth} writes it: YYYY-MM, YYYY-Qn or YYYY. */
  readonly period?: string;
  /** Months from–to (YYYY-MM, inclusive). */
  readonly months?: { readonly from: string; readonly to: string };
}

/** A measure's cells, already taken from a view (see MeasureFigures.limitedTo). */
interface FigureCells {
  readonly buckets: Iterable<Bucket>;
  readonly distinct: Iterable<DistinctValue>;
  readonly periodic: Iterable<PeriodReport>;
}

export interface Breakdown {
  /** The period (YYYY-MM, YYYY-Qn, YYYY) or the agency id. */
  readonly key: string;
  readonly value: bigint;
}

/**
 * One measure's figures as of one moment: the buckets and distinct values of the indicators
 * read model, taken once (entries are immutable, so later events do not change it). Indicator
 * values, breakdowns and report counts are computed from it for any indicator definition —
 * the plan's current one is passed in, never stored with the figures.
 *
 * Cost: O(buckets of the measure) to take, O(cells of one event type) per value.
 */
export class MeasureFigures {
  private readonly buckets = new Map<string, Bucket[]>();
  private readonly distinct = new Map<string, DistinctValue[]>();
  private readonly periodic = new Map<string, PeriodReport[]>();
  /** Reports counted on the measure, any event type. */
  readonly reports: number;
  /** The latest month (YYYY-MM) of occurredOn with a counted report; undefined without reports. */
  readonly lastMonth: string | undefined;

  constructor(view: StateView, planId: string, measureCode: string);
  constructor(cells: FigureCells);
  constructor(source: StateView | FigureCells, planId?: string, measureCode?: string) {
    let cells: FigureCells;
    if ('buckets' in source) cells = source;
    else {
      const mk = measureKey(planId!, measureCode!);
      cells = { buckets: source.group(BUCKETS, mk).values(), distinct: source.group(DISTINCT, mk).values(), periodic: source.group(PERIOD_REPORTS, mk).values() };
    }
    let reports = 0;
    let lastMonth: string | undefined;
    for (const bucket of cells.buckets) {
      reports += bucket.n;
      if (lastMonth === undefined || bucket.mo > lastMonth) lastMonth = bucket.mo;
      push(this.buckets, bucket.t, bucket);
    }
    for (const value of cells.distinct) push(this.distinct, `${value.t}\u001f${value.f}`, value);
    for (const report of cells.periodic) push(this.periodic, report.t, report);
    this.reports = reports;
    this.lastMonth = lastMonth;
  }

  /**
   * These figures narrowed to the months (YYYY-MM of occurredOn) `keep` accepts, with the cells of
   * `extra` added (figures of other months, e.g. one month counted again by day). O(cells).
   */
  limitedTo(keep: (month: string) => boolean, extra?: MeasureFigures): MeasureFigures {
    return new MeasureFigures({
      buckets: kept(this.buckets, keep, extra?.buckets),
      distinct: kept(this.distinct, keep, extra?.distinct),
      periodic: kept(this.periodic, keep, extra?.periodic),
    });
  }

  /** Reports of one event type counted on the measure. */
  reportsOfType(type: string, filter: FigureFilter = {}): number {
    let n = 0;
    for (const bucket of this.buckets.get(type) ?? []) if (matches(bucket, filter)) n += bucket.n;
    return n;
  }

  /** The indicator's value over the reports the filter selects. */
  value(indicator: Indicator, filter: FigureFilter = {}): bigint {
    return this.grouped(indicator, filter, () => '').get('') ?? 0n;
  }

  /** The value per period of occurredOn, for periods with reports, in period order. */
  byPeriod(indicator: Indicator, granularity: Granularity, filter: Omit<FigureFilter, 'period'> = {}): Breakdown[] {
    return sorted(this.grouped(indicator, filter, (cell) => periodOfMonth(cell.mo, granularity)));
  }

  /** The value per reporting year starting on the 1st of `startMonth` (1–12), for years with reports. */
  byReportingYear(indicator: Indicator, startMonth: number, filter: Omit<FigureFilter, 'period'> = {}): Breakdown[] {
    return sorted(this.grouped(indicator, filter, (cell) => reportingYearOfMonth(cell.mo, startMonth)));
  }

  /** The value over each range of whole months, in the order given (0 where nothing was reported). */
  byRanges(indicator: Indicator, ranges: readonly MonthRange[], filter: Omit<FigureFilter, 'period' | 'months'> = {}): Breakdown[] {
    return ranges.map((r) => ({ key: r.key, value: this.value(indicator, { ...filter, months: { from: r.from, to: r.to } }) }));
  }

  /** The value per reporting agency, for agencies with reports, by agency id. */
  byAgency(indicator: Indicator, filter: Omit<FigureFilter, 'agencyId'> = {}): Breakdown[] {
    return sorted(this.grouped(indicator, filter, (cell) => cell.a));
  }

  private grouped(indicator: Indicator, filter: FigureFilter, keyOf: (cell: { a: string; mo: string }) => string): Map<string, bigint> {
    const out = new Map<string, bigint>();
    if (indicator.overlappingPeriods === 'supersede') {
      // Overlapping periods of one agency never both count: the later recorded report supersedes.
      for (const report of survivingReports(this.periodic.get(indicator.event) ?? [])) {
        if (!matches(report, filter)) continue;
        const key = keyOf(report);
        const add = indicator.aggregate === 'sum' ? BigInt(report.f[indicator.field ?? ''] ?? 0) : 1n;
        out.set(key, (out.get(key) ?? 0n) + add);
      }
      return out;
    }
    switch (indicator.aggregate) {
      case 'count':
      case 'milestone': {
        const counts = new Map<string, number>();
        // Narrowed by a condition: the reports whose field had that value (tracked like a distinct count).
        const cells = indicator.where
          ? (this.distinct.get(`${indicator.event}\u001f${indicator.where.field}`) ?? []).filter((cell) => cell.v === String(indicator.where!.equals))
          : (this.buckets.get(indicator.event) ?? []);
        for (const cell of cells) {
          if (!matches(cell, filter)) continue;
          const key = keyOf(cell);
          counts.set(key, (counts.get(key) ?? 0) + cell.n);
        }
        // A milestone is reached (1) once one report of its type counts.
        for (const [key, n] of counts) out.set(key, indicator.aggregate === 'count' ? BigInt(n) : n > 0 ? 1n : 0n);
        return out;
      }
      case 'sum': {
        const field = indicator.field ?? '';
        for (const bucket of this.buckets.get(indicator.event) ?? []) {
          if (!matches(bucket, filter)) continue;
          const key = keyOf(bucket);
          const value = bucket.s[field];
          out.set(key, (out.get(key) ?? 0n) + (value === undefined ? 0n : BigInt(value)));
        }
        return out;
      }
      case 'distinct': {
        const sets = new Map<string, Set<string>>();
        for (const value of this.distinct.get(`${indicator.event}\u001f${indicator.field ?? ''}`) ?? []) {
          if (!matches(value, filter)) continue;
          const key = keyOf(value);
          let set = sets.get(key);
          if (!set) sets.set(key, (set = new Set()));
          set.add(value.v);
        }
        for (const [key, set] of sets) out.set(key, BigInt(set.size));
        return out;
      }
      default: {
        const _: never = indicator.aggregate;
        throw new Error(`Unknown aggregate ${String(_)}`);
      }
    }
  }
}

/** The cells of `own` in the months `keep` accepts, then every cell of `more`. */
function kept<T extends { readonly mo: string }>(own: Map<string, T[]>, keep: (month: string) => boolean, more: Map<string, T[]> | undefined): T[] {
  const out: T[] = [];
  for (const list of own.values()) for (const cell of list) if (keep(cell.mo)) out.push(cell);
  if (more) for (const list of more.values()) for (const cell of list) out.push(cell);
  return out;
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function matches(cell: { readonly a: string; readonly mo: string }, filter: FigureFilter): boolean {
  if (filter.agencyId !== undefined && cell.a !== filter.agencyId) return false;
  if (filter.period !== undefined && !inPeriod(cell.mo, filter.period)) return false;
  if (filter.months !== undefined && (cell.mo < filter.months.from || cell.mo > filter.months.to)) return false;
  return true;
}

/** Whether a month (YYYY-MM) falls in a period written YYYY-MM, YYYY-Qn or YYYY. */
export function inPeriod(month: string, period: string): boolean {
  if (period.length === 4) return month.startsWith(period);
  if (period.length === 7 && period[5] === 'Q') return periodOfMonth(month, 'QUARTER') === period;
  return month === period;
}

function sorted(values: Map<string, bigint>): Breakdown[] {
  return [...values]
    .map(([key, value]) => ({ key, value }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
