import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { AccessPolicy, type Principal } from '@app/auth';
import {
  DomainError,
  type PeriodCommand,
  type PeriodDecideContext,
  periodDecider,
  periodDuplicateReceipt,
  periodSpanOf,
  periodStreamName,
  readStoredPeriodEvent,
  statusAfter,
  upcasters,
} from '@app/domain';
import { CommandConflictError, EVENT_STORE, type EventStore, type JsonObject, handleCommand } from '@app/event-store';
import { type Plan, PlanCatalog } from '@app/plan';
import { periodLengthOf, reportingAgenciesOf, today } from '@app/projections';
import type { PeriodReceipt } from './models/period.models.js';

/** A step as a client asks for it; the agency of a submission is the principal's. */
export interface PeriodStepRequest {
  readonly kind: PeriodCommand['kind'];
  readonly planId?: string;
  readonly agencyId?: string;
  readonly periodId: string;
  readonly requestId: string;
  readonly comment?: string;
  readonly reason?: string;
}

/**
 * The write path of period sign-offs (docs/periods.md): the access policy decides whose period
 * it is, then handleCommand loads the period stream, folds it, lets the period decider decide
 * and appends at the revision it loaded, retrying a lost race — the same path as every write.
 */
@Injectable()
export class PeriodCommandService {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly catalog: PlanCatalog,
    private readonly policy: AccessPolicy,
  ) {}

  async execute(request: PeriodStepRequest, principal: Principal, correlationId: string): Promise<PeriodReceipt> {
    const plan = this.planOf(request.planId);
    let agencyId: string;
    let measureCodes: string[] | undefined;
    if (request.kind === 'submit') {
      ({ agencyId, measureCodes } = this.policy.assertCanSubmitPeriod(principal, plan.id, this.catalog.measures(plan.id).map((m) => m.measure)));
    } else {
      // The guard allowed SIGN_OFF_PERIOD; the agency is the request's, and must report under the plan.
      agencyId = request.agencyId ?? '';
      if (!reportingAgenciesOf(plan).includes(agencyId)) throw DomainError.badInput('agencyId', `is not an agency that reports under plan ${plan.id}`);
    }
    const ctx: PeriodDecideContext = {
      // A period counts as ended once its last day is over in UTC.
      today: today(),
      plan: { length: periodLengthOf(plan), from: plan.period.from, to: plan.period.to },
      measureCodes,
    };
    const span = periodSpanOf(request.periodId, ctx.plan, plan.id);
    const stream = periodStreamName(plan.id, agencyId, span.periodId);
    const command: PeriodCommand = { ...request, planId: plan.id, agencyId, periodId: span.periodId };
    const recordedAt = new Date().toISOString();
    const causationId = randomUUID();
    try {
      const result = await handleCommand(this.store, stream, periodDecider(ctx), command, {
        read: readStoredPeriodEvent,
        metadata: (event): JsonObject => ({
          agencyId,
          principalId: principal.id,
          principalRole: principal.role,
          recordedAt,
          correlationId,
          causationId,
          schemaVersion: upcasters.currentVersion(event.type),
        }),
      });
      const last = result.newEvents.at(-1);
      const receipt = last ? { eventId: last.id, type: last.type, position: last.position, revision: last.revision } : periodDuplicateReceipt(command, result.newState);
      return {
        planId: plan.id,
        agencyId,
        periodId: span.periodId,
        stream,
        eventId: receipt.eventId,
        eventType: receipt.type,
        status: last ? statusAfter(last.type) : result.newState.status,
        position: receipt.position.toString(),
        revision: receipt.revision.toString(),
        duplicate: !last,
      };
    } catch (error) {
      if (!(error instanceof CommandConflictError)) throw error;
      throw new DomainError('CONFLICT', `Period ${span.periodId} of agency ${agencyId} is being changed by concurrent requests; retry`, { field: 'periodId', reason: 'changed by concurrent requests' });
    }
  }

  /** The plan named, or the only adopted one. */
  private planOf(planId: string | undefined): Plan {
    if (planId) {
      const plan = this.catalog.plan(planId);
      if (!plan) throw DomainError.badInput('planId', `${planId} is not an adopted plan`);
      return plan;
    }
    const plans = this.catalog.plans();
    if (plans.length !== 1) throw DomainError.badInput('planId', `is required: ${plans.length} plans are adopted`);
    return plans[0];
  }
}
