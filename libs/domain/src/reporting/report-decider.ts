import { createHash } from 'node:crypto';
import type { Decider, RecordedEvent, StoredEvent } from '@app/event-store';
import { type ActivityEventType, eventTypeSpec, isActivityEventType } from '../events/catalogue.js';
import { upcasters } from '../events/upcasters.js';
import { validateDetails } from '../events/validate-details.js';
import { DomainError } from '../errors.js';
import { CLIENT_ID_RULE, type Details, EMPTY_TEXT_RULE, isDetails, isIsoDate, futureDateRefusal, isValidClientId, isoDateRefusal } from '../wire/wire-rules.js';
import { type PeriodGateInfo, assertPeriodWritable } from '../periods/period-decider.js';
import { REPORT_CORRECTED, REPORT_RETRACTED, type ReportEvent, type ReportRef } from './report-events.js';

/** A plan's period: reports must describe activity inside it. */
export interface PlanPeriod {
  readonly from: string;
  readonly to: string;
}

/** What the decider needs to know of the measure a report is about (from the plan). */
export interface MeasureContext {
  readonly planId: string;
  readonly measureCode: string;
  readonly period: PlanPeriod;
  /** Event types the measure's indicators count. */
  readonly countedTypes: readonly string[];
  /** FundsDisbursed is accepted for any measure with funding. */
  readonly hasFunding: boolean;
}

export interface RecordActivity {
  readonly kind: 'record';
  readonly type: ActivityEventType;
  readonly agencyId: string;
  readonly reportId: string;
  readonly occurredOn: string;
  readonly details: Readonly<Record<string, unknown>>;
  /**
   * A bulk import's strategy for a reportId that is stored already (DHIS2's importStrategy;
   * docs/bulk-reporting.md). Absent: CREATE — other content under a stored reportId is a CONFLICT.
   * - CREATE_AND_UPDATE: a record whose date or figures differ from the report's CURRENT ones
   *   becomes a correction of it — the `correct` command, decided by its rules (period locks,
   *   dates, details) — with this reason and a request id derived from the content
   *   ({@link updateRequestId}); equal to the current content it changes nothing (a repeat).
   * - DELETE: the record, equal to the report as it stands, retracts it — the `retract` command
   *   and its rules — with this reason ({@link deleteRequestId}); a report retracted already is a repeat.
   */
  readonly strategy?: { readonly kind: 'CREATE_AND_UPDATE' | 'DELETE'; readonly reason?: string };
}

/** What a correction or retraction request carries besides the report it is about. */
interface ReportChange {
  readonly agencyId: string;
  readonly reportId: string;
  /** The client's own id of this request: a retry with it at any later time changes nothing. */
  readonly requestId: string;
  /** The report revision the client saw; another one means someone changed it since (CONFLICT). */
  readonly expectedRevision?: bigint;
  readonly reason: string;
}

export interface CorrectReport extends ReportChange {
  readonly kind: 'correct';
  /** The activity type the client corrects (correct<Type>): it must be the report's own. */
  readonly type: ActivityEventType;
  /** Absent: the date stays as reported. */
  readonly occurredOn?: string;
  /** All of the type's own fields as they should be, as in the record mutation. */
  readonly details: Readonly<Record<string, unknown>>;
}

export interface RetractReport extends ReportChange {
  readonly kind: 'retract';
}

export type ReportCommand = RecordActivity | CorrectReport | RetractReport;

/** Where an event of the report was stored: what a receipt quotes. */
export interface StoredRef {
  readonly eventId: string;
  readonly position: bigint;
  readonly revision: bigint;
  readonly type: string;
}

/** A correction or retraction already carried out, by the client's request id. */
export interface CarriedOutRequest {
  readonly receipt: StoredRef;
  readonly kind: 'correct' | 'retract';
  readonly occurredOn?: string;
  readonly details?: Details;
  readonly reason: string;
}

