import { readFileSync } from 'node:fs';
import { PERIOD_STATUSES, type PeriodDecideContext, type PeriodStatus, decidePeriod, initialPeriodState } from '@app/domain';
import { ROLES, roleMay, PERIOD_STEP_ACTION } from '@app/auth';
import { IntentIds, PERIOD_STEP_KINDS, type PeriodStepKind, type StepContext, newRequestId, periodSteps, refusalWords, stepConsequence, takesSteps, utcToday } from '../../apps/dashboard/src/period-steps.js';

const MOI = 'ministry-of-interior';
const Q1 = { agencyId: MOI, periodId: '2023-Q1', from: '2023-01-01', to: '2023-03-31' };
const ctx = (over: Partial<StepContext> = {}): StepContext => ({ role: 'COORDINATOR', ownAgencyId: null, pastPoint: false, today: '2023-07-15', ...over });

describe('the sign-off steps the periods page offers', () => {
  it('offers each role the steps of its status only: agency submit, coordinator approve / return / reopen, auditor none', () => {
    const agency = ctx({ role: 'AGENCY', ownAgencyId: MOI });
    const table = (c: StepContext) => Object.fromEntries(PERIOD_STATUSES.map((status) => [status, periodSteps({ ...Q1, status }, c)]));
    expect(table(agency)).toEqual({ OPEN: ['submit'], SUBMITTED: [], RETURNED: ['submit'], APPROVED: [], REOPENED: ['submit'] });
    expect(table(ctx())).toEqual({ OPEN: [], SUBMITTED: ['approve', 'return'], RETURNED: [], APPROVED: ['reopen'], REOPENED: ['approve'] });
    for (const role of ['AUDITOR', 'ADMIN'] as const) {
      expect(Object.values(table(ctx({ role }))).flat()).toEqual([]);
      expect(takesSteps(role)).toBe(false);
    }
    expect(takesSteps('AGENCY') && takesSteps('COORDINATOR')).toBe(true);
  });

  it('offers an agency no submission of a period not over (the api decides on the UTC date) or of another agency', () => {
    const agency = (today: string, ownAgencyId = MOI) => periodSteps({ ...Q1, status: 'OPEN' }, ctx({ role: 'AGENCY', ownAgencyId, today }));
    expect(agency('2023-03-31')).toEqual([]);
    expect(agency('2023-04-01')).toEqual(['submit']);
    expect(agency('2023-07-15', 'national-police-headquarters')).toEqual([]);
    expect(periodSteps({ ...Q1, agencyId: 'national-police-headquarters', status: 'RETURNED' }, ctx({ role: 'AGENCY', ownAgencyId: MOI }))).toEqual([]);
  });

  it('offers nothing at a past point of the ledger', () => {
    expect(periodSteps({ ...Q1, status: 'SUBMITTED' }, ctx({ pastPoint: true }))).toEqual([]);
    expect(periodSteps({ ...Q1, status: 'OPEN' }, ctx({ role: 'AGENCY', ownAgencyId: MOI, pastPoint: true }))).toEqual([]);
  });

  it('offers exactly what the api takes: the period decider accepts every step offered and refuses every other, for each role and status', () => {
    const decide: PeriodDecideContext = { today: '2023-07-15', plan: { length: 'quarter', from: '2022-04-14', to: '2023-12-31' }, measureCodes: ['II.1.3'] };
    const accepts = (step: PeriodStepKind, status: PeriodStatus): boolean => {
      try {
        decidePeriod({ kind: step, planId: 'hu-2022-2023', agencyId: MOI, periodId: '2023-Q1', requestId: `r-${step}`, comment: 'Fix the totals', reason: 'Late invoice' }, { ...initialPeriodState, status }, decide);
        return true;
      } catch {
        return false;
      }
    };
    for (const role of ROLES) {
      for (const status of PERIOD_STATUSES) {
        const offered = periodSteps({ ...Q1, status }, ctx({ role, ownAgencyId: role === 'AGENCY' ? MOI : null, today: decide.today }));
        const taken = PERIOD_STEP_KINDS.filter((step) => roleMay(role, PERIOD_STEP_ACTION[step]) && accepts(step, status));
        expect({ role, status, offered }).toEqual({ role, status, offered: taken });
      }
    }
  });

  it('keeps one request id per intent: the same for a repeat of the same step and text, a new one once done or when the text changes', () => {
    let made = 0;
    const ids = new IntentIds((step, periodId) => `${step}-${periodId}-${++made}`);
    const first = ids.idFor('return', MOI, '2023-Q1', 'Totals differ');
    expect(ids.idFor('return', MOI, '2023-Q1', ' Totals differ ')).toBe(first);
    const edited = ids.idFor('return', MOI, '2023-Q1', 'Totals differ from Q4');
    expect(edited).not.toBe(first);
    expect(ids.idFor('return', 'police', '2023-Q1', 'Totals differ from Q4')).not.toBe(edited);
    const again = ids.idFor('approve', MOI, '2023-Q1', '');
    ids.done();
    expect(ids.idFor('approve', MOI, '2023-Q1', '')).not.toBe(again);
  });

  it('makes request ids the api accepts, random per intent', () => {
    const a = newRequestId('submit', '2023-Q1');
    expect(a).toMatch(/^dashboard-submit-2023-Q1-[0-9a-f]{24}$/);
    expect(newRequestId('submit', '2023-Q1')).not.toBe(a);
    expect(() => decidePeriod(
      { kind: 'submit', planId: 'hu', agencyId: MOI, periodId: '2023-Q1', requestId: newRequestId('submit', '2023-12'), comment: '' },
      initialPeriodState,
      { today: '2024-02-01', plan: { length: 'quarter', from: '2023-01-01', to: '2023-12-31' }, measureCodes: [] },
    )).not.toThrow();
  });

  it('says a refusal in words: the input path a message starts with becomes the field\'s name, other messages stay the api\'s', () => {
    expect(refusalWords({ message: 'input.comment is required', extensions: { field: 'input.comment' } })).toBe('The comment is required');
    expect(refusalWords({ message: 'input.reason must say why (at least 3 characters)', extensions: { field: 'input.reason' } })).toBe('The reason must say why (at least 3 characters)');
    const conflict = 'Period 2023-Q1 of agency ministry-of-interior is already submitted and awaits the coordinator';
    expect(refusalWords({ message: conflict, extensions: { field: 'input.periodId' } })).toBe(conflict);
    expect(refusalWords({ message: 'input.foo bar', extensions: { field: 'input.foo' } })).toBe('input.foo bar');
    expect(refusalWords({ message: 'Role AUDITOR may not SIGN_OFF_PERIOD' })).toBe('Role AUDITOR may not SIGN_OFF_PERIOD');
  });

  it('says what approving and reopening do to the figures before they are confirmed', () => {
    expect(stepConsequence('approve', Q1, 'Ministry of Interior')).toMatch(/^Approving locks the agency's reports dated in 2023-Q1 \(2023-01-01 to 2023-03-31\)/);
    expect(stepConsequence('reopen', Q1, 'Ministry of Interior')).toMatch(/^Reopening unlocks the agency's reports dated in 2023-Q1/);
  });

  it('takes today in UTC', () => {
    expect(utcToday(new Date('2023-03-31T23:30:00-02:00'))).toBe('2023-04-01');
  });

  it('reads the rules from files the browser bundle can take: no runtime import pulls a server library in', () => {
    for (const file of ['libs/auth/src/role-actions.ts', 'libs/domain/src/periods/period-steps.ts']) {
      const imports = readFileSync(file, 'utf8').split('\n').filter((line) => /^import\b/.test(line));
      expect({ file, runtime: imports.filter((line) => !/^import type\b/.test(line)) }).toEqual({ file, runtime: [] });
    }
  });
});
