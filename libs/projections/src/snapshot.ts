import type { Measure, Plan } from '@app/plan';
import { monthOf, today } from './common/periods.js';
import { measureKey } from './common/report-input.js';
import { BUCKETS, monthGroup } from './indicators/indicators.model.js';
import { lastDayOfMonth } from './indicators/dated-figures.js';
import { measuresOf } from './common/plan-fold.js';
import { ACTIVITY_PROJECTION } from './activity/activity.projection.js';
import { type AgencyActivity, agencyActivity, reportingAgencies } from './agency/agency-activity.query.js';
import { type FundingSummary, disbursementsAfter, fundingSummary, laterDisbursementMonths } from './funding/funding.query.js';
import { cachedEvaluation, currentMeasureFigures, measureFiguresAsOf } from './figures-cache.js';
import { MeasureFigures } from './indicators/indicators.query.js';
import { PLANS_PROJECTION, allPlans } from './plans/plans.projection.js';
import { type MeasureEvaluation, type PillarRollUp, type StatusRollUp, planRollUp, rollUp } from './status/measure-status.js';
import {
  REPORT_LIST_PROJECTION,
  type ReportEntriesAt,
  type ReportListFilter,
  type ReportListPage,
  listReports,
  listReportsAt,
} from './reports/report-list.projection.js';
import { ASSESSMENTS_PROJECTION, type AssessmentEntry, assessmentsOf, latestAssessment } from './assessments/assessments.projection.js';
import { PERIODS_PROJECTION } from './periods/periods.projection.js';
import type { StateView } from './keyed-state.js';

/** What a snapshot reads from: a runner, or anything else that holds the plans and activity projections. */
export interface ReadModelSource {
  view(name: string): StateView;
  readonly position: bigint;
  /**
   * False when the activity view holds no per-report data (the report register and the month
   * index: a point-in-time view leaves them out), so figures as of a day inside a month with
   * reports cannot be exact there (see figuresAsOf). Default true.
   */
  readonly exactDays?: boolean;
  /**
   * On a source without per-report data (exactDays false): the activity projection's view with
   * the month index groups `groups` (`measureKey␟YYYY-MM`, see monthGroup) and the register
   * entries of their reports as they stood at this source's position, rebuilt by reading back the
   * report streams `candidates` names — so figures as of any day of those months are exact there.
   * Cost: one stream read per candidate. Only the groups asked for are complete in the view.
   */
  monthView?(groups: readonly string[], candidates: MonthCandidates): Promise<StateView>;
  /**
   * On a source without the report list (a point-in-time view): report entries as they stood at
   * this source's position, each of the streams asked read back and folded alone up to it.
   */
  readonly reportsAt?: ReportEntriesAt;
}

/**
 * The live report list (REPORT_LIST_PROJECTION's view) once the live read models have applied
 * `position`: what a point-in-time snapshot starts its report list from (listReportsAt). Read it
 * in one synchronous pass (the live state moves between ticks). Rejects as a read-your-writes
 * wait does when the live read models do not reach `position` in time.
 */
export type LiveReportList = (position: bigint) => Promise<StateView>;

/**
 * For each month index group asked (`measureKey␟YYYY-MM`), every report stream that was ever in
 * it up to a position at or after `position`: the live month index, tombstones included
 * (MONTH_REPORTS), once the live read models have applied `position` — a superset of the reports
 * in the group at `position`. Rejects as a read-your-writes wait does when they do not in time.
 */
export type MonthCandidates = (position: bigint, groups: readonly string[]) => Promise<ReadonlyMap<string, readonly string[]>>;

export interface MeasureInfo {
  readonly plan: Plan;
  readonly pillarCode: string;
  readonly objectiveCode: string;
  readonly measure: Measure;
}

/**
 * The coordinator read models for one request. What it computes is computed on first use, for
 * a whole plan at once (every measure's figures in one synchronous pass), and cached: a request
 * that asks for many measures costs one pass, not one per measure (no N+1), and every measure
 * of a plan is seen as of the same event (entries are immutable; no event is applied during a
 * synchronous pass). Parts computed later in the request (funding, agencies) may include events
 * applied since — newer, never older than {@link position}, which is what read-your-writes needs.
 */
