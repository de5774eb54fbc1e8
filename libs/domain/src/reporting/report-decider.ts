import { eventTypeSpec } from '../events/catalogue.js';
import { isIsoDate, validateDetails } from '../events/validate-details.js';
import { DomainError } from '../errors.js';
import {
  type Details,
  REPORT_CORRECTED,
  REPORT_RETRACTED,
  type ReportEvent,
  type ReportRef,
} from './report-events.js';

/** What the decider needs to know of the measure a report is about (from the plan). */
export interface MeasureContext {
  readonly planId: string;
  readonly measureCode: string;
  /** The plan's period: reports must describe activity inside it. */
  readonly period: { readonly from: string; readonly to: string };
  /** Event types the measure's indicators count. */
  readonly countedTypes: readonly string[];
  /** FundsDisbursed is accepted for any measure with funding. */
  readonly hasFunding: boolean;
}

export interface RecordActivity {
  readonly kind: 'record';
  readonly type: string;
  readonly agencyId: string;
  readonly reportId: string;
  readonly occurredOn: string;
  readonly details: Readonly<Record<string, unknown>>;
}

export interface CorrectReport {
  readonly kind: 'correct';
  readonly agencyId: string;
  readonly reportId: string;
  /** Absent: the date stays as reported. */
  readonly occurredOn?: string;
  readonly details: Readonly<Record<string, unknown>>;
  readonly reason: string;
}

export interface RetractReport {
  readonly kind: 'retract';
  readonly agencyId: string;
  readonly reportId: string;
  readonly reason: string;
}

export type ReportCommand = RecordActivity | CorrectReport | RetractReport;

/** Where an event of the report was stored: what a receipt quotes. */
export interface StoredRef {
  readonly eventId: string;
  readonly position: bigint;
  readonly revision: bigint;
  readonly type: string;
}

export type ReportState =
  | { readonly status: 'absent' }
  | {
      readonly status: 'active' | 'retracted';
      readonly ref: ReportRef;
      readonly activityType: string;
      readonly occurredOn: string;
      readonly details: Details;
      /** The first event: the receipt of a duplicate record request. */
      readonly original: StoredRef & { readonly occurredOn: string; readonly details: Details };
      /** The last event: the receipt of a duplicate correction or retraction. */
      readonly last: StoredRef & { readonly reason?: string };
      readonly revision: bigint;
    };

export const initialReportState: ReportState = { status: 'absent' };

/** A report event as read back from the store (after upcasting). */
export type StoredReportEvent = ReportEvent & { readonly id: string; readonly position: bigint; readonly revision: bigint };

export function evolveReport(state: ReportState, event: StoredReportEvent): ReportState {
  const stored: StoredRef = { eventId: event.id, position: event.position, revision: event.revision, type: event.type };
  switch (event.type) {
    case REPORT_CORRECTED: {
      if (state.status === 'absent') return state;
      const { occurredOn, details, reason } = (event as Extract<ReportEvent, { type: 'ReportCorrected' }>).data;
      return { ...state, occurredOn, details, last: { ...stored, reason }, revision: event.revision };
    }
    case REPORT_RETRACTED: {
      if (state.status === 'absent') return state;
      const { reason } = (event as Extract<ReportEvent, { type: 'ReportRetracted' }>).data;
      return { ...state, status: 'retracted', last: { ...stored, reason }, revision: event.revision };
    }
    default: {
      const { occurredOn, details, planId, measureCode, agencyId, reportId } = event.data as Extract<
        ReportEvent,
        { data: { details: Details; occurredOn: string } }
      >['data'];
      return {
        status: 'active',
        ref: { planId, measureCode, agencyId, reportId },
        activityType: event.type,
        occurredOn,
        details,
        original: { ...stored, occurredOn, details },
        last: stored,
        revision: event.revision,
      };
    }
  }
}

export type ReportDecision =
  | { readonly kind: 'append'; readonly events: readonly ReportEvent[] }
  /** The same request was already carried out: answer with the stored event's receipt. */
  | { readonly kind: 'duplicate'; readonly receipt: StoredRef };

export interface DecideContext {
  /** Today's date (YYYY-MM-DD) in the plan's time zone: reports cannot describe the future. */
  readonly today: string;
  /** The measure the report is (or is to be) counted under; undefined when it is unknown. */
  readonly measure?: MeasureContext;
}

function checkOccurredOn(field: string, occurredOn: string, ctx: DecideContext, measure: MeasureContext): void {
  if (!isIsoDate(occurredOn)) throw DomainError.badInput(field, 'must be a date written YYYY-MM-DD');
  if (occurredOn > ctx.today) throw DomainError.badInput(field, `is in the future (today is ${ctx.today})`);
  const { from, to } = measure.period;
  if (occurredOn < from || occurredOn > to) {
    throw DomainError.badInput(field, `is outside the period of plan ${measure.planId} (${from} to ${to})`);
  }
}

