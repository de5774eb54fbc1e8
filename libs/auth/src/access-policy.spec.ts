import { ForbiddenError } from './auth-errors.js';
import { ACTIONS, AccessPolicy, Action, type AgencyRegister, ROLE_ACTIONS, RULES, roleMay } from './access-policy.js';
import { ROLES, type Principal, type Role } from './principal.js';
import { refusalOf } from '../../../test/support/refusal.js';

/** A register with one group ("ngos") of two members. */
const register: AgencyRegister = {
  expandAgencies(ids) {
    const out = new Set<string>();
    for (const id of ids) {
      out.add(id);
      if (id === 'ngos') ['ngo-a', 'ngo-b'].forEach((m) => out.add(m));
    }
    return out;
  },
};
const policy = new AccessPolicy(register);

const principal = (role: Role, agencyId?: string): Principal => ({ id: `key-${role}`, role, agencyId, label: role });
const measure = { code: 'II.1.3', responsible: ['ministry-of-interior'], partners: ['police', 'ngos'] };

const refusal = (fn: () => unknown): ForbiddenError => refusalOf(ForbiddenError, fn);

const EXPECTED: Record<Role, Action[]> = {
  AGENCY: ['RECORD_REPORT', 'READ_OWN_REPORTS', 'READ_ASSIGNED_PROJECTIONS', 'READ_PLAN', 'SUBMIT_PERIOD', 'GET_REPORT_TEMPLATE'],
  COORDINATOR: ['READ_PROJECTIONS', 'ASSESS_MEASURE', 'READ_PLAN', 'SIGN_OFF_PERIOD', 'GET_REPORT_TEMPLATE'],
  AUDITOR: ['READ_HISTORY', 'REPLAY', 'READ_PROJECTIONS', 'READ_PLAN'],
  ADMIN: ['LOAD_PLAN', 'MANAGE_KEYS', 'READ_PLAN'],
};

