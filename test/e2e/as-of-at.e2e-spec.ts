/**
 * An auditor's status as of a day, at a past point of the ledger (docs/audit.md, "at is not
 * asOf"): for several past positions P and days D inside months with reports, the measure's
 * status, progress, report count and indicator values with `asOf: D, at: { position: P }` (and
 * `at: { recordedAt }`) equal what the live api answered with `asOf: D` when the ledger was at P —
 * across reports on several days of a month, a correction moving one to another month and back,
 * and a retraction. The live answers are recorded as the ledger moves; the places and facilities
 * are also checked against sums worked out by hand.
 */
import { authHeader, issueTestKey } from './support/auth.js';
import { MHC, PLAN, type Report, recordReport, reportBuilders } from './support/season.js';
import { type TestApp, startTestApp } from './support/test-app.js';

const { r, capacity } = reportBuilders('asat');

const STUDY = r(MHC, 'StudyCompleted', 'II.3.3', '2022-11-30', { title: 'Feasibility study on therapeutic care' });
const MAY = capacity(MHC, 'II.3.3', '2023-05-20', 'Pécs', 0, 16);
const A = capacity(MHC, 'II.3.3', '2023-06-03', 'Budapest', 1, 1);
/** Corrected to 2023-07-05 (32 places), then back into June: 2023-06-12 (64 places). */
const B = capacity(MHC, 'II.3.3', '2023-06-10', 'Győr', 0, 2);
/** Retracted. */
const C = capacity(MHC, 'II.3.3', '2023-06-17', 'Szeged', 1, 4);
const D = capacity(MHC, 'II.3.3', '2023-06-24', 'Miskolc', 0, 8);
const JULY = capacity(MHC, 'II.3.3', '2023-07-08', 'Eger', 0, 128);

/** Days inside months with reports (and a few around them). */
const DAYS = ['2023-06-02', '2023-06-09', '2023-06-10', '2023-06-15', '2023-06-20', '2023-06-29', '2023-07-05', '2023-07-10'] as const;

/**
 * Places and facilities of II.3.3 on each day of DAYS, worked out by hand after each step (the
 * sums of the reports then counted and dated on or before the day).
 */
const BY_HAND: ReadonlyArray<{ readonly places: readonly number[]; readonly facilities: readonly number[] }> = [
  // 1: MAY 16 (05-20), A 1 (06-03), B 2 (06-10)
  { places: [16, 17, 19, 19, 19, 19, 19, 19], facilities: [0, 1, 1, 1, 1, 1, 1, 1] },
  // 2: + C 4 (06-17, 1 facility), D 8 (06-24)
  { places: [16, 17, 19, 19, 23, 31, 31, 31], facilities: [0, 1, 1, 1, 2, 2, 2, 2] },
  // 3: B corrected to 07-05, 32 places: out of June, into July
  { places: [16, 17, 17, 17, 21, 29, 61, 61], facilities: [0, 1, 1, 1, 2, 2, 2, 2] },
  // 4: C retracted
  { places: [16, 17, 17, 17, 17, 25, 57, 57], facilities: [0, 1, 1, 1, 1, 1, 1, 1] },
  // 5: B corrected back into June: 06-12, 64 places
  { places: [16, 17, 17, 81, 81, 89, 89, 89], facilities: [0, 1, 1, 1, 1, 1, 1, 1] },
  // 6: + JULY 128 (07-08)
  { places: [16, 17, 17, 81, 81, 89, 89, 217], facilities: [0, 1, 1, 1, 1, 1, 1, 1] },
];

type Answers = Record<string, unknown>;

/** Every query taking asOf, for each day of DAYS, in one request (one snapshot); `more` (at, atLeastPosition) on each. */
function query(more: string): string {
  const a = `, ${more}`;
  return `{
    ${DAYS.map(
      (day, i) => `
    m${i}: measure(code: "II.3.3", planId: "${PLAN}") {
      status(asOf: "${day}"${a}) statusReason(asOf: "${day}"${a}) progress(asOf: "${day}"${a}) reportCount(asOf: "${day}"${a})
      indicatorValues(asOf: "${day}"${a}) { key exactValue progress achieved byPeriod(granularity: MONTH) { period exactValue } }
    }
    p${i}: planProgress(planId: "${PLAN}", asOf: "${day}"${a}) { position measures meanProgress measuresWithProgress byStatus { notStarted inProgress achieved overdue } pillars { code meanProgress } }
    s${i}: measuresByStatus(status: ACHIEVED, planId: "${PLAN}", asOf: "${day}"${a}) { code }`,
    ).join('')}
  }`;
}

