import type { Indicator, Measure, Plan } from '@app/plan';
import type { MeasureFigures } from '../indicators/indicators.query.js';
import type { AssessmentEntry } from '../assessments/assessments.projection.js';

/**
 * Where a measure stands on a date (`asOf`), and why (docs/status.md). Pure: computed at query
 * time from the plan as it now stands, the indicator figures and the coordinators' assessments.
 *
 * What the machine knows: a measure has a *finish line* when at least one indicator has a target
 * or is a milestone; it is *met* when every targeted indicator is at/above its target and every
 * milestone reached. What a coordinator knows: the *assessment in force* on `asOf` — of the
 * assessments as of that day or earlier, the latest (OGP IRM level). Decided in this order:
 *
 * | # | when | status | reason |
 * | 1 | assessed WITHDRAWN | WITHDRAWN | ASSESSED_WITHDRAWN |
 * | 2 | assessed COMPLETE | ACHIEVED | ASSESSED_COMPLETE |
 * | 3 | finish line met | ACHIEVED | TARGET_MET |
 * | 4 | deadline passed, assessed as of the deadline or later (not complete) | OVERDUE | ASSESSED_<level> |
 * | 5 | deadline passed, finish line (not met) | OVERDUE | DEADLINE_PASSED, or DEADLINE_BEFORE_PLAN_START |
 * | 6 | deadline passed, no finish line, no assessment since the deadline | AWAITING_ASSESSMENT | NO_FINISH_LINE, or DEADLINE_BEFORE_PLAN_START |
 * | 7 | deadline not passed, assessed | NOT_STARTED (level NOT_STARTED) / IN_PROGRESS | ASSESSED_<level> |
 * | 8 | deadline not passed, no report | NOT_STARTED | NO_REPORT |
 * | 9 | deadline not passed, reports, finish line not met | IN_PROGRESS | TARGET_NOT_MET |
 * | 10 | deadline not passed, reports, no finish line | IN_PROGRESS | NO_FINISH_LINE |
 *
 * So the calendar alone never makes a measure OVERDUE: completion must be judgeable (a finish
 * line, or an assessment describing the measure on or after its deadline). The deadline day itself
 * has not passed. DEADLINE_BEFORE_PLAN_START marks a deadline earlier than the plan's first day
 * (the decree's own date, kept as written): nothing reported in the plan can have been on time.
 *
 * `asOf` moves the deadline comparison and chooses the assessment in force; the figures are
 * every report counted so far. The state at an earlier position is an audit question (`at`).
 */
export type MeasureStatus = 'NOT_STARTED' | 'IN_PROGRESS' | 'ACHIEVED' | 'OVERDUE' | 'AWAITING_ASSESSMENT' | 'WITHDRAWN';

export const MEASURE_STATUSES: readonly MeasureStatus[] = ['NOT_STARTED', 'IN_PROGRESS', 'ACHIEVED', 'OVERDUE', 'AWAITING_ASSESSMENT', 'WITHDRAWN'];

/** Why a measure has its status: machine-readable (see the table on MeasureStatus). */
export type StatusReason =
  | 'NO_REPORT'
  | 'TARGET_NOT_MET'
  | 'NO_FINISH_LINE'
  | 'TARGET_MET'
  | 'DEADLINE_PASSED'
  | 'DEADLINE_BEFORE_PLAN_START'
  | 'ASSESSED_NOT_STARTED'
  | 'ASSESSED_LIMITED'
  | 'ASSESSED_SUBSTANTIAL'
  | 'ASSESSED_COMPLETE'
  | 'ASSESSED_WITHDRAWN';

