import { randomUUID } from 'node:crypto';
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AccessPolicy } from '@app/auth';
import {
  type DecideContext,
  DomainError,
  type MeasureContext,
  type ReportCommand,
  duplicateReceipt,
  periodOfDate,
  readStoredReportEvent,
  reportDecider,
  upcasters,
} from '@app/domain';
import { CommandConflictError, EVENT_STORE, type EventStore, type JsonObject, handleCommand } from '@app/event-store';
import { type Measure, MeasureLookupError, type MeasureRef, type Plan, PlanCatalog } from '@app/plan';
import { ReportReceipt } from '../models/report-receipt.model.js';
import { ReportStreamLocator } from '../report-stream-locator.js';
import { latestToday } from '../../common/latest-today.js';
import { PERIOD_LOCKS, type PeriodLocks } from '../../common/period-locks.token.js';
import { ExecuteReportCommand } from './execute-report.command.js';

/** Tries in all when concurrent writers keep winning the race for the report's next revision. */
const MAX_ATTEMPTS = 5;

export function measureContext(plan: Plan, measure: Measure): MeasureContext {
  return {
    planId: plan.id,
    measureCode: measure.code,
    period: plan.period,
    countedTypes: [...new Set(measure.indicators.map((i) => i.event))],
    hasFunding: measure.funding.sources.length > 0 || (measure.funding.allocations?.length ?? 0) > 0,
  };
}

/**
 * The write path of every report (docs/architecture.md, "The path of a report"): the access policy
 * decides who may write to which report stream, then handleCommand loads the stream, folds it,
 * lets the report decider decide and appends at the revision it loaded, retrying a lost race.
 * A record is almost always new, so its first try appends without reading (expectNew); a repeat
 * or a reused reportId fails that append and the retry reads the stream.
 */
@CommandHandler(ExecuteReportCommand)
export class ExecuteReportHandler implements ICommandHandler<ExecuteReportCommand, ReportReceipt> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly catalog: PlanCatalog,
    private readonly policy: AccessPolicy,
    private readonly streams: ReportStreamLocator,
    @Inject(PERIOD_LOCKS) private readonly locks: PeriodLocks,
  ) {}

  async execute(command: ExecuteReportCommand): Promise<ReportReceipt> {
    return (await this.run(command, false))!;
  }

  /**
   * The same path as {@link execute} up to the append, which it skips (a bulk import's dryRun
   * and the first pass of an atomic one): throws the same refusals, answers the first receipt of
   * a repeat, and undefined for a report it would store.
   */
  rehearse(command: ExecuteReportCommand): Promise<ReportReceipt | undefined> {
    return this.run(command, true);
  }

  private async run({ request, principal, target, correlationId }: ExecuteReportCommand, dryRun: boolean): Promise<ReportReceipt | undefined> {
    // Who may write is decided before anything about the report is revealed or checked.
    const found = request.kind === 'record' ? this.lookup(target) : undefined;
    const agencyId = this.policy.assertCanWriteReport(principal, { kind: request.kind, measure: found?.measure });
    const command: ReportCommand = { ...request, agencyId };
    const stream = await this.streams.locate(agencyId, command.reportId);
    // The lock read model as of now: every approval committed before this write began is seen.
    const periodStatus = await this.locks.current();
    const ctx: DecideContext = {
      today: latestToday(),
      measure: found && measureContext(found.plan, found.measure),
      planPeriod: (planId) => this.catalog.plan(planId)?.period,
      period: (planId, periodAgency, date) => {
        const plan = this.catalog.plan(planId);
        if (!plan) return undefined;
        const span = periodOfDate(date, plan.reporting?.periods ?? 'quarter');
        return { span, status: periodStatus(planId, periodAgency, span.periodId), entryWindowDays: plan.reporting?.entryWindowDays };
      },
    };
    const causationId = randomUUID();
    const recordedAt = new Date().toISOString();
    try {
      const result = await handleCommand(this.store, stream, reportDecider(ctx), command, {
        expectNew: command.kind === 'record',
        read: readStoredReportEvent,
        maxAttempts: MAX_ATTEMPTS,
        dryRun,
        metadata: (event, state): JsonObject => {
          const occurredOn = 'occurredOn' in event.data ? event.data.occurredOn : state.status === 'absent' ? undefined : state.occurredOn;
          return {
            agencyId,
            principalId: principal.id,
            principalRole: principal.role,
            recordedAt,
            ...(occurredOn !== undefined ? { occurredOn } : {}),
            correlationId,
            causationId,
            schemaVersion: upcasters.currentVersion(event.type),
          };
        },
      });
      if (result.decided !== undefined) return undefined;
      const last = result.newEvents.at(-1);
      if (!last) {
        const r = duplicateReceipt(command, result.newState);
        return this.receipt(agencyId, command.reportId, stream, r.eventId, r.type, r.position, r.revision, true);
      }
      return this.receipt(agencyId, command.reportId, stream, last.id, last.type, last.position, last.revision, false);
    } catch (error) {
      if (!(error instanceof CommandConflictError)) throw error;
      throw new DomainError('CONFLICT', `Report ${command.reportId} is being changed by concurrent requests; retry`, { field: 'reportId', reason: 'changed by concurrent requests' });
    }
  }

  /**
   * The measure a record is about. Undefined when no adopted plan has it (the decider refuses
   * that, naming measureCode).
   */
  private lookup(target: ExecuteReportCommand['target']): MeasureRef | undefined {
    if (!target) return undefined;
    try {
      return this.catalog.findMeasure(target.measureCode, target.planId);
    } catch (error) {
      if (!(error instanceof MeasureLookupError)) throw error;
      if (error.reason === 'ambiguous') throw DomainError.badInput('planId', `is required: ${error.message}`);
      if (target.planId !== undefined && !this.catalog.plan(target.planId)) throw DomainError.badInput('planId', `${target.planId} is not an adopted plan`);
      return undefined;
    }
  }

  private receipt(
    agencyId: string,
    reportId: string,
    stream: string,
    eventId: string,
    eventType: string,
    position: bigint,
    revision: bigint,
    duplicate: boolean,
  ): ReportReceipt {
    return { agencyId, reportId, stream, eventId, eventType, position: position.toString(), revision: revision.toString(), duplicate };
  }
}
