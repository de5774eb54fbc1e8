import type { BudgetPoint, FundingAllocation, Plan } from '@app/plan';
import type { StateView } from '../keyed-state.js';
import { DomainError } from '@app/domain';
import { measuresOf } from '../common/plan-fold.js';
import { monthOf, yearOf } from '../common/periods.js';
import { measureKey } from '../common/report-input.js';
import { REPORTS } from '../activity/report-register.js';
import { BUCKETS, LEFT_MONTH, MONTH_REPORTS, monthGroup } from '../indicators/indicators.model.js';
import { lastDayOfMonth } from '../indicators/dated-figures.js';
import { DISBURSED, type Disbursed, FUNDS_DISBURSED, UNSPECIFIED_SOURCE } from './funding.model.js';

/**
 * Allocated (the plan) against disbursed (FundsDisbursed) money, in exact integer HUF.
 *
 * - An allocation counts in its year; a recurring one in every year from its year through the
 *   end of the plan period. The same holds for the decision's budget points.
 * - An allocation may state no amount (`amountHuf: unstated` in the plan file: the decree funds the
 *   purpose that year without a figure). It is unknown, never 0: its year's `allocated` sums the
 *   stated amounts only and says `allocationUnstated`.
 * - A measure is over-disbursed in a year only against a stated allocation: the year has
 *   allocations, every one of them states its amount, and more was paid out that year than they
 *   add up to. A year with an unstated allocation, or with no allocation at all, has nothing
 *   stated to exceed (`unallocatedDisbursed` shows money paid in a year without any allocation).
 *   A measure whose funding names sources but no amounts ("from national funds") is never flagged.
 * - A budget point's disbursed money is what was paid, in that year, on the measures that have
 *   an allocation under it applying that year, from that allocation's source (any source when
 *   the allocation names none). A measure with allocations under two points in the same year
 *   counts toward both: the plan does not say how its payments split. A point is
 *   over-disbursed when that exceeds the decision's amount for the year.
 * - `asOf` (a business date, as for statuses: docs/status.md): only the disbursements whose
 *   occurredOn is on or before it count; allocations are the plan's and do not move. A measure is
 *   then over-disbursed only if what had been paid by that day exceeds the year's allocation.
 */

export interface Amounts {
  readonly allocated: bigint;
  readonly disbursed: bigint;
}

export interface SourceFunding extends Amounts {
  /** A funding source id, or "unspecified" for allocations or payments that name none. */
  readonly source: string;
}

export interface MeasureFundingYear extends Amounts {
  readonly year: number;
  /** Whether the plan makes an allocation applying this year (stated or not). */
  readonly hasAllocation: boolean;
  /** Whether an allocation applying this year states no amount: `allocated` is then a lower bound. */
  readonly allocationUnstated: boolean;
  readonly overDisbursed: boolean;
  readonly bySource: readonly SourceFunding[];
}

export interface MeasureFunding extends Amounts {
  readonly planId: string;
  readonly measureCode: string;
  /** The sources the plan names for the measure. */
  readonly sources: readonly string[];
  /** Whether the plan gives the measure amounts (allocations), not just sources. */
  readonly hasAllocations: boolean;
  /** The years with an allocation that states no amount. */
  readonly unstatedYears: readonly number[];
  /** Paid in years the plan allocates the measure nothing, though it allocates amounts in others. */
  readonly unallocatedDisbursed: bigint;
  /** Years with an allocation or a disbursement (only the asked year, when one is asked). */
  readonly years: readonly MeasureFundingYear[];
  readonly overDisbursed: boolean;
  /** Number of disbursements counted. */
  readonly disbursements: number;
}

export interface BudgetPointYear extends Amounts {
  readonly year: number;
  /** What the decision provides for the year. */
  readonly amount: bigint;
  readonly overDisbursed: boolean;
}

export interface BudgetPointFunding {
  readonly id: string;
  readonly description: string;
  readonly measureCodes: readonly string[];
  readonly years: readonly BudgetPointYear[];
  readonly overDisbursed: boolean;
}

