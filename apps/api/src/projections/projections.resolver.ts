import { Inject } from '@nestjs/common';
import { Args, Context, ID, Int, Resolver } from '@nestjs/graphql';
import { Action, Allow } from '@app/auth';
import { DomainError } from '@app/domain';
import type { Plan as PlanDocument } from '@app/plan';
import { EVENT_STORE, type EventStore } from '@app/event-store';
import type { ProjectionSnapshot } from '@app/projections';
import { Measure } from '../common/models/measure.model.js';
import { PlanViews } from '../common/plan-views.js';
import { AgencyActivity, ProjectionStatus } from './models/agency-activity.model.js';
import { FundingSummary } from './models/funding-status.model.js';
import { MeasureStatus, PlanProgress } from './models/measure-progress.model.js';
import { AS_OF, AS_OF_MONEY, AT_LEAST_POSITION, asOfDate, datedAsOf, reasonCounts, rollUpModel, statusCounts } from './projection-args.js';
import { AT, PointInTimeInput } from '../common/dto/point-in-time.input.js';
import { agencyActivityModel, fundingSummaryModel } from './projections.mapper.js';
import { ProjectionsService } from './projections.service.js';
import { RefusableQuery } from '../common/refusable-query.js';
import { checkedYear, givenId, heldPlan, notHeldAt, pointInTimeGiven } from '../common/query-arguments.js';
import { PlanCatalog } from '@app/plan';

/**
 * Coordinator queries over the read models (read-only). Each accepts atLeastPosition to read
 * its own writes, and answers from one snapshot per request.
 */
/** ProjectionStatus.lag counts events up to this many: past it, the figure says "at least". */
export const LAG_COUNT_LIMIT = 10_000;

