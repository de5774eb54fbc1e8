import { eventTypeSpec } from '@app/domain';
import type { Agency, Measure, Plan } from '@app/plan';
import {
  ChangeSet,
  type CountedReport,
  FUNDS_DISBURSED,
  KeyedState,
  MEASURE_STATUSES,
  MeasureFigures,
  type MeasureFunding,
  type MeasureStatus,
  PERIOD_REPORTS,
  type PeriodReport,
  REPORTS,
  type StateView,
  type StatusReason,
  TRACKED,
  UNSPECIFIED_SOURCE,
  allPlans,
  assessmentsOf,
  evaluateMeasure,
  fieldValueWords,
  fieldWords,
  figuresAsOf,
  fundingSummary,
  indicatorsOnReport,
  latestAssessment,
  measureKey,
  survivingReports,
  yearsOf,
} from '@app/projections';
import { ReportInputError, ReportPlanNotFoundError } from './report-errors.js';
import type { ReportSource } from './report-source.js';

/**
 * The implementation report: for a plan and a date range, per pillar, objective and measure,
 * what a coordinator's deliverables say (the government's implementation report, GRETA's
 * questionnaire, the US TIP submission whose year runs 1 April – 31 March). One model; the
 * XLSX, CSV and DOCX renderers only lay it out.
 *
 * Every figure comes from the projections' own rules, never a second copy of them:
 * - an indicator's value is MeasureFigures over a state built by the indicators model's own
 *   `indicatorsOnReport` from the counted reports (the report register) dated in the range —
 *   exact to the day, because the register keeps each report's occurredOn;
 * - status and progress are `evaluateMeasure` as of min(to, today) over the figures of the
 *   reports dated on or before that day (`figuresAsOf`): "where the measure stood when the period
 *   closed" — the same function, so the same reports, as GraphQL's `status(asOf)` on that date;
 * - money: what was disbursed in the range (FundsDisbursed dated in it, from the register), and,
 *   to compare with the plan's allocations, which are per calendar (budget) year,
 *   `fundingSummary` for the calendar years the range touches — labelled as those years, never as
 *   the range's.
 */

/** Said after the key of a commented indicator the plan (as amended) no longer gives the measure. */
export const NOT_IN_PLAN = '(not an indicator of the measure in this plan)';

/** An ISO calendar date, YYYY-MM-DD. */
export type IsoDate = string;

export interface DateRange {
  readonly from: IsoDate;
  readonly to: IsoDate;
}

/**
 * The coordinators' assessment in force on the report's asOf (of those dated that day or earlier,
 * the latest: `latestAssessment`), as GraphQL's `Measure.assessment(asOf)` gives it.
 */
export interface MeasureAssessment {
  readonly assessmentId: string;
  /** OGP IRM completion level: NOT_STARTED, LIMITED, SUBSTANTIAL, COMPLETE, or WITHDRAWN. */
  readonly level: string;
  /** The date the judgement describes the measure at (YYYY-MM-DD). */
  readonly asOf: IsoDate;
  readonly narrative: string;
  /** References to evidence (file numbers, links), as recorded. */
  readonly evidence: readonly string[];
  /** The principal that recorded it. */
  readonly recordedBy: string;
  /** Corrections applied to it. */
  readonly corrections: number;
  /**
   * The coordinator's comments on single indicators ("Two postponed to 2024"), in the order
   * recorded, each with the indicator's label from the plan; an indicator the plan no longer has
   * (amended away) is named by its key with "(not an indicator of the measure in this plan)".
   */
  readonly indicatorComments: readonly IndicatorComment[];
}

/** A coordinator's comment on one indicator of the measure, made in an assessment. */
export interface IndicatorComment {
  readonly indicatorKey: string;
  readonly indicatorLabel: string;
  readonly comment: string;
}

export interface AgencyRef {
  readonly id: string;
  readonly name: string;
}

export interface IndicatorLine {
  readonly key: string;
  readonly label: string;
  readonly target?: number;
  /** Value over the reports dated in the range. */
  readonly inRange: bigint;
  /** Value over every report dated up to the report's asOf (min(to, today)): what status and progress count. */
  readonly toDate: bigint;
  /** toDate against the target, percent (evaluateMeasure's rule); undefined without a finish line. */
  readonly progress?: number;
  readonly achieved?: boolean;
}