export const STATUS_REASONS: readonly StatusReason[] = [
  'NO_REPORT',
  'TARGET_NOT_MET',
  'NO_FINISH_LINE',
  'TARGET_MET',
  'DEADLINE_PASSED',
  'DEADLINE_BEFORE_PLAN_START',
  'ASSESSED_NOT_STARTED',
  'ASSESSED_LIMITED',
  'ASSESSED_SUBSTANTIAL',
  'ASSESSED_COMPLETE',
  'ASSESSED_WITHDRAWN',
];

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
  readonly reason: StatusReason;
  /** The lowest progress of the indicators that have one; undefined when none has. */
  readonly progress?: number;
  /** Whether the plan gives the measure a finish line (a target or a milestone). */
  readonly hasFinishLine: boolean;
  readonly indicators: readonly IndicatorProgress[];
  /** Reports counted on the measure. */
  readonly reports: number;
  readonly deadline: string;
  readonly asOf: string;
  /** The assessment in force on asOf, if any. */
  readonly assessment?: AssessmentEntry;
}

/** What, besides the figures, a status depends on. */
export interface StatusContext {
  /** The plan's period; a deadline before `from` gives DEADLINE_BEFORE_PLAN_START. */
  readonly period?: { readonly from: string; readonly to: string };
  /** The assessment in force on asOf (see latestAssessment). */
  readonly assessment?: AssessmentEntry;
}

export function indicatorProgress(indicator: Indicator, value: bigint): IndicatorProgress {
  const target = indicator.target ?? (indicator.aggregate === 'milestone' ? 1 : undefined);
  if (target === undefined) return { indicator, value };
  // Exact for integer targets: a sum of money may be beyond what a double holds exactly.
  const achieved = Number.isInteger(target) ? value >= BigInt(target) : Number(value) >= target;
  const progress = achieved ? 100 : Math.min(100, Math.floor((Number(value) / target) * 1000) / 10);
  return { indicator, value, target, progress, achieved };
}

export function evaluateMeasure(measure: Measure, figures: MeasureFigures, asOf: string, context: StatusContext = {}): MeasureEvaluation {
  const indicators = measure.indicators.map((indicator) => indicatorProgress(indicator, figures.value(indicator)));
  const withFinishLine = indicators.filter((i) => i.achieved !== undefined);
  const hasFinishLine = withFinishLine.length > 0;
  const progress = hasFinishLine ? Math.min(...withFinishLine.map((i) => i.progress!)) : undefined;
  const met = hasFinishLine && withFinishLine.every((i) => i.achieved);
  const assessment = context.assessment !== undefined && context.assessment.asOf <= asOf ? context.assessment : undefined;
  const early = context.period !== undefined && measure.deadline < context.period.from;
  const [status, reason] = decideStatus({ met, hasFinishLine, reports: figures.reports, deadlinePassed: measure.deadline < asOf, early, deadline: measure.deadline, assessment });
  return { status, reason, progress, hasFinishLine, indicators, reports: figures.reports, deadline: measure.deadline, asOf, assessment };
}

function decideStatus(f: {
  met: boolean;
  hasFinishLine: boolean;
  reports: number;
  deadlinePassed: boolean;
  early: boolean;
  deadline: string;
  assessment?: AssessmentEntry;
}): [MeasureStatus, StatusReason] {
  const level = f.assessment?.level;
  if (level === 'WITHDRAWN') return ['WITHDRAWN', 'ASSESSED_WITHDRAWN'];
  if (level === 'COMPLETE') return ['ACHIEVED', 'ASSESSED_COMPLETE'];
  if (f.met) return ['ACHIEVED', 'TARGET_MET'];
  if (f.deadlinePassed) {
    if (level !== undefined && f.assessment!.asOf >= f.deadline) return ['OVERDUE', `ASSESSED_${level}`];
    if (f.hasFinishLine) return ['OVERDUE', f.early ? 'DEADLINE_BEFORE_PLAN_START' : 'DEADLINE_PASSED'];
    return ['AWAITING_ASSESSMENT', f.early ? 'DEADLINE_BEFORE_PLAN_START' : 'NO_FINISH_LINE'];
  }
  if (level !== undefined) return [level === 'NOT_STARTED' ? 'NOT_STARTED' : 'IN_PROGRESS', `ASSESSED_${level}`];
  if (f.reports === 0) return ['NOT_STARTED', 'NO_REPORT'];
  return ['IN_PROGRESS', f.hasFinishLine ? 'TARGET_NOT_MET' : 'NO_FINISH_LINE'];
}