@Resolver()
@Allow(Action.READ_PROJECTIONS)
export class ProjectionsResolver {
  constructor(
    @Inject(ProjectionsService) private readonly projections: ProjectionsService,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PlanViews) private readonly planViews: PlanViews,
    @Inject(PlanCatalog) private readonly catalog: PlanCatalog,
  ) {}

  @RefusableQuery(() => PlanProgress, { description: 'Where the measures of a plan stand on asOf: counts by status and mean progress, per pillar and objective.' })
  async planProgress(
    @Context() context: object,
    @Args('planId', { type: () => ID }) planId: string,
    @Args('asOf', { nullable: true, description: AS_OF }) asOf?: string,
    @Args('atLeastPosition', { nullable: true, description: AT_LEAST_POSITION }) atLeastPosition?: string,
    @Args('at', { type: () => PointInTimeInput, nullable: true, description: AT }) at?: PointInTimeInput,
  ): Promise<PlanProgress> {
    const dated = datedAsOf(asOf);
    const snapshot = await this.projections.snapshot(context, atLeastPosition, at);
    const plan = this.plan(snapshot, planId, at);
    await snapshot.prepareAsOf(plan.id, dated);
    const pillars = snapshot.rollUp(plan.id, dated);
    const whole = snapshot.planRollUp(plan.id, dated)!;
    return {
      planId: plan.id,
      asOf: dated ?? asOfDate(undefined),
      position: snapshot.position.toString(),
      measures: whole.measures,
      byStatus: statusCounts(whole.byStatus),
      byReason: reasonCounts(whole.byReason),
      meanProgress: whole.meanProgress,
      measuresWithProgress: whole.measuresWithProgress,
      progressMeasureCodes: [...whole.progressMeasureCodes],
      pillars: pillars.map((p) => ({ ...rollUpModel(p), objectives: p.objectives.map(rollUpModel) })),
    };
  }

  @RefusableQuery(() => [Measure], { description: 'Measures with the given status on asOf, of every plan or one, in plan order.' })
  async measuresByStatus(
    @Context() context: object,
    @Args('status', { type: () => MeasureStatus }) status: MeasureStatus,
    @Args('planId', { type: () => ID, nullable: true }) planId?: string,
    @Args('asOf', { nullable: true, description: AS_OF }) asOf?: string,
    @Args('atLeastPosition', { nullable: true, description: AT_LEAST_POSITION }) atLeastPosition?: string,
    @Args('at', { type: () => PointInTimeInput, nullable: true, description: AT }) at?: PointInTimeInput,
  ): Promise<Measure[]> {
    const dated = datedAsOf(asOf);
    const onePlan = givenId(planId, 'planId', 'every plan');
    const snapshot = await this.projections.snapshot(context, atLeastPosition, at);
    // Without planId, a point before any plan was adopted answers [] (docs/audit.md): no plan, no measure.
    if (onePlan !== undefined) this.plan(snapshot, onePlan, at);
    for (const plan of onePlan !== undefined ? [onePlan] : snapshot.plans().map((p) => p.id)) await snapshot.prepareAsOf(plan, dated);
    return snapshot
      .measures(onePlan)
      .filter((m) => snapshot.evaluate(m.plan.id, m.measure.code, dated)?.status === status)
      .map((m) => this.planViews.measureOf(m.plan, m.measure.code));
  }

  @RefusableQuery(() => [Measure], { description: 'Measures with status OVERDUE on asOf: past their deadline, completion judgeable (finish line or assessment) and not reached.' })
  async overdueMeasures(
    @Context() context: object,
    @Args('planId', { type: () => ID, nullable: true }) planId?: string,
    @Args('asOf', { nullable: true, description: AS_OF }) asOf?: string,
    @Args('atLeastPosition', { nullable: true, description: AT_LEAST_POSITION }) atLeastPosition?: string,
    @Args('at', { type: () => PointInTimeInput, nullable: true, description: AT }) at?: PointInTimeInput,
  ): Promise<Measure[]> {
    return this.measuresByStatus(context, MeasureStatus.OVERDUE, planId, asOf, atLeastPosition, at);
  }

  @RefusableQuery(() => FundingSummary, { description: 'Allocated against disbursed money of a plan (one year, or all), per measure, source and budget point.' })
  async fundingSummary(
    @Context() context: object,
    @Args('planId', { type: () => ID }) planId: string,
    @Args('year', { type: () => Int, nullable: true }) year?: number,
    @Args('atLeastPosition', { nullable: true, description: AT_LEAST_POSITION }) atLeastPosition?: string,
    @Args('at', { type: () => PointInTimeInput, nullable: true, description: AT }) at?: PointInTimeInput,
    @Args('asOf', { nullable: true, description: AS_OF_MONEY }) asOf?: string,
  ): Promise<FundingSummary> {
    const oneYear = checkedYear(year);
    const dated = datedAsOf(asOf);
    const snapshot = await this.projections.snapshot(context, atLeastPosition, at);
    const plan = this.plan(snapshot, planId, at);
    await snapshot.prepareFundingAsOf(plan.id, dated);
    return fundingSummaryModel(snapshot.fundingSummary(plan.id, oneYear, dated)!, snapshot.position);
  }

  @RefusableQuery(() => AgencyActivity, { description: 'What an agency has reported, and its measures without a report.' })
  async agencyActivity(
    @Context() context: object,
    @Args('agencyId', { type: () => ID }) agencyId: string,
    @Args('atLeastPosition', { nullable: true, description: AT_LEAST_POSITION }) atLeastPosition?: string,
    @Args('at', { type: () => PointInTimeInput, nullable: true, description: AT }) at?: PointInTimeInput,
  ): Promise<AgencyActivity> {
    const snapshot = await this.projections.snapshot(context, atLeastPosition, at);
    const activity = snapshot.agencyActivity(agencyId);
    const registered = snapshot.plans().some((plan) => plan.agencies.some((a) => a.id === agencyId));
    if (!registered && activity.reports === 0 && activity.lastRecordedAt === undefined) {
      if (pointInTimeGiven(at) && this.catalog.agency(agencyId) !== undefined) {
        notHeldAt(`agency ${agencyId}`, snapshot.position, `is position ${snapshot.position}, before a plan naming agency ${agencyId} was adopted`);
      }
      throw new DomainError('NOT_FOUND', `No agency ${agencyId} in any adopted plan`, { field: 'agencyId', reason: 'is not an agency of any adopted plan' });
    }
    return agencyActivityModel(activity, snapshot.position);
  }

  @RefusableQuery(() => [ProjectionStatus], { description: 'How far each projection has followed the event store.' })
  async projectionStatus(): Promise<ProjectionStatus[]> {
    const runner = this.projections.runner;
    const statuses = runner.status();
    // Counted, not subtracted: positions are byte offsets in EventStoreDB, row ids in SQLite.
    const behind = new Map<bigint, number>();
    for (const s of statuses) if (!behind.has(s.position)) behind.set(s.position, await this.eventsAfter(s.position));
    return statuses.map((s) => ({
      name: s.name,
      version: s.version,
      position: s.position.toString(),
      committedPosition: s.committedPosition.toString(),
      lag: String(behind.get(s.position)),
      entries: s.entries,
      state: runner.state,
    }));
  }

  /** Events stored after `position`, counted up to {@link LAG_COUNT_LIMIT}. */
  private async eventsAfter(position: bigint): Promise<number> {
    let count = 0;
    for await (const _ of this.store.readAll({ from: position > 0n ? position : undefined, maxCount: LAG_COUNT_LIMIT })) count++;
    return count;
  }

  /** The plan the snapshot holds; NOT_FOUND naming `at` (before its adoption) or `planId` (see heldPlan). */
  private plan(snapshot: ProjectionSnapshot, planId: string, at: PointInTimeInput | null | undefined): PlanDocument {
    return heldPlan(snapshot, planId, at, this.catalog.plan(planId) !== undefined);
  }
}