export type ReportState =
  | { readonly status: 'absent' }
  | {
      readonly status: 'active' | 'retracted';
      readonly ref: ReportRef;
      readonly activityType: ActivityEventType;
      readonly occurredOn: string;
      readonly details: Details;
      /** The first event: the receipt of a duplicate record request. */
      readonly original: StoredRef & { readonly occurredOn: string; readonly details: Details };
      /** The last event. */
      readonly last: StoredRef & { readonly reason?: string };
      readonly revision: bigint;
      /** Corrections and retractions by their request ids (those stored with one). */
      readonly requests: ReadonlyMap<string, CarriedOutRequest>;
    };

export const initialReportState: ReportState = { status: 'absent' };

/** A report event as read back from its stream (after upcasting). */
export type StoredReportEvent = StoredEvent<ReportEvent>;

/**
 * The requests of a report nobody has corrected or retracted yet: one empty map shared by every
 * such state (a bulk import folds thousands of new reports). It is never changed: evolveReport
 * copies a report's map before adding to it.
 */
const NO_REQUESTS: ReadonlyMap<string, CarriedOutRequest> = new Map<string, CarriedOutRequest>();

/**
 * Object literals here are written out field by field rather than as `{ ...other, more }`: on
 * Node 20's V8 a literal that starts with a spread and adds properties costs 10–50 µs (a new
 * hidden class each time), against well under 1 µs written out; a bulk import builds several per
 * report (BENCHMARKS.md, "Bulk ingest CPU"). Key order is kept: it is the stored JSON's.
 */
const withReason = (stored: StoredRef, reason: string): StoredRef & { readonly reason?: string } => ({
  eventId: stored.eventId,
  position: stored.position,
  revision: stored.revision,
  type: stored.type,
  reason,
});

export function evolveReport(state: ReportState, event: StoredReportEvent): ReportState {
  const stored: StoredRef = { eventId: event.id, position: event.position, revision: event.revision, type: event.type };
  switch (event.type) {
    case REPORT_CORRECTED: {
      if (state.status === 'absent') return state;
      const { occurredOn, details, reason, requestId } = event.data;
      const requests = requestId === undefined
        ? state.requests
        : new Map(state.requests).set(requestId, { receipt: stored, kind: 'correct', occurredOn, details, reason });
      return { ...state, occurredOn, details, last: withReason(stored, reason), revision: event.revision, requests };
    }
    case REPORT_RETRACTED: {
      if (state.status === 'absent') return state;
      const { reason, requestId } = event.data;
      const requests = requestId === undefined ? state.requests : new Map(state.requests).set(requestId, { receipt: stored, kind: 'retract', reason });
      return { ...state, status: 'retracted', last: withReason(stored, reason), revision: event.revision, requests };
    }
    default: {
      const { occurredOn, details, planId, measureCode, agencyId, reportId } = event.data;
      return {
        status: 'active',
        ref: { planId, measureCode, agencyId, reportId },
        activityType: event.type,
        occurredOn,
        details,
        original: { eventId: stored.eventId, position: stored.position, revision: stored.revision, type: stored.type, occurredOn, details },
        last: stored,
        revision: event.revision,
        requests: NO_REQUESTS,
      };
    }
  }
}

export interface DecideContext {
  /** The latest date accepted (YYYY-MM-DD): today in the zone furthest ahead, UTC+14 (latestToday): reports cannot describe the future. */
  readonly today: string;
  /** record: the measure the report is to be counted under; undefined when no adopted plan has it. */
  readonly measure?: MeasureContext;
  /** record, no measure: the code meant, when one of an adopted plan differs only in case or spaces (`i.1.2` → `I.1.2`). */
  readonly measureMeant?: string;
  /**
   * The period of an adopted plan. A correction is checked against the plan the report was
   * recorded under, whether or not that plan still holds the report's measure.
   */
  readonly planPeriod?: (planId: string) => PlanPeriod | undefined;
  /**
   * The reporting period a business date falls in for an agency under a plan, and where its
   * sign-off stands (docs/periods.md): consulted for every record, correction and retraction, so
   * no write of a report dated in a locked period is decided. Undefined: the plan has no such
   * period (no lock applies).
   */
  readonly period: (planId: string, agencyId: string, date: string) => PeriodGateInfo | undefined;
}

