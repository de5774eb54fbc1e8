import { jest } from '@jest/globals';
import { authHeader, issueTestKey } from './support/auth.js';
import { type GraphQLResponse, type TestApp, startTestApp } from './support/test-app.js';

jest.setTimeout(120_000);

/** An instant written with another offset: same instant, other wall clock. */
function withOffset(iso: string, offsetMinutes: number): string {
  const local = new Date(new Date(iso).getTime() + offsetMinutes * 60_000).toISOString().slice(0, 23);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

describe('answers do not depend on the server time zone (e2e)', () => {
  let dataDir: string | undefined;
  let recordedAt = '';
  const keys: Record<string, Record<string, string>> = {};

  /** Every query here takes or answers an instant or a date. */
  async function answers(t: TestApp): Promise<unknown[]> {
    const at = recordedAt;
    const ask = async (query: string, as: string) => {
      const res: GraphQLResponse = await t.gql(query, undefined, keys[as]);
      return { data: res.data, errors: res.errors?.map((e) => ({ code: e.extensions?.code, field: e.extensions?.field })) };
    };
    const events = (filter: string) => ask(`{ events(first: 50, filter: { ${filter} }) { edges { node { position type recordedAt } } } }`, 'auditor');
    return [
      await events(`recordedTo: "${at}"`),
      await events(`recordedTo: "${withOffset(at, -480)}"`),
      await events(`recordedFrom: "${withOffset(at, 330)}"`),
      await events('recordedTo: "2026-11-25T12:00:00"'), // no offset: refused, never read as local time
      await ask(`{ planProgress(planId: "hu-2022-2023", at: { recordedAt: "${withOffset(at, -480)}" }) { byStatus { notStarted inProgress achieved overdue } } }`, 'auditor'),
      await ask('{ overdueMeasures(asOf: "2023-07-01") { code } }', 'coordinator'),
      await ask('{ measure(code: "II.1.3") { status(asOf: "2023-01-01") indicatorValues { key exactValue byPeriod(granularity: QUARTER) { period exactValue } } } }', 'coordinator'),
      await ask('{ apiKeys { keyId issuedAt } }', 'admin'),
    ];
  }

  it('gives the same answers under TZ=UTC and TZ=America/Los_Angeles', async () => {
    const utc = await startTestApp({ env: { TZ: 'UTC' } });
    let first: unknown[];
    try {
      dataDir = utc.dataDir;
      keys.agency = authHeader(await issueTestKey(utc, { role: 'AGENCY', agencyId: 'ministry-of-interior' }));
      keys.auditor = authHeader(await issueTestKey(utc, { role: 'AUDITOR' }));
      keys.coordinator = authHeader(await issueTestKey(utc, { role: 'COORDINATOR' }));
      keys.admin = authHeader(await issueTestKey(utc, { role: 'ADMIN' }));
      // Reports dated at quarter boundaries, where a local-time reading would move them.
      for (const [reportId, occurredOn] of [['tz-1', '2023-03-31'], ['tz-2', '2023-04-01'], ['tz-3', '2023-01-01']]) {
        const res = await utc.gql(
          'mutation ($input: RecordTrainingDeliveredInput!) { recordTrainingDelivered(input: $input) { position } }',
          { input: { measureCode: 'II.1.3', reportId, occurredOn, title: 'Border control course', participants: 10, days: 1 } },
          keys.agency,
        );
        expect(res.errors).toBeUndefined();
      }
      const recorded = await utc.gql<{ events: { edges: Array<{ node: { recordedAt: string } }> } }>(
        '{ events(first: 1, order: NEWEST_FIRST) { edges { node { recordedAt } } } }',
        undefined,
        keys.auditor,
      );
      recordedAt = recorded.data!.events.edges[0].node.recordedAt;
      first = await answers(utc);
    } finally {
      await utc.close();
    }

    const pacific = await startTestApp({ dataDir, env: { TZ: 'America/Los_Angeles' } });
    try {
      // The zone is in force in this process: the wall clock is 7 or 8 hours behind UTC.
      expect([420, 480]).toContain(new Date(2026, 10, 25).getTimezoneOffset());
      const second = await answers(pacific);
      expect(second).toEqual(first);
    } finally {
      await pacific.close({ removeData: true });
    }
    // What the answers say, so equality is not equality of two failures.
    const [upTo, upToPacific, from, noOffset, progress] = first as Array<{ data?: Record<string, { edges?: unknown[] }>; errors?: Array<{ code: unknown; field: unknown }> }>;
    expect(upTo.data?.events.edges?.length).toBeGreaterThan(3);
    expect(upToPacific).toEqual(upTo);
    expect(from.data?.events.edges?.length).toBeGreaterThanOrEqual(1);
    expect(noOffset.errors).toEqual([{ code: 'BAD_USER_INPUT', field: 'filter.recordedTo' }]);
    expect(progress.errors).toBeUndefined();
  });
});
