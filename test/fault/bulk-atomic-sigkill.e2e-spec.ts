import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ApiChild, StoreWatch, expectEachStoredOnce, gql, issueKey, readStreams, startApi } from './support/api-child.js';

/**
 * One atomic batch is one appendMany, one SQLite transaction: big enough that SQLite spills its
 * pages to the write-ahead log long before the commit, which is what the test watches for.
 */
const ROWS = 20_000;
const ENV = { HTTP_BODY_LIMIT: '20mb', BULK_MAX_ROWS: String(ROWS) };
/** WAL growth that shows the batch's transaction writing (a few hundred bytes a row; SQLite's page cache holds 2 MB before it spills). */
const WRITING = 4 * 1024 * 1024;
const MEASURE = 'II.1.3';

const BULK = 'mutation ($input: RecordReportsInput!) { recordReports(input: $input) { status counts { created duplicate refused ignored } rows { reportId status } } }';
const HEAD = '{ health { headPosition } }';
const FIGURES = `query ($at: String!) { measure(code: "${MEASURE}") { reportCount(atLeastPosition: $at) indicatorValues(atLeastPosition: $at) { key value } } }`;
interface Summary {
  recordReports: { status: string; counts: { created: number; duplicate: number; refused: number; ignored: number }; rows: Array<{ reportId: string; status: string }> };
}
interface Figures {
  measure: { reportCount: number; indicatorValues: Array<{ key: string; value: number }> };
}

describe('atomic bulk reporting cut by SIGKILL (fault)', () => {
  it('a kill while the atomic batch is being stored leaves all rows or none, in the store and the projections; the retry answers every row alike and stores nothing twice', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'apl-bulk-atomic-kill-'));
    const participants = (i: number) => 1 + (i % 40);
    const reports = Array.from({ length: ROWS }, (_, i) => ({
      trainingDelivered: { measureCode: MEASURE, reportId: `atomic-${i}`, occurredOn: '2023-05-02', title: 'Border control course', participants: participants(i), days: 1 },
    }));
    const streams = reports.map((_, i) => `activity-ministry-of-interior/atomic-${i}`);
    const allParticipants = reports.reduce((sum, _, i) => sum + participants(i), 0);
    let api: ApiChild | undefined;
    /** The measure's report count and participants as the restarted api's projections give them, caught up with the store. */
    const figures = async (url: string, key: string) => {
      const at = (await gql<{ health: { headPosition: string } }>(url, HEAD, {}, key)).data!.health.headPosition;
      const res = await gql<Figures>(url, FIGURES, { at }, key);
      expect(res.errors).toBeUndefined();
      const { reportCount, indicatorValues } = res.data!.measure;
      return { reportCount, participants: Number(indicatorValues.find((v) => v.key === 'participants')!.value) };
    };
    try {
      api = await startApi(dataDir, ENV);
      const agency = await issueKey(api.url, { role: 'AGENCY', agencyId: 'ministry-of-interior', label: 'atomic fault test' });
      const coordinator = await issueKey(api.url, { role: 'COORDINATOR', label: 'atomic fault test figures' });
      expect(await figures(api.url, coordinator)).toEqual({ reportCount: 0, participants: 0 });

      const watch = new StoreWatch(dataDir);
      let seen: { head: bigint; wal: number };
      try {
        const start = await watch.headPosition();
        const walBefore = watch.walBytes();
        const batch = gql<Summary>(api.url, BULK, { input: { reports, atomic: true } }, agency).then(
          () => 'answered',
          () => 'cut',
        );
        // Kill while the batch's one transaction is writing: its pages are in the log, its commit is not.
        // A store that committed part of the batch on its own would move the head first: refused below.
        let head = start;
        await watch.until(async () => (head = await watch.headPosition()) !== start || watch.walBytes() > walBefore + WRITING);
        api.child.kill('SIGKILL');
        expect(head).toBe(start);
        seen = { head: await watch.headPosition(), wal: watch.walBytes() - walBefore };
        expect((await api.exited).signal).toBe('SIGKILL');
        expect(await batch).toBe('cut'); // the kill landed inside the request: it was never answered
        expect(seen.wal).toBeGreaterThan(WRITING);
      } finally {
        await watch.close();
      }

      const stored = [...(await readStreams(dataDir, streams)).values()].map((events) => events.length);
      const storedRows = stored.filter((n) => n === 1).length;
      expect(stored.every((n) => n === 0 || n === 1)).toBe(true);
      // All or none; with the commit not yet in the file a moment after the kill, none.
      expect([0, ROWS]).toContain(storedRows);
      const whole = storedRows === ROWS;

      api = await startApi(dataDir, ENV);
      expect(await figures(api.url, coordinator)).toEqual(whole ? { reportCount: ROWS, participants: allParticipants } : { reportCount: 0, participants: 0 });

      const retry = await gql<Summary>(api.url, BULK, { input: { reports, atomic: true } }, agency);
      expect(retry.errors).toBeUndefined();
      const summary = retry.data!.recordReports;
      expect(summary.status).toBe('OK');
      expect(summary.counts).toEqual({ created: whole ? 0 : ROWS, duplicate: whole ? ROWS : 0, refused: 0, ignored: 0 });
      expect(new Set(summary.rows.map((r) => r.status))).toEqual(new Set([whole ? 'DUPLICATE' : 'CREATED']));
      expect(await figures(api.url, coordinator)).toEqual({ reportCount: ROWS, participants: allParticipants });
      api.child.kill('SIGKILL');
      await api.exited;

      await expectEachStoredOnce(dataDir, 'ministry-of-interior', reports);
      process.stdout.write(`atomic kill: head at kill ${seen.head}, ${seen.wal} WAL bytes of the batch written, ${whole ? 'all' : 'no'} rows stored\n`);
    } finally {
      api?.child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 300_000);
});
