import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { EVENT_CATALOGUE } from '@app/domain';
import type { Plan } from '@app/plan';
import { authHeader, issueTestKey } from './support/auth.js';
import { type TestApp, startTestApp } from './support/test-app.js';

const plan = parse(readFileSync('libs/plan/plans/hu-2022-2023.yaml', 'utf8')) as Plan;
const measures = plan.pillars.flatMap((p) => p.objectives.flatMap((o) => o.measures));

/** A measure of the real plan that counts `type`, and an agency responsible for it. */
function measureCounting(type: string) {
  const measure =
    type === 'FundsDisbursed'
      ? measures.find((m) => (m.funding.allocations?.length ?? 0) > 0)
      : measures.find((m) => m.indicators.some((i) => i.event === type));
  if (!measure) throw new Error(`no measure counts ${type}`);
  return { code: measure.code, agencyId: measure.responsible[0] };
}

const RECEIPT = 'reportId agencyId eventId eventType stream position revision duplicate';

/** The GraphQL mutation and variables recording `type` with its catalogue example. */
function recordOp(type: string, input: Record<string, unknown>) {
  return {
    query: `mutation ($input: Record${type}Input!) { record${type}(input: $input) { ${RECEIPT} } }`,
    variables: { input },
  };
}

/** GraphQL enum values are the upper-case names of the catalogue values. */
function exampleInput(type: string): Record<string, unknown> {
  const spec = EVENT_CATALOGUE.find((s) => s.type === type)!;
  const example: Record<string, unknown> = { ...spec.example };
  for (const field of spec.fields) {
    if (field.kind === 'enum' && typeof example[field.name] === 'string') {
      example[field.name] = (example[field.name] as string).toUpperCase().replace(/[^A-Z0-9]+/g, '_');
    }
  }
  return example;
}

