import type { PeriodStatus, Role } from './api/schema-enums.js';
import { PERIOD_STEP_ACTION, roleMay } from '../../../libs/auth/src/role-actions.js';
import {
  PERIOD_STEP_FROM,
  PERIOD_STEP_KINDS,
  PERIOD_STEP_TEXT,
  PERIOD_TEXT_MAX_LENGTH,
  PERIOD_TEXT_MIN_LENGTH,
  type PeriodStepKind,
  periodHasEnded,
} from '../../../libs/domain/src/periods/period-steps.js';

/*
 * Which sign-off steps the Reporting periods page offers, from the api's own rules (one copy of
 * each): who may take a step is the access policy's role table (libs/auth role-actions.ts), when
 * it may be taken is the period decider's (libs/domain period-steps.ts). The api still decides;
 * the page only does not offer what it would refuse.
 */

export { PERIOD_STEP_KINDS, PERIOD_STEP_TEXT, PERIOD_TEXT_MAX_LENGTH, PERIOD_TEXT_MIN_LENGTH, type PeriodStepKind };

/** What the page knows of a period line and of who is looking at it. */
export interface StepContext {
  readonly role: Role;
  /** The signed-in agency (AGENCY keys); an agency submits its own periods only. */
  readonly ownAgencyId: string | null;
  /** True while the page shows a past point of the ledger (an auditor's `at`): the past takes no steps. */
  readonly pastPoint: boolean;
  /** Today's date in UTC (YYYY-MM-DD), the date the api decides "has ended" on. */
  readonly today: string;
}

/**
 * The steps `ctx` may take on the agency's period now, in the workflow's order: the role's
 * actions (submit: SUBMIT_PERIOD, its own agency only; the others: SIGN_OFF_PERIOD), the period's
 * status (PERIOD_STEP_FROM), and for a submission a period that has ended. None at a past point.
 */
export function periodSteps(period: { agencyId: string; to: string; status: PeriodStatus }, ctx: StepContext): PeriodStepKind[] {
  if (ctx.pastPoint) return [];
  return PERIOD_STEP_KINDS.filter((step) => {
    if (!roleMay(ctx.role, PERIOD_STEP_ACTION[step])) return false;
    if (!PERIOD_STEP_FROM[step].includes(period.status)) return false;
    if (step === 'submit') return ctx.role === 'AGENCY' && period.agencyId === ctx.ownAgencyId && periodHasEnded(period.to, ctx.today);
    return true;
  });
}

/** Today's date in UTC (the api's "today" for periods). */
export const utcToday = (now = new Date()): string => now.toISOString().slice(0, 10);

/** The step's name as its button says it. */
export const STEP_VERB: Readonly<Record<PeriodStepKind, string>> = { submit: 'Submit', approve: 'Approve', return: 'Return', reopen: 'Reopen' };

/** The mutation of each step (docs/periods.md). */
export const STEP_MUTATION: Readonly<Record<PeriodStepKind, 'submitPeriod' | 'approvePeriod' | 'returnPeriod' | 'reopenPeriod'>> = {
  submit: 'submitPeriod',
  approve: 'approvePeriod',
  return: 'returnPeriod',
  reopen: 'reopenPeriod',
};

/**
 * What the step does, said before it is sent: approving and reopening lock and unlock the agency's
 * figures, so the page asks to confirm them in these words.
 */
export function stepConsequence(step: PeriodStepKind, p: { periodId: string; from: string; to: string }, agencyName: string): string {
  const dated = `reports dated in ${p.periodId} (${p.from} to ${p.to})`;
  switch (step) {
    case 'submit':
      return `Submitting sends ${p.periodId} to the coordinator for approval; once approved, its reports are locked.`;
    case 'approve':
      return `Approving locks the agency's ${dated}: ${agencyName} can no longer record, correct or retract them until a coordinator reopens ${p.periodId}.`;
    case 'return':
      return `Returning sends ${p.periodId} back to ${agencyName} with your comment, to correct and submit again.`;
    case 'reopen':
      return `Reopening unlocks the agency's ${dated}: ${agencyName} can change them again until ${p.periodId} is approved again.`;
    default: {
      const _: never = step;
      return String(_);
    }
  }
}

