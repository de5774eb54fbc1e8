/**
 * Issue 19 end to end: a quarter approved by the coordinator refuses reports dated in it; a
 * reopen → correct → approve cycle shows in the report's history and in the figures at each
 * position; the approval state is answered at a past position.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { Measure, Plan } from '@app/plan';
import { authAs } from './support/auth.js';
import { type GraphQLResponse, type TestApp, startTestApp } from './support/test-app.js';

const plan = parse(readFileSync('libs/plan/plans/hu-2022-2023.yaml', 'utf8')) as Plan;
const measures: Measure[] = plan.pillars.flatMap((p) => p.objectives.flatMap((o) => o.measures));
const shelters = measures.find((m) => m.indicators.some((i) => i.event === 'CapacityCreated' && i.field === 'places' && i.target !== undefined))!;
const places = shelters.indicators.find((i) => i.event === 'CapacityCreated' && i.field === 'places')!;
const agencyId = shelters.responsible[0];

interface Receipt {
  position: string;
  status?: string;
  duplicate?: boolean;
}
type Errors = GraphQLResponse<unknown>['errors'];

describe('reporting periods (e2e)', () => {
  let t: TestApp;
  let coordinator: Record<string, string>;
  let agency: Record<string, string>;
  let auditor: Record<string, string>;

  const gql = <T>(query: string, headers: Record<string, string>, variables?: Record<string, unknown>) => t.gql<T>(query, variables, headers) as Promise<GraphQLResponse<T>>;
  const ok = <T>(res: GraphQLResponse<T>): T => {
    expect(res.errors).toBeUndefined();
    return res.data!;
  };
  const capacity = (reportId: string, placesCount: number, occurredOn: string) => ({ reportId, occurredOn, facilityKind: 'shelter', location: 'Szeged', facilities: 1, places: placesCount });
  const record = (reportId: string, placesCount: number, occurredOn: string) =>
    gql<{ recordCapacityCreated: Receipt }>(`mutation ($input: RecordCapacityCreatedInput!) { recordCapacityCreated(input: $input) { position } }`, agency, {
      input: { measureCode: shelters.code, ...capacity(reportId, placesCount, occurredOn) },
    });
  const correct = (reportId: string, requestId: string, placesCount: number, occurredOn: string) =>
    gql<{ correctCapacityCreated: Receipt }>(`mutation ($input: CorrectCapacityCreatedInput!) { correctCapacityCreated(input: $input) { position } }`, agency, {
      input: { ...capacity(reportId, placesCount, occurredOn), requestId, reason: 'Counted again' },
    });
  const step = async (name: 'submitPeriod' | 'approvePeriod' | 'returnPeriod' | 'reopenPeriod', input: Record<string, unknown>, who: Record<string, string>) => {
    const type = `${name.charAt(0).toUpperCase()}${name.slice(1)}Input`;
    return gql<Record<string, Receipt>>(`mutation ($input: ${type}!) { ${name}(input: $input) { position status duplicate stream eventType } }`, who, { input });
  };
  const placesAt = async (at: string): Promise<number> => {
    const res = await gql<{ measure: { indicatorValues: Array<{ key: string; value: number }> } }>(
      `query ($at: PointInTimeInput) { measure(code: "${shelters.code}", planId: "${plan.id}") { indicatorValues(at: $at) { key value } } }`,
      auditor,
      { at: { position: at } },
    );
    return ok(res).measure.indicatorValues.find((i) => i.key === places.key)!.value;
  };
  const approvalAt = async (periodId: string, at?: string) => {
    const res = await gql<{ periodApprovals: Array<{ status: string; locked: boolean; approvals: number; measureCode: string; reason: string | null }> }>(
      `query ($at: PointInTimeInput) { periodApprovals(planId: "${plan.id}", agencyId: "${agencyId}", periodId: "${periodId}", measureCode: "${shelters.code}", at: $at) { status locked approvals measureCode reason } }`,
      auditor,
      at ? { at: { position: at } } : {},
    );
    return ok(res).periodApprovals;
  };
  const refusal = (errors: Errors) => errors?.[0]?.extensions;

  beforeAll(async () => {
    t = await startTestApp();
    coordinator = await authAs(t, { role: 'COORDINATOR' });
    agency = await authAs(t, { role: 'AGENCY', agencyId });
    auditor = await authAs(t, { role: 'AUDITOR' });
  }, 120_000);
  afterAll(async () => {
    await t?.close({ removeData: true });
  });

  it('locks an approved quarter, then reopens, corrects and approves it again, each step visible at its position', async () => {
    const recorded = ok(await record('p-1', 2, '2023-02-10')).recordCapacityCreated.position;
    const submitted = ok(await step('submitPeriod', { planId: plan.id, periodId: '2023-Q1', requestId: 'sub-q1' }, agency)).submitPeriod;
    expect(submitted).toMatchObject({ status: 'SUBMITTED', duplicate: false, stream: `period-${plan.id}/${agencyId}/2023-Q1`, eventType: 'PeriodSubmitted' });
    // A retry of the submission answers with the first receipt.
    expect(ok(await step('submitPeriod', { planId: plan.id, periodId: '2023-Q1', requestId: 'sub-q1' }, agency)).submitPeriod).toMatchObject({ position: submitted.position, duplicate: true });
    const approved = ok(await step('approvePeriod', { planId: plan.id, agencyId, periodId: '2023-Q1', requestId: 'app-q1' }, coordinator)).approvePeriod;
    expect(approved.status).toBe('APPROVED');

    // A retry of a report stored before the lock is still a repeat, answered with its first
    // receipt (its answer may have been lost just before the sign-off), single or in a batch.
    const retried = await gql<{ recordCapacityCreated: Receipt }>(
      `mutation ($input: RecordCapacityCreatedInput!) { recordCapacityCreated(input: $input) { position duplicate } }`,
      agency,
      { input: { measureCode: shelters.code, ...capacity('p-1', 2, '2023-02-10') } },
    );
    expect(ok(retried).recordCapacityCreated).toEqual({ position: recorded, duplicate: true });
    for (const atomic of [false, true]) {
      const batch = await gql<{ recordReports: { counts: { duplicate: number; refused: number }; rows: Array<{ status: string; receipt: { position: string } | null }> } }>(
        `mutation ($input: RecordReportsInput!) { recordReports(input: $input) { counts { duplicate refused } rows { status receipt { position } } } }`,
        agency,
        { input: { atomic, reports: [{ capacityCreated: { measureCode: shelters.code, ...capacity('p-1', 2, '2023-02-10') } }] } },
      );
      expect(ok(batch).recordReports).toEqual({ counts: { duplicate: 1, refused: 0 }, rows: [{ status: 'DUPLICATE', receipt: { position: recorded } }] });
    }
    // A new report dated in the locked quarter, in a batch, is refused with the rule and the period a
    // single mutation names; so is one for a measure the agency is not assigned to.
    const foreign = measures.find((m) => !m.responsible.includes(agencyId) && !(m.partners ?? []).includes(agencyId) && m.indicators.some((i) => i.event === 'CapacityCreated'));
    expect(foreign).toBeDefined();
    const lockedBatch = await gql<{ recordReports: { rows: Array<{ status: string; errors: Array<Record<string, unknown>> }> } }>(
      `mutation ($input: RecordReportsInput!) { recordReports(input: $input) { rows { status errors { code field rule period } } } }`,
      agency,
      {
        input: {
          reports: [
            { capacityCreated: { measureCode: shelters.code, ...capacity('p-locked-bulk', 3, '2023-03-15') } },
            { capacityCreated: { measureCode: foreign!.code, ...capacity('p-foreign-bulk', 3, '2023-05-15') } },
          ],
        },
      },
    );
    const [lockedRow, foreignRow] = ok(lockedBatch).recordReports.rows;
    expect(lockedRow).toEqual({ status: 'REFUSED', errors: [{ code: 'FORBIDDEN', field: 'input.reports[0].capacityCreated.occurredOn', rule: 'period-locked', period: '2023-Q1' }] });
    expect(foreignRow.errors[0]).toMatchObject({ code: 'FORBIDDEN', rule: 'agency-not-assigned-to-measure', period: null, field: 'input.reports[1].capacityCreated.measureCode' });

    // Locked: a record, a correction, a correction moving a report into Q1 and a retraction are refused.
    const lockedRecord = await record('p-2', 4, '2023-03-31');
    expect(lockedRecord.data).toEqual({ recordCapacityCreated: null });
    expect(refusal(lockedRecord.errors)).toMatchObject({ code: 'FORBIDDEN', rule: 'period-locked', period: '2023-Q1', field: 'input.occurredOn' });
    expect(lockedRecord.errors?.[0].message).toContain('2023-Q1');
    expect(refusal((await correct('p-1', 'fix-locked', 5, '2023-02-10')).errors)).toMatchObject({ code: 'FORBIDDEN', rule: 'period-locked', period: '2023-Q1' });
    ok(await record('p-3', 1, '2023-04-03'));
    expect(refusal((await correct('p-3', 'move-in', 1, '2023-03-01')).errors)).toMatchObject({ rule: 'period-locked', field: 'input.occurredOn' });
    const retract = await gql(`mutation { retractReport(input: { reportId: "p-1", requestId: "w-1", reason: "Wrong measure" }) { position } }`, agency);
    expect(refusal(retract.errors)).toMatchObject({ rule: 'period-locked' });
    // Nothing was stored by the refusals: p-1 has only its record, and p-2 does not exist.
    const history1 = ok(await gql<{ reportHistory: { events: Array<{ type: string }> } }>(`{ reportHistory(agencyId: "${agencyId}", reportId: "p-1") { events { type } } }`, agency));
    expect(history1.reportHistory.events.map((e) => e.type)).toEqual(['CapacityCreated']);
    expect(refusal((await gql(`{ reportHistory(agencyId: "${agencyId}", reportId: "p-2") { revision } }`, agency)).errors)).toMatchObject({ code: 'NOT_FOUND' });

    const reopened = ok(await step('reopenPeriod', { planId: plan.id, agencyId, periodId: '2023-Q1', requestId: 'reo-q1', reason: 'Shelter count revised after inspection' }, coordinator)).reopenPeriod;
    expect(reopened.status).toBe('REOPENED');
    const corrected = ok(await correct('p-1', 'fix-after-reopen', 5, '2023-02-10')).correctCapacityCreated.position;
    const reapproved = ok(await step('approvePeriod', { planId: plan.id, agencyId, periodId: '2023-Q1', requestId: 'app-q1-2' }, coordinator)).approvePeriod;
    expect(refusal((await correct('p-1', 'fix-again', 6, '2023-02-10')).errors)).toMatchObject({ rule: 'period-locked' });

    // The history of the report, and the figures at each position.
    const history = ok(await gql<{ reportHistory: { events: Array<{ type: string; position: string }> } }>(`{ reportHistory(agencyId: "${agencyId}", reportId: "p-1") { events { type position } } }`, agency));
    expect(history.reportHistory.events.map((e) => e.type)).toEqual(['CapacityCreated', 'ReportCorrected']);
    expect(history.reportHistory.events[1].position).toBe(corrected);
    // p-1 (2 places, Q1), then p-3 (1 place, Q2) while Q1 was locked, then p-1 corrected to 5.
    expect(await placesAt(recorded)).toBe(2);
    expect(await placesAt(approved.position)).toBe(2);
    expect(await placesAt(reopened.position)).toBe(3);
    expect(await placesAt(corrected)).toBe(6);
    expect(await placesAt(reapproved.position)).toBe(6);

    // The approval state at past positions: was Q1 locked when the correction was recorded? No.
    expect(await approvalAt('2023-Q1', recorded)).toEqual([{ status: 'OPEN', locked: false, approvals: 0, measureCode: shelters.code, reason: null }]);
    expect(await approvalAt('2023-Q1', submitted.position)).toMatchObject([{ status: 'SUBMITTED', locked: false }]);
    expect(await approvalAt('2023-Q1', approved.position)).toMatchObject([{ status: 'APPROVED', locked: true, approvals: 1 }]);
    expect(await approvalAt('2023-Q1', corrected)).toMatchObject([{ status: 'REOPENED', locked: false, reason: 'Shelter count revised after inspection' }]);
    expect(await approvalAt('2023-Q1')).toMatchObject([{ status: 'APPROVED', locked: true, approvals: 2 }]);
  }, 120_000);

  it('lists returned submissions and periods not submitted; refuses steps out of turn, by role and with bad input', async () => {
    ok(await step('submitPeriod', { periodId: '2023-Q2', requestId: 'sub-q2' }, agency));
    const returned = ok(await step('returnPeriod', { agencyId, periodId: '2023-Q2', requestId: 'ret-q2', comment: 'Q2 shelter places missing' }, coordinator)).returnPeriod;
    const list = ok(await gql<{ returnedPeriods: Array<{ periodId: string; agencyId: string; comment: string }> }>(`{ returnedPeriods(atLeastPosition: "${returned.position}") { periodId agencyId comment } }`, coordinator));
    expect(list.returnedPeriods).toEqual([{ periodId: '2023-Q2', agencyId, comment: 'Q2 shelter places missing' }]);
    const missing = ok(await gql<{ unsubmittedPeriods: Array<{ periodId: string }> }>(`{ unsubmittedPeriods(agencyId: "${agencyId}", asOf: "2023-10-01") { periodId } }`, coordinator));
    const ids = missing.unsubmittedPeriods.map((p) => p.periodId);
    expect(ids).toContain('2023-Q3');
    expect(ids).not.toContain('2023-Q1');
    expect(ids).not.toContain('2023-Q2');
    expect(ids).not.toContain('2023-Q4');
    // An agency sees its own periods only.
    expect(refusal((await gql(`{ returnedPeriods(agencyId: "some-other-agency") { periodId } }`, agency)).errors)).toMatchObject({ code: 'FORBIDDEN', rule: 'agency-reads-own-reports-only' });
    // The refusal says what was asked for: periods, not reports.
    const foreign = (await gql(`{ periodApprovals(agencyId: "some-other-agency") { periodId } }`, agency)).errors;
    expect(foreign?.[0]).toMatchObject({ message: expect.stringMatching(/may read only its own reporting periods/), extensions: { code: 'FORBIDDEN', rule: 'agency-reads-own-reports-only' } });

    expect(refusal((await step('approvePeriod', { agencyId, periodId: '2023-Q2', requestId: 'x-1' }, agency)).errors)).toMatchObject({ code: 'FORBIDDEN', rule: 'role-not-permitted' });
    expect(refusal((await step('submitPeriod', { periodId: '2023-Q3', requestId: 'x-2' }, coordinator)).errors)).toMatchObject({ code: 'FORBIDDEN', rule: 'role-not-permitted' });
    expect(refusal((await step('approvePeriod', { agencyId, periodId: '2023-Q2', requestId: 'x-3' }, coordinator)).errors)).toMatchObject({ code: 'CONFLICT', field: 'input.periodId' });
    expect(refusal((await step('approvePeriod', { agencyId, periodId: '2023-Q4', requestId: 'x-4' }, coordinator)).errors)).toMatchObject({ code: 'CONFLICT', field: 'input.periodId' });
    expect(refusal((await step('submitPeriod', { periodId: '2024-Q1', requestId: 'x-5' }, agency)).errors)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.periodId' });
    expect(refusal((await step('submitPeriod', { periodId: '2023-05', requestId: 'x-6' }, agency)).errors)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.periodId' });
    expect(refusal((await step('submitPeriod', { periodId: '2023-Q7', requestId: 'x-7' }, agency)).errors)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.periodId' });
    expect(refusal((await step('returnPeriod', { agencyId, periodId: '2023-Q2', requestId: 'x-8', comment: 'Again' }, coordinator)).errors)).toMatchObject({ code: 'CONFLICT', field: 'input.periodId' });
    expect(refusal((await step('approvePeriod', { agencyId: 'nobody', periodId: '2023-Q2', requestId: 'x-9' }, coordinator)).errors)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.agencyId' });
    // A returned period takes changes and is resubmitted.
    ok(await record('p-4', 2, '2023-05-05'));
    expect(ok(await step('submitPeriod', { periodId: '2023-Q2', requestId: 'sub-q2-again' }, agency)).submitPeriod.status).toBe('SUBMITTED');
    expect(refusal((await step('returnPeriod', { agencyId, periodId: '2023-Q2', requestId: 'x-10', comment: 'no' }, coordinator)).errors)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.comment' });
    const list2 = ok(await gql<{ returnedPeriods: unknown[] }>(`{ returnedPeriods { periodId } }`, agency));
    expect(list2.returnedPeriods).toEqual([]);
  }, 120_000);
});