/**
 * The business date of a report: a real calendar date, not in the future, inside the plan's
 * period. These are rules of the fact itself: they hold for records and corrections alike,
 * whatever the plan now says about the measure.
 */
function checkOccurredOn(field: string, occurredOn: string, today: string, planId: string, period: PlanPeriod): void {
  if (!isIsoDate(occurredOn)) throw DomainError.badInput(field, isoDateRefusal(occurredOn));
  if (occurredOn > today) throw DomainError.badInput(field, futureDateRefusal(today));
  if (occurredOn < period.from || occurredOn > period.to) {
    throw DomainError.badInput(field, `is outside the period of plan ${planId} (${period.from} to ${period.to})`);
  }
}

function checkDetails(type: ActivityEventType, details: Readonly<Record<string, unknown>>): Details {
  const spec = eventTypeSpec(type);
  if (!spec) throw DomainError.badInput('type', `${type} is not an event type of the catalogue`);
  const result = validateDetails(spec, details);
  if (result.violations.length > 0) throw DomainError.fromViolations(result.violations);
  return result.details;
}

const sameDetails = (a: Details, b: Details): boolean => {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
};

function requireReason(reason: string): string {
  const trimmed = reason.trim();
  if (trimmed.length === 0) throw DomainError.badInput('reason', EMPTY_TEXT_RULE);
  if (trimmed.length < 3) throw DomainError.badInput('reason', 'must say why (at least 3 characters)');
  return trimmed;
}

function requireRequestId(requestId: string): void {
  if (!isValidClientId(requestId)) throw DomainError.badInput('requestId', CLIENT_ID_RULE);
}

const notFound = (command: ReportCommand): DomainError =>
  new DomainError('NOT_FOUND', `No report ${command.reportId} of agency ${command.agencyId}`, { field: 'reportId', reason: 'no such report' });

/** Whether a correction or retraction request repeats the one carried out under its request id. */
function repeats(command: CorrectReport | RetractReport, done: CarriedOutRequest): boolean {
  if (command.kind !== done.kind || command.reason.trim() !== done.reason) return false;
  if (command.kind === 'retract') return true;
  if (command.occurredOn !== undefined && command.occurredOn !== done.occurredOn) return false;
  const spec = eventTypeSpec(command.type);
  if (!spec || !done.details) return false;
  const { details, violations } = validateDetails(spec, command.details);
  return violations.length === 0 && sameDetails(details, done.details);
}

/**
 * The request was carried out before (same request id, same content): the caller answers with
 * that receipt. A request id reused for other content is a CONFLICT; undefined when it is new.
 */
function carriedOut(command: CorrectReport | RetractReport, requests: ReadonlyMap<string, CarriedOutRequest>): CarriedOutRequest | undefined {
  const done = requests.get(command.requestId);
  if (!done) return undefined;
  if (repeats(command, done)) return done;
  throw new DomainError(
    'CONFLICT',
    `requestId ${command.requestId} was already used for another ${done.kind === 'correct' ? 'correction' : 'retraction'} of report ${command.reportId}`,
    { field: 'requestId', reason: 'already used for a different request' },
  );
}

function checkExpectedRevision(command: CorrectReport | RetractReport, revision: bigint): void {
  if (command.expectedRevision !== undefined && command.expectedRevision !== revision) {
    throw new DomainError(
      'CONFLICT',
      `Report ${command.reportId} is at revision ${revision}, not ${command.expectedRevision}: it changed since you read it`,
      { field: 'expectedRevision', reason: `the report is at revision ${revision}` },
    );
  }
}

/**
 * Decides what a report command appends, given the report's current state. Pure. An empty list
 * means the request was already carried out (a retry): {@link duplicateReceipt} gives the receipt.
 * Refusals are DomainErrors naming the field: BAD_USER_INPUT, NOT_FOUND, CONFLICT.
 */