export interface FundingSummary extends Amounts {
  readonly planId: string;
  /** The business date disbursements were counted to (occurredOn on or before it); undefined = every one. */
  readonly asOf?: string;
  /** The year asked for; undefined = every year. */
  readonly year?: number;
  readonly bySource: readonly SourceFunding[];
  readonly measures: readonly MeasureFunding[];
  readonly budgetPoints: readonly BudgetPointFunding[];
  /** Codes of the measures over-disbursed in some (selected) year. */
  readonly overDisbursedMeasures: readonly string[];
}

/** The years an allocation or budget point applies to. */
export function yearsOf(item: { readonly year: number; readonly recurring?: boolean }, plan: Plan): number[] {
  if (!item.recurring) return [item.year];
  const end = Number(plan.period.to.slice(0, 4));
  const years: number[] = [];
  for (let y = item.year; y <= Math.max(end, item.year); y++) years.push(y);
  return years;
}

/** Sum of the stated allocations per year and source, and the years with an unstated one. */
function allocatedByYear(allocations: readonly FundingAllocation[], plan: Plan): { stated: Map<number, Map<string, bigint>>; unstated: Set<number> } {
  const byYear = new Map<number, Map<string, bigint>>();
  const unstated = new Set<number>();
  for (const allocation of allocations) {
    const source = allocation.source ?? UNSPECIFIED_SOURCE;
    for (const year of yearsOf(allocation, plan)) {
      let bySource = byYear.get(year);
      if (!bySource) byYear.set(year, (bySource = new Map()));
      if (allocation.amountHuf === undefined) {
        unstated.add(year);
        if (!bySource.has(source)) bySource.set(source, 0n);
      } else {
        bySource.set(source, (bySource.get(source) ?? 0n) + BigInt(allocation.amountHuf));
      }
    }
  }
  return { stated: byYear, unstated };
}

/** One disbursement: its source id, year of occurredOn and amount (HUF). */
export interface Disbursement {
  readonly source: string;
  readonly year: number;
  readonly amount: bigint;
}

export interface FundingOptions {
  readonly year?: number;
  readonly measureCode?: string;
  /** Count only the disbursements dated (occurredOn) on or before this day (YYYY-MM-DD). */
  readonly asOf?: string;
  /**
   * With asOf: the disbursements of a measure dated after asOf within asOf's year (later years are
   * left out whole). Default: {@link disbursementsAfter} on the same view, which needs the view's
   * per-report data (a live view).
   */
  readonly later?: (measureCode: string) => readonly Disbursement[];
}

/**
 * The month index groups (`measureKey␟YYYY-MM`) a measure's disbursements dated after `asOf` in
 * asOf's year are found in: the months of that year from asOf's (unless asOf is its last day) on
 * with a FundsDisbursed report at the view's position. A point-in-time view reads these back
 * (ProjectionSnapshot.prepareFundingAsOf) before {@link disbursementsAfter} can use them.
 */
export function laterDisbursementMonths(view: StateView, planId: string, measureCode: string, asOf: string): string[] {
  const month = monthOf(asOf);
  const first = asOf === lastDayOfMonth(month) ? `${month}\uffff` : month;
  const end = `${asOf.slice(0, 4)}-12`;
  const mk = measureKey(planId, measureCode);
  const months = new Set<string>();
  for (const bucket of view.group(BUCKETS, mk).values()) {
    if (bucket.t === FUNDS_DISBURSED && bucket.mo >= first && bucket.mo <= end) months.add(monthGroup(mk, bucket.mo));
  }
  return [...months].sort();
}

/**
 * A measure's disbursements dated after `asOf` within asOf's year, from the report register and
 * the month index (one entry per report of those months). `monthView(group)` gives a view holding
 * a group's reports exactly (a point-in-time source's read-back); without one, the view itself
 * must hold per-report data (`exactDays`), or the answer would be a guess: BAD_USER_INPUT naming
 * asOf instead.
 */
