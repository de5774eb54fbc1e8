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
async function ledgerVerify(dataDir: string, head?: string): Promise<{ code: number; result: Record<string, unknown> }> {
  const saved = process.env.DATA_DIR;
  process.env.DATA_DIR = dataDir;
  const out = new PassThrough();
  let stdout = '';
  out.on('data', (chunk) => (stdout += chunk));
  const ctx = new CliContext(true, out, new PassThrough());
  try {
    const code = await verifyCommand(ctx, { head });
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
  }, 60_000);

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
    await t.app.get(AuditService).follower.waitForPosition(BigInt(positions[4]), 5_000);
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
  }, 180_000);

  /** Five reports through the api, linked by its follower; the api then stopped. */
  async function recordedLedger(): Promise<{ dataDir: string; positions: string[] }> {
    t = await startTestApp();
    const agency = await authAs(t, { role: 'AGENCY', agencyId: measure.responsible[0] });
    const positions: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await t.gql<{ recordCapacityCreated: { position: string } }>(
        `mutation ($input: RecordCapacityCreatedInput!) { recordCapacityCreated(input: $input) { position } }`,
        { input: { measureCode: measure.code, reportId: `forge-${i}`, occurredOn: '2023-03-1' + i, facilityKind: 'shelter', location: 'Pécs', facilities: 1, places: 3 + i } },
        agency,
      );
      positions.push(res.data!.recordCapacityCreated.position);
    }
    await t.app.get(AuditService).follower.waitForPosition(BigInt(positions[4]), 20_000);
    const dataDir = t.dataDir;
    await t.close();
    t = undefined;
    return { dataDir, positions };
  }

  const ready = async (app: TestApp) => {
    const res = await fetch(new URL('/health/ready', app.url));
    return { status: res.status, body: (await res.json()) as { error?: Record<string, Record<string, unknown>> } };
  };

  it('a row inserted into the SQLite events table is NOT_APPENDED at its position for the cli (with or without the earlier head) and for a restarted api, whose follower does not link it', async () => {
    const { dataDir, positions } = await recordedLedger();
    const clean = await ledgerVerify(dataDir);
    expect(clean).toMatchObject({ code: 0, result: { ok: true } });
    const earlierHead = clean.result.head as string;

    // A copy of a real report under a new stream, written straight into the file.
    const db = new Database(join(dataDir, 'events.db'));
    const model = db.prepare('SELECT type, data, metadata, created FROM events WHERE position = ?').get(Number(positions[1])) as Record<string, string>;
    const forged = db
      .prepare('INSERT INTO events (id, stream, revision, type, data, metadata, created) VALUES (?, ?, 0, ?, ?, ?, ?)')
      .run('5d1f0c3e-0000-4000-8000-00000000f0a6', 'activity-police/forged-1', model.type, model.data.replace('forge-1', 'forged-1'), model.metadata, model.created);
    db.close();
    const forgedAt = String(forged.lastInsertRowid);

    for (const head of [undefined, earlierHead]) {
      const saved = await ledgerVerify(dataDir, head);
      expect(saved.code).toBe(1);
      expect(saved.result).toMatchObject({ ok: false, mismatch: { reason: 'NOT_APPENDED', position: forgedAt } });
    }

    t = await startTestApp({ dataDir });
    const auditor = await authAs(t, { role: 'AUDITOR' });
    for (const args of ['', '(full: true)', `(head: "${earlierHead}")`]) {
      const res = await t.gql<{ verifyLedger: { ok: boolean; mismatch: { reason: string; position: string } } }>(
        `{ verifyLedger${args} { ok mismatch { reason position } } }`,
        undefined,
        auditor,
      );
      expect(res.data?.verifyLedger).toEqual({ ok: false, mismatch: { reason: 'NOT_APPENDED', position: forgedAt } });
    }
    // The follower stopped at the forged row instead of linking it, and says so.
    const follower = t.app.get(AuditService).follower;
    await expect(follower.waitForPosition(BigInt(forgedAt), 20_000)).rejects.toThrow(new RegExp(`position ${forgedAt}`));
    expect(follower.state).toBe('failed');
    const readiness = await ready(t);
    expect(readiness.status).toBe(503);
    expect(JSON.stringify(readiness.body.error)).toContain('hash-chain');
  }, 240_000);

  it('with the first event edited, a restarted api is not ready: its chain follower stopped', async () => {
    const { dataDir } = await recordedLedger();
    const db = new Database(join(dataDir, 'events.db'));
    const first = db.prepare('SELECT position, metadata FROM events ORDER BY position LIMIT 1').get() as { position: number; metadata: string };
    db.prepare('UPDATE events SET metadata = ? WHERE position = ?').run(first.metadata.replace(/"recordedAt":"\d{4}/, '"recordedAt":"2019'), first.position);
    db.close();
    expect((await ledgerVerify(dataDir)).result).toMatchObject({ ok: false, mismatch: { reason: 'EDITED', position: String(first.position) } });

    t = await startTestApp({ dataDir });
    const follower = t.app.get(AuditService).follower;
    expect(follower.state).toBe('failed');
    const readiness = await ready(t);
    expect(readiness.status).toBe(503);
    expect(readiness.body.error?.consumers).toMatchObject({ 'hash-chain': { state: 'failed' } });
  }, 240_000);
});
