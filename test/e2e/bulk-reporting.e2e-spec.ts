import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { EVENT_CATALOGUE } from '@app/domain';
import type { Plan } from '@app/plan';
import { authHeader, issueTestKey } from './support/auth.js';
import { type GraphQLResponse, type TestApp, startTestApp } from './support/test-app.js';
import { withRateLimitClockStopped } from './support/frozen-clock.js';

const plan = parse(readFileSync('libs/plan/plans/hu-2022-2023.yaml', 'utf8')) as Plan;
const measures = plan.pillars.flatMap((p) => p.objectives.flatMap((o) => o.measures));
const training = measures.find((m) => m.indicators.some((i) => i.event === 'TrainingDelivered'))!;
const meeting = measures.find((m) => m.indicators.some((i) => i.event === 'MeetingHeld') && m.responsible[0] === training.responsible[0]);
const agencyId = training.responsible[0];

/** The catalogue example of `type` as GraphQL input (enum values in upper case). */
function example(type: string): Record<string, unknown> {
  const spec = EVENT_CATALOGUE.find((e) => e.type === type)!;
  const values: Record<string, unknown> = { ...spec.example };
  for (const f of spec.fields) if (f.kind === 'enum' && typeof values[f.name] === 'string') values[f.name] = (values[f.name] as string).toUpperCase().replace(/[^A-Z0-9]+/g, '_');
  return values;
}

const SUMMARY = `status dryRun atomic counts { total created duplicate refused valid ignored }
  rows { index type reportId status receipt { eventId stream position duplicate } errors { code field reason } }`;
const BULK = `mutation ($input: RecordReportsInput!) { recordReports(input: $input) { ${SUMMARY} } }`;

interface Summary {
  status: string;
  counts: Record<string, number>;
  rows: Array<{ index: number; status: string; reportId: string | null; receipt: { eventId: string; position: string; duplicate: boolean } | null; errors: Array<{ code: string; field: string; reason: string }> }>;
}

const trainingRow = (reportId: string, extra: Record<string, unknown> = {}) => ({
  trainingDelivered: { measureCode: training.code, reportId, occurredOn: '2023-03-01', title: 'Victim identification', participants: 12, days: 1, ...extra },
});