export function disbursementsAfter(
  view: StateView,
  planId: string,
  measureCode: string,
  asOf: string,
  monthView: (group: string) => StateView | undefined = () => undefined,
  exactDays = true,
): Disbursement[] {
  const found: Disbursement[] = [];
  for (const group of laterDisbursementMonths(view, planId, measureCode, asOf)) {
    const source = monthView(group) ?? (exactDays ? view : undefined);
    if (!source) {
      throw DomainError.badInput('asOf', `with "at", the payments of ${measureCode} dated after ${asOf} could not be read back; leave "at" or asOf out`);
    }
    for (const [stream, occurredOn] of source.group(MONTH_REPORTS, group)) {
      if (occurredOn === LEFT_MONTH || occurredOn <= asOf) continue;
      const report = source.get(REPORTS, '', stream);
      if (!report || report[1] !== FUNDS_DISBURSED) continue;
      const figures = report[4];
      if (typeof figures.amount !== 'string') continue;
      const paidFrom = typeof figures.source === 'string' && figures.source.length > 0 ? figures.source : UNSPECIFIED_SOURCE;
      found.push({ source: paidFrom, year: yearOf(report[3]), amount: BigInt(figures.amount) });
    }
  }
  return found;
}

/** Funding of every measure of a plan (or one measure), budget points, totals; one snapshot. */
export function fundingSummary(view: StateView, plan: Plan, options: FundingOptions = {}): FundingSummary {
  const { year, asOf } = options;
  const asOfYear = asOf === undefined ? undefined : yearOf(asOf);
  // measure → year → source → disbursed and how many payments
  const paidBy = new Map<string, Map<number, Map<string, { amount: bigint; n: number }>>>();
  const add = (code: string, y: number, source: string, amount: bigint, n: number) => {
    let years = paidBy.get(code);
    if (!years) paidBy.set(code, (years = new Map()));
    let sources = years.get(y);
    if (!sources) years.set(y, (sources = new Map()));
    const total = sources.get(source) ?? { amount: 0n, n: 0 };
    sources.set(source, { amount: total.amount + amount, n: total.n + n });
  };
  for (const entry of view.group(DISBURSED, plan.id).values() as Iterable<Disbursed>) {
    // Paid in a year after asOf's: none of it had happened by asOf.
    if (asOfYear !== undefined && entry.y > asOfYear) continue;
    add(entry.m, entry.y, entry.src, BigInt(entry.amt), entry.n);
  }
  if (asOf !== undefined) {
    const later = options.later ?? ((code: string) => disbursementsAfter(view, plan.id, code, asOf));
    for (const { measure } of measuresOf(plan)) {
      if (options.measureCode !== undefined && measure.code !== options.measureCode) continue;
      for (const d of later(measure.code)) add(measure.code, d.year, d.source, -d.amount, -1);
    }
  }
  const disbursed = new Map<string, Map<number, Map<string, bigint>>>();
  const disbursementCount = new Map<string, number>();
  for (const [code, years] of paidBy) {
    const byYear = new Map<number, Map<string, bigint>>();
    for (const [y, sources] of years) {
      const bySource = new Map<string, bigint>();
      for (const [source, total] of sources) {
        // Every payment of the line dated after asOf: the line was not there yet.
        if (total.n <= 0) continue;
        bySource.set(source, total.amount);
        if (year === undefined || y === year) disbursementCount.set(code, (disbursementCount.get(code) ?? 0) + total.n);
      }
      if (bySource.size > 0) byYear.set(y, bySource);
    }
    disbursed.set(code, byYear);
  }

  const measures: MeasureFunding[] = [];
  for (const { measure } of measuresOf(plan)) {
    if (options.measureCode !== undefined && measure.code !== options.measureCode) continue;
    const allocations = measure.funding?.allocations ?? [];
    const { stated: allocated, unstated } = allocatedByYear(allocations, plan);
    const paid = disbursed.get(measure.code) ?? new Map<number, Map<string, bigint>>();
    const years = [...new Set([...allocated.keys(), ...paid.keys()])].filter((y) => year === undefined || y === year).sort((a, b) => a - b);
    const hasAllocations = allocations.length > 0;
    const yearLines = years.map((y): MeasureFundingYear => {
      const a = allocated.get(y) ?? new Map<string, bigint>();
      const d = paid.get(y) ?? new Map<string, bigint>();
      const bySource = [...new Set([...a.keys(), ...d.keys()])].sort().map((source) => ({
        source,
        allocated: a.get(source) ?? 0n,
        disbursed: d.get(source) ?? 0n,
      }));
      const totals = sumAmounts(bySource);
      const hasAllocation = allocated.has(y);
      const allocationUnstated = unstated.has(y);
      const overDisbursed = hasAllocation && !allocationUnstated && totals.disbursed > totals.allocated;
      return { year: y, ...totals, hasAllocation, allocationUnstated, overDisbursed, bySource };
    });
    measures.push({
      planId: plan.id,
      measureCode: measure.code,
      sources: measure.funding?.sources ?? [],
      hasAllocations,
      unstatedYears: [...unstated].filter((y) => year === undefined || y === year).sort((a, b) => a - b),
      unallocatedDisbursed: hasAllocations ? yearLines.filter((l) => !l.hasAllocation).reduce((sum, l) => sum + l.disbursed, 0n) : 0n,
      years: yearLines,
      ...sumAmounts(yearLines),
      overDisbursed: yearLines.some((l) => l.overDisbursed),
      disbursements: disbursementCount.get(measure.code) ?? 0,
    });
  }

  const budgetPoints = (plan.budgetPoints ?? []).map((point) => budgetPointFunding(point, plan, disbursed, year));
  const bySource = new Map<string, { allocated: bigint; disbursed: bigint }>();
  for (const line of measures.flatMap((m) => m.years.flatMap((y) => y.bySource))) {
    const total = bySource.get(line.source) ?? { allocated: 0n, disbursed: 0n };
    bySource.set(line.source, { allocated: total.allocated + line.allocated, disbursed: total.disbursed + line.disbursed });
  }
  return {
    planId: plan.id,
    year,
    asOf,
    ...sumAmounts(measures),
    bySource: [...bySource].sort(([a], [b]) => (a < b ? -1 : 1)).map(([source, amounts]) => ({ source, ...amounts })),
    measures,
    budgetPoints,
    overDisbursedMeasures: measures.filter((m) => m.overDisbursed).map((m) => m.measureCode),
  };
}