describe('reporting (e2e)', () => {
  let t: TestApp;
  const keys = new Map<string, string>();
  const keyFor = async (agencyId: string) => {
    if (!keys.has(agencyId)) keys.set(agencyId, await issueTestKey(t, { role: 'AGENCY', agencyId }));
    return authHeader(keys.get(agencyId)!);
  };
  /** The store's head: unchanged means nothing was appended. Issue keys before reading it. */
  const head = async () => {
    const res = await t.gql<{ health: { headPosition: string } }>('{ health { headPosition } }');
    return res.data!.health.headPosition;
  };

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close({ removeData: true });
  });

  it.each(EVENT_CATALOGUE.map((s) => [s.type]))('records %s for a measure that counts it', async (type) => {
    const { code, agencyId } = measureCounting(type);
    const op = recordOp(type, { measureCode: code, reportId: `all-${type}`, occurredOn: '2023-05-10', ...exampleInput(type) });
    const res = await t.gql<Record<string, Record<string, unknown>>>(op.query, op.variables, await keyFor(agencyId));
    expect(res.errors).toBeUndefined();
    expect(res.data![`record${type}`]).toMatchObject({
      reportId: `all-${type}`,
      agencyId,
      eventType: type,
      stream: `activity-${agencyId}-all-${type}`,
      revision: '0',
      duplicate: false,
    });
    expect(res.data![`record${type}`].position).toMatch(/^\d+$/);
  });

  describe('refuses bad reports with the field and the reason, storing nothing', () => {
    const training = measureCounting('TrainingDelivered');
    const base = { measureCode: training.code, reportId: 'bad-1', occurredOn: '2023-03-01', title: 'Course', participants: 10, days: 1 };
    const today = new Date();
    const future = new Date(today.getTime() + 3 * 86400_000).toISOString().slice(0, 10);

    it.each([
      ['an unknown measure', { measureCode: 'IX.9.9' }, 'measureCode', /not a measure/],
      ['a negative number', { participants: -4 }, 'participants', /must not be (negative|less than 0)/],
      ['an absurd number', { participants: 5_000_000 }, 'participants', /must not be greater than 1000000|at most 1000000/],
      ['a date outside the plan period', { occurredOn: '2021-06-01' }, 'occurredOn', /outside the period of plan hu-2022-2023 \(2022-01-01 to 2023-12-31\)/],
      ['a malformed date', { occurredOn: '01/03/2023' }, 'occurredOn', /YYYY-MM-DD/],
      ['an impossible date', { occurredOn: '2023-02-30' }, 'occurredOn', /YYYY-MM-DD/],
      ['a bad report id', { reportId: 'has spaces' }, 'reportId', /letters, digits/],
      ['an empty title', { title: '  ' }, 'title', /non-empty|should not be empty/],
    ])('%s', async (_label, override, field, reason) => {
      const headers = await keyFor(training.agencyId);
      const before = await head();
      const op = recordOp('TrainingDelivered', { ...base, ...override });
      const res = await t.gql(op.query, op.variables, headers);
      expect(res.data?.recordTrainingDelivered ?? null).toBeNull();
      expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
      expect(res.errors?.[0].message).toMatch(reason);
      expect(res.errors?.[0].message.startsWith(field)).toBe(true);
      expect(await head()).toBe(before);
    });

    it('a date in the future', async () => {
      const headers = await keyFor(training.agencyId);
      const before = await head();
      const op = recordOp('TrainingDelivered', { ...base, occurredOn: future });
      const res = await t.gql(op.query, op.variables, headers);
      expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'occurredOn' });
      expect(res.errors?.[0].message).toMatch(/occurredOn is in the future/);
      expect(await head()).toBe(before);
    });

    it('an event type the measure does not count, saying what it does count', async () => {
      const headers = await keyFor(training.agencyId);
      const before = await head();
      const op = recordOp('PerformanceHeld', { ...base, title: 'A play', audience: 50, participants: undefined, days: undefined });
      const res = await t.gql(op.query, op.variables, headers);
      expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'measureCode' });
      expect(res.errors?.[0].message).toMatch(new RegExp(`${training.code.replaceAll('.', '\\.')} does not count PerformanceHeld: its indicators count .*TrainingDelivered`));
      expect(await head()).toBe(before);
    });

    it('negative money', async () => {
      const funds = measureCounting('FundsDisbursed');
      const headers = await keyFor(funds.agencyId);
      const before = await head();
      const op = recordOp('FundsDisbursed', { measureCode: funds.code, reportId: 'bad-money', occurredOn: '2023-03-01', amount: '-5', source: 'NATIONAL', purpose: 'x' });
      const res = await t.gql(op.query, op.variables, headers);
      expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'amount' });
      expect(await head()).toBe(before);
    });

    it('a measure the agency is not assigned to (FORBIDDEN, nothing appended)', async () => {
      // II.1.3 (border police training): Ministry of Interior with the National Police HQ only.
      const headers = await keyFor('hungarian-baptist-aid');
      const before = await head();
      const op = recordOp('TrainingDelivered', { ...base, measureCode: 'II.1.3' });
      const res = await t.gql(op.query, op.variables, headers);
      expect(res.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', rule: 'agency-not-assigned-to-measure' });
      expect(await head()).toBe(before);
    });
  });

  it('stores 50 concurrent retries of one report once, answering each with the same receipt', async () => {
    const { code, agencyId } = measureCounting('MeetingHeld');
    const op = recordOp('MeetingHeld', { measureCode: code, reportId: 'retry-50', occurredOn: '2023-04-04', title: 'Roundtable', meetingKind: 'ROUND_TABLE', participants: 17 });
    const headers = await keyFor(agencyId);
    const results = await Promise.all(Array.from({ length: 50 }, () => t.gql<{ recordMeetingHeld: Record<string, unknown> }>(op.query, op.variables, headers)));
    expect(results.every((r) => r.errors === undefined)).toBe(true);
    const receipts = results.map((r) => r.data!.recordMeetingHeld);
    expect(new Set(receipts.map((r) => r.eventId)).size).toBe(1);
    expect(new Set(receipts.map((r) => r.position)).size).toBe(1);
    expect(receipts.filter((r) => r.duplicate === false)).toHaveLength(1);
    const history = await t.gql<{ reportHistory: { events: unknown[] } }>(
      `{ reportHistory(agencyId: "${agencyId}", reportId: "retry-50") { events { id } } }`,
      {},
      headers,
    );
    expect(history.data!.reportHistory.events).toHaveLength(1);
  });

  it('refuses the same reportId with other content as a CONFLICT', async () => {
    const { code, agencyId } = measureCounting('MeetingHeld');
    const first = recordOp('MeetingHeld', { measureCode: code, reportId: 'conflict-1', occurredOn: '2023-04-04', title: 'WG', meetingKind: 'WORKING_GROUP' });
    const headers = await keyFor(agencyId);
    expect((await t.gql(first.query, first.variables, headers)).errors).toBeUndefined();
    const second = recordOp('MeetingHeld', { measureCode: code, reportId: 'conflict-1', occurredOn: '2023-04-05', title: 'WG', meetingKind: 'WORKING_GROUP' });
    const res = await t.gql(second.query, second.variables, headers);
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', field: 'reportId' });
  });

  it('keeps a correction and a retraction in the report history beside the original', async () => {
    const { code, agencyId } = measureCounting('TrainingDelivered');
    const headers = await keyFor(agencyId);
    const op = recordOp('TrainingDelivered', { measureCode: code, reportId: 'corr-1', occurredOn: '2023-02-01', title: 'Course', participants: 20, days: 2 });
    await t.gql(op.query, op.variables, headers);
    const correction = await t.gql<{ correctReport: Record<string, unknown> }>(
      `mutation ($input: CorrectReportInput!) { correctReport(input: $input) { ${RECEIPT} } }`,
      { input: { reportId: 'corr-1', details: { title: 'Course', participants: 18, days: 2 }, reason: 'Two did not attend' } },
      headers,
    );
    expect(correction.errors).toBeUndefined();
    expect(correction.data!.correctReport).toMatchObject({ eventType: 'ReportCorrected', revision: '1', duplicate: false });
    const badCorrection = await t.gql(
      `mutation ($input: CorrectReportInput!) { correctReport(input: $input) { eventId } }`,
      { input: { reportId: 'corr-1', details: { title: 'Course', participants: -1, days: 2 }, reason: 'typo' } },
      headers,
    );
    expect(badCorrection.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'details.participants' });
    const retraction = await t.gql<{ retractReport: Record<string, unknown> }>(
      `mutation { retractReport(input: { reportId: "corr-1", reason: "Entered under the wrong measure" }) { ${RECEIPT} } }`,
      {},
      headers,
    );
    expect(retraction.data!.retractReport).toMatchObject({ eventType: 'ReportRetracted', revision: '2' });

    const history = await t.gql<{ reportHistory: { status: string; events: Array<{ type: string; data: Record<string, unknown>; metadata: Record<string, unknown> }> } }>(
      `{ reportHistory(agencyId: "${agencyId}", reportId: "corr-1") { status events { id type stream revision position data metadata recordedAt } } }`,
      {},
      headers,
    );
    const h = history.data!.reportHistory;
    expect(h.status).toBe('RETRACTED');
    expect(h.events.map((e) => e.type)).toEqual(['TrainingDelivered', 'ReportCorrected', 'ReportRetracted']);
    expect(h.events[0].data).toMatchObject({ measureCode: code, details: { participants: 20 } });
    expect(h.events[1].data).toMatchObject({ details: { participants: 18 }, reason: 'Two did not attend' });
    expect(h.events[0].metadata).toMatchObject({ agencyId, principalRole: 'AGENCY', occurredOn: '2023-02-01', schemaVersion: 1 });
    expect(h.events[0].metadata).toHaveProperty('correlationId');
    expect(h.events[0].metadata).toHaveProperty('causationId');
    expect(h.events[0].metadata).toHaveProperty('recordedAt');
    expect(h.events[0].metadata).toHaveProperty('principalId');
  });

  it('passes the caller’s correlation id into the event metadata', async () => {
    const { code, agencyId } = measureCounting('MeetingHeld');
    const op = recordOp('MeetingHeld', { measureCode: code, reportId: 'corr-id-1', occurredOn: '2023-04-04', title: 'WG', meetingKind: 'WORKING_GROUP' });
    const headers = { ...(await keyFor(agencyId)), 'x-correlation-id': 'agency-batch-42' };
    await t.gql(op.query, op.variables, headers);
    const history = await t.gql<{ reportHistory: { events: Array<{ metadata: Record<string, unknown> }> } }>(
      `{ reportHistory(agencyId: "${agencyId}", reportId: "corr-id-1") { events { metadata } } }`,
      {},
      headers,
    );
    expect(history.data!.reportHistory.events[0].metadata.correlationId).toBe('agency-batch-42');
  });

  it('refuses reports from a coordinator', async () => {
    const { code } = measureCounting('MeetingHeld');
    const coordinator = await issueTestKey(t, { role: 'COORDINATOR' });
    const op = recordOp('MeetingHeld', { measureCode: code, reportId: 'coord-1', occurredOn: '2023-04-04', title: 'WG', meetingKind: 'WORKING_GROUP' });
    const res = await t.gql(op.query, op.variables, authHeader(coordinator));
    expect(res.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });
});
