import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { parse } from 'yaml';
import type { Measure, Plan } from '@app/plan';
import { AuditService } from '../../apps/api/src/audit/audit.service.js';
import { authAs } from './support/auth.js';
import { type GraphQLResponse, type TestApp, startTestApp } from './support/test-app.js';

const plan = parse(readFileSync('libs/plan/plans/hu-2022-2023.yaml', 'utf8')) as Plan;
const measures: Measure[] = plan.pillars.flatMap((p) => p.objectives.flatMap((o) => o.measures));
const shelters = measures.find((m) => m.indicators.some((i) => i.event === 'CapacityCreated' && i.field === 'places' && i.target !== undefined))!;
const funded = measures.find((m) => (m.funding.allocations?.length ?? 0) > 0)!;

interface Edge {
  cursor: string;
  node: { id: string; type: string; stream: string; revision: string; position: string; data: Record<string, unknown>; metadata: Record<string, unknown>; recordedAt: string };
}
interface Connection {
  edges: Edge[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

const EVENTS = `query ($first: Int, $after: String, $last: Int, $before: String, $order: EventOrder, $filter: EventFilter) {
  events(first: $first, after: $after, last: $last, before: $before, order: $order, filter: $filter) {
    edges { cursor node { id type stream revision position data metadata recordedAt } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}`;

/** Every projection query that takes `at`, in one request (one snapshot): what the test compares. */
const FIGURES = (at: string) => `{
  planProgress(planId: "${plan.id}", asOf: "2023-06-30"${at}) { position measures meanProgress byStatus { notStarted inProgress achieved overdue } pillars { code meanProgress byStatus { inProgress } } }
  inProgress: measuresByStatus(status: IN_PROGRESS, planId: "${plan.id}", asOf: "2023-06-30"${at}) { code }
  fundingSummary(planId: "${plan.id}"${at}) { position allocated disbursed measures { measureCode allocated disbursed disbursements } }
  agencyActivity(agencyId: "${shelters.responsible[0]}"${at}) { position reports lastReportOn lastRecordedAt reportsByType { type count } measuresReported { measureCode reports } }
  shelters: measure(code: "${shelters.code}", planId: "${plan.id}") {
    status(asOf: "2023-06-30"${at}) progress${at ? `(${at.slice(2)})` : ''} reportCount${at ? `(${at.slice(2)})` : ''}
    indicatorValues${at ? `(${at.slice(2)})` : ''} { key exactValue progress byPeriod(granularity: QUARTER) { period value } byAgency { agencyId value } }
  }
  funded: measure(code: "${funded.code}", planId: "${plan.id}") { fundingStatus${at ? `(${at.slice(2)})` : ''} { allocated disbursed } }
}`;

describe('audit (e2e)', () => {
  let t: TestApp;
  let auditor: Record<string, string>;
  let coordinator: Record<string, string>;
  let agency: Record<string, string>;
  let funder: Record<string, string>;

  const gql = async <T = Record<string, unknown>>(query: string, headers: Record<string, string>, variables?: Record<string, unknown>) =>
    t.gql<T>(query, variables, headers) as Promise<GraphQLResponse<T>>;
  const ok = <T>(res: GraphQLResponse<T>): T => {
    expect(res.errors).toBeUndefined();
    return res.data!;
  };
  const events = async (variables: Record<string, unknown>, headers = auditor) => ok(await gql<{ events: Connection }>(EVENTS, headers, variables)).events;

  const recordCapacity = async (reportId: string, places: number, occurredOn = '2023-02-10') => {
    const res = await gql<{ recordCapacityCreated: { position: string } }>(
      `mutation ($input: RecordCapacityCreatedInput!) { recordCapacityCreated(input: $input) { position } }`,
      agency,
      { input: { measureCode: shelters.code, reportId, occurredOn, facilityKind: 'shelter', location: `L-${reportId}`, facilities: 1, places } },
    );
    return ok(res).recordCapacityCreated.position;
  };
  const disburse = async (reportId: string, amount: string) => {
    const year = funded.funding.allocations![0].year;
    const res = await gql<{ recordFundsDisbursed: { position: string } }>(
      `mutation ($input: RecordFundsDisbursedInput!) { recordFundsDisbursed(input: $input) { position } }`,
      funder,
      { input: { measureCode: funded.code, reportId, occurredOn: `${year}-03-01`, amount, source: 'NATIONAL', purpose: 'instalment' } },
    );
    return ok(res).recordFundsDisbursed.position;
  };
  /** Every event, oldest first, read page by page. */
  const everything = async (filter?: Record<string, unknown>) => {
    const all: Edge[] = [];
    let after: string | null = null;
    for (;;) {
      const page: Connection = await events({ first: 4, after, filter });
      all.push(...page.edges);
      if (!page.pageInfo.hasNextPage) return all;
      after = page.pageInfo.endCursor;
    }
  };

  beforeAll(async () => {
    t = await startTestApp({ env: { READ_YOUR_WRITES_TIMEOUT_MS: '3000' } });
    auditor = await authAs(t, { role: 'AUDITOR' });
    coordinator = await authAs(t, { role: 'COORDINATOR' });
    agency = await authAs(t, { role: 'AGENCY', agencyId: shelters.responsible[0] });
    funder = await authAs(t, { role: 'AGENCY', agencyId: funded.responsible[0] });
  });
  afterAll(async () => {
    await t?.close({ removeData: true });
  });

  describe('events', () => {
    beforeAll(async () => {
      await recordCapacity('audit-1', 2);
      await recordCapacity('audit-2', 3, '2023-05-05');
      await disburse('audit-funds-1', '2500');
    });

    it('pages through the whole log, each node the full envelope', async () => {
      const all = await everything();
      const positions = all.map((e) => BigInt(e.node.position));
      expect(positions).toEqual([...positions].sort((a, b) => (a < b ? -1 : 1)));
      expect(new Set(positions).size).toBe(positions.length);
      expect(all[0].node).toMatchObject({ type: expect.any(String), revision: '0', metadata: expect.any(Object) });
      const report = all.find((e) => e.node.stream === `activity-${shelters.responsible[0]}/audit-2`)!;
      expect(report.node).toMatchObject({ type: 'CapacityCreated', data: { measureCode: shelters.code, occurredOn: '2023-05-05', details: { places: 3 } }, metadata: { agencyId: shelters.responsible[0] } });
      expect(new Date(report.node.recordedAt).getTime()).not.toBeNaN();

      const newest = await events({ first: 2, order: 'NEWEST_FIRST' });
      expect(newest.edges.map((e) => e.node.position)).toEqual([all[all.length - 1], all[all.length - 2]].map((e) => e.node.position));
      expect(newest.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
      const back = await events({ last: 3, before: all[5].cursor });
      expect(back.edges.map((e) => e.node.position)).toEqual(all.slice(2, 5).map((e) => e.node.position));
      expect(back.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: true });
    });

    it('filters by measure, agency, type, stream and dates', async () => {
      const byMeasure = await everything({ measureCode: shelters.code });
      expect(byMeasure.map((e) => e.node.stream)).toEqual([`activity-${shelters.responsible[0]}/audit-1`, `activity-${shelters.responsible[0]}/audit-2`]);
      const byType = await everything({ eventType: 'FundsDisbursed' });
      expect(byType.map((e) => e.node.data.measureCode)).toEqual([funded.code]);
      const byStream = await everything({ stream: `activity-${shelters.responsible[0]}/audit-1` });
      expect(byStream).toHaveLength(1);
      const byAgency = await everything({ agencyId: shelters.responsible[0], eventType: 'CapacityCreated' });
      expect(byAgency).toHaveLength(2);
      const byDate = await everything({ measureCode: shelters.code, occurredFrom: '2023-04-01', occurredTo: '2023-06-30' });
      expect(byDate.map((e) => e.node.data.occurredOn)).toEqual(['2023-05-05']);
      const all = await everything();
      const recordedAt = all[all.length - 1].node.metadata.recordedAt as string;
      const recent = await everything({ recordedFrom: recordedAt });
      expect(recent.map((e) => e.node.position)).toContain(all[all.length - 1].node.position);
      expect(await everything({ recordedTo: '2000-01-01T00:00:00.000Z' })).toEqual([]);
    });

    it('bounds the page size, refuses foreign cursors, and is for auditors only', async () => {
      const big = await gql(EVENTS, auditor, { first: 501 });
      expect(big.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
      expect(big.errors?.[0].message).toMatch(/first must be a whole number from 1 to 500/);
      const cursor = await gql(EVENTS, auditor, { first: 1, after: 'bm9wZQ' });
      expect(cursor.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
      const date = await gql(EVENTS, auditor, { filter: { occurredFrom: '2023-02-30' } });
      expect(date.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.occurredFrom' });
      expect((await gql(EVENTS, coordinator, { first: 1 })).errors?.[0].extensions?.code).toBe('FORBIDDEN');
      expect((await gql(EVENTS, agency, { first: 1 })).errors?.[0].extensions?.code).toBe('FORBIDDEN');
      expect((await gql(EVENTS, {}, { first: 1 })).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    });
  });

  describe('point in time', () => {
    it('answers exactly what the live queries answered at that moment', async () => {
      const position = await recordCapacity('pit-1', 4, '2023-03-03');
      await disburse('pit-funds-1', '1000');
      const last = await recordCapacity('pit-2', 1, '2023-04-04');
      // The live answers now: one request, one snapshot, at a position we read back.
      const live = ok(await gql<{ planProgress: { position: string } }>(FIGURES(`, atLeastPosition: "${last}"`), auditor));
      expect(BigInt(live.planProgress.position)).toBeGreaterThanOrEqual(BigInt(last));
      const then = live.planProgress.position;
      const events = await everything();
      const instant = events.find((e) => e.node.position === then)!.node.metadata.recordedAt as string;

      // The ledger moves on: more reports, a correction, a retraction, money.
      await recordCapacity('pit-3', 7, '2023-06-01');
      const corrected = await gql(
        `mutation ($input: CorrectCapacityCreatedInput!) { correctCapacityCreated(input: $input) { position } }`,
        agency,
        { input: { reportId: 'pit-1', requestId: 'pit-1-fix', occurredOn: '2023-03-03', facilityKind: 'shelter', location: 'L-pit-1', facilities: 1, places: 40, reason: 'miscounted' } },
      );
      ok(corrected);
      ok(await gql(`mutation ($input: RetractReportInput!) { retractReport(input: $input) { position } }`, agency, { input: { reportId: 'pit-2', requestId: 'pit-2-withdraw', reason: 'duplicate' } }));
      const now = await disburse('pit-funds-2', '7000');
      const moved = ok(await gql<{ planProgress: { position: string } }>(FIGURES(`, atLeastPosition: "${now}"`), auditor));
      expect(moved).not.toEqual(live);

      const atPosition = ok(await gql(FIGURES(`, at: { position: "${then}" }`), auditor));
      expect(atPosition).toEqual(live);
      const atInstant = ok(await gql(FIGURES(`, at: { recordedAt: "${instant}" }`), auditor));
      expect(atInstant).toEqual(live);
      expect(position).toBeDefined();
    });

    it('is for auditors (REPLAY), and refuses points that are not in the log', async () => {
      const asCoordinator = await gql(`{ planProgress(planId: "${plan.id}", at: { position: "1" }) { measures } }`, coordinator);
      expect(asCoordinator.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN' });
      const beyond = await gql(`{ planProgress(planId: "${plan.id}", at: { position: "99999999" }) { measures } }`, auditor);
      expect(beyond.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'at.position' });
      const both = await gql(`{ planProgress(planId: "${plan.id}", at: { position: "1", recordedAt: "2023-01-01T00:00:00Z" }) { measures } }`, auditor);
      expect(both.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'at' });
      const bad = await gql(`{ planProgress(planId: "${plan.id}", at: { position: "x1" }) { measures } }`, auditor);
      expect(bad.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'at.position' });
      // Before the plan was adopted there was no plan.
      const before = await gql(`{ planProgress(planId: "${plan.id}", at: { recordedAt: "2000-01-01T00:00:00Z" }) { measures } }`, auditor);
      expect(before.errors?.[0].extensions?.code).toBe('NOT_FOUND');
      // A measure asked for at that point says why it is not there, and names `at`.
      const code = plan.pillars[0].objectives[0].measures[0].code;
      const measureBefore = await gql(`{ measure(code: "${code}", planId: "${plan.id}") { indicatorValues(at: { recordedAt: "2000-01-01T00:00:00Z" }) { key } } }`, auditor);
      expect(measureBefore.errors?.[0].extensions).toMatchObject({ code: 'NOT_FOUND', field: 'at', reason: expect.stringMatching(/^is position 0, before plan \S+ held measure/) });
      expect(measureBefore.errors?.[0].message).toMatch(/at position 0: the ledger then held no events/);
    });
  });

  describe('verifyLedger', () => {
    const VERIFY = `query ($head: String, $full: Boolean) { verifyLedger(head: $head, full: $full) { ok head headHash headPosition sequence events linksCompared givenHeadFoundAt linkedPosition verifiedFrom wholeLogVerifiedAt mismatch { reason position sequence stream type message } } }`;
    interface Verification {
      ok: boolean;
      head: string;
      headHash: string;
      headPosition: string;
      events: number;
      linksCompared: number;
      givenHeadFoundAt: string | null;
      sequence: string;
      verifiedFrom: string;
      wholeLogVerifiedAt: string | null;
      mismatch: { reason: string; position: string; sequence: string; stream: string; message: string } | null;
    }
    const verify = async (head?: string, full?: boolean) => ok(await gql<{ verifyLedger: Verification }>(VERIFY, auditor, { head, full })).verifyLedger;

    it('recomputes the chain, compares it with the stored links, and checks a given head', async () => {
      const position = await recordCapacity('chain-1', 1);
      await t.app.get(AuditService).follower.waitForPosition(BigInt(position), 5_000);
      const first = await verify();
      expect(first).toMatchObject({ ok: true, mismatch: null });
      expect(first.head).toBe(`${first.headHash}@${first.headPosition}`);
      // From the head verified at start: the events since, each compared with its stored link.
      expect(first.linksCompared).toBe(first.events);
      expect(first.events).toBeGreaterThan(0);
      await recordCapacity('chain-2', 1);
      expect(await verify(first.head)).toMatchObject({ ok: true, givenHeadFoundAt: first.headPosition });
      const wrong = await gql(VERIFY, auditor, { head: 'abc' });
      expect(wrong.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'head' });
      expect((await gql(VERIFY, coordinator)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    });

    it('hashes only the events after the last verified head; full: true hashes the whole log', async () => {
      const before = await verify();
      expect(before.ok).toBe(true);
      expect(before.wholeLogVerifiedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
      const p1 = await recordCapacity('chain-inc-1', 1);
      const p2 = await recordCapacity('chain-inc-2', 1);
      await t.app.get(AuditService).follower.waitForPosition(BigInt(p2), 5_000);
      const next = await verify();
      expect(next).toMatchObject({ ok: true, verifiedFrom: before.headPosition, events: 2, headPosition: p2 });
      expect(next.linksCompared).toBe(2);
      expect(BigInt(p1)).toBeGreaterThan(BigInt(before.headPosition));
      // A head taken earlier, before the verified head: compared with the link stored there.
      expect(await verify(before.head)).toMatchObject({ ok: true, givenHeadFoundAt: before.headPosition, events: 0 });
      expect(await verify(`${'0'.repeat(64)}@${before.headPosition}`)).toMatchObject({ ok: false, mismatch: { reason: 'HEAD_MISMATCH', position: before.headPosition } });
      // …and the failed given head does not stick: the log itself is fine.
      expect((await verify()).ok).toBe(true);
      const whole = await verify(undefined, true);
      expect(whole).toMatchObject({ ok: true, verifiedFrom: '0', headPosition: p2 });
      expect(whole.events).toBe(Number(whole.sequence));
    });

    it('reports an event edited in place in the SQLite file, at its position (full: true), and keeps reporting it', async () => {
      const all = await everything({ measureCode: shelters.code });
      const victim = all[1].node;
      const db = new Database(join(t.dataDir, 'events.db'));
      db.prepare('UPDATE events SET data = ? WHERE position = ?').run(JSON.stringify({ ...victim.data, details: { ...(victim.data.details as object), places: 300 } }), Number(victim.position));
      db.close();
      const result = await verify(undefined, true);
      expect(result.ok).toBe(false);
      expect(result.mismatch).toMatchObject({ reason: 'EDITED', position: victim.position, stream: victim.stream });
      // Verified up to the event before it: the edited event's own link proves nothing.
      expect(BigInt(result.sequence)).toBe(BigInt(result.mismatch!.sequence) - 1n);
      expect(BigInt(result.headPosition)).toBeLessThan(BigInt(victim.position));
      expect(await verify()).toMatchObject({ ok: false, mismatch: { reason: 'EDITED', position: victim.position } });
    });
  });
});