function budgetPointFunding(
  point: BudgetPoint,
  plan: Plan,
  disbursed: ReadonlyMap<string, ReadonlyMap<number, ReadonlyMap<string, bigint>>>,
  year: number | undefined,
): BudgetPointFunding {
  const amountByYear = new Map(yearsOf(point, plan).map((y) => [y, BigInt(point.amountHuf)]));
  const allocatedByYear = new Map<number, bigint>();
  /** year → the (measure, source) pairs whose payments count toward the point; source undefined = any. */
  const paidFrom = new Map<number, Map<string, Set<string | undefined>>>();
  const measureCodes = new Set<string>();
  for (const { measure } of measuresOf(plan)) {
    for (const allocation of measure.funding?.allocations ?? []) {
      if (allocation.budgetPoint !== point.id) continue;
      measureCodes.add(measure.code);
      for (const y of yearsOf(allocation, plan)) {
        // The validator refuses an unstated amount under a budget point; 0 keeps a bad import harmless.
        allocatedByYear.set(y, (allocatedByYear.get(y) ?? 0n) + BigInt(allocation.amountHuf ?? 0));
        let pairs = paidFrom.get(y);
        if (!pairs) paidFrom.set(y, (pairs = new Map()));
        let sources = pairs.get(measure.code);
        if (!sources) pairs.set(measure.code, (sources = new Set()));
        sources.add(allocation.source);
      }
    }
  }
  const years = [...new Set([...amountByYear.keys(), ...allocatedByYear.keys()])]
    .filter((y) => year === undefined || y === year)
    .sort((a, b) => a - b);
  const lines = years.map((y): BudgetPointYear => {
    let paid = 0n;
    for (const [code, sources] of paidFrom.get(y) ?? []) {
      const bySource = disbursed.get(code)?.get(y);
      if (!bySource) continue;
      for (const [source, amount] of bySource) {
        if (sources.has(undefined) || sources.has(source)) paid += amount;
      }
    }
    const amount = amountByYear.get(y) ?? 0n;
    return { year: y, amount, allocated: allocatedByYear.get(y) ?? 0n, disbursed: paid, overDisbursed: paid > amount };
  });
  return {
    id: point.id,
    description: point.description,
    measureCodes: [...measureCodes],
    years: lines,
    overDisbursed: lines.some((l) => l.overDisbursed),
  };
}

function sumAmounts(items: readonly Amounts[]): Amounts {
  let allocated = 0n;
  let disbursed = 0n;
  for (const item of items) {
    allocated += item.allocated;
    disbursed += item.disbursed;
  }
  return { allocated, disbursed };
}