function checkDetails(type: string, details: Readonly<Record<string, unknown>>, prefix: string): Details {
  const spec = eventTypeSpec(type);
  if (!spec) throw DomainError.badInput('type', `${type} is not an event type of the catalogue`);
  const result = validateDetails(spec, details, prefix);
  if (result.violations.length > 0) throw DomainError.fromViolations(result.violations);
  return result.details;
}

const sameDetails = (a: Details, b: Details): boolean => {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
};

function requireReason(reason: string): string {
  const trimmed = reason.trim();
  if (trimmed.length < 3) throw DomainError.badInput('reason', 'must say why (at least 3 characters)');
  return trimmed;
}

/**
 * Decides what a report command appends, given the report's current state. Pure: the
 * handler loads the stream, calls this, and appends at the revision it loaded.
 */
export function decideReport(command: ReportCommand, state: ReportState, ctx: DecideContext): ReportDecision {
  switch (command.kind) {
    case 'record': {
      const measure = ctx.measure;
      if (!measure) throw DomainError.badInput('measureCode', 'is not a measure of any adopted plan');
      const counted = command.type === 'FundsDisbursed' ? measure.hasFunding : measure.countedTypes.includes(command.type);
      if (!counted) {
        const what = command.type === 'FundsDisbursed'
          ? 'it has no funding in the plan'
          : `its indicators count ${measure.countedTypes.join(', ') || 'nothing'}${measure.hasFunding ? ' (and FundsDisbursed)' : ''}`;
        throw DomainError.badInput('measureCode', `${measure.measureCode} does not count ${command.type}: ${what}`);
      }
      checkOccurredOn('occurredOn', command.occurredOn, ctx, measure);
      const details = checkDetails(command.type, command.details, '');
      const ref: ReportRef = { planId: measure.planId, measureCode: measure.measureCode, agencyId: command.agencyId, reportId: command.reportId };
      if (state.status !== 'absent') {
        const same =
          state.ref.agencyId === ref.agencyId &&
          state.ref.planId === ref.planId &&
          state.ref.measureCode === ref.measureCode &&
          state.activityType === command.type &&
          state.original.occurredOn === command.occurredOn &&
          sameDetails(state.original.details, details);
        if (same) return { kind: 'duplicate', receipt: state.original };
        throw new DomainError(
          'CONFLICT',
          `reportId ${command.reportId} was already used for a different report (${state.activityType} on ${state.ref.measureCode}, ${state.original.occurredOn}); use correctReport to change it`,
          { field: 'reportId', reason: 'already used for a different report' },
        );
      }
      return { kind: 'append', events: [{ type: command.type, data: { ...ref, occurredOn: command.occurredOn, details } }] };
    }
    case 'correct': {
      if (state.status === 'absent') throw new DomainError('NOT_FOUND', `No report ${command.reportId} of agency ${command.agencyId}`, { field: 'reportId' });
      if (state.status === 'retracted') {
        throw new DomainError('CONFLICT', `Report ${command.reportId} was retracted and cannot be corrected`, { field: 'reportId', reason: 'retracted' });
      }
      const reason = requireReason(command.reason);
      const occurredOn = command.occurredOn ?? state.occurredOn;
      if (ctx.measure) checkOccurredOn('occurredOn', occurredOn, ctx, ctx.measure);
      const details = checkDetails(state.activityType, command.details, 'details.');
      if (state.last.type === REPORT_CORRECTED && state.last.reason === reason && state.occurredOn === occurredOn && sameDetails(state.details, details)) {
        return { kind: 'duplicate', receipt: state.last };
      }
      if (state.occurredOn === occurredOn && sameDetails(state.details, details)) {
        throw DomainError.badInput('details', 'changes nothing: the report already has these figures');
      }
      return {
        kind: 'append',
        events: [{ type: REPORT_CORRECTED, data: { ...state.ref, activityType: state.activityType, occurredOn, details, reason } }],
      };
    }
    case 'retract': {
      if (state.status === 'absent') throw new DomainError('NOT_FOUND', `No report ${command.reportId} of agency ${command.agencyId}`, { field: 'reportId' });
      const reason = requireReason(command.reason);
      if (state.status === 'retracted') {
        if (state.last.reason === reason) return { kind: 'duplicate', receipt: state.last };
        throw new DomainError('CONFLICT', `Report ${command.reportId} is already retracted`, { field: 'reportId', reason: 'already retracted' });
      }
      return { kind: 'append', events: [{ type: REPORT_RETRACTED, data: { ...state.ref, activityType: state.activityType, reason } }] };
    }
    default: {
      const unreachable: never = command;
      throw new Error(`Unknown command ${JSON.stringify(unreachable)}`);
    }
  }
}
