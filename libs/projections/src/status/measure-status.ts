import type { Indicator, Measure, Plan } from '@app/plan';
import type { MeasureFigures } from '../indicators/indicators.query.js';

/**
 * Where a measure stands on a given date (`asOf`). Pure: computed at query time from the plan
 * as it now stands and the indicator figures, so a changed target or deadline shows at once.
 *
 * - NOT_STARTED: no report counts on the measure (of any event type, FundsDisbursed included).
 * - ACHIEVED: the plan gives a finish line — at least one targeted indicator or milestone — and
 *   every targeted indicator is at or above its target and every milestone is reached.
 *   A measure whose indicators have neither target nor milestone is never ACHIEVED: the plan
 *   says what to count but not how much is enough, so it stays IN_PROGRESS once reported (and
 *   turns OVERDUE after its deadline, like any measure not achieved). Coordinators judge those.
 * - OVERDUE: the deadline is before `asOf` and the measure is not ACHIEVED.
 * - IN_PROGRESS: otherwise.
 *
 * `asOf` moves the deadline comparison only: the figures are every report counted so far
 * (reports cannot be dated in the future). The state of the figures at an earlier position
 * is an audit question (point-in-time replay), not this one.
 */
export type MeasureStatus = 'NOT_STARTED' | 'IN_PROGRESS' | 'ACHIEVED' | 'OVERDUE';

export const MEASURE_STATUSES: readonly MeasureStatus[] = ['NOT_STARTED', 'IN_PROGRESS', 'ACHIEVED', 'OVERDUE'];

export interface IndicatorProgress {
  readonly indicator: Indicator;
  /** Exact: a sum of money may exceed 2^53. */
  readonly value: bigint;
  /** The plan's target; milestones without one have the implicit target 1 (reached). */
  readonly target?: number;
  /**
   * value / target in percent, rounded down to 0.1 and capped at 100 (over-achievement shows
   * in `value`); undefined when the indicator has no finish line.
   */
  readonly progress?: number;
  /** Whether it is at/above its target (or reached, for a milestone); undefined without one. */
  readonly achieved?: boolean;
}

export interface MeasureEvaluation {
  readonly status: MeasureStatus;
  /** The lowest progress of the indicators that have one; undefined when none has. */
  readonly progress?: number;
  readonly indicators: readonly IndicatorProgress[];
  /** Reports counted on the measure. */
  readonly reports: number;
  readonly deadline: string;
  readonly asOf: string;
}

export function indicatorProgress(indicator: Indicator, value: bigint): IndicatorProgress {
  const target = indicator.target ?? (indicator.aggregate === 'milestone' ? 1 : undefined);
  if (target === undefined) return { indicator, value };
  // Exact for integer targets: a sum of money may be beyond what a double holds exactly.
  const achieved = Number.isInteger(target) ? value >= BigInt(target) : Number(value) >= target;
  const progress = achieved ? 100 : Math.min(100, Math.floor((Number(value) / target) * 1000) / 10);
  return { indicator, value, target, progress, achieved };
}

export function evaluateMeasure(measure: Measure, figures: MeasureFigures, asOf: string): MeasureEvaluation {
  const indicators = measure.indicators.map((indicator) => indicatorProgress(indicator, figures.value(indicator)));
  const withFinishLine = indicators.filter((i) => i.achieved !== undefined);
  const progress = withFinishLine.length > 0 ? Math.min(...withFinishLine.map((i) => i.progress!)) : undefined;
  const achieved = withFinishLine.length > 0 && withFinishLine.every((i) => i.achieved);
  const status: MeasureStatus = achieved
    ? 'ACHIEVED'
    : measure.deadline < asOf
      ? 'OVERDUE'
      : figures.reports === 0
        ? 'NOT_STARTED'
        : 'IN_PROGRESS';
  return { status, progress, indicators, reports: figures.reports, deadline: measure.deadline, asOf };
}

/** Counts of measures by status and their mean progress, for a pillar or an objective. */
export interface StatusRollUp {
  readonly code: string;
  readonly title: string;
  readonly measures: number;
  readonly byStatus: Readonly<Record<MeasureStatus, number>>;
  /** Mean of the measures' progress, over the measures that have one; undefined when none has. */
  readonly meanProgress?: number;
  /** How many measures the mean is over. */
  readonly measuresWithProgress: number;
}

export interface PillarRollUp extends StatusRollUp {
  readonly objectives: readonly StatusRollUp[];
}

/** Roll-ups per pillar and objective from each measure's evaluation (keyed by measure code). */
export function rollUp(plan: Plan, evaluations: ReadonlyMap<string, MeasureEvaluation>): PillarRollUp[] {
  return plan.pillars.map((pillar) => {
    const objectives = pillar.objectives.map((objective) =>
      summarise(objective.code, objective.title, objective.measures.map((m) => evaluations.get(m.code)).filter(isDefined)),
    );
    const all = pillar.objectives.flatMap((o) => o.measures.map((m) => evaluations.get(m.code)).filter(isDefined));
    return { ...summarise(pillar.code, pillar.title, all), objectives };
  });
}

function summarise(code: string, title: string, evaluations: readonly MeasureEvaluation[]): StatusRollUp {
  const byStatus: Record<MeasureStatus, number> = { NOT_STARTED: 0, IN_PROGRESS: 0, ACHIEVED: 0, OVERDUE: 0 };
  for (const e of evaluations) byStatus[e.status] += 1;
  const progresses = evaluations.map((e) => e.progress).filter(isDefined);
  const meanProgress = progresses.length > 0 ? Math.round((progresses.reduce((a, b) => a + b, 0) / progresses.length) * 10) / 10 : undefined;
  return { code, title, measures: evaluations.length, byStatus, meanProgress, measuresWithProgress: progresses.length };
}

const isDefined = <T>(value: T | undefined): value is T => value !== undefined;
