import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { SqliteEventStore, embeddedStoreFile } from '@app/event-store';
import { replayProjections } from '@app/projections';
import { inDataDir, savedDataDir } from '../../../../test/support/cli.js';
import { generateHistory } from '../../../../test/support/history-generator.js';
import { exportCommand } from './export.command.js';
import { importCommand } from './import.command.js';
import { verifyCommand } from './verify.command.js';

describe('ledger export and ledger import', () => {
  let root: string;
  let source: string;
  const restoreDataDir = savedDataDir();

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'apl-cli-export-'));
    source = join(root, 'source');
    const store = SqliteEventStore.open(embeddedStoreFile(source));
    await generateHistory(store, { events: 600, seed: 13, correctionRate: 0.04, retractionRate: 0.01 });
    await store.close();
  });
  afterAll(() => {
    restoreDataDir();
    rmSync(root, { recursive: true, force: true });
  });

  it('exports to stdout as NDJSON, the summary on stderr', async () => {
    const data = new PassThrough();
    let ndjson = '';
    data.on('data', (chunk) => (ndjson += chunk));
    const run = await inDataDir(source, false, (ctx) => exportCommand(ctx, {}, data));
    expect(run.result).toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^Exported 600 events; chain head [0-9a-f]{64}@600\. After importing, check with: ledger verify --head [0-9a-f]{64}\n$/);
    const lines = ndjson.trimEnd().split('\n');
    expect(lines).toHaveLength(600);
    expect(JSON.parse(lines[0])).toMatchObject({ type: 'PlanAdopted', revision: '0', position: '1' });
  });

  it('round-trips into a fresh store: same chain head, same projection digests', async () => {
    const file = join(root, 'ledger.ndjson');
    const exported = await inDataDir(source, true, (ctx) => exportCommand(ctx, { out: file }));
    const summary = JSON.parse(exported.stdout) as { events: number; head: string; headHash: string };
    expect(summary.events).toBe(600);
    expect(readFileSync(file, 'utf8').split('\n').filter(Boolean)).toHaveLength(600);

    const target = join(root, 'target');
    const imported = await inDataDir(target, false, (ctx) => importCommand(ctx, file, process.stdin, { create: true }));
    expect(imported.result).toBe(0);
    expect(imported.stdout).toContain(`Imported 600 events into the sqlite store; chain head ${summary.head}`);

    const verified = await inDataDir(target, false, (ctx) => verifyCommand(ctx, { head: summary.headHash }));
    expect(verified.result).toBe(0);

    const digests = async (dataDir: string) => {
      const store = SqliteEventStore.open(embeddedStoreFile(dataDir));
      try {
        return (await replayProjections({ store, file: join(dataDir, 'digest-check.db') })).digests;
      } finally {
        await store.close();
      }
    };
    expect(await digests(target)).toEqual(await digests(source));

    // A second import into the same store is refused, with a clear message.
    const again = await inDataDir(target, false, (ctx) => importCommand(ctx, file, process.stdin, { create: true })).catch((error: { message: string; exitCode: number }) => error);
    expect(again).toMatchObject({ exitCode: 1, message: expect.stringMatching(/^Import refused: The sqlite store already holds events \(up to position 600\): import only into an empty store$/) });
  }, 60_000);

  it('refuses to overwrite a file, and a file that is not there', async () => {
    const file = join(root, 'ledger.ndjson');
    expect(existsSync(file)).toBe(true);
    await expect(inDataDir(source, false, (ctx) => exportCommand(ctx, { out: file }))).rejects.toMatchObject({ exitCode: 66 });
    await expect(inDataDir(join(root, 'empty'), false, (ctx) => importCommand(ctx, join(root, 'missing.ndjson')))).rejects.toMatchObject({ exitCode: 66 });
  });
});
