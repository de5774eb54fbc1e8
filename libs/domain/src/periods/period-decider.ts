import type { Decider, RecordedEvent, StoredEvent } from '@app/event-store';
import { DomainError } from '../errors.js';
import { CLIENT_ID_RULE, EMPTY_TEXT_RULE, isValidClientId } from '../wire/wire-rules.js';
import { type PeriodLength, type PeriodSpan, addDays, parsePeriodId } from './period-calendar.js';
import {
  PERIOD_APPROVED,
  PERIOD_REOPENED,
  PERIOD_RETURNED,
  PERIOD_SUBMITTED,
  type PeriodEvent,
  type PeriodStatus,
  isPeriodEventType,
  statusAfter,
} from './period-events.js';
import { PERIOD_TEXT_MIN_LENGTH, type PeriodStepKind, periodHasEnded, periodStepAllowed } from './period-steps.js';

/** The four steps of the sign-off (docs/periods.md): who may take each is AccessPolicy's rule. */
export type PeriodCommand = {
  readonly kind: PeriodStepKind;
  readonly planId: string;
  readonly agencyId: string;
  readonly periodId: string;
  readonly requestId: string;
  /** submit and approve: optional; return: required (what to change). */
  readonly comment?: string;
  /** reopen: required (why the signed-off figures must change). */
  readonly reason?: string;
};

export interface PeriodReceipt {
  readonly eventId: string;
  readonly type: string;
  readonly position: bigint;
  readonly revision: bigint;
}

export interface PeriodState {
  readonly status: PeriodStatus;
  readonly revision?: bigint;
  /** Requests carried out, by request id: a retry answers with the first receipt. */
  readonly requests: ReadonlyMap<string, { readonly kind: PeriodCommand['kind']; readonly text?: string; readonly receipt: PeriodReceipt }>;
}

export const initialPeriodState: PeriodState = { status: 'OPEN', requests: new Map() };

export interface PeriodDecideContext {
  /** Today's date (YYYY-MM-DD): a period is submitted once it has ended. */
  readonly today: string;
  /** The plan's period length and period; undefined when the plan is not adopted. */
  readonly plan?: { readonly length: PeriodLength; readonly from: string; readonly to: string };
  /** submit: the measures the agency reports for under the plan. */
  readonly measureCodes?: readonly string[];
}

const KIND_OF: Record<PeriodEvent['type'], PeriodCommand['kind']> = {
  [PERIOD_SUBMITTED]: 'submit',
  [PERIOD_APPROVED]: 'approve',
  [PERIOD_RETURNED]: 'return',
  [PERIOD_REOPENED]: 'reopen',
};

export function evolvePeriod(state: PeriodState, event: StoredEvent<PeriodEvent>): PeriodState {
  const receipt: PeriodReceipt = { eventId: event.id, type: event.type, position: event.position, revision: event.revision };
  const data = event.data as { requestId: string; comment?: string; reason?: string };
  const text = event.type === PERIOD_REOPENED ? data.reason : data.comment;
  return {
    status: statusAfter(event.type),
    revision: event.revision,
    requests: new Map(state.requests).set(data.requestId, { kind: KIND_OF[event.type], text, receipt }),
  };
}

/** The span of the command's period under its plan; refuses ids of another length or outside the plan. */
export function periodSpanOf(periodId: string, plan: PeriodDecideContext['plan'], planId: string): PeriodSpan {
  if (!plan) throw DomainError.badInput('planId', `${planId} is not an adopted plan`);
  const span = parsePeriodId(periodId, plan.length);
  const form = plan.length === 'quarter' ? 'YYYY-Qn' : plan.length === 'month' ? 'YYYY-MM' : 'YYYY';
  if (!span) throw DomainError.badInput('periodId', `is not a ${plan.length} (plan ${planId} reports by ${plan.length}: ${form})`);
  if (span.to < plan.from || span.from > plan.to) {
    throw DomainError.badInput('periodId', `${periodId} lies outside the period of plan ${planId} (${plan.from} to ${plan.to})`);
  }
  return span;
}

function requireText(field: 'comment' | 'reason', value: string | undefined, why: string): string {
  const trimmed = value?.trim() ?? '';
  if (trimmed.length === 0) throw DomainError.badInput(field, EMPTY_TEXT_RULE);
  if (trimmed.length < PERIOD_TEXT_MIN_LENGTH) throw DomainError.badInput(field, `must say ${why} (at least ${PERIOD_TEXT_MIN_LENGTH} characters)`);
  return trimmed;
}

const optionalText = (value: string | undefined): string | undefined => {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
};

const conflict = (command: PeriodCommand, why: string): DomainError =>
  new DomainError('CONFLICT', `Period ${command.periodId} of agency ${command.agencyId} ${why}`, { field: 'periodId', reason: why });

/**
 * Decides a step of a period's sign-off. Pure. `[]`: the request id was carried out before with
 * the same content (the caller answers with {@link periodDuplicateReceipt}).
 * Refusals: BAD_USER_INPUT (malformed ids, a period of another length or outside the plan, a
 * submission before the period has ended, a missing comment or reason), CONFLICT (a step the
 * period's status does not allow, a request id reused for something else).
 */
