import type { Principal } from './principal.js';
import { ForbiddenError } from './auth-errors.js';
import { Action, roleMay } from './role-actions.js';

export * from './role-actions.js';

/*
 * Who may do what: the ONE place the access rules live (with their role table, role-actions.ts,
 * kept import-free for the dashboard). Resolvers declare the action they perform
 * (`@Allow(Action.READ_PLAN)`), the global AccessGuard asks this policy, and handlers that need a
 * finer, data-dependent decision (which measure, whose reports) call the `assert…` methods below.
 * Anything not declared is refused.
 */

/** The rules a refusal can name (extensions.rule). */
export const RULES = {
  /** The resolver declares no access (neither @Public, @Authenticated nor @Allow): deny by default. */
  NO_POLICY: 'no-access-policy-declared',
  /** The principal's role does not include any of the actions the operation needs. */
  ROLE_NOT_PERMITTED: 'role-not-permitted',
  /** An AGENCY principal that names no agency (e.g. a token without agency_id). */
  AGENCY_UNKNOWN: 'agency-principal-without-agency',
  /** An agency may record only for measures it is responsible for or a partner of. */
  AGENCY_NOT_ASSIGNED: 'agency-not-assigned-to-measure',
  /** An agency may read the projections only of measures it is responsible for or a partner of. */
  AGENCY_NOT_ASSIGNED_TO_READ: 'agency-reads-assigned-measures-only',
  /** An agency may read only its own agency's reports. */
  OWN_REPORTS_ONLY: 'agency-reads-own-reports-only',
  /** An agency submits periods only of a plan it reports under (assigned to one of its measures). */
  AGENCY_NOT_IN_PLAN: 'agency-not-assigned-in-plan',
  /** An agency downloads only its own agency's report template. */
  OWN_TEMPLATE_ONLY: 'agency-gets-own-template-only',
} as const;

/** Where agencies and their groups are known: the plan register (PlanCatalog fits it). */
export interface AgencyRegister {
  /** The agency ids, with every group replaced by (and kept beside) its members. */
  expandAgencies(ids: readonly string[]): ReadonlySet<string>;
}

/** What assertCanRecord needs of a measure (a plan Measure fits it). */
export interface MeasureAssignment {
  readonly code: string;
  readonly responsible: readonly string[];
  readonly partners: readonly string[];
}

/** Whether the principal may perform at least one of `actions`. */
export function mayPerformAny(principal: Principal, actions: readonly Action[]): boolean {
  return actions.some((action) => roleMay(principal.role, action));
}

export class AccessPolicy {
  constructor(private readonly register: AgencyRegister) {}

  /**
   * Refuses unless the principal's role has at least one of `actions` (an operation declaring
   * several accepts any of them; finer scoping is the handler's assert… call).
   */
  assertAllowed(principal: Principal, actions: readonly Action[], operation = 'this operation'): void {
    if (actions.length === 0) {
      throw new ForbiddenError(`${operation} declares no access policy and is refused`, RULES.NO_POLICY);
    }
    if (!mayPerformAny(principal, actions)) {
      throw new ForbiddenError(
        `Role ${principal.role} may not ${actions.join(' or ')} (${operation})`,
        RULES.ROLE_NOT_PERMITTED,
      );
    }
  }

  /**
   * Who may write to a report stream — the one rule, asked by the report command handler before
   * anything about the report is read or revealed. The writer must be an AGENCY naming its
   * agency, and it writes only to its own agency's report streams (the stream is named by the
   * principal's agency, never by the request). To record, its agency must also be a responsible
   * body or a partner of the measure (groups expanded to their members); the refusal names the
   * measure and the caller's own agency, nothing about who is assigned. Corrections and
   * retractions of its own reports need no assignment: a report stays its author's to fix even
   * after a plan amendment moved the measure elsewhere.
   *
   * @returns the agency whose report streams the principal writes to.
   */
  assertCanWriteReport(principal: Principal, write: { readonly kind: 'record' | 'correct' | 'retract'; readonly measure?: MeasureAssignment }): string {
    const what = write.kind === 'record' ? `recording${write.measure ? ` for measure ${write.measure.code}` : ' a report'}` : `${write.kind}ing a report`;
    this.assertAllowed(principal, [Action.RECORD_REPORT], what);
    const agencyId = this.agencyOf(principal);
    if (write.kind === 'record' && write.measure) this.assertAssigned(agencyId, write.measure);
    return agencyId;
  }

  /** For the reporting handlers: {@link assertCanWriteReport} of a record for `measure`. */
  assertCanRecord(principal: Principal, measure: MeasureAssignment): void {
    this.assertCanWriteReport(principal, { kind: 'record', measure });
  }

