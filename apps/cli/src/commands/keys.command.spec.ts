import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { KeyRegistry, KeyUsageLog, apiKeyStream, keyUsageFile } from '@app/auth';
import { SqliteEventStore } from '@app/event-store';
import { CliContext } from '../cli-context.js';
import { loadPlanCommand } from './plan.command.js';
import { ledger } from '../../../../test/support/cli.js';

const DEMO = resolve('test/fixtures/plans/demo-plan.yaml');

/** Runs `ledger keys <args>`, with --json when asked. */
const cli = (args: string[], json = false) => ledger(...(json ? ['--json'] : []), 'keys', ...args);

describe('ledger keys', () => {
  let dir: string;
  const savedDataDir = process.env.DATA_DIR;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'apl-cli-keys-'));
    process.env.DATA_DIR = dir;
    const ctx = new CliContext(true, new PassThrough(), new PassThrough());
    await loadPlanCommand(ctx, DEMO, { create: true });
    await ctx.close();
  });
  afterEach(() => {
    if (savedDataDir === undefined) delete process.env.DATA_DIR;
    else process.env.DATA_DIR = savedDataDir;
    rmSync(dir, { recursive: true, force: true });
  });

  async function registry(): Promise<KeyRegistry> {
    const store = SqliteEventStore.open(join(dir, 'events.db'));
    const r = new KeyRegistry(store);
    await r.catchUp();
    await store.close();
    return r;
  }

  it('issues an agency key, printing it once, and stores only its hash', async () => {
    const res = await cli(['issue', '--role', 'agency', '--agency', 'example-ministry', '--label', 'Example system'], true);
    expect(res.code).toBe(0);
    const issued = JSON.parse(res.stdout) as { keyId: string; key: string; role: string; agencyId: string };
    expect(issued).toMatchObject({ role: 'AGENCY', agencyId: 'example-ministry', label: 'Example system' });
    const r = await registry();
    expect(r.authenticate(issued.key)).toMatchObject({ id: issued.keyId, role: 'AGENCY', agencyId: 'example-ministry' });
    expect(r.get(issued.keyId)?.issuedBy).toMatch(/^cli/);
  });

  it('prints a human notice with the key', async () => {
    const res = await cli(['issue', '--role', 'coordinator', '--label', 'NATC']);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/Issued COORDINATOR key [A-Za-z0-9]{12} \(NATC\):\n\n {2}apl_/);
    expect(res.stdout).toContain('will not be shown again');
  });

  it.each([
    [['issue', '--role', 'agency', '--label', 'x'], /agencyId.*required/],
    [['issue', '--role', 'agency', '--agency', 'nowhere', '--label', 'x'], /"nowhere" is not an agency of the plan register; the agencies are: [a-z-]+(, [a-z-]+)+$/m],
    [['issue', '--role', 'auditor', '--agency', 'example-ministry', '--label', 'x'], /must not be given/],
    [['issue', '--role', 'root', '--label', 'x'], /role: must be one of/],
  ])('refuses %j with exit 64 and the reason', async (args, message) => {
    const res = await cli(args);
    expect(res.code).toBe(64);
    expect(res.stderr).toMatch(message);
  });

  it('revokes and lists', async () => {
    const issued = JSON.parse((await cli(['issue', '--role', 'auditor', '--label', 'SAO'], true)).stdout) as { keyId: string; key: string };
    const revoked = await cli(['revoke', issued.keyId, '--reason', 'rotated', '--principal', 'ops-team'], true);
    expect(revoked.code).toBe(0);
    expect(JSON.parse(revoked.stdout)).toMatchObject({ keyId: issued.keyId, active: false, revokedReason: 'rotated', revokedBy: 'ops-team' });
    expect((await registry()).authenticate(issued.key)).toBeUndefined();

    const list = await cli(['list'], true);
    const keys = JSON.parse(list.stdout) as Array<Record<string, unknown>>;
    expect(keys).toEqual([expect.objectContaining({ keyId: issued.keyId, role: 'AUDITOR', active: false })]);
    expect(list.stdout).not.toMatch(/hash|salt/);

    const human = await cli(['list']);
    const today = new Date().toISOString().slice(0, 10);
    expect(human.stdout).toMatch(new RegExp(`${issued.keyId}\\s+AUDITOR\\s+-\\s+revoked ${today}\\s+${today}\\s+-\\s+SAO$`, 'm'));
  });

  it('lists keys in aligned columns with the day issued and the day last used (as the api recorded it)', async () => {
    const a = JSON.parse((await cli(['issue', '--role', 'agency', '--agency', 'example-ministry', '--label', 'Ministry system'], true)).stdout) as { keyId: string };
    const b = JSON.parse((await cli(['issue', '--role', 'coordinator', '--label', 'NATC'], true)).stdout) as { keyId: string };
    const usage = KeyUsageLog.open(keyUsageFile(dir), 0);
    usage.used(a.keyId, new Date('2026-03-04T05:06:07Z'));
    usage.close();

    const json = JSON.parse((await cli(['list'], true)).stdout) as Array<{ keyId: string; issuedAt: string; lastUsedAt: string | null }>;
    expect(json.find((k) => k.keyId === a.keyId)).toMatchObject({ lastUsedAt: '2026-03-04T05:06:07.000Z', issuedAt: expect.stringMatching(/^\d{4}-/) });
    expect(json.find((k) => k.keyId === b.keyId)).toMatchObject({ lastUsedAt: null });

    const lines = (await cli(['list'])).stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^KEY ID\s+ROLE\s+AGENCY\s+STATUS\s+ISSUED\s+LAST USED\s+LABEL$/);
    // Every column starts at the same offset on every line.
    for (const column of ['ROLE', 'AGENCY', 'STATUS', 'ISSUED', 'LAST USED', 'LABEL']) {
      const at = lines[0].indexOf(column);
      for (const line of lines.slice(1)) expect(line[at - 1]).toBe(' ');
      for (const line of lines.slice(1)) expect(line[at]).not.toBe(' ');
    }
    expect(lines.find((l) => l.startsWith(a.keyId))).toMatch(/ 2026-03-04 +Ministry system$/);
    expect(lines.find((l) => l.startsWith(b.keyId))).toMatch(/ - +NATC$/);
  });

  it('refuses to revoke an unknown key (exit 1)', async () => {
    const res = await cli(['revoke', 'NoSuchKey000', '--reason', 'x']);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('No API key with id "NoSuchKey000"');
  });

  it('writes to the key stream', async () => {
    const issued = JSON.parse((await cli(['issue', '--role', 'admin', '--label', 'ops'], true)).stdout) as { keyId: string };
    const store = SqliteEventStore.open(join(dir, 'events.db'));
    try {
      expect((await store.readStream(apiKeyStream(issued.keyId))).map((e) => e.type)).toEqual(['ApiKeyIssued']);
    } finally {
      await store.close();
    }
  });
});
