/**
 * Events of one reporting period of one agency under one plan, on its period stream
 * (period-calendar.ts). The agency submits; the coordinator approves, returns with a comment
 * or reopens with a reason. Approval locks the agency's reports dated in the period.
 */
export const PERIOD_SUBMITTED = 'PeriodSubmitted';
export const PERIOD_APPROVED = 'PeriodApproved';
export const PERIOD_RETURNED = 'PeriodReturned';
export const PERIOD_REOPENED = 'PeriodReopened';

export const PERIOD_EVENT_TYPES = [PERIOD_SUBMITTED, PERIOD_APPROVED, PERIOD_RETURNED, PERIOD_REOPENED] as const;
export type PeriodEventType = (typeof PERIOD_EVENT_TYPES)[number];

export type PeriodRef = {
  readonly planId: string;
  readonly agencyId: string;
  readonly periodId: string;
  /** The client's own id of the request: a retry with it changes nothing. */
  readonly requestId: string;
};

export type PeriodSubmitted = {
  readonly type: typeof PERIOD_SUBMITTED;
  /** The measures the agency reports for under the plan when it submitted. */
  readonly data: PeriodRef & { readonly measureCodes: readonly string[]; readonly comment?: string };
};
export type PeriodApproved = { readonly type: typeof PERIOD_APPROVED; readonly data: PeriodRef & { readonly comment?: string } };
export type PeriodReturned = { readonly type: typeof PERIOD_RETURNED; readonly data: PeriodRef & { readonly comment: string } };
export type PeriodReopened = { readonly type: typeof PERIOD_REOPENED; readonly data: PeriodRef & { readonly reason: string } };

export type PeriodEvent = PeriodSubmitted | PeriodApproved | PeriodReturned | PeriodReopened;

export function isPeriodEventType(type: string): type is PeriodEventType {
  return (PERIOD_EVENT_TYPES as readonly string[]).includes(type);
}

/**
 * Where a period stands for one agency. OPEN: nothing yet. SUBMITTED: awaiting the coordinator.
 * RETURNED: sent back for changes. APPROVED: signed off, locked. REOPENED: unlocked by the
 * coordinator until the next approval.
 */
export type PeriodStatus = 'OPEN' | 'SUBMITTED' | 'RETURNED' | 'APPROVED' | 'REOPENED';
export const PERIOD_STATUSES: readonly PeriodStatus[] = ['OPEN', 'SUBMITTED', 'RETURNED', 'APPROVED', 'REOPENED'];

/** The status a period event leaves the period in. */
export function statusAfter(type: PeriodEventType): PeriodStatus {
  switch (type) {
    case PERIOD_SUBMITTED:
      return 'SUBMITTED';
    case PERIOD_APPROVED:
      return 'APPROVED';
    case PERIOD_RETURNED:
      return 'RETURNED';
    case PERIOD_REOPENED:
      return 'REOPENED';
    default: {
      const _: never = type;
      throw new Error(`Unknown period event ${String(_)}`);
    }
  }
}