export function decideReport(command: ReportCommand, state: ReportState, ctx: DecideContext): readonly ReportEvent[] {
  switch (command.kind) {
    case 'record': {
      const measure = ctx.measure;
      if (!measure) {
        throw DomainError.badInput('measureCode', `is not a measure of any adopted plan${ctx.measureMeant === undefined ? '' : `; did you mean "${ctx.measureMeant}"?`}`);
      }
      const counted = command.type === 'FundsDisbursed' ? measure.hasFunding : measure.countedTypes.includes(command.type);
      if (!counted) {
        const what = command.type === 'FundsDisbursed'
          ? 'it has no funding in the plan'
          : `its indicators count ${measure.countedTypes.join(', ') || 'nothing'}${measure.hasFunding ? ' (and FundsDisbursed)' : ''}`;
        throw DomainError.badInput('measureCode', `${measure.measureCode} does not count ${command.type}: ${what}`);
      }
      checkOccurredOn('occurredOn', command.occurredOn, ctx.today, measure.planId, measure.period);
      const details = checkDetails(command.type, command.details);
      const ref: ReportRef = { planId: measure.planId, measureCode: measure.measureCode, agencyId: command.agencyId, reportId: command.reportId };
      if (command.strategy?.kind === 'DELETE') return decideDelete(command, command.strategy, ref, details, state, ctx);
      if (state.status !== 'absent' && command.strategy) return decideUpdate(command, command.strategy, ref, details, state, ctx);
      if (state.status !== 'absent') {
        const same =
          state.ref.agencyId === ref.agencyId &&
          state.ref.planId === ref.planId &&
          state.ref.measureCode === ref.measureCode &&
          state.activityType === command.type &&
          state.original.occurredOn === command.occurredOn &&
          sameDetails(state.original.details, details);
        if (same) return [];
        // Same report, other figures: say what differs, so the sender sees it is a change, not a clash of ids.
        const sameReport = state.activityType === command.type && state.ref.planId === ref.planId && state.ref.measureCode === ref.measureCode;
        const differs = sameReport ? ` (${createConflict(state, command.occurredOn, details)})` : '';
        throw new DomainError(
          'CONFLICT',
          `reportId ${command.reportId} was already used for a different report (${state.activityType} on ${state.ref.measureCode}, ${state.original.occurredOn})${differs}; ` +
            (sameReport
              ? `use correct${state.activityType}, or a bulk import with importStrategy CREATE_AND_UPDATE, to change it`
              : // A correction keeps the type, plan and measure: advising one would only be refused again.
                `a report's type and measure cannot change: give this one another reportId, or retract ${command.reportId} and record it anew`),
          { field: 'reportId', reason: `already used for a different report${differs}` },
        );
      }
      assertPeriodWritable(ctx.period(ref.planId, ref.agencyId, command.occurredOn), ctx.today, 'occurredOn');
      return [{ type: command.type, data: { planId: ref.planId, measureCode: ref.measureCode, agencyId: ref.agencyId, reportId: ref.reportId, occurredOn: command.occurredOn, details } }];
    }
    case 'correct': {
      requireRequestId(command.requestId);
      if (state.status === 'absent') throw notFound(command);
      if (carriedOut(command, state.requests)) return [];
      if (state.status === 'retracted') {
        throw new DomainError('CONFLICT', `Report ${command.reportId} was retracted and cannot be corrected`, { field: 'reportId', reason: 'retracted' });
      }
      if (command.type !== state.activityType) {
        throw DomainError.badInput('reportId', `is a ${state.activityType} report: correct it with correct${state.activityType}`);
      }
      checkExpectedRevision(command, state.revision);
      const reason = requireReason(command.reason);
      const planId = state.ref.planId;
      const period = ctx.planPeriod?.(planId);
      if (!period) throw DomainError.badInput('reportId', `was recorded under plan ${planId}, which is not an adopted plan`);
      const occurredOn = command.occurredOn ?? state.occurredOn;
      checkOccurredOn('occurredOn', occurredOn, ctx.today, planId, period);
      const details = checkDetails(state.activityType, command.details);
      if (state.occurredOn === occurredOn && sameDetails(state.details, details)) {
        throw DomainError.badInput('input', 'changes nothing: the report already has this date and these figures');
      }
      // Both the period the figures leave and the one they move to must be open.
      assertPeriodWritable(ctx.period(planId, state.ref.agencyId, state.occurredOn), ctx.today, 'reportId');
      if (occurredOn !== state.occurredOn) assertPeriodWritable(ctx.period(planId, state.ref.agencyId, occurredOn), ctx.today, 'occurredOn');
      return [
        {
          type: REPORT_CORRECTED,
          data: { planId: state.ref.planId, measureCode: state.ref.measureCode, agencyId: state.ref.agencyId, reportId: state.ref.reportId, activityType: state.activityType, occurredOn, details, reason, requestId: command.requestId },
        },
      ];
    }
    case 'retract': {
      requireRequestId(command.requestId);
      if (state.status === 'absent') throw notFound(command);
      if (carriedOut(command, state.requests)) return [];
      if (state.status === 'retracted') {
        throw new DomainError('CONFLICT', `Report ${command.reportId} is already retracted`, { field: 'reportId', reason: 'already retracted' });
      }
      checkExpectedRevision(command, state.revision);
      const reason = requireReason(command.reason);
      assertPeriodWritable(ctx.period(state.ref.planId, state.ref.agencyId, state.occurredOn), ctx.today, 'reportId');
      const { planId, measureCode, agencyId, reportId } = state.ref;
      return [{ type: REPORT_RETRACTED, data: { planId, measureCode, agencyId, reportId, activityType: state.activityType, reason, requestId: command.requestId } }];
    }
    default: {
      const unreachable: never = command;
      throw new Error(`Unknown command ${JSON.stringify(unreachable)}`);
    }
  }
}

