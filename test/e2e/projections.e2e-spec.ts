import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { EVENT_STORE, type EventStore } from '@app/event-store';
import type { Measure, Plan } from '@app/plan';
import { authAs } from './support/auth.js';
import { type GraphQLResponse, type TestApp, startTestApp } from './support/test-app.js';

const plan = parse(readFileSync('libs/plan/plans/hu-2022-2023.yaml', 'utf8')) as Plan;
const measures: Measure[] = plan.pillars.flatMap((p) => p.objectives.flatMap((o) => o.measures));
/** A measure of the real plan with a target on CapacityCreated places (II.3.x shelters). */
const shelters = measures.find((m) => m.indicators.some((i) => i.event === 'CapacityCreated' && i.field === 'places' && i.target !== undefined))!;
const placesIndicator = shelters.indicators.find((i) => i.event === 'CapacityCreated' && i.field === 'places' && i.target !== undefined)!;
/** A measure with allocations (money) and its responsible agency. */
const funded = measures.find((m) => (m.funding.allocations?.length ?? 0) > 0)!;

const MEASURE_FIELDS = (position: string) => `
  code
  status(asOf: "2023-06-30", atLeastPosition: "${position}")
  progress(atLeastPosition: "${position}")
  reportCount(atLeastPosition: "${position}")
  indicatorValues(atLeastPosition: "${position}") {
    key value exactValue target progress achieved
    byPeriod(granularity: QUARTER) { period value }
    byAgency { agencyId value }
  }
`;

interface Receipt {
  position: string;
}