describe('asOf at a past point of the ledger: a day inside a month is exact (e2e)', () => {
  let t: TestApp;
  let agency: Record<string, string>;
  let auditor: Record<string, string>;
  /** After each step: the position the live answers were read at, its last event's recordedAt, and the answers. */
  const steps: Array<{ position: string; recordedAt: string; live: Answers }> = [];

  async function gql<T = Answers>(q: string, variables: Record<string, unknown> = {}, headers = auditor): Promise<T> {
    const res = await t.gql<T>(q, variables, headers);
    expect(res.errors).toBeUndefined();
    return res.data!;
  }

  const record = (report: Report): Promise<string> => recordReport(t, report, agency);

  async function correct(report: Report, requestId: string, occurredOn: string, places: number): Promise<string> {
    const input = report.input as { reportId: string; location: string; facilities: number };
    const data = await gql<{ correctCapacityCreated: { position: string } }>(
      `mutation ($input: CorrectCapacityCreatedInput!) { correctCapacityCreated(input: $input) { position } }`,
      { input: { reportId: input.reportId, requestId, facilityKind: 'designated places', location: input.location, facilities: input.facilities, places, occurredOn, reason: 'Date and count from the opening record' } },
      agency,
    );
    return data.correctCapacityCreated.position;
  }

  async function retract(report: Report, requestId: string): Promise<string> {
    const data = await gql<{ retractReport: { position: string } }>(
      `mutation ($input: RetractReportInput!) { retractReport(input: $input) { position } }`,
      { input: { reportId: (report.input as { reportId: string }).reportId, requestId, reason: 'Reported twice' } },
      agency,
    );
    return data.retractReport.position;
  }

  /** The live answers once the read models hold `written`, and the position and instant they were read at. */
  async function remember(written: string): Promise<void> {
    const live = await gql(query(`atLeastPosition: "${written}"`));
    const position = (live.p0 as { position: string }).position;
    expect(BigInt(position)).toBeGreaterThanOrEqual(BigInt(written));
    const last = await gql<{ events: { edges: Array<{ node: { position: string; recordedAt: string } }> } }>(
      '{ events(last: 1) { edges { node { position recordedAt } } } }',
    );
    // Nothing else writes meanwhile: the log's last event is the one read at.
    const node = last.events.edges[0].node;
    expect(node.position).toBe(position);
    // The next event is recorded after this instant (not in the same millisecond), so the instant names this position.
    while (Date.now() <= new Date(node.recordedAt).getTime()) await new Promise((resolve) => setTimeout(resolve, 1));
    steps.push({ position, recordedAt: node.recordedAt, live });
  }

  beforeAll(async () => {
    t = await startTestApp();
    agency = authHeader(await issueTestKey(t, { role: 'AGENCY', agencyId: MHC }));
    auditor = authHeader(await issueTestKey(t, { role: 'AUDITOR' }));
    await record(STUDY);
    await record(MAY);
    await record(A);
    await remember(await record(B));
    await record(C);
    await remember(await record(D));
    await remember(await correct(B, 'asat-b-july', '2023-07-05', 32));
    await remember(await retract(C, 'asat-c-twice'));
    await remember(await correct(B, 'asat-b-june', '2023-06-12', 64));
    await remember(await record(JULY));
  }, 180_000);
  afterAll(async () => {
    await t.close({ removeData: true });
  });

  const valueOf = (answers: Answers, i: number, key: string) =>
    (answers[`m${i}`] as { indicatorValues: Array<{ key: string; exactValue: string }> }).indicatorValues.find((v) => v.key === key)!.exactValue;

  it('the live answers as the ledger moved had the figures worked out by hand', () => {
    expect(steps).toHaveLength(BY_HAND.length);
    steps.forEach(({ live }, step) => {
      expect([step, DAYS.map((_, i) => Number(valueOf(live, i, 'places')))]).toEqual([step, BY_HAND[step].places]);
      expect([step, DAYS.map((_, i) => Number(valueOf(live, i, 'facilities')))]).toEqual([step, BY_HAND[step].facilities]);
    });
    // Study done, 2 facilities and 12 places by 20 June at step 2: achieved; after C's retraction, not.
    expect((steps[1].live.m4 as { status: string }).status).toBe('ACHIEVED');
    expect((steps[3].live.m4 as { status: string; progress: number }).progress).toBe(50);
  });

  it('with at: { position }, every past position answers each day exactly as the live api did then', async () => {
    for (const [step, { position, live }] of steps.entries()) {
      const replayed = await gql(query(`at: { position: "${position}" }`));
      expect([step, replayed]).toEqual([step, live]);
    }
  }, 180_000);

  it('with at: { recordedAt }, the same', async () => {
    for (const [step, { recordedAt, live }] of steps.entries()) {
      const replayed = await gql(query(`at: { recordedAt: "${recordedAt}" }`));
      expect([step, replayed]).toEqual([step, live]);
    }
  }, 180_000);

  it('one measure alone, asked first at a position (no plan evaluated before it in the request)', async () => {
    const { position } = steps[2];
    const alone = await gql<{ measure: { status: string; progress: number; reportCount: number } }>(
      `{ measure(code: "II.3.3", planId: "${PLAN}") { status(asOf: "2023-06-20", at: { position: "${position}" }) progress(asOf: "2023-06-20", at: { position: "${position}" }) reportCount(asOf: "2023-06-20", at: { position: "${position}" }) } }`,
    );
    // Step 3, 20 June: study, A, C (2 facilities), MAY + A + C = 21 places of 12: achieved; B is in July then.
    expect(alone.measure).toEqual({ status: 'ACHIEVED', progress: 100, reportCount: 4 });
  }, 60_000);
});
