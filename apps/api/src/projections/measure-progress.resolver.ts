import { Inject } from '@nestjs/common';
import { Args, Context, Float, Int, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import { AccessPolicy, Action, CurrentPrincipal, type Principal } from '@app/auth';
import { DomainError } from '@app/domain';
import { type AssessmentEntry, type MeasureEvaluation, type ProjectionSnapshot } from '@app/projections';
import { Measure } from '../plan/models/measure.model.js';
import { IndicatorAggregate } from '../plan/models/measure.model.js';
import { MeasureFundingStatus } from './models/funding-status.model.js';
import { AgencyValue, Granularity, IndicatorValue, MeasureStatus, PeriodRangeInput, PeriodValue, StatusReason } from './models/measure-progress.model.js';
import type { MonthRange } from '@app/projections';
import { isIsoDate } from '@app/plan';
import { AssessmentModel, type ImplementationLevel } from '../assessment/models/assessment.model.js';
import { AS_OF, AT_LEAST_POSITION, asOfDate } from './projection-args.js';
import { measureFundingModel } from './projections.mapper.js';
import { AT, PointInTimeInput } from '../common/dto/point-in-time.input.js';
import { ProjectionsService } from './projections.service.js';

/**
 * Progress fields on the plan's Measure type, computed from the read models at query time.
 * Field resolvers run without the global guard, so each checks access itself: coordinators and
 * auditors read every measure's progress; an agency only that of the measures it is a
 * responsible body or a partner of (AccessPolicy.assertCanReadMeasure); others see the measure,
 * not its progress.
 * Every measure of a request is computed from one snapshot (see ProjectionsService.snapshot).
 */
@Resolver(() => Measure)
export class MeasureProgressResolver {
  constructor(
    @Inject(ProjectionsService) private readonly projections: ProjectionsService,
    @Inject(AccessPolicy) private readonly policy: AccessPolicy,
  ) {}

  @ResolveField(() => MeasureStatus, { description: 'Where the measure stands on asOf (see MeasureStatus).' })
  async status(
    @Parent() measure: Measure,
    @Context() context: object,
    @CurrentPrincipal() principal: Principal,
    @Args('asOf', { nullable: true, description: AS_OF }) asOf?: string,
    @Args('atLeastPosition', { nullable: true, description: AT_LEAST_POSITION }) atLeastPosition?: string,
    @Args('at', { type: () => PointInTimeInput, nullable: true, description: AT }) at?: PointInTimeInput,
  ): Promise<MeasureStatus> {
    return (await this.evaluation(measure, context, principal, 'Measure.status', asOf, atLeastPosition, at)).status as MeasureStatus;
  }

  @ResolveField(() => StatusReason, { description: 'Why the measure has its status on asOf (see StatusReason, docs/status.md).' })
  async statusReason(
    @Parent() measure: Measure,
    @Context() context: object,
    @CurrentPrincipal() principal: Principal,
    @Args('asOf', { nullable: true, description: AS_OF }) asOf?: string,
    @Args('atLeastPosition', { nullable: true, description: AT_LEAST_POSITION }) atLeastPosition?: string,
    @Args('at', { type: () => PointInTimeInput, nullable: true, description: AT }) at?: PointInTimeInput,
  ): Promise<StatusReason> {
    return (await this.evaluation(measure, context, principal, 'Measure.statusReason', asOf, atLeastPosition, at)).reason as StatusReason;
  }

  @ResolveField(() => Boolean, { description: 'Whether the plan gives the measure a finish line: at least one indicator with a target, or a milestone.' })
  hasFinishLine(@Parent() measure: Measure): boolean {
    return measure.indicators.some((i) => (i.target ?? null) !== null || i.aggregate === IndicatorAggregate.MILESTONE);
  }

  @ResolveField(() => AssessmentModel, {
    nullable: true,
    description: 'The assessment in force on asOf: of the assessments as of that day or earlier, the latest. Null when there is none.',
  })
  async assessment(
    @Parent() measure: Measure,
    @Context() context: object,
    @CurrentPrincipal() principal: Principal,
    @Args('asOf', { nullable: true, description: AS_OF }) asOf?: string,
    @Args('atLeastPosition', { nullable: true, description: AT_LEAST_POSITION }) atLeastPosition?: string,
    @Args('at', { type: () => PointInTimeInput, nullable: true, description: AT }) at?: PointInTimeInput,
  ): Promise<AssessmentModel | null> {
    const entry = (await this.evaluation(measure, context, principal, 'Measure.assessment', asOf, atLeastPosition, at)).assessment;
    return entry ? assessmentModel(entry) : null;
  }

  @ResolveField(() => [AssessmentModel], { description: "Every assessment of the measure as it now stands (corrections applied), by asOf; history: assessmentHistory." })
  async assessments(
    @Parent() measure: Measure,
    @Context() context: object,
    @CurrentPrincipal() principal: Principal,
    @Args('atLeastPosition', { nullable: true, description: AT_LEAST_POSITION }) atLeastPosition?: string,
    @Args('at', { type: () => PointInTimeInput, nullable: true, description: AT }) at?: PointInTimeInput,
  ): Promise<AssessmentModel[]> {
    const snapshot = await this.snapshot(context, principal, 'Measure.assessments', atLeastPosition, at, measure);
    return snapshot.assessments(measure.planId, measure.code).map(assessmentModel);
  }

  @ResolveField(() => Float, {
    nullable: true,
    description: 'Overall progress in percent: the lowest of its targeted indicators and milestones; null when it has none.',
  })
  async progress(
    @Parent() measure: Measure,
    @Context() context: object,
    @CurrentPrincipal() principal: Principal,
    @Args('atLeastPosition', { nullable: true, description: AT_LEAST_POSITION }) atLeastPosition?: string,
    @Args('at', { type: () => PointInTimeInput, nullable: true, description: AT }) at?: PointInTimeInput,
  ): Promise<number | null> {
    return (await this.evaluation(measure, context, principal, 'Measure.progress', undefined, atLeastPosition, at)).progress ?? null;
  }

  @ResolveField(() => Int, { description: 'Reports counted on the measure (any event type; retracted ones excluded).' })
  async reportCount(
    @Parent() measure: Measure,
    @Context() context: object,
    @CurrentPrincipal() principal: Principal,
    @Args('atLeastPosition', { nullable: true, description: AT_LEAST_POSITION }) atLeastPosition?: string,
    @Args('at', { type: () => PointInTimeInput, nullable: true, description: AT }) at?: PointInTimeInput,
  ): Promise<number> {
    const snapshot = await this.snapshot(context, principal, 'Measure.reportCount', atLeastPosition, at, measure);
    return snapshot.measureFigures(measure.planId, measure.code).reports;
  }

  @ResolveField(() => [IndicatorValue], { description: "The measure's indicators with their values, from the plan's current definitions." })
  async indicatorValues(
    @Parent() measure: Measure,
    @Context() context: object,
    @CurrentPrincipal() principal: Principal,
    @Args('atLeastPosition', { nullable: true, description: AT_LEAST_POSITION }) atLeastPosition?: string,
    @Args('at', { type: () => PointInTimeInput, nullable: true, description: AT }) at?: PointInTimeInput,
  ): Promise<IndicatorValue[]> {
    const snapshot = await this.snapshot(context, principal, 'Measure.indicatorValues', atLeastPosition, at, measure);
    const evaluation = this.evaluate(snapshot, measure);
    const figures = snapshot.measureFigures(measure.planId, measure.code);
    return evaluation.indicators.map((i) => ({
      key: i.indicator.key,
      label: i.indicator.label,
      event: i.indicator.event,
      aggregate: i.indicator.aggregate as IndicatorAggregate,
      field: i.indicator.field,
      target: i.target,
      value: Number(i.value),
      exactValue: i.value.toString(),
      progress: i.progress,
      achieved: i.achieved,
      figures,
      indicator: i.indicator,
    }));
  }

  @ResolveField(() => MeasureFundingStatus, { description: 'Allocated against disbursed money (of one year, or all).' })
  async fundingStatus(
    @Parent() measure: Measure,
    @Context() context: object,
    @CurrentPrincipal() principal: Principal,
    @Args('year', { type: () => Int, nullable: true }) year?: number,
    @Args('atLeastPosition', { nullable: true, description: AT_LEAST_POSITION }) atLeastPosition?: string,
    @Args('at', { type: () => PointInTimeInput, nullable: true, description: AT }) at?: PointInTimeInput,
  ): Promise<MeasureFundingStatus> {
    const snapshot = await this.snapshot(context, principal, 'Measure.fundingStatus', atLeastPosition, at, measure);
    const summary = snapshot.fundingSummary(measure.planId, year ?? undefined);
    const funding = summary?.measures.find((m) => m.measureCode === measure.code);
    if (!funding) throw new DomainError('NOT_FOUND', `No measure ${measure.code} in the read models of plan ${measure.planId}`);
    return measureFundingModel(funding);
  }

  private async snapshot(
    context: object,
    principal: Principal,
    operation: string,
    atLeastPosition: string | undefined,
    at: PointInTimeInput | undefined,
    measure: Measure,
  ): Promise<ProjectionSnapshot> {
    this.policy.assertAllowed(principal, [Action.READ_PROJECTIONS, Action.READ_ASSIGNED_PROJECTIONS], operation);
    this.policy.assertCanReadMeasure(
      principal,
      { code: measure.code, responsible: measure.responsible.map((a) => a.id), partners: measure.partners.map((a) => a.id) },
      operation,
    );
    return this.projections.snapshot(context, atLeastPosition, at);
  }

  private async evaluation(
    measure: Measure,
    context: object,
    principal: Principal,
    operation: string,
    asOf?: string,
    atLeastPosition?: string,
    at?: PointInTimeInput,
  ): Promise<MeasureEvaluation> {
    const date = asOfDate(asOf);
    return this.evaluate(await this.snapshot(context, principal, operation, atLeastPosition, at, measure), measure, date);
  }

  private evaluate(snapshot: ProjectionSnapshot, measure: Measure, asOf = asOfDate(undefined)): MeasureEvaluation {
    const evaluation = snapshot.evaluate(measure.planId, measure.code, asOf);
    if (!evaluation) throw new DomainError('NOT_FOUND', `No measure ${measure.code} in the read models of plan ${measure.planId} (yet)`);
    return evaluation;
  }
}

export function assessmentModel(entry: AssessmentEntry): AssessmentModel {
  return {
    assessmentId: entry.assessmentId,
    level: entry.level as ImplementationLevel,
    asOf: entry.asOf,
    narrative: entry.narrative,
    evidence: [...entry.evidence],
    indicatorComments: entry.indicatorComments.map((c) => ({ ...c })),
    corrections: entry.corrections,
    recordedAt: entry.recordedAt,
    recordedBy: entry.recordedBy,
    updatedAt: entry.updatedAt,
    position: entry.position,
  };
}

/** Breakdowns of an indicator value, from the same snapshot as the value. */
@Resolver(() => IndicatorValue)
export class IndicatorValueResolver {
  @ResolveField(() => [PeriodValue], {
    description:
      'The value per period of occurredOn: per calendar month, quarter or year (granularity; periods with reports), per reporting year starting on yearStartsOn (e.g. "04-01", the US TIP year; years with reports), or over each of the given ranges (in order, 0 where nothing was reported). Figures are kept per month, so periods are whole months.',
  })
  byPeriod(
    @Parent() value: IndicatorValue,
    @Args('granularity', { type: () => Granularity, defaultValue: Granularity.MONTH }) granularity: Granularity,
    @Args('yearStartsOn', { nullable: true, description: 'MM-01: the first day of the reporting year (e.g. "04-01"); overrides granularity.' })
    yearStartsOn?: string,
    @Args('ranges', { type: () => [PeriodRangeInput], nullable: true, description: 'Ranges of whole months (at most 100); overrides granularity and yearStartsOn.' })
    ranges?: PeriodRangeInput[],
  ): PeriodValue[] {
    const model = (b: { key: string; value: bigint }) => ({ period: b.key, value: Number(b.value), exactValue: b.value.toString() });
    if (ranges && ranges.length > 0) return value.figures.byRanges(value.indicator, monthRanges(ranges)).map(model);
    if (yearStartsOn) return value.figures.byReportingYear(value.indicator, yearStartMonth(yearStartsOn)).map(model);
    return value.figures.byPeriod(value.indicator, granularity).map(model);
  }

  @ResolveField(() => [AgencyValue], { description: 'The value per reporting agency, for agencies with reports.' })
  byAgency(@Parent() value: IndicatorValue): AgencyValue[] {
    return value.figures.byAgency(value.indicator).map((b) => ({ agencyId: b.key, value: Number(b.value), exactValue: b.value.toString() }));
  }
}

const MAX_RANGES = 100;

/** Ranges checked as whole months (figures are kept per month of occurredOn); BAD_USER_INPUT names the range. */
export function monthRanges(ranges: readonly PeriodRangeInput[]): MonthRange[] {
  if (ranges.length > MAX_RANGES) throw DomainError.badInput('ranges', `must hold at most ${MAX_RANGES} ranges (got ${ranges.length})`);
  return ranges.map((r, i) => {
    if (!isIsoDate(r.from) || !r.from.endsWith('-01')) {
      throw DomainError.badInput(`ranges[${i}].from`, 'must be the first day of a month, YYYY-MM-01: figures are kept per month of occurredOn');
    }
    const lastDay = isIsoDate(r.to) ? new Date(Date.UTC(Number(r.to.slice(0, 4)), Number(r.to.slice(5, 7)), 0)).getUTCDate() : -1;
    if (lastDay < 0 || Number(r.to.slice(8, 10)) !== lastDay) {
      throw DomainError.badInput(`ranges[${i}].to`, 'must be the last day of a month, YYYY-MM-DD: figures are kept per month of occurredOn');
    }
    if (r.to < r.from) throw DomainError.badInput(`ranges[${i}].to`, `is before from (${r.from})`);
    return { key: r.label ?? `${r.from}/${r.to}`, from: r.from.slice(0, 7), to: r.to.slice(0, 7) };
  });
}

/** The month (1–12) a reporting year starts in, from "MM-01". */
export function yearStartMonth(yearStartsOn: string): number {
  const match = /^(0[1-9]|1[0-2])-(\d{2})$/.exec(yearStartsOn);
  if (!match) throw DomainError.badInput('yearStartsOn', 'must be a day of the year written MM-DD, e.g. "04-01"');
  if (match[2] !== '01') throw DomainError.badInput('yearStartsOn', 'must be the first day of a month (MM-01): figures are kept per month of occurredOn');
  return Number(match[1]);
}