  private assertAssigned(agencyId: string, measure: MeasureAssignment): void {
    const assigned = this.register.expandAgencies([...measure.responsible, ...measure.partners]);
    if (!assigned.has(agencyId)) {
      throw new ForbiddenError(
        `Agency ${agencyId} is neither a responsible body nor a partner of measure ${measure.code}, so it may not report for it`,
        RULES.AGENCY_NOT_ASSIGNED,
        // The field to change: a bulk row or a spreadsheet cell is pointed at by it.
        { measureCode: measure.code, field: 'measureCode' },
      );
    }
  }

  /**
   * For the projections of one measure (indicator values, status, assessments): roles that read
   * projections read every measure's; an AGENCY only those of measures its agency is a responsible
   * body or a partner of (groups expanded, as for recording).
   */
  assertCanReadMeasure(principal: Principal, measure: MeasureAssignment, operation = `reading measure ${measure.code}`): void {
    if (mayPerformAny(principal, [Action.READ_PROJECTIONS])) return;
    this.assertAllowed(principal, [Action.READ_ASSIGNED_PROJECTIONS], operation);
    if (!this.isAssigned(principal, measure)) {
      throw new ForbiddenError(
        `Agency ${principal.agencyId} is neither a responsible body nor a partner of measure ${measure.code}, so it may not read its progress (measures(filter: { agency: "${principal.agencyId}" }) lists the agency's own)`,
        RULES.AGENCY_NOT_ASSIGNED_TO_READ,
        { measureCode: measure.code },
      );
    }
  }

  /** Whether the principal's agency is a responsible body or a partner of the measure (false without an agency). */
  isAssigned(principal: Principal, measure: MeasureAssignment): boolean {
    if (!principal.agencyId) return false;
    return this.register.expandAgencies([...measure.responsible, ...measure.partners]).has(principal.agencyId);
  }

  /**
   * Who may submit a reporting period (docs/periods.md): an AGENCY naming its agency, for its own
   * agency only, under a plan where it is responsible for or a partner of at least one measure
   * (groups expanded). Approving, returning and reopening are the coordinator's
   * (Action.SIGN_OFF_PERIOD, checked by the guard) for any agency.
   *
   * @returns the agency whose period is submitted, and the codes of its measures in the plan.
   */
  assertCanSubmitPeriod(principal: Principal, planId: string, measures: readonly MeasureAssignment[]): { agencyId: string; measureCodes: string[] } {
    this.assertAllowed(principal, [Action.SUBMIT_PERIOD], 'submitting a reporting period');
    const agencyId = this.agencyOf(principal);
    const measureCodes = measures
      .filter((m) => this.register.expandAgencies([...m.responsible, ...m.partners]).has(agencyId))
      .map((m) => m.code);
    if (measureCodes.length === 0) {
      throw new ForbiddenError(`Agency ${agencyId} reports for no measure of plan ${planId}, so it has no period of it to submit`, RULES.AGENCY_NOT_IN_PLAN);
    }
    return { agencyId, measureCodes };
  }

  /**
   * For report queries (and an agency's reporting periods, `what: 'reporting periods'`): an
   * AGENCY reads only its own agency's; roles that read projections or history read any
   * agency's. The refusal's rule is agency-reads-own-reports-only either way; its message names
   * what was asked.
   */
  assertCanReadReport(principal: Principal, agencyId: string, what: 'reports' | 'reporting periods' = 'reports'): void {
    if (mayPerformAny(principal, [Action.READ_PROJECTIONS, Action.READ_HISTORY])) return;
    this.assertAllowed(principal, [Action.READ_OWN_REPORTS], `reading ${what}`);
    if (this.agencyOf(principal) !== agencyId) {
      throw new ForbiddenError(
        `Agency ${principal.agencyId} may read only its own ${what}`,
        RULES.OWN_REPORTS_ONLY,
      );
    }
  }

  /**
   * Whose report template the principal may download (GET /imports/reports/template): an AGENCY
   * its own agency's (asking for another is refused, rule agency-gets-own-template-only); a role
   * with GET_REPORT_TEMPLATE and no agency of its own (COORDINATOR) any agency's it names.
   *
   * @returns the agency of the template; undefined when the principal has none and asked for none
   *   (the caller says the agency is required).
   */
  templateAgency(principal: Principal, asked: string | undefined): string | undefined {
    this.assertAllowed(principal, [Action.GET_REPORT_TEMPLATE], 'downloading a report template');
    if (principal.role !== 'AGENCY') return asked;
    const own = this.agencyOf(principal);
    if (asked !== undefined && asked !== own) {
      throw new ForbiddenError(`Agency ${own} may download only its own report template`, RULES.OWN_TEMPLATE_ONLY);
    }
    return own;
  }

  /** The agency an AGENCY principal acts for; refused when it names none. */
  private agencyOf(principal: Principal): string {
    if (!principal.agencyId) {
      throw new ForbiddenError('This AGENCY credential names no agency', RULES.AGENCY_UNKNOWN);
    }
    return principal.agencyId;
  }
}