export interface ReportLine {
  readonly occurredOn: IsoDate;
  readonly agency: AgencyRef;
  readonly reportId: string;
  /** The activity type (TrainingDelivered, FundsDisbursed, …). */
  readonly type: string;
  /** The report's title, or the type's first text field when it has no title (FundsDisbursed: its purpose). */
  readonly title: string;
  /**
   * Its other fields as a person reads them, figures first, e.g. `participants: 24; days: 2` or
   * `amount: HUF 132,000,000; source: National budget; beneficiary: DGSACP` (money as formatHuf, sources by name).
   */
  readonly keyFigures: string;
}

export interface FundingLine {
  readonly year: number;
  readonly source: string;
  /** Integer HUF: the stated allocations (a lower bound when `allocationUnstated`). */
  readonly allocated: bigint;
  /** An allocation of this source and year states no amount (the plan's `amountHuf: unstated`): unknown, not 0. */
  readonly allocationUnstated: boolean;
  readonly disbursed: bigint;
}

/**
 * Whether the plan states the allocation over the budget years: `stated`; `partly stated` (an
 * allocation states no amount, `amountHuf: unstated`, beside stated ones); `not stated` (no
 * amount at all: an unstated allocation, or funding named by source only, "from national
 * funds", or none). Not stated is unknown, never 0.
 */
export type AllocationStated = 'stated' | 'partly stated' | 'not stated';

/** A budget year in which more was disbursed than the plan's stated allocations (fundingSummary's rule). */
export interface OverDisbursedYear {
  readonly year: number;
  readonly allocated: bigint;
  readonly disbursed: bigint;
}

export interface MeasureFundingReport {
  /** The sources the plan names (ids: national, eu, swiss-hungarian). */
  readonly sources: readonly string[];
  /** The plan's funding text, verbatim. */
  readonly fundingText: string;
  /** Integer HUF: FundsDisbursed dated (occurredOn) in the range — the period's own figure. */
  readonly disbursedInRange: bigint;
  /** Integer HUF over the budget years (calendar years the range touches): the stated allocations only. */
  readonly allocated: bigint;
  readonly allocation: AllocationStated;
  /** Integer HUF disbursed in the budget years (whole calendar years, also outside the range): to compare with `allocated`. */
  readonly disbursed: bigint;
  /** Budget years in which an allocation states no amount (`allocated` is then a lower bound). */
  readonly unstatedYears: readonly number[];
  /** Over-disbursed in a budget year against a stated allocation (fundingSummary's rule). */
  readonly overDisbursed: boolean;
  readonly overDisbursedYears: readonly OverDisbursedYear[];
  /** By budget year and source. */
  readonly lines: readonly FundingLine[];
}

export interface MeasureReport {
  readonly code: string;
  readonly title: string;
  readonly responsible: readonly AgencyRef[];
  readonly partners: readonly AgencyRef[];
  readonly partnersText?: string;
  readonly means: string;
  readonly deadline: IsoDate;
  /**
   * The deadline is the report's asOf, the day statuses are taken (the range's last day, or today
   * while the range runs), and the measure is neither achieved nor withdrawn: on that day the
   * deadline has not passed (docs/status.md), so it is In progress or Not started, not Overdue, and
   * the documents say it is due that day.
   */
  readonly dueOnAsOf: boolean;
  readonly indicatorText: string;
  readonly status: MeasureStatus;
  /** Why (NO_REPORT, NO_FINISH_LINE, TARGET_MET, ASSESSED_COMPLETE, …), as GraphQL's statusReason. */
  readonly statusReason: StatusReason;
  /** The assessment in force on asOf, if any. */
  readonly latestAssessment?: MeasureAssessment;
  /** Lowest progress of the indicators with a finish line (percent). */
  readonly progress?: number;
  readonly indicators: readonly IndicatorLine[];
  /** The reports dated in the range, by date. */
  readonly reports: readonly ReportLine[];
  readonly funding: MeasureFundingReport;
}

export interface ObjectiveReport {
  readonly code: string;
  readonly title: string;
  readonly measures: readonly MeasureReport[];
}

export interface PillarReport {
  readonly code: string;
  readonly title: string;
  readonly objectives: readonly ObjectiveReport[];
}

