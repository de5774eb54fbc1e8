/**
 * An auditor's report list at a past point of the ledger (docs/audit.md, "Point in time"): for
 * several past positions P, `reports` (whole list, filters on values that change — status, the
 * business date a correction moves — and on values that do not, a second page through the live
 * answer's cursor) and `report` (one recorded after P: NOT_FOUND) with `at: { position: P }` (and
 * `at: { recordedAt }`) answer exactly what the live api answered when the ledger was at P. The
 * live answers are recorded as the ledger moves through a report, its corrections (one moving it
 * out of the first quarter and one back) and retractions; more is appended after the last.
 */
import { authHeader, issueTestKey } from './support/auth.js';
import { MHC, MOI, type Report, recordReport, reportBuilders } from './support/season.js';
import { type GraphQLResponse, type TestApp, startTestApp } from './support/test-app.js';

const { training, capacity } = reportBuilders('rat');

const T1 = training(MOI, '2023-03-01', 12);
const C1 = capacity(MHC, 'II.3.3', '2023-05-20', 'Pécs', 1, 16);
const T2 = training(MOI, '2023-04-10', 30);
const T3 = training(MOI, '2023-02-14', 8);
const T4 = training(MOI, '2023-03-30', 15);

const idOf = (report: Report) => (report.input as { reportId: string }).reportId;

const NODE = 'agencyId reportId planId measureCode eventType occurredOn details status corrections retractionReason recordedAt updatedAt stream position';
const LIST = `totalCount position pageInfo { hasNextPage endCursor } edges { cursor node { ${NODE} } }`;

/** Every list and lookup in one request (one snapshot); `more` (atLeastPosition or at) on each. */
function query(more: string): string {
  const a = `, ${more}`;
  return `{
    all: reports(first: 50${a}) { ${LIST} }
    firstTwo: reports(first: 2${a}) { ${LIST} }
    active: reports(filter: { status: ACTIVE }${a}) { ${LIST} }
    retracted: reports(filter: { status: RETRACTED }${a}) { ${LIST} }
    firstQuarter: reports(filter: { occurredFrom: "2023-01-01", occurredTo: "2023-03-31" }${a}) { ${LIST} }
    moiTrainings: reports(filter: { agencyId: "${MOI}", measureCode: "II.1.3", eventType: "TrainingDelivered" }${a}) { ${LIST} }
    mhc: reports(filter: { agencyId: "${MHC}", status: ACTIVE }${a}) { ${LIST} }
    byId: reports(filter: { reportId: "${idOf(T2)}" }${a}) { ${LIST} }
    ${[T1, C1, T2, T3, T4].map((r, i) => `r${i}: report(agencyId: "${r.agency}", reportId: "${idOf(r)}"${a}) { ${NODE} }`).join('\n    ')}
  }`;
}

/** The page after `after`, of the list `firstTwo` asks. */
const secondPage = (more: string, after: string) => `{ next: reports(first: 2, after: "${after}", ${more}) { ${LIST} } }`;

type Answer = Omit<GraphQLResponse, 'status'>;

