import type { PeriodStatus } from './period-events.js';

/**
 * When each step of a period's sign-off may be taken (docs/periods.md, "Workflow and roles"): the
 * rule the period decider enforces and the dashboard follows to offer only the steps the api will
 * take. Deliberately free of runtime imports, so browser code (apps/dashboard, built by Vite) can
 * import this file by path without pulling in the server libraries.
 */

/** The four steps: the agency submits; the coordinator approves, returns or reopens. */
export const PERIOD_STEP_KINDS = ['submit', 'approve', 'return', 'reopen'] as const;
export type PeriodStepKind = (typeof PERIOD_STEP_KINDS)[number];

/**
 * The statuses each step is taken from; any other is CONFLICT. A submission also needs the period
 * to have ended ({@link periodHasEnded}); a reopened period is approved again directly (the
 * coordinator reopened it for a known fix).
 */
export const PERIOD_STEP_FROM: Readonly<Record<PeriodStepKind, readonly PeriodStatus[]>> = {
  submit: ['OPEN', 'RETURNED', 'REOPENED'],
  approve: ['SUBMITTED', 'REOPENED'],
  return: ['SUBMITTED'],
  reopen: ['APPROVED'],
};

/** Whether `step` may be taken while the period is `status`. */
export const periodStepAllowed = (step: PeriodStepKind, status: PeriodStatus): boolean => PERIOD_STEP_FROM[step].includes(status);

/**
 * The text a step carries: a return's comment (what to change) and a reopening's reason are
 * required, at least this many characters once trimmed; a submission's or approval's comment is optional.
 */
export const PERIOD_TEXT_MIN_LENGTH = 3;
/** The longest comment or reason a step takes (characters). */
export const PERIOD_TEXT_MAX_LENGTH = 2000;

/** Which steps require their text (return: `comment`, reopen: `reason`). */
export const PERIOD_STEP_TEXT: Readonly<Record<PeriodStepKind, { readonly field: 'comment' | 'reason'; readonly required: boolean }>> = {
  submit: { field: 'comment', required: false },
  approve: { field: 'comment', required: false },
  return: { field: 'comment', required: true },
  reopen: { field: 'reason', required: true },
};

/**
 * A period has ended once its last day (`to`, YYYY-MM-DD) is over: `today` is the UTC date the
 * api decides on (figures of a period still running are not final; DHIS2 likewise opens approval
 * after the period).
 */
export const periodHasEnded = (to: string, today: string): boolean => to < today;