export class ProjectionSnapshot {
  /** The position the read models had applied when the snapshot was taken. */
  readonly position: bigint;
  private readonly plansById: ReadonlyMap<string, Plan>;
  private readonly figures = new Map<string, ReadonlyMap<string, MeasureFigures>>();
  /** Figures as of a day, by plan, code and date: a request sees the ones its statuses were evaluated from. */
  private readonly datedFigures = new Map<string, MeasureFigures>();
  private readonly evaluations = new Map<string, ReadonlyMap<string, MeasureEvaluation>>();
  private readonly funding = new Map<string, FundingSummary>();
  private readonly agencies = new Map<string, AgencyActivity>();
  /** Month index groups made exact on a source without per-report data (prepareAsOf), by group. */
  private readonly monthViews = new Map<string, StateView>();
  private readonly preparing = new Map<string, Promise<void>>();

  /**
   * `candidates`: where a source without per-report data (a point-in-time view) finds the
   * reports of a month (see prepareAsOf); without it such a source refuses a day inside a month
   * with reports, as figuresAsOf does.
   */
  constructor(
    private readonly source: ReadModelSource,
    private readonly candidates?: MonthCandidates,
    private readonly liveReports?: LiveReportList,
  ) {
    this.position = source.position;
    this.plansById = new Map(allPlans(source.view(PLANS_PROJECTION)).map((plan) => [plan.id, plan]));
  }

  plans(): Plan[] {
    return [...this.plansById.values()];
  }

  plan(planId: string): Plan | undefined {
    return this.plansById.get(planId);
  }

  /** Every measure, in plan order; of one plan when given. */
  measures(planId?: string): MeasureInfo[] {
    const plans = planId === undefined ? this.plans() : [this.plan(planId)].filter((p): p is Plan => p !== undefined);
    return plans.flatMap(measureInfos);
  }

  /** The measure with this code (in the given plan, or in whichever plan has it: first by plan id). */
  measure(code: string, planId?: string): MeasureInfo | undefined {
    return this.measures(planId).find((m) => m.measure.code === code);
  }

  /**
   * A measure's figures (see MeasureFigures); every measure of its plan is read in the same pass.
   * Figures of a measure whose read model has not changed since an earlier request are that
   * request's (figures-cache.ts): the pass is then a stamp comparison per measure.
   *
   * With `asOf` (YYYY-MM-DD): only the reports dated on or before it (figuresAsOf); without, every
   * report counted so far — what "today" has always counted, kept on the cached path.
   */
  measureFigures(planId: string, code: string, asOf?: string): MeasureFigures {
    if (asOf !== undefined) {
      const key = `${planId}\u001f${code}\u001f${asOf}`;
      let dated = this.datedFigures.get(key);
      if (!dated) {
        const exact = this.source.exactDays === false ? this.monthViews.get(monthGroup(measureKey(planId, code), monthOf(asOf))) : undefined;
        dated = exact
          ? measureFiguresAsOf(exact, planId, code, asOf, true)
          : measureFiguresAsOf(this.source.view(ACTIVITY_PROJECTION), planId, code, asOf, this.source.exactDays !== false);
        this.datedFigures.set(key, dated);
      }
      return dated;
    }
    let byCode = this.figures.get(planId);
    if (!byCode) {
      const view = this.source.view(ACTIVITY_PROJECTION);
      const plan = this.plan(planId);
      const map = new Map<string, MeasureFigures>();
      for (const { measure } of plan ? measureInfos(plan) : []) map.set(measure.code, currentMeasureFigures(view, planId, measure.code));
      this.figures.set(planId, (byCode = map));
    }
    return byCode.get(code) ?? new MeasureFigures(this.source.view(ACTIVITY_PROJECTION), planId, code);
  }

  /**
   * Every measure of a plan evaluated as of `asOf` (YYYY-MM-DD), by code: its deadline compared
   * with asOf, the assessment in force on asOf, and the figures of the reports dated on or before
   * asOf (docs/status.md). Omitted: today (UTC) over every report counted so far — the cached path.
   */
  evaluatePlan(planId: string, asOf?: string): ReadonlyMap<string, MeasureEvaluation> {
    const cacheKey = `${planId}\u001f${asOf ?? ''}`;
    let result = this.evaluations.get(cacheKey);
    if (!result) {
      const date = asOf ?? today();
      const map = new Map<string, MeasureEvaluation>();
      for (const { plan, measure } of this.measures(planId)) map.set(measure.code, this.evaluateOn(plan, measure, asOf, date));
      this.evaluations.set(cacheKey, (result = map));
    }
    return result;
  }

