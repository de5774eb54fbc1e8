import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { embeddedStoreFile, SqliteEventStore } from '@app/event-store';
import { spawnTs, watchLines } from './support/spawn-ts.js';

const ADMIN_KEY = `apl_faulttestblk_${'b'.repeat(43)}`;
/**
 * Three batches of 5,000 (the bulk path's unit of one appendMany without `atomic`): the test kills
 * the api as soon as the first is in the file, while two are still to be decided and stored.
 */
const ROWS = 15_000;

async function gql<T>(url: string, query: string, variables: Record<string, unknown>, key: string): Promise<{ data?: T; errors?: Array<{ message: string }> }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify({ query, variables }) });
  return (await res.json()) as { data?: T; errors?: Array<{ message: string }> };
}

/** Starts the api on `dataDir`; resolves with its GraphQL URL and the promise of its exit. */
async function startApi(dataDir: string) {
  const child = spawnTs('apps/api/src/main.ts', [], { DATA_DIR: dataDir, PORT: '0', NODE_ENV: 'test', ADMIN_API_KEY: ADMIN_KEY, RATE_LIMIT_PER_MINUTE: '0', HTTP_BODY_LIMIT: '20mb', BULK_MAX_ROWS: String(ROWS) });
  let url: string | undefined;
  let listening!: () => void;
  const ready = new Promise<void>((resolve) => (listening = resolve));
  const exited = watchLines(child, (line) => {
    const match = /GraphQL at (http:\/\/localhost:\d+\/graphql)/.exec(line);
    if (match) {
      url = match[1];
      listening();
    }
  });
  await Promise.race([ready, exited.then((e) => Promise.reject(new Error(`server exited: ${e.stderr}`)))]);
  return { child, url: url!, exited };
}

const BULK = 'mutation ($input: RecordReportsInput!) { recordReports(input: $input) { counts { created duplicate refused } rows { reportId status } } }';
const HEAD = '{ health { headPosition } }';
interface Counts {
  recordReports: { counts: { created: number; duplicate: number; refused: number }; rows: Array<{ reportId: string; status: string }> };
}

describe('bulk reporting cut by SIGKILL (fault)', () => {
  it('stores each row of a killed batch whole or not at all; the retry answers the stored ones DUPLICATE and stores the rest once', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'apl-bulk-kill-'));
    const reports = Array.from({ length: ROWS }, (_, i) => ({
      trainingDelivered: { measureCode: 'II.1.3', reportId: `cut-${i}`, occurredOn: '2023-05-02', title: 'Border control course', participants: 1 + (i % 40), days: 1 },
    }));
    let api: Awaited<ReturnType<typeof startApi>> | undefined;
    try {
      api = await startApi(dataDir);
      const issued = await gql<{ issueApiKey: { key: string } }>(
        api.url,
        'mutation ($input: IssueApiKeyInput!) { issueApiKey(input: $input) { key } }',
        { input: { role: 'AGENCY', agencyId: 'ministry-of-interior', label: 'bulk fault test' } },
        ADMIN_KEY,
      );
      const key = issued.data!.issueApiKey.key;
      const start = BigInt((await gql<{ health: { headPosition: string } }>(api.url, HEAD, {}, key)).data!.health.headPosition);
      const batch = gql<Counts>(api.url, BULK, { input: { reports } }, key).catch(() => undefined);
      // Kill once part of the batch is stored: the head moves while the request is running. The
      // file is watched directly (a WAL reader beside the api), not through the busy api.
      const watcher = SqliteEventStore.open(embeddedStoreFile(dataDir));
      try {
        while ((await watcher.headPosition()) < start + 200n) await new Promise((r) => setTimeout(r, 5));
      } finally {
        await watcher.close();
      }
      api.child.kill('SIGKILL');
      expect((await api.exited).signal).toBe('SIGKILL');
      expect(await batch).toBeUndefined(); // never answered

      const stored = SqliteEventStore.open(embeddedStoreFile(dataDir));
      const before = new Map<string, number>();
      try {
        for (let i = 0; i < ROWS; i++) before.set(`cut-${i}`, (await stored.readStream(`activity-ministry-of-interior/cut-${i}`)).length);
      } finally {
        await stored.close();
      }
      const storedBefore = [...before.values()].filter((n) => n === 1).length;
      expect([...before.values()].every((n) => n === 0 || n === 1)).toBe(true);
      expect(storedBefore).toBeGreaterThan(0);
      expect(storedBefore).toBeLessThan(ROWS);

      api = await startApi(dataDir);
      const retry = await gql<Counts>(api.url, BULK, { input: { reports } }, key);
      expect(retry.errors).toBeUndefined();
      expect(retry.data!.recordReports.counts).toEqual({ created: ROWS - storedBefore, duplicate: storedBefore, refused: 0 });
      for (const row of retry.data!.recordReports.rows) expect(row.status).toBe(before.get(row.reportId) === 1 ? 'DUPLICATE' : 'CREATED');
      api.child.kill('SIGKILL');
      await api.exited;

      const after = SqliteEventStore.open(embeddedStoreFile(dataDir));
      try {
        for (let i = 0; i < ROWS; i += 1) {
          const events = await after.readStream(`activity-ministry-of-interior/cut-${i}`);
          expect(events.length).toBe(1);
          expect(events[0].data).toMatchObject({ reportId: `cut-${i}` });
          expect(JSON.stringify(events[0].data)).toContain(`"participants":${1 + (i % 40)}`);
        }
      } finally {
        await after.close();
      }
    } finally {
      api?.child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 300_000);
});
