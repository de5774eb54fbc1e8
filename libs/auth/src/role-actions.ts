import type { Role } from './principal.js';

/*
 * The role table of the access rules (access-policy.ts is where they are enforced). Deliberately
 * free of runtime imports, so browser code (apps/dashboard, built by Vite) can import this file by
 * path and offer a role only what the api will let it do.
 */

export const Action = {
  /** Report an activity (meeting held, training delivered, …) for a measure. */
  RECORD_REPORT: 'RECORD_REPORT',
  /** Read the reports of one's own agency. */
  READ_OWN_REPORTS: 'READ_OWN_REPORTS',
  /** Read progress, indicator and money projections across agencies. */
  READ_PROJECTIONS: 'READ_PROJECTIONS',
  /**
   * Read the projections (indicator values, status, assessments, reports) of the measures one's
   * agency is a responsible body or a partner of — and of no other measure.
   */
  READ_ASSIGNED_PROJECTIONS: 'READ_ASSIGNED_PROJECTIONS',
  /** Record or correct a coordinator's assessment of a measure. */
  ASSESS_MEASURE: 'ASSESS_MEASURE',
  /** Read the plans: pillars, objectives, measures, agencies. */
  READ_PLAN: 'READ_PLAN',
  /** Read the full event history. */
  READ_HISTORY: 'READ_HISTORY',
  /** Replay the history to a point in time, verify its integrity. */
  REPLAY: 'REPLAY',
  /** Adopt or amend a plan. */
  LOAD_PLAN: 'LOAD_PLAN',
  /** Issue, list and revoke credentials. */
  MANAGE_KEYS: 'MANAGE_KEYS',
  /** Submit a reporting period of one's own agency for sign-off (docs/periods.md). */
  SUBMIT_PERIOD: 'SUBMIT_PERIOD',
  /** Approve, return or reopen an agency's reporting period. */
  SIGN_OFF_PERIOD: 'SIGN_OFF_PERIOD',
  /**
   * Download an agency's spreadsheet template of reports (its measures, sheets and lists): an
   * AGENCY its own agency's, a COORDINATOR any agency's, to help an agency start
   * (AccessPolicy.templateAgency).
   */
  GET_REPORT_TEMPLATE: 'GET_REPORT_TEMPLATE',
} as const;
export type Action = (typeof Action)[keyof typeof Action];
export const ACTIONS: readonly Action[] = Object.values(Action);

/** Role → the actions it may perform. Nothing else is allowed. */
export const ROLE_ACTIONS: Readonly<Record<Role, readonly Action[]>> = {
  AGENCY: [Action.RECORD_REPORT, Action.READ_OWN_REPORTS, Action.READ_ASSIGNED_PROJECTIONS, Action.READ_PLAN, Action.SUBMIT_PERIOD, Action.GET_REPORT_TEMPLATE],
  // The coordinator's office watches progress, judges it (assessments) and signs off periods; it
  // reports nothing, but hands agencies their templates.
  COORDINATOR: [Action.READ_PROJECTIONS, Action.ASSESS_MEASURE, Action.READ_PLAN, Action.SIGN_OFF_PERIOD, Action.GET_REPORT_TEMPLATE],
  // Auditors read and replay everything and write nothing.
  AUDITOR: [Action.READ_HISTORY, Action.REPLAY, Action.READ_PROJECTIONS, Action.READ_PLAN],
  ADMIN: [Action.LOAD_PLAN, Action.MANAGE_KEYS, Action.READ_PLAN],
};

/** Whether a role may perform an action. */
export function roleMay(role: Role, action: Action): boolean {
  return ROLE_ACTIONS[role]?.includes(action) ?? false;
}

/** The action each step of a period's sign-off needs (docs/periods.md): the agency submits, the coordinator signs off. */
export const PERIOD_STEP_ACTION = {
  submit: Action.SUBMIT_PERIOD,
  approve: Action.SIGN_OFF_PERIOD,
  return: Action.SIGN_OFF_PERIOD,
  reopen: Action.SIGN_OFF_PERIOD,
} as const satisfies Record<'submit' | 'approve' | 'return' | 'reopen', Action>;
