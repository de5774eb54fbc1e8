import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Command } from 'commander';
import { ChainFollower, ChainStore, auditChainFile } from '@app/audit';
import { NO_STREAM, SqliteEventStore, embeddedStoreFile } from '@app/event-store';
import { captureContext, savedDataDir } from '../../../../test/support/cli.js';
import { CliError } from '../cli-context.js';
import { verifyCommand, verifyCommands } from './verify.command.js';

async function cli(args: string[], json = false) {
  const { ctx, stdout, stderr } = captureContext(json);
  let code = -1;
  const program = new Command('ledger').exitOverride();
  verifyCommands.register(program, async (action) => {
    try {
      code = await action(ctx);
    } catch (error) {
      if (!(error instanceof CliError)) throw error;
      ctx.error(error.message);
      code = error.exitCode;
    } finally {
      await ctx.close();
    }
  });
  await program.parseAsync(args, { from: 'user' });
  return { code, stdout: stdout(), stderr: stderr() };
}

describe('ledger verify', () => {
  let dir: string;
  const restoreDataDir = savedDataDir();

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'apl-cli-verify-'));
    process.env.DATA_DIR = dir;
    const store = SqliteEventStore.open(embeddedStoreFile(dir));
    for (let i = 1; i <= 5; i++) {
      await store.append(`activity-police-r${i}`, [{ type: 'MeetingHeld', data: { n: i }, metadata: { agencyId: 'police' } }], NO_STREAM);
    }
    // What the api does as the log grows: link every event.
    const chain = ChainStore.open(auditChainFile(dir));
    await new ChainFollower({ store, chain }).catchUp();
    chain.close();
    await store.close();
  });
  afterEach(() => {
    restoreDataDir();
    rmSync(dir, { recursive: true, force: true });
  });

  it('recomputes the chain and prints its head', async () => {
    const { code, stdout } = await cli(['verify']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^OK: 5 events, chain head [0-9a-f]{64}@5\n  5 stored links compared \(.*audit-chain\.db\)\n$/);
  });

  it('finds an event edited in the SQLite file at its position, and exits 1', async () => {
    const db = new Database(embeddedStoreFile(dir));
    db.prepare('UPDATE events SET data = ? WHERE position = ?').run('{"n":300}', 3);
    db.close();
    const { code, stdout } = await cli(['verify']);
    expect(code).toBe(1);
    expect(stdout).toMatch(/^FAILED at position 3 \(EDITED\): The event at position 3 \(MeetingHeld on activity-police-r3, revision 0\)/);
    const json = await cli(['verify'], true);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, mismatch: { reason: 'EDITED', position: '3', event: { stream: 'activity-police-r3' } } });
  });

  it('checks a head recorded earlier, and refuses one it cannot read', async () => {
    const first = captureContext(true);
    expect(await verifyCommand(first.ctx)).toBe(0);
    await first.ctx.close();
    const { head, headHash } = JSON.parse(first.stdout()) as { head: string; headHash: string };
    expect((await cli(['verify', '--head', head])).code).toBe(0);
    expect((await cli(['verify', '--head', headHash])).stdout).toMatch(/the given head is the chain at position 5/);
    expect((await cli(['verify', '--head', `${headHash}@4`])).stdout).toMatch(/^FAILED at position 4 \(HEAD_MISMATCH\)/);
    const bad = await cli(['verify', '--head', 'nonsense']);
    expect(bad.code).toBe(64);
    expect(bad.stderr).toMatch(/--head must be hash@position or a hash/);
  });

  it('works without the api\'s links, saying so', async () => {
    rmSync(auditChainFile(dir));
    const { code, stdout } = await cli(['verify']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/no stored links: .*audit-chain\.db does not exist/);
  });
});