/**
 * The name of the button that sends the step, unlike the one that opens its form ("Submit 2023-Q1
 * of …"): approving and reopening say they confirm.
 */
export function sendLabel(step: PeriodStepKind, periodId: string, agencyName: string): string {
  switch (step) {
    case 'submit':
      return `Send ${periodId} to the coordinator`;
    case 'approve':
      return `Confirm: approve ${periodId} of ${agencyName}`;
    case 'return':
      return `Return ${periodId} to ${agencyName}`;
    case 'reopen':
      return `Confirm: reopen ${periodId} of ${agencyName}`;
    default: {
      const _: never = step;
      return String(_);
    }
  }
}

/** The label of the step's text field. */
export function stepTextLabel(step: PeriodStepKind): string {
  switch (step) {
    case 'submit':
      return 'Comment for the coordinator (optional)';
    case 'approve':
      return 'Comment (optional)';
    case 'return':
      return `What the agency must change (required, at least ${PERIOD_TEXT_MIN_LENGTH} characters)`;
    case 'reopen':
      return `Why the approved figures must change (required, at least ${PERIOD_TEXT_MIN_LENGTH} characters)`;
    default: {
      const _: never = step;
      return String(_);
    }
  }
}

/**
 * A request id for one user intent (docs/periods.md: a retry with the same id at any later time
 * answers with the first receipt and writes nothing). Random from `crypto.getRandomValues`, which
 * unlike `randomUUID` also works on a plain-http address of a closed network. Fits the api's
 * client-id rule (letters, digits, "-", at most 100).
 */
export function newRequestId(step: PeriodStepKind, periodId: string, random: (bytes: Uint8Array<ArrayBuffer>) => void = (b) => crypto.getRandomValues(b)): string {
  const bytes = new Uint8Array(12);
  random(bytes);
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `dashboard-${step}-${periodId}-${hex}`;
}

/**
 * One intent's request id: the same while the user sends the same step with the same text (a
 * double click, a retry after a lost answer — the api then answers the first receipt), a new one
 * once the step is carried out or the text changes (another request: the api decides it on the
 * period's status, instead of refusing the id as used for another request).
 */
export class IntentIds {
  private current: { key: string; id: string } | null = null;

  constructor(private readonly make: (step: PeriodStepKind, periodId: string) => string = newRequestId) {}

  idFor(step: PeriodStepKind, agencyId: string, periodId: string, text: string): string {
    const key = JSON.stringify([step, agencyId, periodId, text.trim()]);
    if (this.current?.key !== key) this.current = { key, id: this.make(step, periodId) };
    return this.current.id;
  }

  /** The step was carried out: the next one is a new intent. */
  done(): void {
    this.current = null;
  }
}

/** Whether the role takes any step of the sign-off (the page then has an actions column). */
export const takesSteps = (role: Role): boolean => PERIOD_STEP_KINDS.some((step) => roleMay(role, PERIOD_STEP_ACTION[step]));

/** The words for an input field a refusal names (`input.comment` → "The comment"). */
const FIELD_WORDS: Readonly<Record<string, string>> = {
  comment: 'The comment',
  reason: 'The reason',
  periodId: 'The period',
  agencyId: 'The agency',
  planId: 'The plan',
  requestId: 'The request id',
};

/**
 * An api error of a step in plain words: its message, with the input path it starts with
 * (`input.comment is required`) said in words ("The comment is required"). The api's wording
 * otherwise, unchanged: it is the one that knows why.
 */
export function refusalWords(error: { message: string; extensions?: { field?: string } }): string {
  const field = error.extensions?.field;
  if (!field || !error.message.startsWith(field)) return error.message;
  const words = FIELD_WORDS[field.split('.').at(-1) ?? ''];
  return words ? `${words}${error.message.slice(field.length)}` : error.message;
}
