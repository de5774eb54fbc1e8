/**
 * A status on a past date counts only what had happened by then (docs/status.md, "asOf"): the
 * tester's case — II.3.3's two facilities dated 2023-07-01 and 2023-09-15 — asked over GraphQL
 * with asOf and over GET /reports/implementation for the range ending that day, and the two
 * compared for every measure; a mid-month asOf, a correction that moves a report across it, a
 * retraction; the default (no asOf) as before; `at` with a day inside a month, exact.
 */
import { parse } from 'csv-parse/sync';
import { authHeader, issueTestKey } from './support/auth.js';
import { MHC, PLAN, type Report, recordReport, reportBuilders } from './support/season.js';
import { type TestApp, startTestApp } from './support/test-app.js';

const { r, capacity } = reportBuilders('asof');

const STUDY = r(MHC, 'StudyCompleted', 'II.3.3', '2022-11-30', { title: 'Feasibility study on therapeutic care' });
const JULY = capacity(MHC, 'II.3.3', '2023-07-01', 'Budapest', 1, 6);
const SEPTEMBER = capacity(MHC, 'II.3.3', '2023-09-15', 'Szeged', 1, 6);
/** Corrected below from 2023-08-20 to 2023-06-20, then retracted. */
const MOVED = capacity(MHC, 'II.3.3', '2023-08-20', 'Debrecen', 0, 2);

interface Answer {
  status: string;
  statusReason: string;
  progress: number | null;
  reportCount: number;
  indicatorValues: Array<{ key: string; exactValue: string; byPeriod: Array<{ period: string; exactValue: string }> }>;
}

const FIELDS = `status(asOf: $asOf) statusReason(asOf: $asOf) progress(asOf: $asOf) reportCount(asOf: $asOf)
  indicatorValues(asOf: $asOf) { key exactValue byPeriod(granularity: MONTH) { period exactValue } }`;