export interface ReportSummary {
  readonly measures: number;
  readonly byStatus: Readonly<Record<MeasureStatus, number>>;
  /** Measures by status reason (only the reasons that occur). */
  readonly byReason: Readonly<Partial<Record<StatusReason, number>>>;
  readonly reportsInRange: number;
  /** Integer HUF disbursed in the range (FundsDisbursed dated in it). */
  readonly disbursedInRange: bigint;
  /** Integer HUF over the budget years: stated allocations only. */
  readonly allocated: bigint;
  /** Integer HUF disbursed in the budget years (whole calendar years). */
  readonly disbursed: bigint;
  /** Measures whose allocation over the budget years is not (or only partly) stated. */
  readonly measuresWithUnstatedAllocation: number;
  /** Measures that disbursed more than their stated allocation in a budget year. */
  readonly overDisbursedMeasures: readonly string[];
  /** Measures due on the report's asOf, neither achieved nor withdrawn (MeasureReport.dueOnAsOf), in plan order. */
  readonly dueOnAsOf: readonly string[];
}

/** What a published report was computed from, so it can be reproduced and checked later. */
export interface LedgerFooter {
  /** The last ledger position folded (-1: the empty ledger). */
  readonly position: bigint;
  /** The hash chain head after it: `ledger verify --head <hash>@<position>` checks the log still has it. */
  readonly chainHead: string;
  /** Events the chain covers. */
  readonly sequence: bigint;
}