describe('reports and report at a past point of the ledger (e2e)', () => {
  let t: TestApp;
  const agency: Record<string, Record<string, string>> = {};
  let auditor: Record<string, string>;
  let coordinator: Record<string, string>;
  /** After each step: the position the live answers were read at, its last event's recordedAt, the answers, and the second page. */
  const steps: Array<{ position: string; recordedAt: string; live: Answer; next: Answer | undefined }> = [];

  /** The whole answer (data and errors) but the HTTP status, which a NOT_FOUND among the lookups does not change. */
  async function ask(q: string, headers = auditor): Promise<Answer> {
    const { status, ...body } = await t.gql(q, {}, headers);
    expect(status).toBe(200);
    return body;
  }

  const record = (report: Report): Promise<string> => recordReport(t, report, agency[report.agency]);

  async function mutate(report: Report, mutation: string, input: Record<string, unknown>): Promise<string> {
    const res = await t.gql<Record<string, { position: string }>>(
      `mutation ($input: ${mutation[0].toUpperCase()}${mutation.slice(1)}Input!) { ${mutation}(input: $input) { position } }`,
      { input },
      agency[report.agency],
    );
    expect(res.errors).toBeUndefined();
    return res.data![mutation].position;
  }

  const correctTraining = (report: Report, requestId: string, occurredOn: string, participants: number) =>
    mutate(report, 'correctTrainingDelivered', { reportId: idOf(report), requestId, reason: 'Attendance sheet recounted', title: 'Victim identification at border controls', participants, days: 2, occurredOn });
  const correctCapacity = (report: Report, requestId: string, places: number) =>
    mutate(report, 'correctCapacityCreated', { reportId: idOf(report), requestId, reason: 'Places from the opening record', facilityKind: 'designated places', location: 'Pécs', facilities: 1, places });
  const retract = (report: Report, requestId: string) => mutate(report, 'retractReport', { reportId: idOf(report), requestId, reason: 'Reported twice' });

  /** The log's last position. */
  async function head(): Promise<string> {
    const last = await ask('{ events(last: 1) { edges { node { position } } } }');
    return (last.data!.events as { edges: Array<{ node: { position: string } }> }).edges[0].node.position;
  }

  /** The live answers once the read models hold `written`, and the position and instant they were read at. */
  async function remember(written: string): Promise<void> {
    const live = await ask(query(`atLeastPosition: "${written}"`));
    const position = (live.data!.all as { position: string }).position;
    expect(BigInt(position)).toBeGreaterThanOrEqual(BigInt(written));
    const cursor = (live.data!.firstTwo as { pageInfo: { endCursor: string | null } }).pageInfo.endCursor;
    const next = cursor ? await ask(secondPage(`atLeastPosition: "${written}"`, cursor)) : undefined;
    const last = await ask('{ events(last: 1) { edges { node { position recordedAt } } } }');
    // Nothing else writes meanwhile: the log's last event is the one read at.
    const node = (last.data!.events as { edges: Array<{ node: { position: string; recordedAt: string } }> }).edges[0].node;
    expect(node.position).toBe(position);
    // The next event is recorded after this instant (not in the same millisecond), so the instant names this position.
    while (Date.now() <= new Date(node.recordedAt).getTime()) await new Promise((resolve) => setTimeout(resolve, 1));
    steps.push({ position, recordedAt: node.recordedAt, live, next });
  }

  beforeAll(async () => {
    t = await startTestApp();
    agency[MOI] = authHeader(await issueTestKey(t, { role: 'AGENCY', agencyId: MOI }));
    agency[MHC] = authHeader(await issueTestKey(t, { role: 'AGENCY', agencyId: MHC }));
    auditor = authHeader(await issueTestKey(t, { role: 'AUDITOR' }));
    coordinator = authHeader(await issueTestKey(t, { role: 'COORDINATOR' }));
    // Before any report: empty lists, every lookup NOT_FOUND.
    await remember(await head());
    await remember(await record(T1));
    await record(C1);
    await remember(await record(T2));
    // T1 moved out of the first quarter, with other figures.
    await remember(await correctTraining(T1, 'rat-t1-june', '2023-06-02', 20));
    await remember(await retract(T2, 'rat-t2-out'));
    await record(T3);
    await remember(await correctCapacity(C1, 'rat-c1-places', 18));
    // T1 back into the first quarter.
    await remember(await correctTraining(T1, 'rat-t1-march', '2023-03-02', 19));
    // Appended after the last remembered point: changes every report again.
    await record(T4);
    await retract(T3, 'rat-t3-out');
    await correctCapacity(C1, 'rat-c1-again', 20);
    await correctTraining(T1, 'rat-t1-final', '2023-03-03', 18);
    await retract(T1, 'rat-t1-out');
  }, 180_000);
  afterAll(async () => {
    await t.close({ removeData: true });
  });

  it('the live answers as the ledger moved saw each step (else the comparison below would prove little)', () => {
    const of = (step: number, list: string) => (steps[step].live.data![list] as { totalCount: number }).totalCount;
    expect(steps.map((_, i) => [of(i, 'all'), of(i, 'retracted'), of(i, 'firstQuarter')])).toEqual([
      [0, 0, 0],
      [1, 0, 1],
      [3, 0, 1],
      [3, 0, 0],
      [3, 1, 0],
      [4, 1, 1],
      [4, 1, 2],
    ]);
    // A report not yet recorded was NOT_FOUND live; T1 corrected twice by the last step.
    expect(steps[1].live.errors?.map((e) => [e.path, e.extensions?.code])).toContainEqual([['r1'], 'NOT_FOUND']);
    expect(steps[6].live.data!.r0).toMatchObject({ corrections: 2, occurredOn: '2023-03-02', details: { participants: 19 }, status: 'ACTIVE' });
    expect(steps.filter((s) => s.next !== undefined).length).toBeGreaterThan(2);
  });

  it('with at: { position }, each past position answers every list, page and lookup exactly as the live api did then', async () => {
    for (const [step, { position, live, next }] of steps.entries()) {
      const at = `at: { position: "${position}" }`;
      expect([step, await ask(query(at))]).toEqual([step, live]);
      if (next) {
        // The live answer's cursor pages at the past point as it did live.
        const cursor = (live.data!.firstTwo as { pageInfo: { endCursor: string } }).pageInfo.endCursor;
        expect([step, await ask(secondPage(at, cursor))]).toEqual([step, next]);
      }
    }
  }, 180_000);

  it('with at: { recordedAt }, the same; atLeastPosition is ignored beside at', async () => {
    for (const [step, { recordedAt, live }] of steps.entries()) {
      expect([step, await ask(query(`at: { recordedAt: "${recordedAt}" }`))]).toEqual([step, live]);
    }
    const { position, live } = steps[3];
    expect(await ask(query(`at: { position: "${position}" }, atLeastPosition: "999999999"`))).toEqual(live);
  }, 180_000);

  it('refuses at to a coordinator and an agency (FORBIDDEN, REPLAY is the auditors’), and a position beyond the log (BAD_USER_INPUT at.position)', async () => {
    const { position } = steps[2];
    const asks = [
      `{ reports(at: { position: "${position}" }) { totalCount } }`,
      `{ report(agencyId: "${MOI}", reportId: "${idOf(T1)}", at: { position: "${position}" }) { status } }`,
    ];
    for (const q of asks) {
      for (const who of [coordinator, agency[MOI]]) {
        const res = await t.gql(q, {}, who);
        expect(res.data).toEqual({ [q.includes('reports(') ? 'reports' : 'report']: null });
        expect(res.errors?.map((e) => [e.extensions?.code, e.extensions?.rule])).toEqual([['FORBIDDEN', 'role-not-permitted']]);
      }
    }
    const end = await head();
    for (const q of asks.map((q) => q.replace(`"${position}"`, `"${BigInt(end) + 1n}"`))) {
      const res = await t.gql(q, {}, auditor);
      expect(res.errors?.map((e) => [e.extensions?.code, e.extensions?.field])).toEqual([['BAD_USER_INPUT', 'at.position']]);
    }
  }, 60_000);

  it('live, the same queries answer the ledger as it now stands (more was appended after the last point)', async () => {
    const now = await ask(query('atLeastPosition: "1"'));
    const last = steps[steps.length - 1].live;
    expect(now.data!.r0).toMatchObject({ status: 'RETRACTED', corrections: 3 });
    expect(now.data!.all).not.toEqual(last.data!.all);
  }, 60_000);
});
