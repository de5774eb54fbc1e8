import { KeyUsageLog, keyUsageFile } from '@app/auth';
import { ledger } from '../support/cli.js';
import { authHeader, issueTestKey } from './support/auth.js';
import { startTestApp } from './support/test-app.js';

describe('last use of API keys (e2e)', () => {
  it('the api records when a key authenticates (no event), and `ledger keys list` shows it', async () => {
    const t = await startTestApp();
    const savedDataDir = process.env.DATA_DIR;
    let used: string, unused: string, head: string;
    const started = new Date().toISOString();
    try {
      used = await issueTestKey(t, { role: 'COORDINATOR' });
      unused = await issueTestKey(t, { role: 'AUDITOR' });
      const before = await t.gql<{ health: { headPosition: string } }>('{ health { headPosition } }');
      expect((await t.gql('{ me { id } }', undefined, authHeader(used))).errors).toBeUndefined();
      head = (await t.gql<{ health: { headPosition: string } }>('{ health { headPosition } }')).data!.health.headPosition;
      // A use is not an event of the ledger.
      expect(head).toBe(before.data!.health.headPosition);
    } finally {
      await t.close();
    }
    try {
      const usage = KeyUsageLog.read(keyUsageFile(t.dataDir));
      const usedId = used.split('_')[1];
      const unusedId = unused.split('_')[1];
      expect(usage.get(usedId)! >= started).toBe(true);
      expect(usage.has(unusedId)).toBe(false);

      process.env.DATA_DIR = t.dataDir;
      const listed = JSON.parse((await ledger('--json', 'keys', 'list')).stdout) as Array<{ keyId: string; lastUsedAt: string | null }>;
      expect(listed.find((k) => k.keyId === usedId)?.lastUsedAt).toBe(usage.get(usedId));
      expect(listed.find((k) => k.keyId === unusedId)?.lastUsedAt).toBeNull();
    } finally {
      if (savedDataDir === undefined) delete process.env.DATA_DIR;
      else process.env.DATA_DIR = savedDataDir;
    }
  }, 120_000);
});