type StoredReport = Exclude<ReportState, { readonly status: 'absent' }>;

/**
 * The id of the correction a CREATE_AND_UPDATE record makes: derived from the report, the revision
 * it corrects and the content it sets (date and validated details, keys sorted), so the same row
 * imported again derives the same id. The revision is part of it so that a report set back to an
 * earlier content and then forward again (12 → 21 → 12 → 21) gets a new correction each time
 * rather than a repeat of the first. `import:` and 40 hex digits: a valid client id.
 */
export function updateRequestId(reportId: string, revision: bigint, occurredOn: string, details: Details): string {
  const content = JSON.stringify([reportId, revision.toString(), occurredOn, Object.keys(details).sort().map((k) => [k, details[k]])]);
  return `import:${createHash('sha256').update(content).digest('hex').slice(0, 40)}`;
}

/**
 * The id of the retraction a DELETE record makes: derived from the report and the revision it
 * retracts, so the same row imported again derives the same id. `import:` and 40 hex digits.
 */
export function deleteRequestId(reportId: string, revision: bigint): string {
  return `import:${createHash('sha256').update(JSON.stringify([reportId, revision.toString(), 'retract'])).digest('hex').slice(0, 40)}`;
}

/**
 * What an import row cannot change of a stored report — its event type, and the plan and measure
 * it counts under — each a CONFLICT naming the cell to look at.
 */
function assertSameReport(command: RecordActivity, ref: ReportRef, state: StoredReport, action: 'correct' | 'retract'): void {
  if (state.activityType !== command.type) {
    throw new DomainError('CONFLICT', `Report ${command.reportId} is a ${state.activityType} report; a ${command.type} row cannot ${action} it`, {
      field: 'reportId',
      reason: `is a ${state.activityType} report, not ${command.type}`,
    });
  }
  if (state.ref.planId !== ref.planId || state.ref.measureCode !== ref.measureCode) {
    const named = `${ref.measureCode}${ref.planId === state.ref.planId ? '' : ` of plan ${ref.planId}`}`;
    throw new DomainError(
      'CONFLICT',
      action === 'correct'
        ? `Report ${command.reportId} counts under measure ${state.ref.measureCode} of plan ${state.ref.planId}; a correction cannot move it to ${named}: retract it and record a new report`
        : `Report ${command.reportId} counts under measure ${state.ref.measureCode} of plan ${state.ref.planId}, not ${named}: a row that retracts it names it as it stands`,
      {
        field: 'measureCode',
        reason:
          action === 'correct'
            ? `the report counts under ${state.ref.measureCode}; a correction cannot move it: retract it (importStrategy DELETE) and record the activity under a new reportId`
            : `the report counts under ${state.ref.measureCode}`,
      },
    );
  }
}

