import { randomUUID } from 'node:crypto';
import { Inject, Logger } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AccessPolicy } from '@app/auth';
import {
  type DecideContext,
  DomainError,
  type EventMetadata,
  type MeasureContext,
  type ReportState,
  type StoredReportEvent,
  decideReport,
  evolveReport,
  initialReportState,
  reportStreamName,
  upcasters,
} from '@app/domain';
import { EVENT_STORE, type EventStore, NO_STREAM, WrongExpectedRevisionError } from '@app/event-store';
import { type Measure, MeasureLookupError, type MeasureRef, type Plan, PlanCatalog } from '@app/plan';
import { ReportReceipt } from '../models/report-receipt.model.js';
import { ExecuteReportCommand } from './execute-report.command.js';

/** Retries after losing a race for the stream revision: the next try sees the winner's event. */
const MAX_ATTEMPTS = 5;

const DAY_MS = 86_400_000;
/** The last date latestToday formatted, and the span of instants (in UTC+14) it holds for. */
let today = { date: '', from: 0, until: 0 };

/**
 * The latest calendar date anywhere on Earth (UTC+14): an activity dated today in any time
 * zone is never refused as "in the future".
 */
export function latestToday(now = new Date()): string {
  const ahead = now.getTime() + 14 * 3600_000;
  // The same date until that zone's next midnight: formatted once a day, not on every report.
  if (ahead >= today.from && ahead < today.until) return today.date;
  const from = ahead - (((ahead % DAY_MS) + DAY_MS) % DAY_MS);
  today = { date: new Date(from).toISOString().slice(0, 10), from, until: from + DAY_MS };
  return today.date;
}

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
 * Request path of every report (ARCHITECTURE.md): load the report stream, authorise,
 * decide, append at the loaded revision. Nothing goes through the in-process EventBus.
 * A first record skips the load (append-first, see execute).
 */
@CommandHandler(ExecuteReportCommand)
export class ExecuteReportHandler implements ICommandHandler<ExecuteReportCommand, ReportReceipt> {
  private readonly logger = new Logger('Reporting');

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly catalog: PlanCatalog,
    private readonly policy: AccessPolicy,
  ) {}

  async execute({ command, principal, target, correlationId }: ExecuteReportCommand): Promise<ReportReceipt> {
    const stream = reportStreamName(command.agencyId, command.reportId);
    const causationId = randomUUID();
    for (let attempt = 1; ; attempt++) {
      // A report is almost always new: the first try of a record assumes its stream does not
      // exist and appends with NO_STREAM. A repeat or a reused reportId fails that append and
      // the next try reads the stream. (A record's refusals do not depend on the stream.)
      const state = attempt === 1 && command.kind === 'record' ? initialReportState : await this.load(stream);
      const found = this.lookup(command.kind === 'record' ? target : undefined, state);
      // Who may record is decided before anything about the report is revealed or checked.
      if (command.kind === 'record' && found) this.policy.assertCanRecord(principal, found.measure);
      const ctx: DecideContext = { today: latestToday(), measure: found && measureContext(found.plan, found.measure) };
      const decision = decideReport(command, state, ctx);
      if (decision.kind === 'duplicate') {
        const r = decision.receipt;
        return this.receipt(command.agencyId, command.reportId, stream, r.eventId, r.type, r.position, r.revision, true);
      }
      const recordedAt = new Date().toISOString();
      const events = decision.events.map((event) => {
        const metadata: EventMetadata = {
          agencyId: command.agencyId,
          principalId: principal.id,
          principalRole: principal.role,
          recordedAt,
          occurredOn: 'occurredOn' in event.data ? event.data.occurredOn : state.status === 'absent' ? undefined : state.occurredOn,
          correlationId,
          causationId,
          schemaVersion: upcasters.currentVersion(event.type),
        };
        return { id: randomUUID(), type: event.type, data: event.data as never, metadata: metadata as never };
      });
      try {
        const result = await this.store.append(stream, events, state.status === 'absent' ? NO_STREAM : state.revision);
        const last = events[events.length - 1];
        return this.receipt(command.agencyId, command.reportId, stream, last.id, last.type, result.position, result.nextExpectedRevision, false);
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError)) throw error;
        if (attempt >= MAX_ATTEMPTS) {
          throw new DomainError('CONFLICT', `Report ${command.reportId} is being changed by concurrent requests; retry`, { field: 'reportId' });
        }
        this.logger.debug(`${stream}: lost the race for revision ${String(error.expected)}, retrying`);
      }
    }
  }

  private async load(stream: string): Promise<ReportState> {
    const events = await this.store.readStream(stream);
    return events.reduce(
      (state, e) => evolveReport(state, upcasters.upcast(e) as unknown as StoredReportEvent),
      initialReportState,
    );
  }

  /**
   * The measure a command is about: the record command's target, or the report's own measure.
   * Undefined when no adopted plan has it (the decider refuses that, naming measureCode).
   */
  private lookup(target: ExecuteReportCommand['target'], state: ReportState): MeasureRef | undefined {
    const ref = target ?? (state.status === 'absent' ? undefined : state.ref);
    if (!ref) return undefined;
    try {
      return this.catalog.findMeasure(ref.measureCode, ref.planId);
    } catch (error) {
      if (!(error instanceof MeasureLookupError)) throw error;
      if (error.reason === 'ambiguous') throw DomainError.badInput('planId', `is required: ${error.message}`);
      if (ref.planId !== undefined && !this.catalog.plan(ref.planId)) throw DomainError.badInput('planId', `${ref.planId} is not an adopted plan`);
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