  /**
   * One measure of evaluatePlan (the whole plan is evaluated once per snapshot and asOf). On a
   * source without per-report data, with asOf and no plan evaluated yet: this measure alone, so
   * that preparing it (prepareAsOf with its code) is enough.
   */
  evaluate(planId: string, code: string, asOf?: string): MeasureEvaluation | undefined {
    if (asOf === undefined || this.source.exactDays !== false || this.evaluations.has(`${planId}\u001f${asOf}`)) return this.evaluatePlan(planId, asOf).get(code);
    const key = `${planId}\u001f${asOf}\u001f${code}`;
    let result = this.evaluations.get(key);
    if (!result) {
      const info = this.measure(code, planId);
      if (!info) return undefined;
      this.evaluations.set(key, (result = new Map([[code, this.evaluateOn(info.plan, info.measure, asOf, asOf)]])));
    }
    return result.get(code);
  }

  /** One measure evaluated on `date`, its figures as of `asOf` (undefined: every report counted so far), with the assessment in force on `date`. */
  private evaluateOn(plan: Plan, measure: Measure, asOf: string | undefined, date: string): MeasureEvaluation {
    const assessment = latestAssessment(this.assessments(plan.id, measure.code), date);
    return cachedEvaluation(measure, this.measureFigures(plan.id, measure.code, asOf), date, { period: plan.period, assessment });
  }

  /**
   * Makes figures as of `asOf` exact to the day for the measures of a plan (all, or those of
   * `codes`) on a source without per-report data (a point-in-time view, exactDays false): for
   * each measure with reports in asOf's month at the source's position, that month's reports
   * are read back as they stood there (ReadModelSource.monthView). Call it, and await it, before
   * evaluating with such an asOf; without it such figures are refused (figuresAsOf). Nothing to
   * do — no read — on a live source, without asOf, for asOf a month's last day, or for measures
   * without reports in its month. Cost: one stream read per report ever dated in that month on
   * those measures (up to the live head), done once per snapshot.
   */
  async prepareAsOf(planId: string, asOf: string | undefined, codes?: readonly string[]): Promise<void> {
    if (asOf === undefined || this.source.exactDays !== false || !this.source.monthView || !this.candidates) return;
    const month = monthOf(asOf);
    if (asOf === lastDayOfMonth(month)) return;
    const view = this.source.view(ACTIVITY_PROJECTION);
    const wanted = codes ? new Set(codes) : undefined;
    const groups: string[] = [];
    for (const { measure } of this.measures(planId)) {
      if (wanted && !wanted.has(measure.code)) continue;
      const mk = measureKey(planId, measure.code);
      if ([...view.group(BUCKETS, mk).values()].some((b) => b.mo === month)) groups.push(monthGroup(mk, month));
    }
    await this.readBackMonths(groups);
  }

  /**
   * As prepareAsOf, for money as of `asOf` (fundingSummary with asOf): on a source without
   * per-report data, the months of asOf's year from asOf's on holding a disbursement of the
   * plan's measures (all, or those of `codes`) are read back, so the payments dated after asOf
   * can be taken out exactly. Nothing to do on a live source or without asOf.
   */
  async prepareFundingAsOf(planId: string, asOf: string | undefined, codes?: readonly string[]): Promise<void> {
    if (asOf === undefined || this.source.exactDays !== false || !this.source.monthView || !this.candidates) return;
    const view = this.source.view(ACTIVITY_PROJECTION);
    const wanted = codes ? new Set(codes) : undefined;
    const groups = this.measures(planId)
      .filter(({ measure }) => !wanted || wanted.has(measure.code))
      .flatMap(({ measure }) => laterDisbursementMonths(view, planId, measure.code, asOf));
    await this.readBackMonths(groups);
  }

  /** Month index groups read back as they stood at the source's position, once per snapshot. */
  private async readBackMonths(wanted: readonly string[]): Promise<void> {
    if (!this.source.monthView || !this.candidates) return;
    const groups: string[] = [];
    const waits: Promise<void>[] = [];
    for (const group of new Set(wanted)) {
      const pending = this.preparing.get(group);
      if (pending) waits.push(pending);
      else if (!this.monthViews.has(group)) groups.push(group);
    }
    if (groups.length > 0) {
      const made = this.source.monthView(groups, this.candidates).then((monthView) => {
        for (const group of groups) this.monthViews.set(group, monthView);
      });
      const settled = made.finally(() => {
        for (const group of groups) this.preparing.delete(group);
      });
      for (const group of groups) this.preparing.set(group, settled);
      waits.push(settled);
    }
    await Promise.all(waits);
  }

