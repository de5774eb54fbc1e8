import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { spawnTs, watchLines } from '../fault/support/spawn-ts.js';

jest.setTimeout(240_000);

const ADMIN_KEY = `apl_TzAdminKey01_${'A'.repeat(43)}`;

/** An instant written with another offset: same instant, other wall clock. */
function withOffset(iso: string, offsetMinutes: number): string {
  const local = new Date(new Date(iso).getTime() + offsetMinutes * 60_000).toISOString().slice(0, 23);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

interface Api {
  gql(query: string, variables: Record<string, unknown> | undefined, key: string): Promise<{ data?: Record<string, unknown>; errors?: Array<{ extensions?: Record<string, unknown> }> }>;
  stop(): Promise<void>;
}

/** The api in its own process (main.ts), with its own TZ: the zone is read by the process at start. */
async function startApi(dataDir: string, tz: string): Promise<Api> {
  const child = spawnTs('apps/api/src/main.ts', [], { DATA_DIR: dataDir, PORT: '0', NODE_ENV: 'test', TZ: tz, ADMIN_API_KEY: ADMIN_KEY, LOG_FORMAT: 'json', LOG_LEVEL: 'info', RATE_LIMIT_PER_MINUTE: '0' });
  let url = '';
  let listening!: () => void;
  const ready = new Promise<void>((resolve) => (listening = resolve));
  const exited = watchLines(child, (line) => {
    const match = /GraphQL at http:\/\/localhost:(\d+)\/graphql/.exec(line);
    if (match) {
      url = `http://127.0.0.1:${match[1]}/graphql`;
      listening();
    }
  });
  await Promise.race([ready, exited.then((e) => Promise.reject(new Error(`api exited: ${e.stderr}`)))]);
  return {
    async gql(query, variables, key) {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify({ query, variables }) });
      return (await res.json()) as never;
    },
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

describe('answers do not depend on the server time zone (e2e, spawned api)', () => {
  it('gives the same answers under TZ=UTC and TZ=America/Los_Angeles', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'apl-tz-'));
    const keys: Record<string, string> = { admin: ADMIN_KEY };
    let recordedAt = '';

    /** Every query here takes or answers an instant or a date. */
    const answers = async (api: Api) => {
      const ask = async (query: string, as: string) => {
        const res = await api.gql(query, undefined, keys[as]);
        return { data: res.data, errors: res.errors?.map((e) => ({ code: e.extensions?.code, field: e.extensions?.field })) };
      };
      const events = (filter: string) => ask(`{ events(first: 50, filter: { ${filter} }) { edges { node { position type recordedAt } } } }`, 'auditor');
      return [
        await events(`recordedTo: "${recordedAt}"`),
        await events(`recordedTo: "${withOffset(recordedAt, -480)}"`),
        await events(`recordedFrom: "${withOffset(new Date(new Date(recordedAt).getTime() - 3_600_000).toISOString(), 330)}"`),
        await events('recordedTo: "2026-11-25T12:00:00"'), // no offset: refused, never read as local time
        await ask(`{ planProgress(planId: "hu-2022-2023", at: { recordedAt: "${withOffset(recordedAt, -480)}" }) { byStatus { notStarted inProgress achieved overdue } } }`, 'auditor'),
        await ask('{ overdueMeasures(asOf: "2023-07-01") { code } }', 'coordinator'),
        await ask('{ measure(code: "II.1.3") { status(asOf: "2023-01-01") indicatorValues { key exactValue byPeriod(granularity: QUARTER) { period exactValue } } } }', 'coordinator'),
        await ask('{ apiKeys { keyId issuedAt } }', 'admin'),
      ];
    };

    let first: unknown[];
    const utc = await startApi(dataDir, 'UTC');
    try {
      for (const [name, role, agencyId] of [['agency', 'AGENCY', 'ministry-of-interior'], ['auditor', 'AUDITOR'], ['coordinator', 'COORDINATOR']]) {
        const issued = await utc.gql('mutation ($input: IssueApiKeyInput!) { issueApiKey(input: $input) { key } }', { input: { role, agencyId, label: `tz ${name}` } }, ADMIN_KEY);
        keys[name] = (issued.data!.issueApiKey as { key: string }).key;
      }
      // Reports dated at quarter boundaries, where a local-time reading would move them.
      for (const [reportId, occurredOn] of [['tz-1', '2023-03-31'], ['tz-2', '2023-04-01'], ['tz-3', '2023-01-01']]) {
        const res = await utc.gql(
          'mutation ($input: RecordTrainingDeliveredInput!) { recordTrainingDelivered(input: $input) { position } }',
          { input: { measureCode: 'II.1.3', reportId, occurredOn, title: 'Border control course', participants: 10, days: 1 } },
          keys.agency,
        );
        expect(res.errors).toBeUndefined();
      }
      const recorded = await utc.gql('{ events(first: 1, order: NEWEST_FIRST) { edges { node { recordedAt } } } }', undefined, keys.auditor);
      recordedAt = (recorded.data!.events as { edges: Array<{ node: { recordedAt: string } }> }).edges[0].node.recordedAt;
      first = await answers(utc);
    } finally {
      await utc.stop();
    }

    const pacific = await startApi(dataDir, 'America/Los_Angeles');
    try {
      expect(await answers(pacific)).toEqual(first);
    } finally {
      await pacific.stop();
      rmSync(dataDir, { recursive: true, force: true });
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
