import { CommandBus } from '@nestjs/cqrs';
import { Args, Context, Mutation, Resolver } from '@nestjs/graphql';
import { Action, Allow, AccessPolicy, CurrentPrincipal, type Principal } from '@app/auth';
import { type ActivityEventType, DomainError, EVENT_CATALOGUE, REPORT_RETRACTED, type EventTypeSpec, upcasters } from '@app/domain';
import { Inject } from '@nestjs/common';
import { EVENT_STORE, type EventStore } from '@app/event-store';
import { correlationIdOf as requestCorrelationId } from '../common/correlation-id.js';
import { toEnvelope } from '../common/models/event-envelope.model.js';
import { ExecuteReportCommand, type ReportRequest } from './commands/execute-report.command.js';
import { correctRequest, recordRequest, revisionOf } from './commands/report-request.js';
import { type CorrectReportInputBase, REPORT_INPUT_TYPES, type ReportInputBase, RetractReportInput } from './dto/report-inputs.js';
import { ReportHistory } from './models/report-history.model.js';
import { ReportReceipt } from './models/report-receipt.model.js';
import { ReportStreamLocator } from './report-stream-locator.js';
import { RefusableQuery } from '../common/refusable-query.js';

interface GqlContext {
  req?: { id?: unknown; headers?: Record<string, string | string[] | undefined> };
}

/** The request's correlation id: the id the logging middleware gave it (see common/correlation-id.ts). */
function correlationIdOf(ctx: GqlContext): string {
  return requestCorrelationId(ctx.req);
}


/**
 * Agencies' reports. The mutations only translate inputs into report requests: who may write is
 * decided by the AccessPolicy inside the handler, what is written by the report decider.
 */
@Resolver()
export class ReportingResolver {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly policy: AccessPolicy,
    private readonly streams: ReportStreamLocator,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  private execute(request: ReportRequest, principal: Principal, ctx: GqlContext, target?: ExecuteReportCommand['target']): Promise<ReportReceipt> {
    return this.commandBus.execute(new ExecuteReportCommand(request, principal, target, correlationIdOf(ctx)));
  }

  /** Shared body of every record<EventType> mutation (they are generated below). */
  record(spec: EventTypeSpec<ActivityEventType>, input: ReportInputBase, principal: Principal, ctx: GqlContext): Promise<ReportReceipt> {
    const { request, target } = recordRequest(spec, input);
    return this.execute(request, principal, ctx, target);
  }

  /** Shared body of every correct<EventType> mutation (generated below). */
  correct(spec: EventTypeSpec<ActivityEventType>, input: CorrectReportInputBase, principal: Principal, ctx: GqlContext): Promise<ReportReceipt> {
    return this.execute(correctRequest(spec, input), principal, ctx);
  }

  @Mutation(() => ReportReceipt, { nullable: true, description: 'Withdraws a report you recorded, with a reason: it no longer counts. It stays in the history. Null only with an error for this field.' })
  @Allow(Action.RECORD_REPORT)
  retractReport(
    @Args('input') input: RetractReportInput,
    @CurrentPrincipal() principal: Principal,
    @Context() ctx: GqlContext,
  ): Promise<ReportReceipt> {
    return this.execute(
      { kind: 'retract', reportId: input.reportId, requestId: input.requestId, expectedRevision: revisionOf(input.expectedRevision), reason: input.reason },
      principal,
      ctx,
    );
  }

  @RefusableQuery(() => ReportHistory, { description: "One report's stream: the activity, its corrections and retraction, oldest first. NOT_FOUND when there is no such report." })
  @Allow(Action.READ_OWN_REPORTS, Action.READ_HISTORY)
  async reportHistory(
    @Args('agencyId') agencyId: string,
    @Args('reportId') reportId: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ReportHistory> {
    this.policy.assertCanReadReport(principal, agencyId);
    const stream = await this.streams.locate(agencyId, reportId);
    const events = await this.store.readStream(stream);
    if (events.length === 0) {
      throw new DomainError('NOT_FOUND', `No report ${reportId} of agency ${agencyId}`, { field: 'reportId', reason: 'no such report' });
    }
    return {
      agencyId,
      reportId,
      stream,
      revision: events[events.length - 1].revision.toString(),
      status: events.some((e) => e.type === REPORT_RETRACTED) ? 'RETRACTED' : 'ACTIVE',
      events: events.map((e) => toEnvelope(upcasters.upcast(e))),
    };
  }
}

/**
 * Adds a generated mutation to the resolver: what TypeScript's emitDecoratorMetadata would have
 * written for a hand-written method (the ValidationPipe reads the input class from it), then the
 * same decorators.
 */
function addMutation(name: string, InputClass: abstract new () => object, description: string, body: (this: ReportingResolver, input: never, principal: Principal, ctx: GqlContext) => Promise<ReportReceipt>): void {
  const prototype = ReportingResolver.prototype as unknown as Record<string, unknown>;
  prototype[name] = body;
  const descriptor = Object.getOwnPropertyDescriptor(prototype, name)!;
  Reflect.defineMetadata('design:paramtypes', [InputClass, Object, Object], prototype, name);
  Reflect.defineMetadata('design:returntype', Promise, prototype, name);
  Args('input', { type: () => InputClass })(prototype, name, 0);
  CurrentPrincipal()(prototype, name, 1);
  Context()(prototype, name, 2);
  Allow(Action.RECORD_REPORT)(prototype, name, descriptor);
  // Nullable: a refusal answers null for this field alone, so aliased mutations in one request
  // each keep their own receipt or error instead of nulling the whole `data`.
  Mutation(() => ReportReceipt, { name, description, nullable: true })(prototype, name, descriptor);
}

// Two mutations per catalogue event type: recordMeetingHeld / correctMeetingHeld, …
for (const spec of EVENT_CATALOGUE) {
  const inputs = REPORT_INPUT_TYPES.get(spec.type)!;
  addMutation(`record${spec.type}`, inputs.record, `Records a ${spec.type} report. ${spec.description}`, function (input: ReportInputBase, principal, ctx) {
    return this.record(spec, input, principal, ctx);
  });
  addMutation(
    `correct${spec.type}`,
    inputs.correct,
    `Replaces the figures (and possibly the date) of a ${spec.type} report you recorded, with a reason. The original stays in the history.`,
    function (input: CorrectReportInputBase, principal, ctx) {
      return this.correct(spec, input, principal, ctx);
    },
  );
}