/** What a row changes of a report (as it stands, or `from` another content), for the refusal that asks why: `participants 12 → 21`. */
/**
 * What a CREATE record differs in from the stored report of its reportId. Against the first record
 * (a CREATE repeats only that); and once the report was corrected, what it holds now too, so a
 * sender whose row shows the corrected figures does not read the answer as the correction lost.
 */
function createConflict(state: Exclude<ReportState, { readonly status: 'absent' }>, occurredOn: string, details: Details): string {
  const first = changesOf(state.original, occurredOn, details);
  const corrected = state.occurredOn !== state.original.occurredOn || !sameDetails(state.details, state.original.details);
  if (!corrected) return first;
  const now = changesOf(state, occurredOn, details);
  const retracted = state.status === 'retracted' ? ', then retracted' : '';
  return now === ''
    ? `${first} against its first record; it was corrected to exactly this since${retracted}: send it with importStrategy CREATE_AND_UPDATE, which leaves it as it is`
    : `${first} against its first record, ${now} against what it holds after its correction${retracted}`;
}

function changesOf(from: { readonly occurredOn: string; readonly details: Details }, occurredOn: string, details: Details): string {
  const shown = (value: unknown) => (value === undefined ? '(empty)' : JSON.stringify(value));
  const changes = from.occurredOn === occurredOn ? [] : [`occurredOn ${from.occurredOn} → ${occurredOn}`];
  for (const key of new Set([...Object.keys(from.details), ...Object.keys(details)])) {
    if (from.details[key] !== details[key]) changes.push(`${key} ${shown(from.details[key])} → ${shown(details[key])}`);
  }
  const text = changes.join(', ');
  return text.length > 200 ? `${text.slice(0, 197)}…` : text;
}

/**
 * A CREATE_AND_UPDATE record of a report that is stored: nothing when it equals the report's
 * current content (after any corrections), else a correction through the `correct` rules. What a
 * correction cannot change — the event type, the plan and measure the report counts under — is a
 * CONFLICT, as a reused reportId is for CREATE.
 */
function decideUpdate(
  command: RecordActivity,
  update: NonNullable<RecordActivity['strategy']>,
  ref: ReportRef,
  details: Details,
  state: StoredReport,
  ctx: DecideContext,
): readonly ReportEvent[] {
  assertSameReport(command, ref, state, 'correct');
  // A retracted report counts no more, so a row that says it should (changed or not) disagrees
  // with the ledger: a repeat would read as "stored" for a report that does not count.
  if (state.status === 'retracted') {
    const why = state.last.reason ? ` ("${state.last.reason}")` : '';
    throw new DomainError(
      'CONFLICT',
      `Report ${command.reportId} was retracted${why} and counts no more; a row cannot bring it back: take the row out of the sheet, or give the activity a new reportId to record it again`,
      { field: 'reportId', reason: `was retracted${why}: take the row out, or record the activity under a new reportId` },
    );
  }
  if (state.occurredOn === command.occurredOn && sameDetails(state.details, details)) return [];
  const reason = update.reason ?? '';
  if (reason.trim() === '') {
    throw DomainError.badInput('reason', `is required: this row changes report ${command.reportId} (${changesOf(state, command.occurredOn, details)}), and a correction says why`);
  }
  const correction: CorrectReport = {
    kind: 'correct',
    type: command.type,
    agencyId: command.agencyId,
    reportId: command.reportId,
    requestId: updateRequestId(command.reportId, state.revision, command.occurredOn, details),
    occurredOn: command.occurredOn,
    details,
    reason,
  };
  return decideReport(correction, state, ctx);
}

/**
 * A DELETE record: retracts the stored report it names, through the `retract` rules (period lock,
 * reason). The row must be the report as it stands — same type, measure, date and figures — so a
 * mistyped reportId or a row edited since retracts nothing (CONFLICT, saying what differs).
 * A report retracted already is a repeat; an unknown reportId NOT_FOUND.
 */
