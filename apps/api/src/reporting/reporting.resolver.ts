import { Inject } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { Args, Context, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Action, Allow, AccessPolicy, CurrentPrincipal, type Principal } from '@app/auth';
import { DomainError, EVENT_CATALOGUE, REPORT_RETRACTED, type EventTypeSpec, isValidReportId, reportStreamName, upcasters } from '@app/domain';
import { EVENT_STORE, type EventStore } from '@app/event-store';
import { correlationIdOf as requestCorrelationId } from '../common/correlation-id.js';
import { ExecuteReportCommand } from './commands/execute-report.command.js';
import { CorrectReportInput, RetractReportInput } from './dto/correct-report.input.js';
import { REPORT_INPUT_TYPES, type ReportInputBase, detailsOf } from './dto/report-inputs.js';
import { EventEnvelope, ReportHistory } from './models/event-envelope.model.js';
import { ReportReceipt } from './models/report-receipt.model.js';

interface GqlContext {
  req?: { id?: unknown; headers?: Record<string, string | string[] | undefined> };
}

/** The request's correlation id: the id the logging middleware gave it (see common/correlation-id.ts). */
function correlationIdOf(ctx: GqlContext): string {
  return requestCorrelationId(ctx.req);
}

function requireAgency(principal: Principal): string {
  if (!principal.agencyId) {
    throw new DomainError('FORBIDDEN', 'Only agency credentials record reports', { rule: 'record-requires-agency' });
  }
  return principal.agencyId;
}

export function toEnvelope(e: {
  id: string;
  type: string;
  stream: string;
  revision: bigint;
  position: bigint;
  data: unknown;
  metadata: Record<string, unknown>;
  created: Date;
}): EventEnvelope {
  return {
    id: e.id,
    type: e.type,
    stream: e.stream,
    revision: e.revision.toString(),
    position: e.position.toString(),
    data: e.data as Record<string, unknown>,
    metadata: e.metadata,
    recordedAt: e.created,
  };
}

@Resolver()
export class ReportingResolver {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly policy: AccessPolicy,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  /** Shared body of every record<EventType> mutation (they are generated below). */
  async record(spec: EventTypeSpec, input: ReportInputBase, principal: Principal, ctx: GqlContext): Promise<ReportReceipt> {
    const agencyId = requireAgency(principal);
    return this.commandBus.execute(
      new ExecuteReportCommand(
        { kind: 'record', type: spec.type, agencyId, reportId: input.reportId, occurredOn: input.occurredOn, details: detailsOf(spec, input) },
        principal,
        { measureCode: input.measureCode, planId: input.planId },
        correlationIdOf(ctx),
      ),
    );
  }

  @Mutation(() => ReportReceipt, { description: 'Replaces the figures of a report you recorded, with a reason. The original stays in the history.' })
  @Allow(Action.RECORD_REPORT)
  correctReport(
    @Args('input') input: CorrectReportInput,
    @CurrentPrincipal() principal: Principal,
    @Context() ctx: GqlContext,
  ): Promise<ReportReceipt> {
    const agencyId = requireAgency(principal);
    return this.commandBus.execute(
      new ExecuteReportCommand(
        { kind: 'correct', agencyId, reportId: input.reportId, details: input.details, occurredOn: input.occurredOn, reason: input.reason },
        principal,
        undefined,
        correlationIdOf(ctx),
      ),
    );
  }

  @Mutation(() => ReportReceipt, { description: 'Withdraws a report you recorded, with a reason: it no longer counts. It stays in the history.' })
  @Allow(Action.RECORD_REPORT)
  retractReport(
    @Args('input') input: RetractReportInput,
    @CurrentPrincipal() principal: Principal,
    @Context() ctx: GqlContext,
  ): Promise<ReportReceipt> {
    const agencyId = requireAgency(principal);
    return this.commandBus.execute(
      new ExecuteReportCommand({ kind: 'retract', agencyId, reportId: input.reportId, reason: input.reason }, principal, undefined, correlationIdOf(ctx)),
    );
  }

  @Query(() => ReportHistory, { nullable: true, description: "One report's stream: the activity, its corrections and retraction, oldest first." })
  @Allow(Action.READ_OWN_REPORTS, Action.READ_HISTORY)
  async reportHistory(
    @Args('agencyId') agencyId: string,
    @Args('reportId') reportId: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ReportHistory | null> {
    this.policy.assertCanReadReport(principal, agencyId);
    if (!isValidReportId(reportId)) throw DomainError.badInput('reportId', 'is not a valid report id');
    const events = await this.store.readStream(reportStreamName(agencyId, reportId));
    if (events.length === 0) return null;
    return {
      agencyId,
      reportId,
      status: events.some((e) => e.type === REPORT_RETRACTED) ? 'RETRACTED' : 'ACTIVE',
      events: events.map((e) => toEnvelope(upcasters.upcast(e))),
    };
  }
}

// One mutation per catalogue event type: recordMeetingHeld, recordTrainingDelivered, …
for (const spec of EVENT_CATALOGUE) {
  const name = `record${spec.type}`;
  const InputClass = REPORT_INPUT_TYPES.get(spec.type)!;
  const prototype = ReportingResolver.prototype as unknown as Record<string, unknown>;
  prototype[name] = function (this: ReportingResolver, input: ReportInputBase, principal: Principal, ctx: GqlContext) {
    return this.record(spec, input, principal, ctx);
  };
  const descriptor = Object.getOwnPropertyDescriptor(prototype, name)!;
  // What TypeScript's emitDecoratorMetadata would have written for a hand-written method:
  // the ValidationPipe reads the input class from it.
  Reflect.defineMetadata('design:paramtypes', [InputClass, Object, Object], prototype, name);
  Reflect.defineMetadata('design:returntype', Promise, prototype, name);
  Args('input', { type: () => InputClass })(prototype, name, 0);
  CurrentPrincipal()(prototype, name, 1);
  Context()(prototype, name, 2);
  Allow(Action.RECORD_REPORT)(prototype, name, descriptor);
  Mutation(() => ReportReceipt, { name, description: `Records a ${spec.type} report. ${spec.description}` })(prototype, name, descriptor);
}