describe('bulk reporting (e2e)', () => {
  let t: TestApp;
  let auth: Record<string, string>;
  const head = async () => (await t.gql<{ health: { headPosition: string } }>('{ health { headPosition } }')).data!.health.headPosition;
  const bulk = async (reports: unknown[], options: { dryRun?: boolean; atomic?: boolean } = {}) => {
    const res = await t.gql<{ recordReports: Summary }>(BULK, { input: { reports, ...options } }, auth);
    expect(res.errors).toBeUndefined();
    return res.data!.recordReports;
  };

  beforeAll(async () => {
    t = await startTestApp({ env: { BULK_MAX_ROWS: '50' } });
    auth = authHeader(await issueTestKey(t, { role: 'AGENCY', agencyId }));
  }, 60_000);
  afterAll(async () => {
    await t.close({ removeData: true });
  });

  it('stores the good rows, refuses the bad ones each with its field and reason, and a retry stores nothing twice', async () => {
    const reports = [
      trainingRow('bulk-a1'),
      trainingRow('bulk-a2', { occurredOn: '2023-02-30' }),
      trainingRow('bulk-a3', { participants: 0 }),
      trainingRow('bulk-a4', { measureCode: 'XX.9.9' }),
      ...(meeting ? [{ meetingHeld: { measureCode: meeting.code, reportId: 'bulk-a5', occurredOn: '2023-04-02', ...example('MeetingHeld') } }] : []),
    ];
    const first = await bulk(reports);
    expect(first.status).toBe('WARNING');
    expect(first.rows.map((r) => r.status)).toEqual(['CREATED', 'REFUSED', 'REFUSED', 'REFUSED', ...(meeting ? ['CREATED'] : [])]);
    expect(first.rows[1].errors[0]).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'input.reports[1].trainingDelivered.occurredOn',
      reason: 'must be a real calendar date written YYYY-MM-DD (got "2023-02-30")',
    });
    expect(first.rows[2].errors[0]).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.reports[2].trainingDelivered.participants' });
    expect(first.rows[3].errors[0].field).toBe('input.reports[3].trainingDelivered.measureCode');
    expect(first.counts).toMatchObject({ total: reports.length, created: meeting ? 2 : 1, refused: 3, duplicate: 0 });
    expect(first.rows[0].receipt?.duplicate).toBe(false);

    const before = await head();
    const retry = await bulk(reports);
    expect(retry.rows.map((r) => r.status)).toEqual(['DUPLICATE', 'REFUSED', 'REFUSED', 'REFUSED', ...(meeting ? ['DUPLICATE'] : [])]);
    expect(retry.rows[0].receipt?.eventId).toBe(first.rows[0].receipt?.eventId);
    expect(retry.counts.created).toBe(0);
    expect(await head()).toBe(before);
  }, 60_000);

  it('dryRun validates and decides everything and stores nothing', async () => {
    const before = await head();
    const summary = await bulk([trainingRow('bulk-d1'), trainingRow('bulk-a1'), trainingRow('bulk-d2', { days: -1 })], { dryRun: true });
    expect(summary.rows.map((r) => r.status)).toEqual(['VALID', 'DUPLICATE', 'REFUSED']);
    expect(summary.rows[2].errors[0].field).toBe('input.reports[2].trainingDelivered.days');
    expect(await head()).toBe(before);
    // Nothing of the dry run was stored: the same rows for real are new.
    const real = await bulk([trainingRow('bulk-d1')]);
    expect(real.rows[0].status).toBe('CREATED');
  }, 60_000);

  it('a row repeating an earlier row of the same batch answers as the real run does, in dryRun too', async () => {
    const before = await head();
    const reused = trainingRow('bulk-in-1', { participants: 40 });
    const correct = { correctTrainingDelivered: { reportId: 'bulk-in-1', requestId: 'fix-in-1', reason: 'count was wrong', title: 'Victim identification', participants: 41, days: 1 } };
    const batch = [trainingRow('bulk-in-1'), trainingRow('bulk-in-2'), trainingRow('bulk-in-1'), reused, correct, correct];
    const expected = (first: string) => [first, first, 'DUPLICATE', 'REFUSED', first, 'DUPLICATE'];
    const dry = await bulk(batch, { dryRun: true });
    expect(dry.rows.map((r) => r.status)).toEqual(expected('VALID'));
    // A repeat of a row that was not stored has no receipt to answer with.
    expect(dry.rows[2].receipt).toBeNull();
    expect(dry.rows[3].errors[0]).toMatchObject({ field: expect.stringMatching(/^input\.reports\[3\]\.trainingDelivered/) });
    expect(await head()).toBe(before);

    const real = await bulk(batch);
    expect(real.rows.map((r) => r.status)).toEqual(expected('CREATED'));
    expect(real.rows[3].errors).toEqual(dry.rows[3].errors);
    // The repeat answers the receipt of the row it repeats.
    expect(real.rows[2].receipt?.eventId).toBe(real.rows[0].receipt?.eventId);
    expect(real.rows[5].receipt?.eventId).toBe(real.rows[4].receipt?.eventId);
    expect(real.counts).toMatchObject({ created: 3, duplicate: 2, refused: 1 });

    const atomic = await bulk([trainingRow('bulk-in-3'), trainingRow('bulk-in-3'), trainingRow('bulk-in-3', { days: 2 })], { atomic: true, dryRun: true });
    expect(atomic.rows.map((r) => r.status)).toEqual(['IGNORED', 'IGNORED', 'REFUSED']);
  }, 60_000);

  it('atomic stores nothing when one row is refused, and everything when none is', async () => {
    const before = await head();
    const refused = await bulk([trainingRow('bulk-t1'), trainingRow('bulk-t2', { occurredOn: '2031-01-01' }), trainingRow('bulk-t3')], { atomic: true });
    expect(refused.status).toBe('ERROR');
    expect(refused.rows.map((r) => r.status)).toEqual(['IGNORED', 'REFUSED', 'IGNORED']);
    expect(refused.rows[1].errors[0].field).toBe('input.reports[1].trainingDelivered.occurredOn');
    expect(await head()).toBe(before);
    const stored = await bulk([trainingRow('bulk-t1'), trainingRow('bulk-t3')], { atomic: true });
    expect(stored.rows.map((r) => r.status)).toEqual(['CREATED', 'CREATED']);
    expect(stored.status).toBe('OK');
  }, 60_000);

  it('atomic with a refusal answers a row stored before DUPLICATE with its first receipt, as without atomic; only the rest is IGNORED', async () => {
    const first = await bulk([trainingRow('bulk-s1'), trainingRow('bulk-s2')]);
    const receipts = first.rows.map((r) => r.receipt?.eventId);
    const before = await head();
    const batch = [trainingRow('bulk-s1'), trainingRow('bulk-s3'), trainingRow('bulk-s2'), trainingRow('bulk-s4', { participants: 0 })];
    for (const options of [{ atomic: true }, { atomic: true, dryRun: true }]) {
      const refused = await bulk(batch, options);
      expect(refused.status).toBe('ERROR');
      expect(refused.rows.map((r) => r.status)).toEqual(['DUPLICATE', 'IGNORED', 'DUPLICATE', 'REFUSED']);
      expect([refused.rows[0].receipt?.eventId, refused.rows[2].receipt?.eventId]).toEqual(receipts);
      expect(refused.rows[1].receipt).toBeNull();
      expect(refused.counts).toMatchObject({ duplicate: 2, ignored: 1, refused: 1, created: 0 });
      // The same rows without atomic: the stored ones answer alike.
      const plain = await bulk(batch, { dryRun: true });
      expect([plain.rows[0], plain.rows[2]]).toEqual([refused.rows[0], refused.rows[2]]);
    }
    expect(await head()).toBe(before);
    // Retrying a whole atomic batch answers its stored rows as the first run did.
    const good = batch.slice(0, 3);
    const stored = await bulk(good, { atomic: true });
    expect(stored.rows.map((r) => r.status)).toEqual(['DUPLICATE', 'CREATED', 'DUPLICATE']);
    const retry = await bulk(good, { atomic: true });
    expect(retry.rows.map((r) => r.status)).toEqual(['DUPLICATE', 'DUPLICATE', 'DUPLICATE']);
    expect(retry.rows.map((r) => r.receipt?.eventId)).toEqual(stored.rows.map((r) => r.receipt?.eventId));
  }, 60_000);

  it('says an empty or blank text, and one not given, in one wording: is required', async () => {
    const correction = (reason: string) => ({ correctTrainingDelivered: { reportId: 'bulk-a1', requestId: `blank-${reason.length}`, reason, title: 'Victim identification', participants: 13, days: 1 } });
    const summary = await bulk([trainingRow('blank-1', { title: '' }), trainingRow('blank-2', { title: '   ' }), correction(''), correction('  ')], { dryRun: true });
    expect(summary.rows.map((r) => r.errors.map((e) => [e.field, e.reason]))).toEqual([
      [['input.reports[0].trainingDelivered.title', 'is required']],
      [['input.reports[1].trainingDelivered.title', 'is required']],
      [['input.reports[2].correctTrainingDelivered.reason', 'is required']],
      [['input.reports[3].correctTrainingDelivered.reason', 'is required']],
    ]);
  }, 60_000);

  it('refuses a report with two members set, and a batch over BULK_MAX_ROWS, before anything is stored', async () => {
    const before = await head();
    const both = await t.gql(BULK, { input: { reports: [{ ...trainingRow('bulk-x1'), meetingHeld: { measureCode: training.code, reportId: 'x', occurredOn: '2023-04-02', ...example('MeetingHeld') } }] } }, auth);
    expect(both.errors?.[0].message).toMatch(/exactly one/i);
    const tooMany = await t.gql(BULK, { input: { reports: Array.from({ length: 51 }, (_, i) => trainingRow(`bulk-many-${i}`)) } }, auth);
    expect(tooMany.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.reports' });
    expect(tooMany.errors?.[0].message).toMatch(/51 reports, more than the 50/);
    expect(await head()).toBe(before);
  }, 60_000);

  it('refuses an empty batch as BAD_USER_INPUT on input.reports, in dryRun and atomic alike', async () => {
    const before = await head();
    for (const options of [{}, { dryRun: true }, { atomic: true }]) {
      const empty = await t.gql(BULK, { input: { reports: [], ...options } }, auth);
      expect(empty.data).toEqual({ recordReports: null });
      expect(empty.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.reports', reason: expect.stringMatching(/at least one report/) });
    }
    const literal = await t.gql(`mutation { recordReports(input: { reports: [] }) { status } }`, undefined, auth);
    expect(literal.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.reports' });
    expect(await head()).toBe(before);
  }, 60_000);

  it('names a field by one path whether GraphQL refuses the value (the whole request) or the row is refused (its summary row)', async () => {
    // 2.5 is no Int: GraphQL refuses the request before it runs.
    const coerced = await t.gql(BULK, { input: { reports: [trainingRow('path-0'), trainingRow('path-1', { participants: 2.5 })] } }, auth);
    expect(coerced.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.reports[1].trainingDelivered.participants' });
    // 0 is an Int below the minimum: the row is refused in its summary row, under the same path.
    const decided = await bulk([trainingRow('path-0'), trainingRow('path-1', { participants: 0 })], { dryRun: true });
    expect(decided.rows[1].errors).toEqual([{ code: 'BAD_USER_INPUT', field: 'input.reports[1].trainingDelivered.participants', reason: 'must not be less than 1' }]);
    const literal = await t.gql(
      `mutation { recordReports(input: { dryRun: true, reports: [{ trainingDelivered: { measureCode: "${training.code}", reportId: "path-2", occurredOn: "2023-03-01", title: "T", participants: "many", days: 1 } }] }) { status } }`,
      undefined,
      auth,
    );
    expect(literal.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.reports[0].trainingDelivered.participants' });
  }, 60_000);

  it('answers each aliased single mutation on its own: one refusal does not hide the receipts of the others', async () => {
    const query = `mutation ($a: RecordTrainingDeliveredInput!, $b: RecordTrainingDeliveredInput!, $c: RecordTrainingDeliveredInput!) {
      a: recordTrainingDelivered(input: $a) { reportId duplicate }
      b: recordTrainingDelivered(input: $b) { reportId duplicate }
      c: recordTrainingDelivered(input: $c) { reportId duplicate }
    }`;
    const res = await t.gql<Record<string, { reportId: string } | null>>(
      query,
      { a: trainingRow('alias-1').trainingDelivered, b: trainingRow('alias-2', { occurredOn: '2023-13-01' }).trainingDelivered, c: trainingRow('alias-3').trainingDelivered },
      auth,
    );
    expect(res.data).toEqual({ a: { reportId: 'alias-1', duplicate: false }, b: null, c: { reportId: 'alias-3', duplicate: false } });
    expect(res.errors).toHaveLength(1);
    expect(res.errors![0]).toMatchObject({ path: ['b'], extensions: { code: 'BAD_USER_INPUT', field: 'input.occurredOn' } });
  }, 60_000);
});

describe('bulk reporting against the rate limit (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { RATE_LIMIT_PER_MINUTE: '20', BULK_ROWS_PER_RATE_UNIT: '2' } });
  }, 60_000);
  afterAll(async () => {
    await t.close({ removeData: true });
  });

  /** POSTs a GraphQL operation, keeping the HTTP status and the Retry-After header. */
  const post = async (query: string, variables: Record<string, unknown>, auth: Record<string, string>) => {
    const response = await fetch(t.url, { method: 'POST', headers: { 'content-type': 'application/json', ...auth }, body: JSON.stringify({ query, variables }) });
    const body = (await response.json()) as Omit<GraphQLResponse<{ recordReports: Summary }>, 'status'>;
    return { ...body, status: response.status, retryAfter: response.headers.get('retry-after') };
  };
  const headPosition = async () => (await t.gql<{ health: { headPosition: string } }>('{ health { headPosition } }')).data!.health.headPosition;
  const rows = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => trainingRow(`${prefix}-${i}`));

  it('counts rows: a batch costing more than the budget left is refused as RATE_LIMITED (429, Retry-After) before anything is stored', async () => {
    const auth = authHeader(await issueTestKey(t, { role: 'AGENCY', agencyId }));
    // 20 per minute; the key's issue took none of this principal's budget. 20 rows = 10 units + 1 for the request.
    const [first, before, second] = await withRateLimitClockStopped(async () => {
      const stored = await post(BULK, { input: { reports: rows(20, 'rl-a') } }, auth);
      return [stored, await headPosition(), await post(BULK, { input: { reports: rows(20, 'rl-b'), atomic: true } }, auth)] as const;
    });
    expect(first).toMatchObject({ status: 200, retryAfter: null });
    expect(first.data?.recordReports.counts.created).toBe(20);
    // As the gate's own refusal: 429, the ledger's error shape, and the wait in the header too.
    expect(second.status).toBe(429);
    expect(second.errors?.[0].extensions).toMatchObject({ code: 'RATE_LIMITED', field: 'input.reports', retryAfter: expect.any(Number), limit: 20 });
    expect(second.errors?.[0].extensions).not.toHaveProperty('http');
    expect(second.errors?.[0].extensions?.retryAfter).toBeGreaterThan(0);
    expect(second.retryAfter).toBe(String(second.errors?.[0].extensions?.retryAfter));
    const never = await post(BULK, { input: { reports: rows(50, 'rl-c'), dryRun: true } }, auth);
    expect(never.errors?.[0].message).toMatch(/more than its 20 per minute: send fewer/);
    // It can never pass: 429, but no retryAfter to wait for, in the body or the header.
    expect(never.status).toBe(429);
    expect(never.errors?.[0].extensions).toMatchObject({ code: 'RATE_LIMITED', field: 'input.reports' });
    expect(never.errors?.[0].extensions).not.toHaveProperty('retryAfter');
    expect(never.retryAfter).toBeNull();
    expect(await headPosition()).toBe(before);
  }, 60_000);

  it('an upload whose rows are over the budget left answers 429 with Retry-After, as its own unit would', async () => {
    const auth = authHeader(await issueTestKey(t, { role: 'AGENCY', agencyId }));
    const base = t.url.replace(/\/graphql$/, '');
    const csv = (prefix: string, n: number) =>
      ['type,measureCode,reportId,occurredOn,title,participants,days', ...Array.from({ length: n }, (_, i) => `TrainingDelivered,${training.code},${prefix}-${i},2023-05-01,Course,7,1`)].join('\n');
    const upload = async (body: string) => {
      const response = await fetch(`${base}/imports/reports`, { method: 'POST', headers: { ...auth, 'content-type': 'text/csv' }, body });
      return { status: response.status, retryAfter: response.headers.get('retry-after'), body: (await response.json()) as Record<string, unknown> };
    };
    // 1 + 8 units, then 1 + 11 of the 11 left: over.
    const [stored, refused] = await withRateLimitClockStopped(async () => [await upload(csv('rl-f', 16)), await upload(csv('rl-g', 22))] as const);
    expect(stored.status).toBe(201);
    expect(refused).toMatchObject({ status: 429, body: { code: 'RATE_LIMITED', field: 'file', retryAfter: expect.any(Number) } });
    expect(refused.retryAfter).toBe(String(refused.body.retryAfter));
  }, 60_000);
});

describe('bulk reporting at the default configuration (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  }, 60_000);
  afterAll(async () => {
    await t.close({ removeData: true });
  });

  it('accepts a recordReports request of BULK_MAX_ROWS (10,000) reports: HTTP_BODY_LIMIT follows BULK_MAX_ROWS', async () => {
    const auth = authHeader(await issueTestKey(t, { role: 'AGENCY', agencyId }));
    const reports = Array.from({ length: 10_000 }, (_, i) => trainingRow(`full-batch-${String(i).padStart(5, '0')}`));
    // Larger than the former 1mb default, which refused it with 413.
    expect(JSON.stringify({ query: BULK, variables: { input: { reports, dryRun: true } } }).length).toBeGreaterThan(1024 * 1024);
    const res = await t.gql<{ recordReports: Summary }>(BULK, { input: { reports, dryRun: true } }, auth);
    expect(res.status).toBe(200);
    expect(res.errors).toBeUndefined();
    expect(res.data!.recordReports.counts).toMatchObject({ total: 10_000, valid: 10_000, refused: 0 });
  }, 180_000);
});