/**
 * Counts of measures by status and reason, for a plan, pillar or objective. Progress is a
 * figure of the measures with a finish line only, and a WITHDRAWN one (assessed withdrawn: no
 * longer to be delivered) is left out of it: `meanProgress` is their mean, over
 * `measuresWithProgress` of the `measures` (listed in `progressMeasureCodes`) — never the whole
 * roll-up's progress unless the two counts are equal.
 */
export interface StatusRollUp {
  readonly code: string;
  readonly title: string;
  readonly measures: number;
  readonly byStatus: Readonly<Record<MeasureStatus, number>>;
  readonly byReason: Readonly<Partial<Record<StatusReason, number>>>;
  /** Mean of the measures' progress, over the measures that have one; undefined when none has. */
  readonly meanProgress?: number;
  /** How many measures the mean is over. */
  readonly measuresWithProgress: number;
  /** The codes of the measures the mean is over. */
  readonly progressMeasureCodes: readonly string[];
}

export interface PillarRollUp extends StatusRollUp {
  readonly objectives: readonly StatusRollUp[];
}

type Evaluated = readonly [code: string, evaluation: MeasureEvaluation];

/** Roll-ups per pillar and objective from each measure's evaluation (keyed by measure code). */
export function rollUp(plan: Plan, evaluations: ReadonlyMap<string, MeasureEvaluation>): PillarRollUp[] {
  const of = (codes: readonly string[]): Evaluated[] => codes.flatMap((c) => (evaluations.has(c) ? [[c, evaluations.get(c)!] as const] : []));
  return plan.pillars.map((pillar) => {
    const objectives = pillar.objectives.map((objective) => summarise(objective.code, objective.title, of(objective.measures.map((m) => m.code))));
    const all = of(pillar.objectives.flatMap((o) => o.measures.map((m) => m.code)));
    return { ...summarise(pillar.code, pillar.title, all), objectives };
  });
}

/** The roll-up of a whole plan. */
export function planRollUp(plan: Plan, evaluations: ReadonlyMap<string, MeasureEvaluation>): StatusRollUp {
  const codes = plan.pillars.flatMap((p) => p.objectives.flatMap((o) => o.measures.map((m) => m.code)));
  return summarise(plan.id, plan.title, codes.flatMap((c) => (evaluations.has(c) ? [[c, evaluations.get(c)!] as const] : [])));
}

export function emptyStatusCounts(): Record<MeasureStatus, number> {
  return { NOT_STARTED: 0, IN_PROGRESS: 0, ACHIEVED: 0, OVERDUE: 0, AWAITING_ASSESSMENT: 0, WITHDRAWN: 0 };
}

function summarise(code: string, title: string, evaluations: readonly Evaluated[]): StatusRollUp {
  const byStatus = emptyStatusCounts();
  const byReason: Partial<Record<StatusReason, number>> = {};
  for (const [, e] of evaluations) {
    byStatus[e.status] += 1;
    byReason[e.reason] = (byReason[e.reason] ?? 0) + 1;
  }
  // A withdrawn measure is no longer to be delivered: its progress, whatever it is, is not part of the mean.
  const withProgress = evaluations.filter(([, e]) => e.progress !== undefined && e.status !== 'WITHDRAWN');
  const progresses = withProgress.map(([, e]) => e.progress!);
  const meanProgress = progresses.length > 0 ? Math.round((progresses.reduce((a, b) => a + b, 0) / progresses.length) * 10) / 10 : undefined;
  return {
    code,
    title,
    measures: evaluations.length,
    byStatus,
    byReason,
    meanProgress,
    measuresWithProgress: progresses.length,
    progressMeasureCodes: withProgress.map(([c]) => c),
  };
}