export interface ImplementationReport {
  readonly plan: { readonly id: string; readonly title: string; readonly decision: string; readonly period: DateRange };
  readonly range: DateRange;
  /**
   * The days of the range inside the plan's period: no report can be dated outside it (the report
   * decider refuses such a date), so reports and money are these days'. Equal to `range` unless
   * the range reaches beyond the plan.
   */
  readonly coverage: DateRange;
  /** The calendar (budget) years of `coverage`: the plan allocates money per calendar year. */
  readonly budgetYears: { readonly from: number; readonly to: number };
  /** The date statuses are evaluated at: min(to, today). */
  readonly asOf: IsoDate;
  readonly ledger: LedgerFooter;
  readonly summary: ReportSummary;
  readonly pillars: readonly PillarReport[];
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function validDate(value: string): boolean {
  const match = ISO_DATE.exec(value);
  if (!match) return false;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return date.toISOString().slice(0, 10) === value;
}

/** Checks a range: both calendar dates (YYYY-MM-DD), from ≤ to. Throws ReportInputError naming the field. */
export function parseRange(from: string | undefined, to: string | undefined): DateRange {
  if (from === undefined || from === '') throw new ReportInputError('from', 'is required (YYYY-MM-DD)');
  if (to === undefined || to === '') throw new ReportInputError('to', 'is required (YYYY-MM-DD)');
  if (!validDate(from)) throw new ReportInputError('from', `must be a calendar date YYYY-MM-DD (got "${from}")`);
  if (!validDate(to)) throw new ReportInputError('to', `must be a calendar date YYYY-MM-DD (got "${to}")`);
  if (from > to) throw new ReportInputError('to', `must not be before from (${from})`);
  return { from, to };
}

/** The US Trafficking in Persons reporting year ending 31 March of `year`: 1 April of year-1 to 31 March of year. */
export function tipYear(year: number): DateRange {
  return { from: `${year - 1}-04-01`, to: `${year}-03-31` };
}

export interface BuildReportOptions {
  readonly planId: string;
  readonly range: DateRange;
  /** Today (YYYY-MM-DD): statuses are evaluated at min(to, today). */
  readonly today: IsoDate;
  /** Whether the caller asked for a past point (atPosition/atInstant): a missing plan's refusal then names the position. */
  readonly pointAsked?: boolean;
}

/**
 * The report model from the ledger as `source` holds it. Pure (no I/O, no clock): the same
 * source, plan, range and day give the same report. Throws ReportPlanNotFoundError when the
 * plan is not adopted at the source's position, ReportInputError (field `from` or `to`) when the
 * range has no day in the plan's period: such a report could only say nothing.
 */
export function buildImplementationReport(source: ReportSource, options: BuildReportOptions): ImplementationReport {
  const plan = allPlans(source.plans).find((p) => p.id === options.planId);
  if (!plan) throw new ReportPlanNotFoundError(options.planId, options.pointAsked === true ? (source.position < 0n ? 0n : source.position) : undefined);
  const { range } = options;
  const coverage = coverageOf(range, plan);
  const asOf = range.to < options.today ? range.to : options.today;
  const agencies = new Map(plan.agencies.map((a) => [a.id, a]));
  const ref = (id: string): AgencyRef => ({ id, name: (agencies.get(id) as Agency | undefined)?.name ?? id });

  const reports = countedReports(source.texts, plan.id);
  const paidInRange = disbursedInRange(reports, range);
  const inRange = figuresState(source.activity, reports.filter(({ report }) => report[3] >= range.from && report[3] <= range.to));
  const byReason: Partial<Record<StatusReason, number>> = {};
  let measuresWithUnstatedAllocation = 0;
  const funding = new Map(fundingSummary(source.activity, plan).measures.map((m) => [m.measureCode, m]));
  const fromYear = Number(coverage.from.slice(0, 4));
  const toYear = Number(coverage.to.slice(0, 4));
  const overDisbursedMeasures: string[] = [];
  const dueOnAsOf: string[] = [];

  const byStatus = Object.fromEntries(MEASURE_STATUSES.map((s) => [s, 0])) as Record<MeasureStatus, number>;
  let reportsInRange = 0;
  let allocated = 0n;
  let disbursed = 0n;
  let disbursedInRangeTotal = 0n;

  const measureReport = (measure: Measure): MeasureReport => {
    const rangeFigures = new MeasureFigures(inRange, plan.id, measure.code);
    // The same inputs as the api's status(asOf) (ProjectionSnapshot.evaluatePlan): the reports dated
    // on or before asOf, the plan's period and the assessment in force on asOf, from the
    // assessments as they stood at the source's position.
    const dateFigures = figuresAsOf(source.activity, plan.id, measure.code, asOf, new MeasureFigures(source.activity, plan.id, measure.code));
    const assessment = latestAssessment(assessmentsOf(source.assessments, plan.id, measure.code), asOf);
    const evaluation = evaluateMeasure(measure, dateFigures, asOf, { period: plan.period, assessment });
    const lines = reportLines(reports, measureKey(plan.id, measure.code), range, ref);
    const money = measureFunding(measure, funding.get(measure.code), fromYear, toYear, plan, paidInRange.get(measureKey(plan.id, measure.code)) ?? 0n);
    byStatus[evaluation.status] += 1;
    byReason[evaluation.reason] = (byReason[evaluation.reason] ?? 0) + 1;
    if (money.allocation !== 'stated') measuresWithUnstatedAllocation += 1;
    if (money.overDisbursed) overDisbursedMeasures.push(measure.code);
    // A measure achieved or withdrawn is not waiting on its deadline: only the others are "due".
    const due = measure.deadline === asOf && evaluation.status !== 'ACHIEVED' && evaluation.status !== 'WITHDRAWN';
    if (due) dueOnAsOf.push(measure.code);
    const labels = new Map(measure.indicators.map((i) => [i.key, i.label]));
    reportsInRange += lines.length;
    allocated += money.allocated;
    disbursed += money.disbursed;
    disbursedInRangeTotal += money.disbursedInRange;
    return {
      code: measure.code,
      title: measure.title,
      responsible: measure.responsible.map(ref),
      partners: measure.partners.map(ref),
      ...(measure.partnersText === undefined ? {} : { partnersText: measure.partnersText }),
      means: measure.means,
      deadline: measure.deadline,
      dueOnAsOf: due,
      indicatorText: measure.indicatorText,
      status: evaluation.status,
      ...(evaluation.progress === undefined ? {} : { progress: evaluation.progress }),
      statusReason: evaluation.reason,
      ...(evaluation.assessment === undefined
        ? {}
        : {
            latestAssessment: {
              assessmentId: evaluation.assessment.assessmentId,
              level: evaluation.assessment.level,
              asOf: evaluation.assessment.asOf,
              narrative: evaluation.assessment.narrative,
              evidence: evaluation.assessment.evidence,
              recordedBy: evaluation.assessment.recordedBy,
              corrections: evaluation.assessment.corrections,
              indicatorComments: evaluation.assessment.indicatorComments.map((c) => ({ indicatorKey: c.indicatorKey, indicatorLabel: labels.get(c.indicatorKey) ?? `${c.indicatorKey} ${NOT_IN_PLAN}`, comment: c.comment })),
            },
          }),
      indicators: evaluation.indicators.map((progress) => ({
        key: progress.indicator.key,
        label: progress.indicator.label,
        ...(progress.target === undefined ? {} : { target: progress.target }),
        inRange: rangeFigures.value(progress.indicator),
        toDate: progress.value,
        ...(progress.progress === undefined ? {} : { progress: progress.progress }),
        ...(progress.achieved === undefined ? {} : { achieved: progress.achieved }),
      })),
      reports: lines,
      funding: money,
    };
  };

  const pillars = plan.pillars.map((pillar) => ({
    code: pillar.code,
    title: pillar.title,
    objectives: pillar.objectives.map((objective) => ({ code: objective.code, title: objective.title, measures: objective.measures.map(measureReport) })),
  }));
  const measures = pillars.reduce((n, p) => n + p.objectives.reduce((m, o) => m + o.measures.length, 0), 0);
  return {
    plan: { id: plan.id, title: plan.title, decision: plan.legalBasis.decision, period: plan.period },
    range,
    coverage,
    budgetYears: { from: fromYear, to: toYear },
    asOf,
    ledger: { position: source.position, chainHead: source.head.hash, sequence: source.head.sequence },
    summary: { measures, byStatus, byReason, reportsInRange, disbursedInRange: disbursedInRangeTotal, allocated, disbursed, measuresWithUnstatedAllocation, overDisbursedMeasures, dueOnAsOf },
    pillars,
  };
}

/** The range's days inside the plan's period; refuses a range with none (ReportInputError). */
function coverageOf(range: DateRange, plan: Plan): DateRange {
  const { period } = plan;
  if (range.to < period.from || range.from > period.to) {
    const [field, reason] = range.to < period.from ? ['to', `is before the first day of plan ${plan.id} (${period.from})`] : ['from', `is after the last day of plan ${plan.id} (${period.to})`];
    throw new ReportInputError(field, `${reason}: the range ${range.from} – ${range.to} holds no day of the plan's period (${period.from} – ${period.to}), the only days reports are dated in`);
  }
  return { from: range.from < period.from ? period.from : range.from, to: range.to > period.to ? period.to : range.to };
}

/** Integer HUF of the FundsDisbursed dated in the range, by measure key (corrections applied, retractions out). */
function disbursedInRange(reports: readonly Counted[], range: DateRange): Map<string, bigint> {
  const out = new Map<string, bigint>();
  for (const { report } of reports) {
    const [mk, type, , occurredOn, figures] = report;
    if (type !== FUNDS_DISBURSED || occurredOn < range.from || occurredOn > range.to || typeof figures.amount !== 'string') continue;
    out.set(mk, (out.get(mk) ?? 0n) + BigInt(figures.amount));
  }
  return out;
}

/** A counted report of the register, with its stream. */
interface Counted {
  readonly stream: string;
  readonly report: CountedReport;
}

/** The counted reports of a plan. */
function countedReports(texts: StateView, planId: string): Counted[] {
  const out: Counted[] = [];
  const prefix = measureKey(planId, '');
  for (const [stream, report] of texts.group(REPORTS, '')) if (report[0].startsWith(prefix)) out.push({ stream, report });
  return out;
}

/**
 * Indicator figures over some reports: the indicators model's own contribution rule applied to
 * each, on a state that tracks the same distinct-count fields as the activity state.
 *
 * Reports that cover a period (indicators with `overlappingPeriods: supersede`) are decided over
 * the whole ledger, as GraphQL's figures are: of one agency's overlapping statistics the later
 * recorded counts, whatever range is asked; the survivors dated in the range are kept.
 */
function figuresState(activity: StateView, reports: readonly Counted[]): KeyedState {
  const state = new KeyedState();
  for (const type of activity.groups(TRACKED)) {
    for (const field of activity.group(TRACKED, type).keys()) state.apply({ table: TRACKED.name, group: type, key: field, value: 1 });
  }
  const survivors = new Map<string, ReadonlySet<PeriodReport>>();
  for (const { stream, report } of reports) {
    const cs = new ChangeSet(state);
    indicatorsOnReport(cs, state, { stream, agencyId: report[2], before: undefined, after: report });
    for (const change of cs.changes) state.apply(change);
    const mk = report[0];
    const period = activity.get(PERIOD_REPORTS, mk, stream);
    if (period === undefined) continue;
    let kept = survivors.get(mk);
    if (!kept) survivors.set(mk, (kept = new Set(survivingReports([...activity.group(PERIOD_REPORTS, mk).values()]))));
    if (kept.has(period)) state.apply({ table: PERIOD_REPORTS.name, group: mk, key: stream, value: period });
  }
  return state;
}

function reportLines(
  reports: readonly Counted[],
  mk: string,
  range: DateRange,
  ref: (id: string) => AgencyRef,
): ReportLine[] {
  return reports
    .filter(({ report }) => report[0] === mk && report[3] >= range.from && report[3] <= range.to)
    .map(({ stream, report }) => {
      const [, type, agencyId, occurredOn, figures] = report;
      const fields = eventTypeSpec(type)?.fields ?? [];
      // The title column holds one text: the title, else the type's first text field (FundsDisbursed:
      // its purpose). The other fields, a choice such as the funding source included, are named beside it.
      const named = fields.find((f) => f.name === 'title' && typeof figures.title === 'string') ?? fields.find((f) => f.kind === 'text' && typeof figures[f.name] === 'string');
      const title = named ? String(figures[named.name]) : '';
      const keyFigures = fields
        .filter((f) => f !== named && f.kind !== 'text' && figures[f.name] !== undefined)
        .concat(fields.filter((f) => f !== named && f.kind === 'text' && figures[f.name] !== undefined))
        .map((f) => `${fieldWords(f.name)}: ${figureText(f.kind, f.name, figures[f.name])}`)
        .join('; ');
      return { occurredOn, agency: ref(agencyId), reportId: stream.slice(`activity-${agencyId}-`.length), type, title, keyFigures };
    })
    .sort((a, b) => (a.occurredOn < b.occurredOn ? -1 : a.occurredOn > b.occurredOn ? 1 : a.reportId < b.reportId ? -1 : a.reportId > b.reportId ? 1 : 0));
}


/** One field of a report as a person reads it: the shared words (fieldValueWords), counts grouped. */
function figureText(kind: string, name: string, value: unknown): string {
  if (kind === 'boolean') return value ? 'yes' : 'no';
  if (kind === 'count' && typeof value === 'number') return value.toLocaleString('en-US');
  return fieldValueWords(kind, name, value) ?? String(value);
}

function measureFunding(
  measure: Measure,
  funding: MeasureFunding | undefined,
  fromYear: number,
  toYear: number,
  plan: Plan,
  paidInRange: bigint,
): MeasureFundingReport {
  const years = (funding?.years ?? []).filter((y) => y.year >= fromYear && y.year <= toYear);
  // Which (year, source) pairs have an allocation stating no amount: fundingSummary flags the year;
  // the plan's allocations tell the source.
  const unstated = new Set<string>();
  for (const allocation of measure.funding?.allocations ?? []) {
    if (allocation.amountHuf !== undefined) continue;
    for (const year of yearsOf(allocation, plan)) unstated.add(`${year}\u001f${allocation.source ?? UNSPECIFIED_SOURCE}`);
  }
  const lines = years.flatMap((y) =>
    y.bySource.map((s) => ({ year: y.year, source: s.source, allocated: s.allocated, allocationUnstated: unstated.has(`${y.year}\u001f${s.source}`), disbursed: s.disbursed })),
  );
  const allocated = years.reduce((sum, y) => sum + y.allocated, 0n);
  const unstatedYears = years.filter((y) => y.allocationUnstated).map((y) => y.year);
  // A measure the plan funds without any amount ("from national funds") has nothing stated: not 0.
  const allocation: AllocationStated = !funding?.hasAllocations ? 'not stated' : unstatedYears.length === 0 ? 'stated' : allocated === 0n ? 'not stated' : 'partly stated';
  const overDisbursedYears = years.filter((y) => y.overDisbursed).map((y) => ({ year: y.year, allocated: y.allocated, disbursed: y.disbursed }));
  return {
    sources: measure.funding?.sources ?? [],
    fundingText: measure.fundingText,
    disbursedInRange: paidInRange,
    allocated,
    allocation,
    disbursed: years.reduce((sum, y) => sum + y.disbursed, 0n),
    unstatedYears,
    overDisbursed: overDisbursedYears.length > 0,
    overDisbursedYears,
    lines: funding?.hasAllocations ? lines : lines.map((l) => ({ ...l, allocationUnstated: true })),
  };
}
