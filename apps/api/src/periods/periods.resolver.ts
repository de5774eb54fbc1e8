import { Inject } from '@nestjs/common';
import { Args, Context, ID, Resolver } from '@nestjs/graphql';
import { AccessPolicy, Action, Allow, PERIOD_STEP_ACTION, CurrentPrincipal, type Principal } from '@app/auth';
import { DomainError, PERIOD_STATUSES, type PeriodStatus as PeriodStatusValue } from '@app/domain';
import { type Plan, PlanCatalog } from '@app/plan';
import {
  type AgencyPeriod as AgencyPeriodValue,
  type ProjectionSnapshot,
  agencyPeriod,
  planPeriods,
  reportingAgenciesByMeasure,
  returnedPeriods,
  today,
  unsubmittedPeriods,
} from '@app/projections';
import { correlationIdOf } from '../common/correlation-id.js';
import { AT, PointInTimeInput } from '../common/dto/point-in-time.input.js';
import { PROJECTION_SNAPSHOTS, type ProjectionSnapshots } from '../common/projection-snapshots.token.js';
import { ApprovePeriodInput, ReopenPeriodInput, ReturnPeriodInput, SubmitPeriodInput } from './dto/period-inputs.js';
import { AgencyPeriod, PeriodApproval, PeriodReceipt, PeriodStatus } from './models/period.models.js';
import { PeriodCommandService, type PeriodStepRequest } from './period-command.service.js';
import { RefusableQuery, RefusableMutation } from '../common/refusable-query.js';
import { checkedAsOf, givenId, heldPlan, notHeldAt, pointInTimeGiven } from '../common/query-arguments.js';

interface GqlContext {
  req?: { id?: unknown; headers?: Record<string, string | string[] | undefined> };
}

const AT_LEAST_POSITION = 'A global position (bigint as a string, e.g. what a mutation returned): the answer waits until the read models include it.';

function toModel(p: AgencyPeriodValue): AgencyPeriod {
  return {
    planId: p.planId,
    agencyId: p.agencyId,
    periodId: p.span.periodId,
    from: p.span.from,
    to: p.span.to,
    status: p.status,
    locked: p.status === 'APPROVED',
    comment: p.entry?.comment ?? null,
    reason: p.entry?.reason ?? null,
    approvals: p.entry?.approvals ?? 0,
    submittedMeasureCodes: [...(p.entry?.measureCodes ?? [])],
    lastPosition: p.entry?.position ?? null,
    lastRecordedAt: p.entry?.recordedAt ?? null,
  };
}

/** A step request from any of the four inputs (fields an input lacks stay absent). */
function stepOf(kind: PeriodStepRequest['kind'], input: { planId?: string; agencyId?: string; periodId: string; requestId: string; comment?: string; reason?: string }): PeriodStepRequest {
  return { kind, planId: input.planId, agencyId: input.agencyId, periodId: input.periodId, requestId: input.requestId, comment: input.comment, reason: input.reason };
}

/**
 * Reporting periods (docs/periods.md): agencies submit, coordinators approve, return and reopen;
 * the queries answer from the periods read model, point-in-time with `at` like every projection.
 * An agency reads only its own agency's periods.
 */
@Resolver()
export class PeriodsResolver {
  constructor(
    private readonly commands: PeriodCommandService,
    @Inject(PROJECTION_SNAPSHOTS) private readonly projections: ProjectionSnapshots,
    private readonly policy: AccessPolicy,
    @Inject(PlanCatalog) private readonly catalog: PlanCatalog,
  ) {}

  @RefusableMutation(() => PeriodReceipt, { description: "Submits one of your agency's reporting periods, once it has ended, for the coordinator's approval." })
  @Allow(PERIOD_STEP_ACTION.submit)
  submitPeriod(@Args('input') input: SubmitPeriodInput, @CurrentPrincipal() principal: Principal, @Context() ctx: GqlContext): Promise<PeriodReceipt> {
    return this.step(stepOf('submit', input), principal, ctx);
  }

  @RefusableMutation(() => PeriodReceipt, { description: "Approves an agency's submitted or reopened period: its reports dated in the period are locked (FORBIDDEN, rule period-locked)." })
  @Allow(PERIOD_STEP_ACTION.approve)
  approvePeriod(@Args('input') input: ApprovePeriodInput, @CurrentPrincipal() principal: Principal, @Context() ctx: GqlContext): Promise<PeriodReceipt> {
    return this.step(stepOf('approve', input), principal, ctx);
  }

  @RefusableMutation(() => PeriodReceipt, { description: "Returns an agency's submitted period with a comment saying what to change." })
  @Allow(PERIOD_STEP_ACTION.return)
  returnPeriod(@Args('input') input: ReturnPeriodInput, @CurrentPrincipal() principal: Principal, @Context() ctx: GqlContext): Promise<PeriodReceipt> {
    return this.step(stepOf('return', input), principal, ctx);
  }

  @RefusableMutation(() => PeriodReceipt, { description: "Reopens an agency's approved period with a reason: unlocked until the next approval." })
  @Allow(PERIOD_STEP_ACTION.reopen)
  reopenPeriod(@Args('input') input: ReopenPeriodInput, @CurrentPrincipal() principal: Principal, @Context() ctx: GqlContext): Promise<PeriodReceipt> {
    return this.step(stepOf('reopen', input), principal, ctx);
  }