export function decidePeriod(command: PeriodCommand, state: PeriodState, ctx: PeriodDecideContext): readonly PeriodEvent[] {
  if (!isValidClientId(command.requestId)) throw DomainError.badInput('requestId', CLIENT_ID_RULE);
  const text = command.kind === 'reopen' ? optionalText(command.reason) : optionalText(command.comment);
  const done = state.requests.get(command.requestId);
  if (done) {
    if (done.kind === command.kind && done.text === text) return [];
    throw new DomainError('CONFLICT', `requestId ${command.requestId} was already used for another step of period ${command.periodId}`, {
      field: 'requestId',
      reason: 'already used for a different request',
    });
  }
  const span = periodSpanOf(command.periodId, ctx.plan, command.planId);
  const ref = { planId: command.planId, agencyId: command.agencyId, periodId: span.periodId, requestId: command.requestId };
  const status = state.status;
  switch (command.kind) {
    case 'submit': {
      // Figures of a period still running are not final: DHIS2 likewise opens approval after the period.
      if (!periodHasEnded(span.to, ctx.today)) throw DomainError.badInput('periodId', `${span.periodId} has not ended yet (it ends on ${span.to})`);
      if (!periodStepAllowed('submit', status)) {
        throw conflict(command, status === 'SUBMITTED' ? 'is already submitted and awaits the coordinator' : 'is approved and locked; the coordinator must reopen it first');
      }
      return [{ type: PERIOD_SUBMITTED, data: { ...ref, measureCodes: [...(ctx.measureCodes ?? [])], ...(text ? { comment: text } : {}) } }];
    }
    case 'approve': {
      // A reopened period is approved again directly: the coordinator reopened it for a known fix.
      if (!periodStepAllowed('approve', status)) throw conflict(command, approveRefusal(status));
      return [{ type: PERIOD_APPROVED, data: { ...ref, ...(text ? { comment: text } : {}) } }];
    }
    case 'return': {
      if (!periodStepAllowed('return', status)) throw conflict(command, `cannot be returned: it is ${status}, not SUBMITTED`);
      return [{ type: PERIOD_RETURNED, data: { ...ref, comment: requireText('comment', command.comment, 'what the agency must change') } }];
    }
    case 'reopen': {
      if (!periodStepAllowed('reopen', status)) throw conflict(command, `cannot be reopened: it is ${status}, not APPROVED`);
      return [{ type: PERIOD_REOPENED, data: { ...ref, reason: requireText('reason', command.reason, 'why the approved figures must change') } }];
    }
    default: {
      const _: never = command.kind;
      throw new Error(`Unknown period command ${String(_)}`);
    }
  }
}

function approveRefusal(status: PeriodStatus): string {
  if (status === 'OPEN') return 'has not been submitted';
  if (status === 'RETURNED') return 'was returned and has not been resubmitted';
  return 'is already approved';
}

/** The receipt of a request {@link decidePeriod} found already carried out. */
export function periodDuplicateReceipt(command: PeriodCommand, state: PeriodState): PeriodReceipt {
  const done = state.requests.get(command.requestId);
  if (!done) throw new Error(`No request ${command.requestId} on period ${command.periodId}`);
  return done.receipt;
}

export function periodDecider(ctx: PeriodDecideContext): Decider<PeriodState, PeriodCommand, PeriodEvent> {
  return { initialState: initialPeriodState, evolve: evolvePeriod, decide: (command, state) => decidePeriod(command, state, ctx) };
}

/** A stored event of a period stream; undefined for anything else. */
export function readStoredPeriodEvent(recorded: RecordedEvent): StoredEvent<PeriodEvent> | undefined {
  if (!isPeriodEventType(recorded.type)) return undefined;
  const data = recorded.data as { requestId?: unknown } | null;
  if (typeof data !== 'object' || data === null || typeof data.requestId !== 'string') return undefined;
  return recorded as unknown as StoredEvent<PeriodEvent>;
}

/**
 * What the report decider knows of the period a report's business date falls in, for the
 * report's agency under the report's plan (see {@link assertPeriodWritable}).
 */
export interface PeriodGateInfo {
  readonly span: PeriodSpan;
  readonly status: PeriodStatus;
  /** Days after the period's end reports are still accepted; undefined: no window. */
  readonly entryWindowDays?: number;
}

/**
 * The lock rule of report writes: a report dated in an APPROVED period of its agency is not
 * recorded, corrected or retracted (FORBIDDEN, rule `period-locked`). With a data-entry window,
 * a period whose window has passed takes changes only while REOPENED, or RETURNED (the
 * coordinator asked for changes) — FORBIDDEN, rule `entry-window-closed`.
 */
export function assertPeriodWritable(info: PeriodGateInfo | undefined, today: string, field: string): void {
  if (!info) return;
  const { span, status } = info;
  if (status === 'APPROVED') {
    throw new DomainError('FORBIDDEN', `Period ${span.periodId} (${span.from} to ${span.to}) is approved and locked: ${field} falls in it; ask the coordinator to reopen it`, {
      rule: 'period-locked',
      field,
      reason: `falls in ${span.periodId} (${span.from} to ${span.to}), approved and locked: a coordinator must reopen ${span.periodId} before it changes`,
      period: span.periodId,
    });
  }
  if (info.entryWindowDays === undefined || status === 'REOPENED' || status === 'RETURNED') return;
  const closesAfter = addDays(span.to, info.entryWindowDays);
  if (today > closesAfter) {
    throw new DomainError('FORBIDDEN', `Data entry for period ${span.periodId} closed after ${closesAfter}: ${field} falls in it; ask the coordinator to reopen it`, {
      rule: 'entry-window-closed',
      field,
      reason: `falls in ${span.periodId}, closed for data entry after ${closesAfter}: a coordinator must reopen ${span.periodId} first`,
      period: span.periodId,
    });
  }
}
