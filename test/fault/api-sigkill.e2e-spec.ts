import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { embeddedStoreFile, SqliteEventStore } from '@app/event-store';
import { spawnTs, watchLines } from './support/spawn-ts.js';

const ADMIN_KEY = `apl_faulttestadm_${'k'.repeat(43)}`;

async function gql(url: string, query: string, variables: Record<string, unknown>, key: string) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as { data?: Record<string, Record<string, string>>; errors?: Array<{ message: string }> };
}

describe('api durability (fault)', () => {
  it('keeps every acknowledged report when the server is killed with SIGKILL under load', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'apl-api-kill-'));
    let child: ReturnType<typeof spawnTs> | undefined;
    try {
      child = spawnTs('apps/api/src/main.ts', [], {
        DATA_DIR: dataDir,
        PORT: '0',
        NODE_ENV: 'test',
        ADMIN_API_KEY: ADMIN_KEY,
        RATE_LIMIT_PER_MINUTE: '1000000',
      });
      let url: string | undefined;
      let listening!: () => void;
      const ready = new Promise<void>((resolve) => (listening = resolve));
      const server = child;
      const exited = watchLines(server, (line) => {
        const match = /GraphQL at (http:\/\/localhost:\d+\/graphql)/.exec(line);
        if (match) {
          url = match[1];
          listening();
        }
      });
      await Promise.race([ready, exited.then((e) => Promise.reject(new Error(`server exited: ${e.stderr}`)))]);

      const issued = await gql(
        url!,
        'mutation ($input: IssueApiKeyInput!) { issueApiKey(input: $input) { key } }',
        { input: { role: 'AGENCY', agencyId: 'ministry-of-interior', label: 'fault test' } },
        ADMIN_KEY,
      );
      expect(issued.errors).toBeUndefined();
      const agencyKey = issued.data!.issueApiKey.key;

      const acked = new Map<string, { eventId: string; position: string }>();
      let stop = false;
      let n = 0;
      const worker = async () => {
        while (!stop) {
          const reportId = `kill-${n++}`;
          try {
            const res = await gql(
              url!,
              'mutation ($input: RecordTrainingDeliveredInput!) { recordTrainingDelivered(input: $input) { eventId position } }',
              { input: { measureCode: 'II.1.3', reportId, occurredOn: '2023-05-02', title: 'Border control course', participants: 12, days: 1 } },
              agencyKey,
            );
            const receipt = res.data?.recordTrainingDelivered;
            if (receipt) acked.set(reportId, { eventId: receipt.eventId, position: receipt.position });
            if (acked.size >= 300 && !stop) {
              stop = true;
              server.kill('SIGKILL');
            }
          } catch {
            return; // the server is gone: requests in flight were never acknowledged
          }
        }
      };
      await Promise.all(Array.from({ length: 16 }, worker));
      const { signal } = await exited;
      expect(signal).toBe('SIGKILL');
      expect(acked.size).toBeGreaterThanOrEqual(300);

      const store = SqliteEventStore.open(embeddedStoreFile(dataDir));
      try {
        for (const [reportId, receipt] of acked) {
          const events = await store.readStream(`activity-ministry-of-interior/${reportId}`);
          expect(events.map((e) => [e.id, e.position.toString()])).toEqual([[receipt.eventId, receipt.position]]);
        }
      } finally {
        await store.close();
      }
    } finally {
      child?.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
