import { randomUUID } from 'node:crypto';
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AccessPolicy } from '@app/auth';
import {
  type DecideContext,
  DomainError,
  type MeasureContext,
  REPORT_CORRECTED,
  REPORT_RETRACTED,
  type ReportCommand,
  type ReportEvent,
  type ReportState,
  duplicateReceipt,
  periodOfDate,
  readStoredReportEvent,
  reportDecider,
  upcasters,
} from '@app/domain';
import { type BatchCommand, CommandConflictError, type Decider, EVENT_STORE, type EventStore, type JsonObject, type StoredEvent, handleCommand, handleCommands } from '@app/event-store';
import { type Measure, MeasureLookupError, type MeasureRef, type Plan, PlanCatalog } from '@app/plan';
import { ReportReceipt } from '../models/report-receipt.model.js';
import { ReportStreamLocator } from '../report-stream-locator.js';
import { latestToday } from '../../common/latest-today.js';
import { PERIOD_LOCKS, type PeriodLocks, type PeriodStatusLookup } from '../../common/period-locks.token.js';
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

/** What {@link ExecuteReportHandler.executeMany} answers for one command of a batch. */
export type ReportOutcome =
  | {
      readonly ok: true;
      /**
       * CREATED: stored now; UPDATED: a record of importStrategy CREATE_AND_UPDATE stored as a
       * correction of its report; DELETED: a record of importStrategy DELETE stored as its retraction; DUPLICATE: an earlier identical request (or an earlier row of the
       * batch) did it; VALID: would be stored (dryRun, or atomic with a refusal).
       */
      readonly status: 'CREATED' | 'UPDATED' | 'DELETED' | 'DUPLICATE' | 'VALID';
      /** Undefined for VALID, and for a DUPLICATE of an earlier row of the same batch that was not stored. */
      readonly receipt?: ReportReceipt;
    }
  | { readonly ok: false; readonly error: unknown };

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
    return this.run(command);
  }

  /**
   * Many reports at once (a bulk import's batch), each the way {@link execute} takes it — access
   * policy, report decider — through handleCommands: the period locks are read once for the batch,
   * every report is decided (a repeat of an earlier row of the batch answers DUPLICATE, as it would
   * once that row is stored) and the decided events are appended in ONE appendMany. `dryRun`
   * appends nothing; `atomic` appends nothing when any report is refused (the others answer VALID),
   * else all in one call — one transaction on the embedded store. Refusals are answered per
   * report (the DomainError / ForbiddenError the single path throws); store failures reject.
   */
  async executeMany(commands: readonly ExecuteReportCommand[], options: { readonly dryRun: boolean; readonly atomic: boolean }): Promise<ReportOutcome[]> {
    // The lock read model as of now: every approval committed before this batch began is seen.
    const periodStatus = await this.locks.current();
    const today = latestToday();
    const recordedAt = new Date().toISOString();
    const outcomes: Array<ReportOutcome | undefined> = [];
    const batch: Array<BatchCommand<ReportState, ReportCommand, ReportEvent> & { readonly index: number; readonly agencyId: string }> = [];
    // One decider per measure for the whole batch (rows of an import share a few measures): its
    // context — the measure's counted types, the period lookups — is the same for each of them.
    // An unknown code's decider is keyed by the code meant (its refusal names it).
    const deciders = new Map<Measure | string | undefined, Decider<ReportState, ReportCommand, ReportEvent>>();
    const located: Array<{ readonly index: number; readonly agencyId: string; readonly command: ReportCommand; readonly found?: MeasureRef; readonly meant?: string; readonly one: ExecuteReportCommand }> = [];
    for (const [index, one] of commands.entries()) {
      try {
        located.push({ index, one, ...this.authorise(one) });
        outcomes.push(undefined);
      } catch (error) {
        outcomes.push({ ok: false, error });
      }
    }
    const streams = await this.streams.locateAll(located.map(({ agencyId, command }) => ({ agencyId, reportId: command.reportId })));
    located.forEach(({ index, agencyId, command, found, meant, one }, k) => {
      const stream = streams[k];
      if (typeof stream !== 'string') {
        outcomes[index] = { ok: false, error: stream.error };
        return;
      }
      const key = found?.measure ?? meant;
      let decider = deciders.get(key);
      if (!decider) deciders.set(key, (decider = reportDecider(this.decideContext(found, periodStatus, today, meant))));
      const { principal, correlationId } = one;
      batch.push({ index, agencyId, stream, decider, command, expectNew: expectsNew(command), metadata: eventMetadata(agencyId, principal, correlationId, randomUUID(), recordedAt) });
    });
    const refusedEarly = outcomes.some((o) => o !== undefined);
    const results = await handleCommands(this.store, batch, {
      read: readStoredReportEvent,
      maxAttempts: MAX_ATTEMPTS,
      dryRun: options.dryRun || (options.atomic && refusedEarly),
      atomic: options.atomic,
    });
    results.forEach((outcome, k) => {
      const { index, agencyId, stream, command } = batch[k];
      if (!outcome.ok) {
        outcomes[index] = { ok: false, error: outcome.error instanceof CommandConflictError ? conflict(command.reportId) : outcome.error };
        return;
      }
      const result = outcome.result;
      if (result.decided !== undefined) outcomes[index] = { ok: true, status: 'VALID' };
      // A repeat of an earlier row that was not stored: there is no stored event to name yet.
      else if (result.provisional) outcomes[index] = { ok: true, status: 'DUPLICATE' };
      else {
        try {
          const receipt = this.storedReceipt(agencyId, command, stream, result);
          outcomes[index] = { ok: true, status: receiptStatus(command, receipt), receipt };
        } catch (error) {
          outcomes[index] = { ok: false, error };
        }
      }
    });
    return outcomes as ReportOutcome[];
  }

  private decideContext(found: MeasureRef | undefined, periodStatus: PeriodStatusLookup, today: string, measureMeant?: string): DecideContext {
    return {
      today,
      measure: found && measureContext(found.plan, found.measure),
      measureMeant,
      planPeriod: (planId) => this.catalog.plan(planId)?.period,
      period: (planId, periodAgency, date) => {
        const plan = this.catalog.plan(planId);
        if (!plan) return undefined;
        const span = periodOfDate(date, plan.reporting?.periods ?? 'quarter');
        return { span, status: periodStatus(planId, periodAgency, span.periodId), entryWindowDays: plan.reporting?.entryWindowDays };
      },
    };
  }

  private async run(one: ExecuteReportCommand): Promise<ReportReceipt> {
    const { found, meant, agencyId, command, stream } = await this.locate(one);
    const { principal, correlationId } = one;
    // The lock read model as of now: every approval committed before this write began is seen.
    const periodStatus = await this.locks.current();
    const ctx = this.decideContext(found, periodStatus, latestToday(), meant);
    const causationId = randomUUID();
    const recordedAt = new Date().toISOString();
    try {
      const result = await handleCommand(this.store, stream, reportDecider(ctx), command, {
        expectNew: expectsNew(command),
        read: readStoredReportEvent,
        maxAttempts: MAX_ATTEMPTS,
        metadata: eventMetadata(agencyId, principal, correlationId, causationId, recordedAt),
      });
      return this.storedReceipt(agencyId, command, stream, result);
    } catch (error) {
      if (!(error instanceof CommandConflictError)) throw error;
      throw conflict(command.reportId);
    }
  }

  /**
   * The report's agency, command and stream. Who may write is decided first, before anything about
   * the report is revealed or checked (throws the policy's ForbiddenError).
   */
  private async locate(one: ExecuteReportCommand): Promise<{ found?: MeasureRef; meant?: string; agencyId: string; command: ReportCommand; stream: string }> {
    const { found, meant, agencyId, command } = this.authorise(one);
    return { found, meant, agencyId, command, stream: await this.streams.locate(agencyId, command.reportId) };
  }

  /** The report's measure, agency and command; throws the policy's ForbiddenError first. */
  private authorise({ request, principal, target }: ExecuteReportCommand): { found?: MeasureRef; meant?: string; agencyId: string; command: ReportCommand } {
    const { found, meant } = request.kind === 'record' ? this.lookup(target) : {};
    const agencyId = this.policy.assertCanWriteReport(principal, { kind: request.kind, measure: found?.measure });
    // Object.assign, not `{ ...request, agencyId }`: on Node 20 that literal costs tens of µs (handle-command.ts, storedEvent).
    const command = Object.assign({}, request, { agencyId }) as ReportCommand;
    return { found, meant, agencyId, command };
  }

  /**
   * The receipt of a report the store holds: the last event this request appended, or, when it
   * appended nothing, the stored event it repeats (duplicate: true; duplicateReceipt throws when
   * the request is not a repeat of what is stored).
   */
  private storedReceipt(agencyId: string, command: ReportCommand, stream: string, result: { readonly newEvents: readonly StoredEvent<ReportEvent>[]; readonly newState: ReportState }): ReportReceipt {
    const last = result.newEvents.at(-1);
    if (last) return this.receipt(agencyId, command.reportId, stream, last.id, last.type, last.position, last.revision, false);
    const r = duplicateReceipt(command, result.newState);
    return this.receipt(agencyId, command.reportId, stream, r.eventId, r.type, r.position, r.revision, true);
  }

  /**
   * The measure a record is about. None when no adopted plan has it (the decider refuses that,
   * naming measureCode and `meant`, a code that differs only in case or spaces).
   */
  private lookup(target: ExecuteReportCommand['target']): { found?: MeasureRef; meant?: string } {
    if (!target) return {};
    try {
      return { found: this.catalog.findMeasure(target.measureCode, target.planId) };
    } catch (error) {
      if (!(error instanceof MeasureLookupError)) throw error;
      if (error.reason === 'ambiguous') throw DomainError.badInput('planId', `is required: ${error.message}`);
      if (target.planId !== undefined && !this.catalog.plan(target.planId)) throw DomainError.badInput('planId', `${target.planId} is not an adopted plan`);
      return { meant: error.suggestion };
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

/** What a stored request did: a record under an import strategy may have corrected or retracted its report. */
function receiptStatus(command: ReportCommand, receipt: ReportReceipt): 'CREATED' | 'UPDATED' | 'DELETED' | 'DUPLICATE' {
  if (receipt.duplicate) return 'DUPLICATE';
  if (command.kind !== 'record') return 'CREATED';
  return receipt.eventType === REPORT_CORRECTED ? 'UPDATED' : receipt.eventType === REPORT_RETRACTED ? 'DELETED' : 'CREATED';
}

/**
 * A record is almost always new, so it is appended without reading its stream first; a record
 * of CREATE_AND_UPDATE or DELETE is not — it comes from the spreadsheet an agency uploads again each
 * quarter, whose rows are mostly stored — so its stream is read (else nearly every batch of it
 * would lose its first append and decide again).
 */
const expectsNew = (command: ReportCommand): boolean => command.kind === 'record' && command.strategy === undefined;

function conflict(reportId: string): DomainError {
  return new DomainError('CONFLICT', `Report ${reportId} is being changed by concurrent requests; retry`, { field: 'reportId', reason: 'changed by concurrent requests' });
}

/** The metadata of each event a report request appends (docs/events.md, "Metadata"). */
function eventMetadata(
  agencyId: string,
  principal: ExecuteReportCommand['principal'],
  correlationId: string,
  causationId: string,
  recordedAt: string,
): (event: ReportEvent, state: ReportState) => JsonObject {
  return (event, state) => {
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
  };
}
