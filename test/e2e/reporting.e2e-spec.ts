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
      stream: `activity-${agencyId}/all-${type}`,
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
      ['an unknown measure', { measureCode: 'IX.9.9' }, 'input.measureCode', /not a measure/],
      ['a negative number', { participants: -4 }, 'input.participants', /must not be less than 1|at least 1/],
      ['no participants', { participants: 0 }, 'input.participants', /must not be less than 1|at least 1/],
      ['no days', { days: 0 }, 'input.days', /must not be less than 1|at least 1/],
      ['an absurd number', { participants: 5_000_000 }, 'input.participants', /must not be greater than 1000000|at most 1000000/],
      ['a date outside the plan period', { occurredOn: '2021-06-01' }, 'input.occurredOn', /outside the period of plan hu-2022-2023 \(2022-01-01 to 2023-12-31\)/],
      ['a malformed date', { occurredOn: '01/03/2023' }, 'input.occurredOn', /YYYY-MM-DD \(got "01\/03\/2023"\)/],
      ['an impossible date', { occurredOn: '2023-02-30' }, 'input.occurredOn', /YYYY-MM-DD \(got "2023-02-30"\)/],
      ['a bad report id', { reportId: 'has spaces' }, 'input.reportId', /letters, digits/],
      // One wording for a blank text, an empty one and one not given (EMPTY_TEXT_RULE).
      ['a blank title', { title: '  ' }, 'input.title', /^input\.title is required$/],
      ['an empty title', { title: '' }, 'input.title', /^input\.title is required$/],
      ['an empty measure code', { measureCode: '' }, 'input.measureCode', /^input\.measureCode is required$/],
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
      expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.occurredOn' });
      expect(res.errors?.[0].message).toMatch(/^input\.occurredOn is in the future/);
      expect(await head()).toBe(before);
    });

    it('a measure code in another case or with spaces, naming the code meant (never taking it)', async () => {
      const headers = await keyFor(training.agencyId);
      const before = await head();
      for (const typed of [training.code.toLowerCase(), training.code.replace('.', '. ')]) {
        const op = recordOp('TrainingDelivered', { ...base, measureCode: typed });
        const res = await t.gql(op.query, op.variables, headers);
        expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.measureCode', reason: `is not a measure of any adopted plan; did you mean "${training.code}"?` });
      }
      expect(await head()).toBe(before);
    });

    it('an event type the measure does not count, saying what it does count', async () => {
      const headers = await keyFor(training.agencyId);
      const before = await head();
      const op = recordOp('PerformanceHeld', { ...base, title: 'A play', audience: 50, participants: undefined, days: undefined });
      const res = await t.gql(op.query, op.variables, headers);
      expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.measureCode' });
      expect(res.errors?.[0].message).toMatch(new RegExp(`${training.code.replaceAll('.', '\\.')} does not count PerformanceHeld: its indicators count .*TrainingDelivered`));
      expect(await head()).toBe(before);
    });

    it('negative money', async () => {
      const funds = measureCounting('FundsDisbursed');
      const headers = await keyFor(funds.agencyId);
      const before = await head();
      const op = recordOp('FundsDisbursed', { measureCode: funds.code, reportId: 'bad-money', occurredOn: '2023-03-01', amount: '-5', source: 'NATIONAL', purpose: 'x' });
      const res = await t.gql(op.query, op.variables, headers);
      expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.amount' });
      expect(await head()).toBe(before);
    });

    it.each(['0', '000'])('a disbursement of %s HUF', async (amount) => {
      const funds = measureCounting('FundsDisbursed');
      const headers = await keyFor(funds.agencyId);
      const before = await head();
      const op = recordOp('FundsDisbursed', { measureCode: funds.code, reportId: 'zero-money', occurredOn: '2023-03-01', amount, source: 'NATIONAL', purpose: 'x' });
      const res = await t.gql(op.query, op.variables, headers);
      expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.amount' });
      expect(res.errors?.[0].message).toMatch(/^input\.amount must be at least 1 HUF/);
      expect(await head()).toBe(before);
    });

    it('a measure the agency is not assigned to (FORBIDDEN, nothing appended)', async () => {
      // II.1.3 (border police training): Ministry of Interior with the National Police HQ only.
      const headers = await keyFor('hungarian-baptist-aid');
      const before = await head();
      const op = recordOp('TrainingDelivered', { ...base, measureCode: 'II.1.3' });
      const res = await t.gql(op.query, op.variables, headers);
      expect(res.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', rule: 'agency-not-assigned-to-measure', field: 'input.measureCode' });
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
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', field: 'input.reportId' });
  });

  const correctOp = (type: string, input: Record<string, unknown>) => ({
    query: `mutation ($input: Correct${type}Input!) { correct${type}(input: $input) { ${RECEIPT} } }`,
    variables: { input },
  });
  const retractOp = (input: Record<string, unknown>) => ({
    query: `mutation ($input: RetractReportInput!) { retractReport(input: $input) { ${RECEIPT} } }`,
    variables: { input },
  });

  it('keeps a correction and a retraction in the report history beside the original', async () => {
    const { code, agencyId } = measureCounting('TrainingDelivered');
    const headers = await keyFor(agencyId);
    const op = recordOp('TrainingDelivered', { measureCode: code, reportId: 'corr-1', occurredOn: '2023-02-01', title: 'Course', participants: 20, days: 2 });
    await t.gql(op.query, op.variables, headers);
    const fix = correctOp('TrainingDelivered', { reportId: 'corr-1', requestId: 'corr-1-fix', title: 'Course', participants: 18, days: 2, reason: 'Two did not attend' });
    const correction = await t.gql<{ correctTrainingDelivered: Record<string, unknown> }>(fix.query, fix.variables, headers);
    expect(correction.errors).toBeUndefined();
    expect(correction.data!.correctTrainingDelivered).toMatchObject({ eventType: 'ReportCorrected', revision: '1', duplicate: false });
    const before = await head();
    for (const [participants, field] of [[-1, 'input.participants'], [0, 'input.participants']] as const) {
      const bad = correctOp('TrainingDelivered', { reportId: 'corr-1', requestId: 'corr-1-fix-2', title: 'Course', participants, days: 2, reason: 'typo' });
      expect((await t.gql(bad.query, bad.variables, headers)).errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
    const wrongType = correctOp('MeetingHeld', { reportId: 'corr-1', requestId: 'corr-1-fix-3', title: 'WG', meetingKind: 'OTHER', reason: 'typo' });
    const refused = await t.gql(wrongType.query, wrongType.variables, headers);
    expect(refused.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.reportId' });
    expect(refused.errors?.[0].message).toContain('correctTrainingDelivered');
    expect(await head()).toBe(before);
    const withdraw = retractOp({ reportId: 'corr-1', requestId: 'corr-1-withdraw', reason: 'Entered under the wrong measure' });
    const retraction = await t.gql<{ retractReport: Record<string, unknown> }>(withdraw.query, withdraw.variables, headers);
    expect(retraction.data!.retractReport).toMatchObject({ eventType: 'ReportRetracted', revision: '2' });

    const history = await t.gql<{ reportHistory: { status: string; revision: string; events: Array<{ type: string; data: Record<string, unknown>; metadata: Record<string, unknown> }> } }>(
      `{ reportHistory(agencyId: "${agencyId}", reportId: "corr-1") { status revision events { id type stream revision position data metadata recordedAt } } }`,
      {},
      headers,
    );
    const h = history.data!.reportHistory;
    expect(h.status).toBe('RETRACTED');
    expect(h.revision).toBe('2');
    expect(h.events.map((e) => e.type)).toEqual(['TrainingDelivered', 'ReportCorrected', 'ReportRetracted']);
    expect(h.events[0].data).toMatchObject({ measureCode: code, details: { participants: 20 } });
    expect(h.events[1].data).toMatchObject({ details: { participants: 18 }, reason: 'Two did not attend', requestId: 'corr-1-fix' });
    expect(h.events[2].data).toMatchObject({ requestId: 'corr-1-withdraw' });
    expect(h.events[0].metadata).toMatchObject({ agencyId, principalRole: 'AGENCY', occurredOn: '2023-02-01', schemaVersion: 1 });
    expect(h.events[0].metadata).toHaveProperty('correlationId');
    expect(h.events[0].metadata).toHaveProperty('causationId');
    expect(h.events[0].metadata).toHaveProperty('recordedAt');
    expect(h.events[0].metadata).toHaveProperty('principalId');
  });

  it('answers a late retry of a correction with its first receipt, and a stale expectedRevision with CONFLICT (issue 16.1)', async () => {
    const { code, agencyId } = measureCounting('TrainingDelivered');
    const headers = await keyFor(agencyId);
    const op = recordOp('TrainingDelivered', { measureCode: code, reportId: 'late-1', occurredOn: '2023-02-01', title: 'Course', participants: 24, days: 2 });
    await t.gql(op.query, op.variables, headers);
    const to = (participants: number, requestId: string, expectedRevision?: string) =>
      correctOp('TrainingDelivered', { reportId: 'late-1', requestId, expectedRevision, title: 'Course', participants, days: 2, reason: 'Attendance sheet' });
    const first = (await t.gql<{ correctTrainingDelivered: Record<string, unknown> }>(to(22, 'late-1-a').query, to(22, 'late-1-a').variables, headers)).data!.correctTrainingDelivered;
    await t.gql(to(21, 'late-1-b', '1').query, to(21, 'late-1-b', '1').variables, headers);
    const before = await head();
    const retry = await t.gql<{ correctTrainingDelivered: Record<string, unknown> }>(to(22, 'late-1-a').query, to(22, 'late-1-a').variables, headers);
    expect(retry.data!.correctTrainingDelivered).toMatchObject({ eventId: first.eventId, position: first.position, duplicate: true });
    const stale = await t.gql(to(20, 'late-1-c', '1').query, to(20, 'late-1-c', '1').variables, headers);
    expect(stale.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', field: 'input.expectedRevision' });
    const reused = await t.gql(to(19, 'late-1-a').query, to(19, 'late-1-a').variables, headers);
    expect(reused.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', field: 'input.requestId' });
    expect(await head()).toBe(before);
    const history = await t.gql<{ reportHistory: { events: Array<{ data: { details?: { participants?: number } } }> } }>(
      `{ reportHistory(agencyId: "${agencyId}", reportId: "late-1") { events { data } } }`,
      {},
      headers,
    );
    expect(history.data!.reportHistory.events.at(-1)!.data.details?.participants).toBe(21);
  });

  it('corrects with the same typed input and enum spellings as recording (issue 16.6)', async () => {
    const campaign = measureCounting('CampaignConducted');
    const headers = await keyFor(campaign.agencyId);
    const op = recordOp('CampaignConducted', { measureCode: campaign.code, reportId: 'enum-1', occurredOn: '2023-02-01', title: 'Safe work', scope: 'NATIONAL' });
    expect((await t.gql(op.query, op.variables, headers)).errors).toBeUndefined();
    const local = correctOp('CampaignConducted', { reportId: 'enum-1', requestId: 'enum-1-a', title: 'Safe work', scope: 'LOCAL', reason: 'It ran in one county' });
    expect((await t.gql(local.query, local.variables, headers)).errors).toBeUndefined();
    const lower = correctOp('CampaignConducted', { reportId: 'enum-1', requestId: 'enum-1-b', title: 'Safe work', scope: 'national', reason: 'Back to national' });
    expect((await t.gql(lower.query, lower.variables, headers)).errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');

    const funds = measureCounting('FundsDisbursed');
    const fundsHeaders = await keyFor(funds.agencyId);
    const pay = recordOp('FundsDisbursed', { measureCode: funds.code, reportId: 'enum-2', occurredOn: '2023-03-01', amount: '1000', source: 'EU', purpose: 'Grant' });
    expect((await t.gql(pay.query, pay.variables, fundsHeaders)).errors).toBeUndefined();
    const national = correctOp('FundsDisbursed', { reportId: 'enum-2', requestId: 'enum-2-a', amount: '1500', source: 'NATIONAL', purpose: 'Grant', reason: 'Paid from national funds' });
    const fixed = await t.gql(national.query, national.variables, fundsHeaders);
    expect(fixed.errors).toBeUndefined();
    const zero = correctOp('FundsDisbursed', { reportId: 'enum-2', requestId: 'enum-2-b', amount: '0', source: 'NATIONAL', purpose: 'Grant', reason: 'typo' });
    expect((await t.gql(zero.query, zero.variables, fundsHeaders)).errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.amount' });
    const history = await t.gql<{ reportHistory: { events: Array<{ data: { details?: Record<string, unknown> } }> } }>(
      `{ reportHistory(agencyId: "${funds.agencyId}", reportId: "enum-2") { events { data } } }`,
      {},
      fundsHeaders,
    );
    expect(history.data!.reportHistory.events.at(-1)!.data.details).toMatchObject({ amount: '1500', source: 'national' });
  });

  it('answers reportHistory of an unknown report with NOT_FOUND (issue 16.9)', async () => {
    const { agencyId } = measureCounting('MeetingHeld');
    const res = await t.gql(`{ reportHistory(agencyId: "${agencyId}", reportId: "never-recorded") { reportId } }`, {}, await keyFor(agencyId));
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'NOT_FOUND', field: 'reportId' });
    // reportHistory is nullable (a role can be refused it): null at the field, with its error.
    expect(res.data).toEqual({ reportHistory: null });
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
