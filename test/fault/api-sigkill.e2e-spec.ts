import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ApiChild, gql, issueKey, readStreams, startApi } from './support/api-child.js';

describe('api durability (fault)', () => {
  it('keeps every acknowledged report when the server is killed with SIGKILL under load', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'apl-api-kill-'));
    let api: ApiChild | undefined;
    try {
      api = await startApi(dataDir, { RATE_LIMIT_PER_MINUTE: '1000000' });
      const { url, child } = api;
      const agencyKey = await issueKey(url, { role: 'AGENCY', agencyId: 'ministry-of-interior', label: 'fault test' });

      const acked = new Map<string, { eventId: string; position: string }>();
      let stop = false;
      let n = 0;
      const worker = async () => {
        while (!stop) {
          const reportId = `kill-${n++}`;
          try {
            const res = await gql<{ recordTrainingDelivered: { eventId: string; position: string } }>(
              url,
              'mutation ($input: RecordTrainingDeliveredInput!) { recordTrainingDelivered(input: $input) { eventId position } }',
              { input: { measureCode: 'II.1.3', reportId, occurredOn: '2023-05-02', title: 'Border control course', participants: 12, days: 1 } },
              agencyKey,
            );
            const receipt = res.data?.recordTrainingDelivered;
            if (receipt) acked.set(reportId, { eventId: receipt.eventId, position: receipt.position });
            if (acked.size >= 300 && !stop) {
              stop = true;
              child.kill('SIGKILL');
            }
          } catch {
            return; // the server is gone: requests in flight were never acknowledged
          }
        }
      };
      await Promise.all(Array.from({ length: 16 }, worker));
      const { signal } = await api.exited;
      expect(signal).toBe('SIGKILL');
      expect(acked.size).toBeGreaterThanOrEqual(300);

      const streams = [...acked.keys()].map((reportId) => `activity-ministry-of-interior/${reportId}`);
      const stored = await readStreams(dataDir, streams);
      for (const [reportId, receipt] of acked) {
        const events = stored.get(`activity-ministry-of-interior/${reportId}`)!;
        expect(events.map((e) => [e.id, e.position.toString()])).toEqual([[receipt.eventId, receipt.position]]);
      }
    } finally {
      api?.child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