describe('projections (e2e)', () => {
  let t: TestApp;
  let coordinator: Record<string, string>;
  let agency: Record<string, string>;
  let funder: Record<string, string>;

  const gql = async <T = Record<string, unknown>>(query: string, headers = coordinator, variables?: Record<string, unknown>) =>
    t.gql<T>(query, variables, headers) as Promise<GraphQLResponse<T>>;
  const ok = <T>(res: GraphQLResponse<T>): T => {
    expect(res.errors).toBeUndefined();
    return res.data!;
  };

  const recordCapacity = async (reportId: string, places: number, occurredOn = '2023-02-10', location = 'Budapest') => {
    const res = await gql<{ recordCapacityCreated: Receipt }>(
      `mutation ($input: RecordCapacityCreatedInput!) { recordCapacityCreated(input: $input) { position } }`,
      agency,
      { input: { measureCode: shelters.code, reportId, occurredOn, facilityKind: 'halfway house', location, facilities: 1, places } },
    );
    return ok(res).recordCapacityCreated.position;
  };

  beforeAll(async () => {
    t = await startTestApp({ env: { READ_YOUR_WRITES_TIMEOUT_MS: '400' } });
    coordinator = await authAs(t, { role: 'COORDINATOR' });
    agency = await authAs(t, { role: 'AGENCY', agencyId: shelters.responsible[0] });
    funder = await authAs(t, { role: 'AGENCY', agencyId: funded.responsible[0] });
  });
  afterAll(async () => {
    await t?.close({ removeData: true });
  });

  it('reads its own write: a report counts as soon as the projections reach its position', async () => {
    const position = await recordCapacity('e2e-cap-1', 2);
    const data = ok(await gql<{ measure: Record<string, unknown> }>(`{ measure(code: "${shelters.code}", planId: "${plan.id}") { ${MEASURE_FIELDS(position)} } }`));
    const places = (data.measure.indicatorValues as Array<Record<string, unknown>>).find((i) => i.key === placesIndicator.key)!;
    expect(data.measure).toMatchObject({ code: shelters.code, status: 'IN_PROGRESS', reportCount: 1 });
    expect(places).toMatchObject({
      value: 2,
      exactValue: '2',
      target: placesIndicator.target,
      achieved: false,
      byPeriod: [{ period: '2023-Q1', value: 2 }],
      byAgency: [{ agencyId: shelters.responsible[0], value: 2 }],
    });
    expect(places.progress).toBe(Math.floor((2 / placesIndicator.target!) * 1000) / 10);
  });

  it('applies corrections (moving the report to another quarter) and retractions', async () => {
    await recordCapacity('e2e-cap-2', 1, '2023-03-01', 'Pécs');
    const corrected = await gql<{ correctCapacityCreated: Receipt }>(
      `mutation ($input: CorrectCapacityCreatedInput!) { correctCapacityCreated(input: $input) { position } }`,
      agency,
      { input: { reportId: 'e2e-cap-2', requestId: 'e2e-cap-2-fix', occurredOn: '2023-05-02', facilityKind: 'halfway house', location: 'Pécs', facilities: 1, places: 3, reason: 'counted again' } },
    );
    let position = ok(corrected).correctCapacityCreated.position;
    let data = ok(await gql<{ measure: { indicatorValues: Array<Record<string, unknown>> } }>(`{ measure(code: "${shelters.code}", planId: "${plan.id}") { ${MEASURE_FIELDS(position)} } }`));
    expect(data.measure.indicatorValues.find((i) => i.key === placesIndicator.key)).toMatchObject({
      value: 5,
      byPeriod: [
        { period: '2023-Q1', value: 2 },
        { period: '2023-Q2', value: 3 },
      ],
    });

    const retracted = await gql<{ retractReport: Receipt }>(
      `mutation ($input: RetractReportInput!) { retractReport(input: $input) { position } }`,
      agency,
      { input: { reportId: 'e2e-cap-2', requestId: 'e2e-cap-2-withdraw', reason: 'reported twice' } },
    );
    position = ok(retracted).retractReport.position;
    data = ok(await gql(`{ measure(code: "${shelters.code}", planId: "${plan.id}") { ${MEASURE_FIELDS(position)} } }`));
    expect(data.measure.indicatorValues.find((i) => i.key === placesIndicator.key)).toMatchObject({ value: 2, byPeriod: [{ period: '2023-Q1', value: 2 }] });
  });

  it('rolls up per pillar and objective, filters measures by status, lists overdue measures', async () => {
    const position = await recordCapacity('e2e-cap-3', 1);
    const data = ok(
      await gql<{
        planProgress: { measures: number; byStatus: Record<string, number>; pillars: Array<{ code: string; measures: number; objectives: unknown[] }>; position: string };
        inProgress: Array<{ code: string }>;
        overdue: Array<{ code: string; status: string }>;
      }>(`{
        planProgress(planId: "${plan.id}", asOf: "2023-06-30", atLeastPosition: "${position}") {
          measures position byStatus { notStarted inProgress achieved overdue awaitingAssessment withdrawn }
          pillars { code measures meanProgress byStatus { inProgress } objectives { code measures } }
        }
        inProgress: measuresByStatus(status: IN_PROGRESS, planId: "${plan.id}", asOf: "2023-06-30", atLeastPosition: "${position}") { code }
        overdue: overdueMeasures(asOf: "2024-01-01", atLeastPosition: "${position}") { code status(asOf: "2024-01-01") }
      }`),
    );
    expect(data.planProgress.measures).toBe(measures.length);
    expect(BigInt(data.planProgress.position)).toBeGreaterThanOrEqual(BigInt(position));
    expect(data.planProgress.pillars.map((p) => p.code)).toEqual(plan.pillars.map((p) => p.code));
    expect(data.planProgress.pillars.reduce((n, p) => n + p.measures, 0)).toBe(measures.length);
    const counts = data.planProgress.byStatus;
    expect(counts.notStarted + counts.inProgress + counts.achieved + counts.overdue + counts.awaitingAssessment + counts.withdrawn).toBe(measures.length);
    // II.1.1, IV.2.2 (no finish line, deadline 2022-12-31) and I.1.2 (deadline before the plan) await a judgement.
    expect(counts.awaitingAssessment).toBe(3);
    expect(data.inProgress.map((m) => m.code)).toContain(shelters.code);
    // Every deadline of the plan is before 2024: what has a finish line and is not achieved is overdue.
    expect(data.overdue.length).toBeGreaterThan(0);
    expect(data.overdue.every((m) => m.status === 'OVERDUE')).toBe(true);
  });

  it('compares allocated with disbursed money, exactly', async () => {
    const allocation = funded.funding.allocations![0];
    const res = await gql<{ recordFundsDisbursed: Receipt }>(
      `mutation ($input: RecordFundsDisbursedInput!) { recordFundsDisbursed(input: $input) { position } }`,
      funder,
      { input: { measureCode: funded.code, reportId: 'e2e-funds-1', occurredOn: `${allocation.year}-03-01`, amount: '1000', source: 'NATIONAL', purpose: 'first instalment' } },
    );
    const position = ok(res).recordFundsDisbursed.position;
    const data = ok(
      await gql<{ fundingSummary: { disbursed: string; measures: Array<{ measureCode: string; disbursed: string; allocated: string; disbursements: number; overDisbursed: boolean }>; budgetPoints: Array<{ id: string }> } }>(`{
        fundingSummary(planId: "${plan.id}", year: ${allocation.year}, atLeastPosition: "${position}") {
          disbursed
          measures { measureCode allocated disbursed disbursements overDisbursed }
          budgetPoints { id years { year amount allocated disbursed overDisbursed } }
        }
      }`),
    );
    const line = data.fundingSummary.measures.find((m) => m.measureCode === funded.code)!;
    expect(line).toMatchObject({ disbursed: '1000', disbursements: 1, overDisbursed: false });
    expect(BigInt(line.allocated)).toBeGreaterThan(0n);
    expect(data.fundingSummary.disbursed).toBe('1000');
    expect(data.fundingSummary.budgetPoints.map((b) => b.id)).toEqual(plan.budgetPoints.map((b) => b.id));

    // Sources as the FundingSource enum the mutation took (NATIONAL); the lowercase id stays, deprecated, for existing clients.
    const sources = ok(
      await gql<{ fundingSummary: { bySource: Array<{ fundingSource: string | null; source: string; disbursed: string }> }; measure: { fundingStatus: { fundingSources: string[]; sources: string[]; years: Array<{ bySource: Array<{ fundingSource: string | null }> }> } } }>(`{
        fundingSummary(planId: "${plan.id}", year: ${allocation.year}, atLeastPosition: "${position}") { bySource { fundingSource source disbursed } }
        measure(code: "${funded.code}") { fundingStatus(atLeastPosition: "${position}") { fundingSources sources years { bySource { fundingSource } } } }
      }`),
    );
    expect(sources.fundingSummary.bySource.find((b) => b.fundingSource === 'NATIONAL')).toMatchObject({ source: 'national', disbursed: '1000' });
    expect(sources.fundingSummary.bySource.every((b) => b.fundingSource === null || ['NATIONAL', 'EU', 'SWISS_HUNGARIAN'].includes(b.fundingSource))).toBe(true);
    const { fundingStatus } = sources.measure;
    expect(fundingStatus.fundingSources).toEqual(fundingStatus.sources.map((s) => s.toUpperCase().replace('-', '_')));
    expect(fundingStatus.years.flatMap((y) => y.bySource.map((b) => b.fundingSource))).toContain('NATIONAL');
  });

  it("shows an agency's activity", async () => {
    const position = await recordCapacity('e2e-cap-4', 1, '2023-04-20');
    const data = ok(
      await gql<{ agencyActivity: Record<string, unknown> }>(`{
        agencyActivity(agencyId: "${shelters.responsible[0]}", atLeastPosition: "${position}") {
          agencyId reports lastReportOn lastRecordedAt
          reportsByType { type count }
          measuresReported { planId measureCode reports }
          responsibleWithoutReport { measureCode }
        }
      }`),
    );
    expect(data.agencyActivity).toMatchObject({ agencyId: shelters.responsible[0], lastReportOn: '2023-04-20' });
    expect(data.agencyActivity.reportsByType).toContainEqual({ type: 'CapacityCreated', count: 3 });
    expect(data.agencyActivity.measuresReported).toContainEqual({ planId: plan.id, measureCode: shelters.code, reports: 3 });
    const unknown = await gql(`{ agencyActivity(agencyId: "no-such-agency") { reports } }`);
    expect(unknown.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    // A measure the coordinators withdrew is no longer anyone's gap.
    const gaps = (data.agencyActivity.responsibleWithoutReport as Array<{ measureCode: string }>).map((m) => m.measureCode);
    expect(gaps.length).toBeGreaterThan(0);
    const withdrawn = ok(
      await gql<{ assessMeasure: { position: string } }>(
        `mutation { assessMeasure(input: { planId: "${plan.id}", measureCode: "${gaps[0]}", assessmentId: "e2e-withdrawn", level: WITHDRAWN, asOf: "2023-03-01", narrative: "Dropped from the plan" }) { position } }`,
      ),
    ).assessMeasure.position;
    const after = ok(
      await gql<{ agencyActivity: { responsibleWithoutReport: Array<{ measureCode: string }> } }>(
        `{ agencyActivity(agencyId: "${shelters.responsible[0]}", atLeastPosition: "${withdrawn}") { responsibleWithoutReport { measureCode } } }`,
      ),
    ).agencyActivity.responsibleWithoutReport.map((m) => m.measureCode);
    expect(after).toEqual(gaps.slice(1));
  });

  it('reports how far each projection is', async () => {
    const data = ok(await gql<{ projectionStatus: Array<{ name: string; position: string; lag: string; state: string }> }>('{ projectionStatus { name position lag state } }'));
    expect(data.projectionStatus.map((p) => p.name)).toEqual(['plans', 'activity', 'assessments', 'periods', 'report_list']);
    const store = t.app.get<EventStore>(EVENT_STORE);
    for (const p of data.projectionStatus) {
      expect(p.position).toMatch(/^\d+$/);
      // lag counts the events after the position (positions are not counts on EventStoreDB).
      let after = 0;
      for await (const _ of store.readAll({ from: BigInt(p.position) })) after++;
      expect(p.lag).toMatch(/^\d+$/);
      expect(Number(p.lag)).toBeLessThanOrEqual(after);
    }
  });

  it('a position the projections do not reach in time is a TIMEOUT', async () => {
    const res = await gql(`{ planProgress(planId: "${plan.id}", atLeastPosition: "999999999") { measures } }`);
    expect(res.errors?.[0].extensions?.code).toBe('TIMEOUT');
  });

  it('refuses bad arguments with the field', async () => {
    const res = await gql(`{ planProgress(planId: "${plan.id}", atLeastPosition: "12a") { measures } }`);
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'atLeastPosition' });
    const date = await gql(`{ planProgress(planId: "${plan.id}", asOf: "2023-02-30") { measures } }`);
    expect(date.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'asOf' });
    const missing = await gql(`{ planProgress(planId: "no-such-plan") { measures } }`);
    expect(missing.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });

  // The progress fields of Measure are plain resolvers (no validation pipe): they check their
  // arguments themselves, field by field, with the same answers as the queries give.
  it('refuses bad arguments of Measure fields with the field, and answers the other fields', async () => {
    const one = (fields: string) => `{ measure(code: "${shelters.code}", planId: "${plan.id}") { code ${fields} } }`;
    // assessment is nullable: the error stays on it and the measure's other fields answer.
    const date = await gql<{ measure: { code: string; reportCount: number; assessment: null } }>(one('reportCount assessment(asOf: "2023-13-01") { level }'));
    expect(date.errors).toHaveLength(1);
    expect(date.errors?.[0]).toMatchObject({ path: ['measure', 'assessment'], extensions: { code: 'BAD_USER_INPUT', field: 'asOf' } });
    expect(date.data?.measure).toMatchObject({ code: shelters.code, reportCount: expect.any(Number), assessment: null });
    for (const field of ['status(asOf: "2023-02-30")', 'statusReason(asOf: "30/06/2023")']) {
      expect((await gql(one(field))).errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'asOf' });
    }
    for (const field of ['progress(atLeastPosition: "-1")', 'reportCount(atLeastPosition: "1e3")', 'indicatorValues(atLeastPosition: "x") { key }', 'fundingStatus(atLeastPosition: " 1") { allocated }']) {
      expect((await gql(one(field))).errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'atLeastPosition' });
    }
    // A position the read models do not reach in time: the field waits, then TIMEOUT.
    expect((await gql(one('assessments(atLeastPosition: "999999999") { level }'))).errors?.[0].extensions?.code).toBe('TIMEOUT');
    const auditor = await authAs(t, { role: 'AUDITOR' });
    expect((await gql(one('reportCount(at: { position: "x1" })'), auditor)).errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'at.position' });
    expect((await gql(one('reportCount(at: { position: "99999999" })'), auditor)).errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'at.position' });
    expect((await gql(one('reportCount(at: { position: "1" })'))).errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN' });
    const label = await gql(
      `{ measure(code: "${shelters.code}", planId: "${plan.id}") { indicatorValues { byPeriod(ranges: [{ from: "2023-01-01", to: "2023-03-31", label: "${'q'.repeat(101)}" }]) { period } } } }`,
    );
    expect(label.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'ranges[0].label' });
  });

  it('answers the same progress fields for a measure alone and within `measures`', async () => {
    const fields = `code status statusReason hasFinishLine progress reportCount assessment { level } assessments { level } indicatorValues { key exactValue progress byAgency { agencyId value } }`;
    const alone = ok(await gql<{ measure: Record<string, unknown> }>(`{ measure(code: "${shelters.code}", planId: "${plan.id}") { ${fields} } }`)).measure;
    const all = ok(await gql<{ measures: Array<Record<string, unknown>> }>(`{ measures(filter: { planId: "${plan.id}" }) { ${fields} } }`)).measures;
    expect(all).toHaveLength(measures.length);
    expect(all.find((m) => m.code === shelters.code)).toEqual(alone);
    // An agency reads its own measures' progress within the list; the others' are FORBIDDEN, field by field.
    const agencyId = shelters.responsible[0];
    const own = ok(await gql<{ measures: Array<{ code: string }> }>(`{ measures(filter: { planId: "${plan.id}", agency: "${agencyId}" }) { code } }`)).measures.map((m) => m.code);
    expect(own).toContain(shelters.code);
    const listed = await gql<{ measures: Array<{ code: string; progress: number | null }> }>(`{ measures(filter: { planId: "${plan.id}" }) { code progress } }`, agency);
    const refused = (listed.errors ?? []).map((e) => {
      expect(e.extensions).toMatchObject({ code: 'FORBIDDEN', rule: 'agency-reads-assigned-measures-only' });
      expect(e.path?.[2]).toBe('progress');
      return listed.data!.measures[e.path![1] as number].code;
    });
    expect(refused.sort()).toEqual(measures.map((m) => m.code).filter((c) => !own.includes(c)).sort());
  });

  // The progress fields are nullable: a refused one is null with its own error, and the measure,
  // the list and the other measures answer (before, one refusal made the whole answer data: null).
  it('answers an agency every measure: plan fields, its own measures\' progress, null + FORBIDDEN at each refused field of the others', async () => {
    const agencyId = shelters.responsible[0];
    const own = new Set(
      ok(await gql<{ measures: Array<{ code: string }> }>(`{ measures(filter: { planId: "${plan.id}", agency: "${agencyId}" }) { code } }`)).measures.map((m) => m.code),
    );
    expect(own.has(shelters.code)).toBe(true);
    type Row = { code: string; title: string; status: string | null; reportCount: number | null; indicatorValues: Array<{ key: string; value: number }> | null };
    const query = `{ measures(filter: { planId: "${plan.id}" }) { code title status reportCount indicatorValues { key value } } }`;
    const asCoordinator = await gql<{ measures: Row[] }>(query);
    // Coordinators: unchanged, every field of every measure answered.
    const all = ok(asCoordinator).measures;
    expect(all.map((m) => [m.code, m.title])).toEqual(measures.map((m) => [m.code, m.title]));
    for (const m of all) expect([m.status, m.reportCount, m.indicatorValues].every((v) => v !== null)).toBe(true);

    const asAgency = await gql<{ measures: Row[] }>(query, agency);
    expect(asAgency.status).toBe(200);
    const rows = asAgency.data!.measures;
    expect(rows.map((m) => [m.code, m.title])).toEqual(measures.map((m) => [m.code, m.title]));
    rows.forEach((row, i) => {
      if (own.has(row.code)) expect(row).toEqual(all[i]);
      else expect(row).toEqual({ code: row.code, title: row.title, status: null, reportCount: null, indicatorValues: null });
    });
    const shelter = rows.find((m) => m.code === shelters.code)!;
    expect(shelter.status).toEqual(expect.any(String));
    expect(shelter.indicatorValues!.find((i) => i.key === placesIndicator.key)?.value).toEqual(expect.any(Number));
    // One error per refused field, at its path, naming the rule and the measure.
    const expected = rows.flatMap((m, i) => (own.has(m.code) ? [] : ['status', 'reportCount', 'indicatorValues'].map((f) => `measures.${i}.${f}`)));
    expect(expected.length).toBeGreaterThan(0);
    expect((asAgency.errors ?? []).map((e) => e.path!.join('.')).sort()).toEqual(expected.sort());
    for (const e of asAgency.errors!) {
      const code = rows[e.path![1] as number].code;
      expect(e.message).toContain(`measure ${code}`);
      expect(e.extensions).toMatchObject({ code: 'FORBIDDEN', rule: 'agency-reads-assigned-measures-only', measureCode: code });
    }

    // One measure it is not assigned: its plan fields, the progress null with its error.
    const other = measures.find((m) => !own.has(m.code))!;
    const alone = await gql<{ measure: Row }>(`{ measure(code: "${other.code}", planId: "${plan.id}") { code title reportCount } }`, agency);
    expect(alone.data?.measure).toEqual({ code: other.code, title: other.title, reportCount: null });
    expect(alone.errors?.map((e) => [e.path, e.extensions?.code, e.extensions?.measureCode])).toEqual([[['measure', 'reportCount'], 'FORBIDDEN', other.code]]);

    // Through the plan's pillars and objectives, as through `measures`.
    const tree = await gql<{ plan: { pillars: Array<{ objectives: Array<{ measures: Array<{ code: string; status: string | null }> }> }> } }>(
      `{ plan(id: "${plan.id}") { pillars { objectives { measures { code status } } } } }`,
      agency,
    );
    const nested = tree.data!.plan.pillars.flatMap((p) => p.objectives.flatMap((o) => o.measures));
    expect(nested.map((m) => m.code)).toEqual(measures.map((m) => m.code));
    expect(nested.filter((m) => m.status !== null).map((m) => m.code).sort()).toEqual([...own].sort());
    expect(tree.errors).toHaveLength(measures.length - own.size);
  });

  it('is for coordinators and auditors: others are FORBIDDEN, also on Measure fields', async () => {
    const asAgency = await gql(`{ planProgress(planId: "${plan.id}") { measures } }`, agency);
    expect(asAgency.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const admin = await authAs(t, { role: 'ADMIN' });
    const plain = await gql<{ measure: { code: string } }>(`{ measure(code: "${shelters.code}", planId: "${plan.id}") { code } }`, admin);
    expect(plain.data?.measure.code).toBe(shelters.code);
    const progress = await gql<{ measure: { code: string; status: null } }>(`{ measure(code: "${shelters.code}", planId: "${plan.id}") { code status } }`, admin);
    expect(progress.data?.measure).toEqual({ code: shelters.code, status: null });
    expect(progress.errors?.[0]).toMatchObject({ path: ['measure', 'status'], extensions: { code: 'FORBIDDEN', rule: 'role-not-permitted' } });
    expect(progress.errors?.[0].message).toContain(`measure ${shelters.code}`);
    const auditor = await authAs(t, { role: 'AUDITOR' });
    expect((await gql(`{ planProgress(planId: "${plan.id}") { measures } }`, auditor)).errors).toBeUndefined();
  });

  it('resumes from its checkpoint after a restart with the same answers', async () => {
    const query = `{ measure(code: "${shelters.code}", planId: "${plan.id}") { reportCount indicatorValues { key exactValue } } projectionStatus { name position } }`;
    const before = ok(await gql<{ projectionStatus: Array<{ position: string }> }>(query));
    const dataDir = t.dataDir;
    await t.close();
    t = await startTestApp({ dataDir, env: { READ_YOUR_WRITES_TIMEOUT_MS: '2000' } });
    coordinator = await authAs(t, { role: 'COORDINATOR' });
    // Issuing the key appended an event: wait for it, then compare the read models.
    const head = ok(await gql<{ health: { headPosition: string } }>('{ health { headPosition } }')).health.headPosition;
    const after = ok(await gql<Record<string, unknown>>(query.replace('reportCount', `reportCount(atLeastPosition: "${head}")`)));
    expect(after.measure).toEqual((before as Record<string, unknown>).measure);
  });
});