function decideDelete(
  command: RecordActivity,
  strategy: NonNullable<RecordActivity['strategy']>,
  ref: ReportRef,
  details: Details,
  state: ReportState,
  ctx: DecideContext,
): readonly ReportEvent[] {
  if (state.status === 'absent') {
    throw new DomainError('NOT_FOUND', `No report ${command.reportId} of agency ${command.agencyId}: a DELETE import retracts stored reports only`, { field: 'reportId', reason: 'no such report' });
  }
  if (state.status === 'retracted') return [];
  assertSameReport(command, ref, state, 'retract');
  if (state.occurredOn !== command.occurredOn || !sameDetails(state.details, details)) {
    const changes = changesOf(state, command.occurredOn, details);
    throw new DomainError('CONFLICT', `Report ${command.reportId} holds other content than this row (${changes}): a row that retracts a report is the report as it stands`, {
      field: 'reportId',
      reason: `the report holds other content than this row (${changes})`,
    });
  }
  const reason = strategy.reason ?? '';
  if (reason.trim() === '') throw DomainError.badInput('reason', `is required: this row retracts report ${command.reportId}, and a retraction says why`);
  const retraction: RetractReport = { kind: 'retract', agencyId: command.agencyId, reportId: command.reportId, requestId: deleteRequestId(command.reportId, state.revision), reason };
  return decideReport(retraction, state, ctx);
}

/**
 * The receipt of a request {@link decideReport} found already carried out: the report's first
 * event for a record, the event of the same request id for a correction or retraction. A
 * CREATE_AND_UPDATE record repeats the report's current content: the event that set it (its last;
 * a retracted report's retraction); a DELETE record of a retracted report: the retraction.
 */
export function duplicateReceipt(command: ReportCommand, state: ReportState): StoredRef {
  if (state.status === 'absent') throw notFound(command);
  if (command.kind === 'record') return command.strategy ? state.last : state.original;
  const done = state.requests.get(command.requestId);
  if (!done) throw new Error(`No request ${command.requestId} on report ${command.reportId}`);
  return done.receipt;
}

/** The report decider for handleCommand, with the context its rules need. */
export function reportDecider(ctx: DecideContext): Decider<ReportState, ReportCommand, ReportEvent> {
  return {
    initialState: initialReportState,
    evolve: evolveReport,
    decide: (command, state) => decideReport(command, state, ctx),
  };
}

const text = (value: unknown): value is string => typeof value === 'string' && value.length > 0;

/**
 * A stored event of a report stream as the decider reads it (upcast, then checked for the shape
 * of a report event); undefined for anything else. The boundary where stored JSON becomes typed.
 */
export function readStoredReportEvent(recorded: RecordedEvent): StoredReportEvent | undefined {
  const event = upcasters.upcast(recorded);
  const data = event.data;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return undefined;
  const { planId, measureCode, agencyId, reportId } = data;
  if (!text(planId) || !text(measureCode) || !text(agencyId) || !text(reportId)) return undefined;
  const base = { id: event.id, stream: event.stream, revision: event.revision, position: event.position, metadata: event.metadata };
  const requestId = text(data.requestId) ? data.requestId : undefined;
  const activityType = typeof data.activityType === 'string' && isActivityEventType(data.activityType) ? data.activityType : undefined;
  const reason = typeof data.reason === 'string' ? data.reason : '';
  if (event.type === REPORT_RETRACTED) {
    if (!activityType) return undefined;
    return { type: REPORT_RETRACTED, data: { planId, measureCode, agencyId, reportId, activityType, reason, ...(requestId ? { requestId } : {}) }, ...base };
  }
  const { occurredOn, details } = data;
  if (!isIsoDate(occurredOn) || !isDetails(details)) return undefined;
  if (event.type === REPORT_CORRECTED) {
    if (!activityType) return undefined;
    return { type: REPORT_CORRECTED, data: { planId, measureCode, agencyId, reportId, activityType, occurredOn, details, reason, ...(requestId ? { requestId } : {}) }, ...base };
  }
  if (!isActivityEventType(event.type)) return undefined;
  return { type: event.type, data: { planId, measureCode, agencyId, reportId, occurredOn, details }, ...base };
}
