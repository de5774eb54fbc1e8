import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ApiChild, StoreWatch, expectEachStoredOnce, gql, issueKey, readStreams, startApi } from './support/api-child.js';

/**
 * Three batches of 5,000 (the bulk path's unit of one appendMany without `atomic`): the test kills
 * the api as soon as the first is in the file, while two are still to be decided and stored.
 */
const ROWS = 15_000;
const ENV = { HTTP_BODY_LIMIT: '20mb', BULK_MAX_ROWS: String(ROWS) };

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
    const streams = reports.map((_, i) => `activity-ministry-of-interior/cut-${i}`);
    let api: ApiChild | undefined;
    try {
      api = await startApi(dataDir, ENV);
      const key = await issueKey(api.url, { role: 'AGENCY', agencyId: 'ministry-of-interior', label: 'bulk fault test' });
      const start = BigInt((await gql<{ health: { headPosition: string } }>(api.url, HEAD, {}, key)).data!.health.headPosition);
      const batch = gql<Counts>(api.url, BULK, { input: { reports } }, key).catch(() => undefined);
      // Kill once part of the batch is stored: the head moves while the request is running.
      const watch = new StoreWatch(dataDir);
      try {
        await watch.until(async () => (await watch.headPosition()) >= start + 200n);
      } finally {
        await watch.close();
      }
      api.child.kill('SIGKILL');
      expect((await api.exited).signal).toBe('SIGKILL');
      expect(await batch).toBeUndefined(); // never answered

      const before = new Map([...(await readStreams(dataDir, streams))].map(([stream, events]) => [stream.split('/')[1], events.length]));
      const storedBefore = [...before.values()].filter((n) => n === 1).length;
      expect([...before.values()].every((n) => n === 0 || n === 1)).toBe(true);
      expect(storedBefore).toBeGreaterThan(0);
      expect(storedBefore).toBeLessThan(ROWS);

      api = await startApi(dataDir, ENV);
      const retry = await gql<Counts>(api.url, BULK, { input: { reports } }, key);
      expect(retry.errors).toBeUndefined();
      expect(retry.data!.recordReports.counts).toEqual({ created: ROWS - storedBefore, duplicate: storedBefore, refused: 0 });
      for (const row of retry.data!.recordReports.rows) expect(row.status).toBe(before.get(row.reportId) === 1 ? 'DUPLICATE' : 'CREATED');
      api.child.kill('SIGKILL');
      await api.exited;

      await expectEachStoredOnce(dataDir, 'ministry-of-interior', reports);
    } finally {
      api?.child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 300_000);
});
