import { type PeriodLength, type PeriodSpan, type PeriodStatus, periodsBetween } from '@app/domain';
import type { Plan } from '@app/plan';
import type { StateView } from '../keyed-state.js';
import { measuresOf } from '../common/plan-fold.js';
import { type PeriodEntry, periodEntry } from './periods.projection.js';

/** The period length of a plan: what its `reporting` says, quarters otherwise. */
export function periodLengthOf(plan: Plan): PeriodLength {
  return plan.reporting?.periods ?? 'quarter';
}

/** The reporting periods of a plan, in order. */
export function planPeriods(plan: Plan): PeriodSpan[] {
  return periodsBetween(plan.period.from, plan.period.to, periodLengthOf(plan));
}

/** An agency's period under a plan, as the period queries answer it. */
export interface AgencyPeriod {
  readonly planId: string;
  readonly agencyId: string;
  readonly span: PeriodSpan;
  readonly status: PeriodStatus;
  readonly entry?: PeriodEntry;
}

/**
 * The agencies that report for each measure: responsible bodies and partners, a group replaced
 * by its members (a group has no credential of its own; its members report).
 */
export function reportingAgenciesByMeasure(plan: Plan): Map<string, string[]> {
  const members = new Map(plan.agencies.filter((a) => a.kind === 'group').map((a) => [a.id, a.members ?? []]));
  const expand = (ids: readonly string[]): string[] => {
    const out = new Set<string>();
    // Groups may contain each other (docs/plan-format.md): each is expanded once.
    const seen = new Set<string>();
    const pending = [...ids];
    while (pending.length > 0) {
      const id = pending.pop()!;
      if (seen.has(id)) continue;
      seen.add(id);
      const inner = members.get(id);
      if (inner) pending.push(...inner);
      else out.add(id);
    }
    return [...out].sort();
  };
  return new Map(measuresOf(plan).map(({ measure }) => [measure.code, expand([...measure.responsible, ...measure.partners])]));
}

/** Every agency that reports for some measure of the plan, sorted. */
export function reportingAgenciesOf(plan: Plan): string[] {
  return [...new Set([...reportingAgenciesByMeasure(plan).values()].flat())].sort();
}

export function agencyPeriod(view: StateView, plan: Plan, agencyId: string, span: PeriodSpan): AgencyPeriod {
  const entry = periodEntry(view, plan.id, agencyId, span.periodId);
  return { planId: plan.id, agencyId, span, status: entry?.status ?? 'OPEN', entry };
}

/** Periods that ended before `asOf` which an agency has never submitted (still OPEN). */
export function unsubmittedPeriods(view: StateView, plan: Plan, asOf: string): AgencyPeriod[] {
  const ended = planPeriods(plan).filter((span) => span.to < asOf);
  return ended.flatMap((span) => reportingAgenciesOf(plan).map((agencyId) => agencyPeriod(view, plan, agencyId, span))).filter((p) => p.status === 'OPEN');
}

/** Submissions the coordinator returned that the agency has not resubmitted (still RETURNED). */
export function returnedPeriods(view: StateView, plan: Plan): AgencyPeriod[] {
  return planPeriods(plan)
    .flatMap((span) => reportingAgenciesOf(plan).map((agencyId) => agencyPeriod(view, plan, agencyId, span)))
    .filter((p) => p.status === 'RETURNED');
}