describe('AccessPolicy', () => {
  describe.each(ROLES)('role %s', (role) => {
    it.each(ACTIONS)(`%s is allowed exactly when the table says so`, (action) => {
      const allowed = EXPECTED[role].includes(action);
      expect(roleMay(role, action)).toBe(allowed);
      const agencyId = role === 'AGENCY' ? 'police' : undefined;
      const outcome = (() => {
        try {
          policy.assertAllowed(principal(role, agencyId), [action], 'op');
          return 'allowed';
        } catch (error) {
          return error instanceof ForbiddenError ? `${String(error.extensions.code)}:${String(error.extensions.rule)}` : String(error);
        }
      })();
      expect(outcome).toBe(allowed ? 'allowed' : `FORBIDDEN:${RULES.ROLE_NOT_PERMITTED}`);
    });
  });

  it('has exactly the table of the issue', () => {
    expect(ROLE_ACTIONS).toEqual(EXPECTED);
  });

  it("templates: an agency gets its own agency's, a coordinator any agency's it names, other roles none", () => {
    expect(policy.templateAgency(principal('AGENCY', 'police'), undefined)).toBe('police');
    expect(policy.templateAgency(principal('AGENCY', 'police'), 'police')).toBe('police');
    expect(refusal(() => policy.templateAgency(principal('AGENCY', 'police'), 'ngo-a')).extensions.rule).toBe(RULES.OWN_TEMPLATE_ONLY);
    expect(refusal(() => policy.templateAgency(principal('AGENCY'), undefined)).extensions.rule).toBe(RULES.AGENCY_UNKNOWN);
    expect(policy.templateAgency(principal('COORDINATOR'), 'ngo-a')).toBe('ngo-a');
    expect(policy.templateAgency(principal('COORDINATOR'), undefined)).toBeUndefined();
    for (const role of ['AUDITOR', 'ADMIN'] as const) {
      expect(refusal(() => policy.templateAgency(principal(role), 'police')).extensions.rule).toBe(RULES.ROLE_NOT_PERMITTED);
    }
  });

  it('denies by default: an operation declaring no action is refused for every role', () => {
    for (const role of ROLES) {
      expect(refusal(() => policy.assertAllowed(principal(role, 'police'), [])).extensions.rule).toBe(RULES.NO_POLICY);
    }
  });

  it('allows an operation declaring several actions when the role has any of them', () => {
    expect(() => policy.assertAllowed(principal('AGENCY', 'police'), [Action.READ_PROJECTIONS, Action.READ_OWN_REPORTS])).not.toThrow();
  });

  describe('assertCanSubmitPeriod', () => {
    const other = { code: 'I.1.1', responsible: ['police'], partners: [] };
    it('submits for the caller\'s own agency, listing the measures it reports for (groups expanded)', () => {
      expect(policy.assertCanSubmitPeriod(principal('AGENCY', 'ngo-b'), 'p', [measure, other])).toEqual({ agencyId: 'ngo-b', measureCodes: ['II.1.3'] });
      expect(policy.assertCanSubmitPeriod(principal('AGENCY', 'police'), 'p', [measure, other]).measureCodes).toEqual(['II.1.3', 'I.1.1']);
    });
    it('refuses an agency with no measure in the plan, an agency credential without agency, and other roles', () => {
      expect(refusal(() => policy.assertCanSubmitPeriod(principal('AGENCY', 'judiciary'), 'p', [measure, other])).extensions.rule).toBe(RULES.AGENCY_NOT_IN_PLAN);
      expect(refusal(() => policy.assertCanSubmitPeriod(principal('AGENCY'), 'p', [measure])).extensions.rule).toBe(RULES.AGENCY_UNKNOWN);
      expect(refusal(() => policy.assertCanSubmitPeriod(principal('COORDINATOR'), 'p', [measure])).extensions.rule).toBe(RULES.ROLE_NOT_PERMITTED);
    });
  });

  describe('assertCanRecord', () => {
    it('lets a responsible body record', () => {
      expect(() => policy.assertCanRecord(principal('AGENCY', 'ministry-of-interior'), measure)).not.toThrow();
    });

    it('lets a partner record', () => {
      expect(() => policy.assertCanRecord(principal('AGENCY', 'police'), measure)).not.toThrow();
    });

    it('lets a member of a partner group record', () => {
      expect(() => policy.assertCanRecord(principal('AGENCY', 'ngo-b'), measure)).not.toThrow();
    });

    it('refuses an agency not assigned to the measure, naming the rule and the measure but no other agency', () => {
      const error = refusal(() => policy.assertCanRecord(principal('AGENCY', 'tax-office'), measure));
      expect(error.extensions).toMatchObject({ code: 'FORBIDDEN', rule: 'agency-not-assigned-to-measure', measureCode: 'II.1.3', field: 'measureCode' });
      expect(error.message).toContain('II.1.3');
      expect(error.message).toContain('tax-office');
      for (const other of ['ministry-of-interior', 'police', 'ngos', 'ngo-a']) expect(error.message).not.toContain(other);
    });

    it.each(['COORDINATOR', 'AUDITOR', 'ADMIN'] as const)('refuses %s: it records nothing', (role) => {
      expect(refusal(() => policy.assertCanRecord(principal(role), measure)).extensions.rule).toBe(RULES.ROLE_NOT_PERMITTED);
    });

    it('refuses an AGENCY principal that names no agency', () => {
      expect(refusal(() => policy.assertCanRecord(principal('AGENCY'), measure)).extensions.rule).toBe(RULES.AGENCY_UNKNOWN);
    });
  });

  describe('assertCanWriteReport', () => {
    it("answers with the principal's own agency: the report streams it may write to", () => {
      expect(policy.assertCanWriteReport(principal('AGENCY', 'police'), { kind: 'record', measure })).toBe('police');
      expect(policy.assertCanWriteReport(principal('AGENCY', 'tax-office'), { kind: 'correct' })).toBe('tax-office');
    });

    it('needs the measure assignment to record, not to correct or retract its own reports', () => {
      expect(refusal(() => policy.assertCanWriteReport(principal('AGENCY', 'tax-office'), { kind: 'record', measure })).extensions.rule).toBe(RULES.AGENCY_NOT_ASSIGNED);
      expect(() => policy.assertCanWriteReport(principal('AGENCY', 'tax-office'), { kind: 'retract', measure })).not.toThrow();
    });

    it.each(['record', 'correct', 'retract'] as const)('refuses %s to other roles and to an agency principal without an agency', (kind) => {
      for (const role of ['COORDINATOR', 'AUDITOR', 'ADMIN'] as const) {
        expect(refusal(() => policy.assertCanWriteReport(principal(role), { kind })).extensions.rule).toBe(RULES.ROLE_NOT_PERMITTED);
      }
      expect(refusal(() => policy.assertCanWriteReport(principal('AGENCY'), { kind })).extensions.rule).toBe(RULES.AGENCY_UNKNOWN);
    });
  });

  describe('assertCanReadReport', () => {
    it('lets an agency read its own reports only', () => {
      expect(() => policy.assertCanReadReport(principal('AGENCY', 'police'), 'police')).not.toThrow();
      expect(refusal(() => policy.assertCanReadReport(principal('AGENCY', 'police'), 'ngo-a')).extensions.rule).toBe(
        RULES.OWN_REPORTS_ONLY,
      );
    });

    it.each(['COORDINATOR', 'AUDITOR'] as const)('lets %s read any agency', (role) => {
      expect(() => policy.assertCanReadReport(principal(role), 'police')).not.toThrow();
    });

    it('refuses ADMIN', () => {
      expect(refusal(() => policy.assertCanReadReport(principal('ADMIN'), 'police')).extensions.rule).toBe(RULES.ROLE_NOT_PERMITTED);
    });
  });

  describe('assertCanReadMeasure', () => {
    it('lets an agency read the measures it is responsible for or a partner of (groups expanded), and no other', () => {
      for (const agency of ['ministry-of-interior', 'police', 'ngo-b']) {
        expect(() => policy.assertCanReadMeasure(principal('AGENCY', agency), measure)).not.toThrow();
      }
      const refused = refusal(() => policy.assertCanReadMeasure(principal('AGENCY', 'ministry-of-justice'), measure));
      expect(refused.extensions.rule).toBe(RULES.AGENCY_NOT_ASSIGNED_TO_READ);
      expect(refusal(() => policy.assertCanReadMeasure(principal('AGENCY'), measure)).extensions.rule).toBe(RULES.AGENCY_NOT_ASSIGNED_TO_READ);
    });

    it.each(['COORDINATOR', 'AUDITOR'] as const)('lets %s read every measure', (role) => {
      expect(() => policy.assertCanReadMeasure(principal(role), measure)).not.toThrow();
    });

    it('refuses ADMIN', () => {
      expect(refusal(() => policy.assertCanReadMeasure(principal('ADMIN'), measure)).extensions.rule).toBe(RULES.ROLE_NOT_PERMITTED);
    });
  });
});