  /**
   * The assessments of a measure as they now stand, by asOf (empty when the source holds no
   * assessments projection, e.g. a point-in-time view built before it existed).
   */
  assessments(planId: string, code: string): AssessmentEntry[] {
    let view;
    try {
      view = this.source.view(ASSESSMENTS_PROJECTION);
    } catch {
      return [];
    }
    return assessmentsOf(view, planId, code);
  }

  /**
   * Reports as they stand at this snapshot's position, in recording order (see listReports): on
   * the api runner's source, the live list; on a point-in-time source, the live list (given to
   * the constructor as `liveReports`) with the reports changed since read back (listReportsAt).
   */
  async reportList(filter: ReportListFilter, first: number, after?: bigint): Promise<ReportListPage> {
    const { reportsAt } = this.source;
    if (!reportsAt) return listReports(this.source.view(REPORT_LIST_PROJECTION), filter, first, after);
    if (!this.liveReports) throw new Error('A point-in-time report list needs the live report list (liveReports)');
    return listReportsAt(await this.liveReports(this.position), this.position, filter, first, after, reportsAt);
  }

  /** The plan's roll-up as a whole (every measure), as of `asOf` (see evaluatePlan). */
  planRollUp(planId: string, asOf?: string): StatusRollUp | undefined {
    const plan = this.plan(planId);
    return plan ? planRollUp(plan, this.evaluatePlan(planId, asOf)) : undefined;
  }

  rollUp(planId: string, asOf?: string): PillarRollUp[] {
    const plan = this.plan(planId);
    return plan ? rollUp(plan, this.evaluatePlan(planId, asOf)) : [];
  }

  /** Measures OVERDUE as of `asOf` (see evaluatePlan), of every plan (or one). */
  overdueMeasures(asOf?: string, planId?: string): Array<MeasureInfo & { readonly evaluation: MeasureEvaluation }> {
    return this.measures(planId)
      .map((info) => ({ ...info, evaluation: this.evaluate(info.plan.id, info.measure.code, asOf)! }))
      .filter((m) => m.evaluation.status === 'OVERDUE');
  }

  /**
   * Allocated against disbursed money of a plan (one year, or all); with `asOf`, only the
   * disbursements dated on or before it (funding.query.ts). On a point-in-time source call
   * prepareFundingAsOf first, or a day whose later payments were not read back is refused.
   */
  fundingSummary(planId: string, year?: number, asOf?: string): FundingSummary | undefined {
    const plan = this.plan(planId);
    if (!plan) return undefined;
    const cacheKey = `${planId}\u001f${year ?? ''}\u001f${asOf ?? ''}`;
    let summary = this.funding.get(cacheKey);
    if (!summary) {
      const view = this.source.view(ACTIVITY_PROJECTION);
      const exactDays = this.source.exactDays !== false;
      const later = asOf === undefined ? undefined : (code: string) => disbursementsAfter(view, planId, code, asOf, (group) => this.monthViews.get(group), exactDays);
      summary = fundingSummary(view, plan, { year, asOf, later });
      this.funding.set(cacheKey, summary);
    }
    return summary;
  }

  agencyActivity(agencyId: string): AgencyActivity {
    let activity = this.agencies.get(agencyId);
    if (!activity) {
      // A measure withdrawn today (its assessment in force says WITHDRAWN) is nobody's gap.
      const day = today();
      const withdrawn = (planId: string, code: string) => latestAssessment(this.assessments(planId, code), day)?.level === 'WITHDRAWN';
      activity = agencyActivity(this.source.view(ACTIVITY_PROJECTION), agencyId, this.plans(), withdrawn);
      this.agencies.set(agencyId, activity);
    }
    return activity;
  }

  /** The reporting periods read model (periods.query.ts reads it with a plan of this snapshot). */
  periodsView(): StateView {
    return this.source.view(PERIODS_PROJECTION);
  }

  /** Agencies that have recorded any report. */
  reportingAgencies(): string[] {
    return reportingAgencies(this.source.view(ACTIVITY_PROJECTION));
  }
}

const infosByPlan = new WeakMap<Plan, readonly MeasureInfo[]>();

/** The measures of a plan document, listed once per document (an amendment makes a new one). */
function measureInfos(plan: Plan): readonly MeasureInfo[] {
  let infos = infosByPlan.get(plan);
  if (!infos) infosByPlan.set(plan, (infos = measuresOf(plan).map((m) => ({ plan, ...m }))));
  return infos;
}
