import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import Database from 'better-sqlite3';
import { parse } from 'yaml';
import type { Measure, Plan } from '@app/plan';
import { AuditService } from '../../apps/api/src/audit/audit.service.js';
import { CliContext } from '../../apps/cli/src/cli-context.js';
import { verifyCommand } from '../../apps/cli/src/commands/verify.command.js';
import { authAs } from '../e2e/support/auth.js';
import { type TestApp, startTestApp } from '../e2e/support/test-app.js';

const plan = parse(readFileSync('libs/plan/plans/hu-2022-2023.yaml', 'utf8')) as Plan;
const measure: Measure = plan.pillars
  .flatMap((p) => p.objectives.flatMap((o) => o.measures))
  .find((m) => m.indicators.some((i) => i.event === 'CapacityCreated'))!;

/** `ledger verify` as the operator runs it, against the api's DATA_DIR (the api stopped). */
async function ledgerVerify(dataDir: string): Promise<{ code: number; result: Record<string, unknown> }> {
  const saved = process.env.DATA_DIR;
  process.env.DATA_DIR = dataDir;
  const out = new PassThrough();
  let stdout = '';
  out.on('data', (chunk) => (stdout += chunk));
  const ctx = new CliContext(true, out, new PassThrough());
  try {
    const code = await verifyCommand(ctx);
    return { code, result: JSON.parse(stdout) as Record<string, unknown> };
  } finally {
    await ctx.close();
    if (saved === undefined) delete process.env.DATA_DIR;
    else process.env.DATA_DIR = saved;
  }
}

describe('tamper evidence (fault)', () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close({ removeData: true });
    t = undefined;
  });

  it('an event edited in the SQLite file while the api is down is reported at its position by the cli and, after a restart, by the api', async () => {
    t = await startTestApp();
    const agency = await authAs(t, { role: 'AGENCY', agencyId: measure.responsible[0] });
    const positions: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await t.gql<{ recordCapacityCreated: { position: string } }>(
        `mutation ($input: RecordCapacityCreatedInput!) { recordCapacityCreated(input: $input) { position } }`,
        { input: { measureCode: measure.code, reportId: `tamper-${i}`, occurredOn: '2023-02-10', facilityKind: 'shelter', location: 'Szeged', facilities: 1, places: 2 + i } },
        agency,
      );
      positions.push(res.data!.recordCapacityCreated.position);
    }
    expect(await t.app.get(AuditService).follower.waitFor(BigInt(positions[4]), 5_000)).toBe(true);
    const dataDir = t.dataDir;
    await t.close();
    t = undefined;

    const clean = await ledgerVerify(dataDir);
    expect(clean.code).toBe(0);
    expect(clean.result).toMatchObject({ ok: true, head: expect.stringMatching(new RegExp(`@${positions[4]}$`)) });

    // Someone with access to the file turns 4 places into 40, in place.
    const victim = Number(positions[2]);
    const db = new Database(join(dataDir, 'events.db'));
    const row = db.prepare('SELECT data FROM events WHERE position = ?').get(victim) as { data: string };
    db.prepare('UPDATE events SET data = ? WHERE position = ?').run(row.data.replace('"places":4', '"places":40'), victim);
    db.close();

    const tampered = await ledgerVerify(dataDir);
    expect(tampered.code).toBe(1);
    expect(tampered.result).toMatchObject({ ok: false, mismatch: { reason: 'EDITED', position: String(victim) } });

    t = await startTestApp({ dataDir });
    const auditor = await authAs(t, { role: 'AUDITOR' });
    const res = await t.gql<{ verifyLedger: { ok: boolean; mismatch: { reason: string; position: string } } }>(
      '{ verifyLedger { ok mismatch { reason position } } }',
      undefined,
      auditor,
    );
    expect(res.data?.verifyLedger).toEqual({ ok: false, mismatch: { reason: 'EDITED', position: String(victim) } });
  }, 60_000);
});