describe('asOf: a status on a date counts the reports dated by then (e2e)', () => {
  let t: TestApp;
  let agency: Record<string, string>;
  let coordinator: Record<string, string>;
  let auditor: Record<string, string>;
  let head = '';

  async function gql<T>(query: string, variables: Record<string, unknown> = {}, headers = coordinator): Promise<T> {
    const res = await t.gql<T>(query, variables, headers);
    expect(res.errors).toBeUndefined();
    return res.data!;
  }

  const record = (report: Report): Promise<string> => recordReport(t, report, agency);

  const measure = async (asOf: string | null, code = 'II.3.3') =>
    (await gql<{ measure: Answer }>(`query ($asOf: String) { measure(code: "${code}") { ${FIELDS} } }`, { asOf })).measure;
  const value = (answer: Answer, key: string) => answer.indicatorValues.find((v) => v.key === key)!.exactValue;

  /** The implementation report's CSV for a range, by measure/indicator key. */
  async function implementationReport(from: string, to: string): Promise<Map<string, Record<string, string>>> {
    const response = await fetch(`${t.url.replace(/\/graphql$/, '')}/reports/implementation?${new URLSearchParams({ planId: PLAN, from, to, format: 'csv' })}`, {
      headers: coordinator,
    });
    const body = await response.text();
    expect({ status: response.status, body: response.status === 200 ? '' : body }).toEqual({ status: 200, body: '' });
    const rows = parse(body, { columns: true }) as Array<Record<string, string>>;
    return new Map(rows.map((row) => [`${row.measure}/${row.indicatorKey}`, row]));
  }

  /** Every measure's status and reason as of `to`, over GraphQL and in the report for a range ending on `to`: equal. */
  async function sameAsReport(to: string): Promise<void> {
    const csv = await implementationReport('2023-01-01', to);
    const graphql = await gql<{ measures: Array<{ code: string; status: string; statusReason: string; progress: number | null }> }>(
      `query ($asOf: String) { measures(filter: { planId: "${PLAN}" }) { code status(asOf: $asOf) statusReason(asOf: $asOf) progress(asOf: $asOf) } }`,
      { asOf: to },
    );
    expect(graphql.measures.length).toBe(46);
    const fromReport = graphql.measures.map((m) => {
      const row = [...csv.values()].find((x) => x.measure === m.code)!;
      return { code: m.code, status: row.status, statusReason: row.statusReason, progress: row.progress === '' ? null : Number(row.progress) };
    });
    expect(fromReport).toEqual(graphql.measures);
    const summary = await gql<{ planProgress: { byStatus: { achieved: number; inProgress: number } } }>(
      `query ($asOf: String) { planProgress(planId: "${PLAN}", asOf: $asOf) { byStatus { achieved inProgress } } }`,
      { asOf: to },
    );
    expect(summary.planProgress.byStatus.achieved).toBe(fromReport.filter((m) => m.status === 'ACHIEVED').length);
    expect(summary.planProgress.byStatus.inProgress).toBe(fromReport.filter((m) => m.status === 'IN_PROGRESS').length);
  }

  beforeAll(async () => {
    t = await startTestApp();
    agency = authHeader(await issueTestKey(t, { role: 'AGENCY', agencyId: MHC }));
    coordinator = authHeader(await issueTestKey(t, { role: 'COORDINATOR' }));
    auditor = authHeader(await issueTestKey(t, { role: 'AUDITOR' }));
    for (const report of [STUDY, JULY, SEPTEMBER]) head = await record(report);
  }, 120_000);
  afterAll(async () => {
    await t.close({ removeData: true });
  });

  it("the tester's case: on 30 June neither facility counts, in GraphQL and in the implementation report alike", async () => {
    const june = await measure('2023-06-30');
    expect([june.status, june.statusReason, june.progress, june.reportCount]).toEqual(['IN_PROGRESS', 'TARGET_NOT_MET', 0, 1]);
    expect([value(june, 'feasibilityStudy'), value(june, 'facilities'), value(june, 'places')]).toEqual(['1', '0', '0']);
    expect(june.indicatorValues.find((v) => v.key === 'facilities')!.byPeriod).toEqual([]);
    const row = (await implementationReport('2023-01-01', '2023-06-30')).get('II.3.3/facilities')!;
    expect([row.status, row.statusReason, row.valueToDate]).toEqual(['IN_PROGRESS', 'TARGET_NOT_MET', '0']);
    await sameAsReport('2023-06-30');
  }, 60_000);

  it('a day inside a month counts that month to the day: 14 September one facility, 15 September both', async () => {
    const before = await measure('2023-09-14');
    expect([before.status, value(before, 'facilities'), value(before, 'places'), before.reportCount, before.progress]).toEqual(['IN_PROGRESS', '1', '6', 2, 50]);
    const on = await measure('2023-09-15');
    expect([on.status, on.statusReason, value(on, 'facilities'), on.reportCount, on.progress]).toEqual(['ACHIEVED', 'TARGET_MET', '2', 3, 100]);
    await sameAsReport('2023-09-14');
    await sameAsReport('2023-09-15');
  }, 60_000);

  it('without asOf: today, over every report, as before', async () => {
    const now = await measure(null);
    expect([now.status, now.statusReason, now.progress, now.reportCount, value(now, 'facilities'), value(now, 'places')]).toEqual(['ACHIEVED', 'TARGET_MET', 100, 3, '2', '12']);
    const progress = await gql<{ planProgress: { asOf: string } }>(`{ planProgress(planId: "${PLAN}") { asOf } }`);
    expect(progress.planProgress.asOf).toBe(new Date().toISOString().slice(0, 10));
  }, 60_000);

  it('a correction that moves a report across asOf moves it in; a retraction takes it out again', async () => {
    await record(MOVED);
    expect(value(await measure('2023-06-30'), 'places')).toBe('0');
    await gql(
      `mutation ($input: CorrectCapacityCreatedInput!) { correctCapacityCreated(input: $input) { position } }`,
      { input: { reportId: MOVED.input.reportId, requestId: 'asof-c1', facilityKind: 'designated places', location: 'Debrecen', facilities: 0, places: 2, occurredOn: '2023-06-20', reason: 'Opened in June' } },
      agency,
    );
    const moved = await measure('2023-06-30');
    expect([value(moved, 'places'), moved.reportCount]).toEqual(['2', 2]);
    expect(value(await measure('2023-06-19'), 'places')).toBe('0');
    await sameAsReport('2023-06-30');
    await gql(
      `mutation ($input: RetractReportInput!) { retractReport(input: $input) { position } }`,
      { input: { reportId: MOVED.input.reportId, requestId: 'asof-r1', reason: 'Reported twice' } },
      agency,
    );
    const retracted = await measure('2023-06-30');
    expect([value(retracted, 'places'), retracted.reportCount]).toEqual(['0', 1]);
  }, 60_000);

  it('refuses a bad asOf on every figure field, naming it', async () => {
    for (const field of ['progress', 'reportCount', 'indicatorValues { key }', 'status']) {
      const res = await t.gql(`{ measure(code: "II.3.3") { ${field.replace(/^(\w+)/, '$1(asOf: "2023-02-30")')} } }`, {}, coordinator);
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'asOf' });
    }
  }, 60_000);

  it('with at (auditors): whole months and days inside a month with reports are exact', async () => {
    const at = { position: head };
    const ask = (asOf: string) =>
      t.gql<{ measure: { status: string; progress: number | null } }>(
        `query ($asOf: String, $at: PointInTimeInput) { measure(code: "II.3.3") { status(asOf: $asOf, at: $at) progress(asOf: $asOf, at: $at) } }`,
        { asOf, at },
        auditor,
      );
    expect((await ask('2023-06-30')).data!.measure).toEqual({ status: 'IN_PROGRESS', progress: 0 });
    // August holds no report of II.3.3: a day in it is exact from whole months.
    expect((await ask('2023-08-15')).data!.measure).toEqual({ status: 'IN_PROGRESS', progress: 50 });
    expect((await ask('2023-09-30')).data!.measure).toEqual({ status: 'ACHIEVED', progress: 100 });
    // September holds a report (the 15th): the 14th counts it out, the 15th in (as-of-at.e2e-spec.ts: every past position).
    expect((await ask('2023-09-14')).data!.measure).toEqual({ status: 'IN_PROGRESS', progress: 50 });
    expect((await ask('2023-09-15')).data!.measure).toEqual({ status: 'ACHIEVED', progress: 100 });
  }, 60_000);
});