  @RefusableQuery(() => [PeriodApproval], { description: 'The approval state per period × agency × measure of a plan, in period order; filters narrow it.' })
  @Allow(Action.READ_PROJECTIONS, Action.READ_OWN_REPORTS)
  async periodApprovals(
    @Context() context: object,
    @CurrentPrincipal() principal: Principal,
    @Args('planId', { type: () => ID, nullable: true }) planId?: string,
    @Args('agencyId', { type: () => ID, nullable: true }) agencyId?: string,
    @Args('periodId', { nullable: true }) periodId?: string,
    @Args('measureCode', { nullable: true }) measureCode?: string,
    @Args('status', { type: () => PeriodStatus, nullable: true }) status?: PeriodStatusValue,
    @Args('atLeastPosition', { nullable: true, description: AT_LEAST_POSITION }) atLeastPosition?: string,
    @Args('at', { type: () => PointInTimeInput, nullable: true, description: AT }) at?: PointInTimeInput,
  ): Promise<PeriodApproval[]> {
    const agency = this.scope(principal, agencyId);
    const onePeriod = givenId(periodId, 'periodId', 'every period');
    const oneMeasure = givenId(measureCode, 'measureCode', 'every measure');
    const snapshot = await this.projections.snapshot(context, atLeastPosition, at);
    const plan = this.plan(snapshot, planId, at);
    if (status !== undefined && status !== null && !PERIOD_STATUSES.includes(status)) throw DomainError.badInput('status', 'is not a period status');
    const view = snapshot.periodsView();
    const rows: PeriodApproval[] = [];
    const byMeasure = [...reportingAgenciesByMeasure(plan)].filter(([code]) => oneMeasure === undefined || code === oneMeasure);
    for (const span of planPeriods(plan)) {
      if (onePeriod !== undefined && span.periodId !== onePeriod) continue;
      for (const [code, agencies] of byMeasure) {
        for (const a of agencies) {
          if (agency && a !== agency) continue;
          const row = agencyPeriod(view, plan, a, span);
          if (!status || row.status === status) rows.push(Object.assign(toModel(row), { measureCode: code }));
        }
      }
    }
    return rows;
  }

  @RefusableQuery(() => [AgencyPeriod], { description: 'Periods that ended before asOf (default today, UTC) which an agency reporting under the plan has not submitted.' })
  @Allow(Action.READ_PROJECTIONS, Action.READ_OWN_REPORTS)
  async unsubmittedPeriods(
    @Context() context: object,
    @CurrentPrincipal() principal: Principal,
    @Args('planId', { type: () => ID, nullable: true }) planId?: string,
    @Args('agencyId', { type: () => ID, nullable: true }) agencyId?: string,
    @Args('asOf', { nullable: true, description: 'YYYY-MM-DD; default today (UTC).' }) asOf?: string,
    @Args('atLeastPosition', { nullable: true, description: AT_LEAST_POSITION }) atLeastPosition?: string,
    @Args('at', { type: () => PointInTimeInput, nullable: true, description: AT }) at?: PointInTimeInput,
  ): Promise<AgencyPeriod[]> {
    const dated = checkedAsOf(asOf);
    const agency = this.scope(principal, agencyId);
    const snapshot = await this.projections.snapshot(context, atLeastPosition, at);
    const plan = this.plan(snapshot, planId, at);
    return unsubmittedPeriods(snapshot.periodsView(), plan, dated ?? today())
      .filter((p) => !agency || p.agencyId === agency)
      .map(toModel);
  }

  @RefusableQuery(() => [AgencyPeriod], { description: 'Submissions the coordinator returned that the agency has not resubmitted yet.' })
  @Allow(Action.READ_PROJECTIONS, Action.READ_OWN_REPORTS)
  async returnedPeriods(
    @Context() context: object,
    @CurrentPrincipal() principal: Principal,
    @Args('planId', { type: () => ID, nullable: true }) planId?: string,
    @Args('agencyId', { type: () => ID, nullable: true }) agencyId?: string,
    @Args('atLeastPosition', { nullable: true, description: AT_LEAST_POSITION }) atLeastPosition?: string,
    @Args('at', { type: () => PointInTimeInput, nullable: true, description: AT }) at?: PointInTimeInput,
  ): Promise<AgencyPeriod[]> {
    const agency = this.scope(principal, agencyId);
    const snapshot = await this.projections.snapshot(context, atLeastPosition, at);
    const plan = this.plan(snapshot, planId, at);
    return returnedPeriods(snapshot.periodsView(), plan)
      .filter((p) => !agency || p.agencyId === agency)
      .map(toModel);
  }

  private step(request: PeriodStepRequest, principal: Principal, ctx: GqlContext): Promise<PeriodReceipt> {
    return this.commands.execute(request, principal, correlationIdOf(ctx.req));
  }

  /** The agency filter: an AGENCY principal reads its own agency's periods only (AccessPolicy). */
  private scope(principal: Principal, agencyId: string | undefined): string | undefined {
    const asked = givenId(agencyId, 'agencyId', principal.role === 'AGENCY' ? 'your own agency' : 'every agency');
    if (principal.role !== 'AGENCY') return asked;
    const own = asked ?? principal.agencyId ?? '';
    this.policy.assertCanReadReport(principal, own, 'reporting periods');
    return own;
  }

  /** The plan named (NOT_FOUND naming `at` before its adoption, else `planId`: heldPlan), or the only adopted one. */
  private plan(snapshot: ProjectionSnapshot, planId: string | undefined, at: PointInTimeInput | null | undefined): Plan {
    const named = givenId(planId, 'planId', 'the only adopted plan');
    if (named !== undefined) return heldPlan(snapshot, named, at, this.catalog.plan(named) !== undefined);
    const plans = snapshot.plans();
    if (plans.length === 0 && pointInTimeGiven(at) && this.catalog.plans().length > 0) notHeldAt('plan', snapshot.position, `is position ${snapshot.position}, before any plan was adopted`);
    if (plans.length !== 1) throw DomainError.badInput('planId', `is required: ${plans.length} plans are adopted`);
    return plans[0];
  }
}
