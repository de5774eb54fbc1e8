import type { Measure } from '@app/plan';
import type { StateView } from './keyed-state.js';
import { measureKey } from './common/report-input.js';
import { BUCKETS, DISTINCT, MONTH_REPORTS, monthGroup } from './indicators/indicators.model.js';
import { figuresAsOf } from './indicators/dated-figures.js';
import { monthOf } from './common/periods.js';
import { PERIOD_REPORTS } from './indicators/periods.model.js';
import { MeasureFigures } from './indicators/indicators.query.js';
import { type MeasureEvaluation, type StatusContext, evaluateMeasure } from './status/measure-status.js';

/**
 * Measure figures and evaluations kept across requests, so that a coordinator query is a
 * lookup and not a walk over every bucket of the plan (each request used to build every
 * measure's figures from its buckets and evaluate every measure: work proportional to the
 * buckets, done again for every request whether or not an event had arrived).
 *
 * Never stale: a measure's figures are a function of two groups of the activity state (its
 * buckets and its distinct values), and a cached entry is used only while both groups carry the
 * stamps they had when it was computed (StateView.stamp changes with every change to a group).
 * An evaluation is a function of the figures (the same object while they are current), the
 * measure's definition (a new plan document after an amendment) and the date; it is cached on
 * the figures object, so it goes when they do. Views without stamps (point-in-time overlays)
 * are not cached: every call computes afresh.
 *
 * Memory: one entry per measure of the adopted plans (for views that live; entries of a view
 * that is dropped go with it), and a few dates per measure.
 */
interface CachedFigures {
  readonly buckets: number;
  readonly distinct: number;
  readonly periods: number;
  readonly figures: MeasureFigures;
}

const figuresByView = new WeakMap<StateView, Map<string, CachedFigures>>();

/** The figures of a measure as the view holds them now: cached while its groups are unchanged. */
export function currentMeasureFigures(view: StateView, planId: string, measureCode: string): MeasureFigures {
  if (!view.stamp) return new MeasureFigures(view, planId, measureCode);
  const mk = measureKey(planId, measureCode);
  const buckets = view.stamp(BUCKETS, mk);
  const distinct = view.stamp(DISTINCT, mk);
  const periods = view.stamp(PERIOD_REPORTS, mk);
  let byMeasure = figuresByView.get(view);
  if (!byMeasure) figuresByView.set(view, (byMeasure = new Map()));
  const cached = byMeasure.get(mk);
  if (cached && cached.buckets === buckets && cached.distinct === distinct && cached.periods === periods) return cached.figures;
  const figures = new MeasureFigures(view, planId, measureCode);
  byMeasure.set(mk, { buckets, distinct, periods, figures });
  return figures;
}

/** Dates evaluated per figures object before the oldest are forgotten. */
const MAX_DATES = 8;

const datedByFigures = new WeakMap<MeasureFigures, Map<string, { readonly monthStamp: number; readonly figures: MeasureFigures }>>();

/**
 * The figures of a measure as of a day (figuresAsOf: reports dated on or before `asOf`),
 * remembered on the current figures object (so they go when any report of the measure changes)
 * and the stamp of asOf's month in the month index. `exactDays` false: the view has no
 * per-report data (point in time), see figuresAsOf. Views without stamps compute afresh.
 */
export function measureFiguresAsOf(view: StateView, planId: string, measureCode: string, asOf: string, exactDays = true): MeasureFigures {
  const current = currentMeasureFigures(view, planId, measureCode);
  if (!view.stamp || !exactDays) return figuresAsOf(view, planId, measureCode, asOf, current, exactDays);
  const monthStamp = view.stamp(MONTH_REPORTS, monthGroup(measureKey(planId, measureCode), monthOf(asOf)));
  let byDate = datedByFigures.get(current);
  if (!byDate) datedByFigures.set(current, (byDate = new Map()));
  const cached = byDate.get(asOf);
  if (cached && cached.monthStamp === monthStamp) return cached.figures;
  const figures = figuresAsOf(view, planId, measureCode, asOf, current, exactDays);
  if (!cached && byDate.size >= MAX_DATES) byDate.delete(byDate.keys().next().value!);
  byDate.set(asOf, { monthStamp, figures });
  return figures;
}

const evaluationsByFigures = new WeakMap<
  MeasureFigures,
  Map<string, { readonly measure: Measure; readonly context: StatusContext; readonly evaluation: MeasureEvaluation }>
>();

/**
 * evaluateMeasure, remembered per figures object, measure definition, date and context (the
 * plan's period and the assessment in force: entries are immutable, so the same objects mean
 * the same inputs).
 */
export function cachedEvaluation(measure: Measure, figures: MeasureFigures, asOf: string, context: StatusContext = {}): MeasureEvaluation {
  let byDate = evaluationsByFigures.get(figures);
  if (!byDate) evaluationsByFigures.set(figures, (byDate = new Map()));
  const cached = byDate.get(asOf);
  if (cached && cached.measure === measure && cached.context.period === context.period && cached.context.assessment === context.assessment) {
    return cached.evaluation;
  }
  const evaluation = evaluateMeasure(measure, figures, asOf, context);
  if (!cached && byDate.size >= MAX_DATES) byDate.delete(byDate.keys().next().value!);
  byDate.set(asOf, { measure, context, evaluation });
  return evaluation;
}
