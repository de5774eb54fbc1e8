import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import Database from 'better-sqlite3';
import { parse } from 'yaml';
import { EVENT_STORE, type EventStore } from '@app/event-store';
import type { Plan } from '@app/plan';
import { AuditService } from '../../apps/api/src/audit/audit.service.js';
import { ProjectionsService } from '../../apps/api/src/projections/projections.service.js';
import { type TestApp, startTestApp } from './support/test-app.js';

const plan = parse(readFileSync('libs/plan/plans/hu-2022-2023.yaml', 'utf8')) as Plan;
const training = plan.pillars
  .flatMap((p) => p.objectives.flatMap((o) => o.measures))
  .find((m) => m.indicators.some((i) => i.event === 'TrainingDelivered'))!;

const logLines: Record<string, unknown>[] = [];
const logs = new Writable({
  write(chunk: Buffer, _encoding, done) {
    for (const line of chunk.toString().split('\n')) if (line.trim()) logLines.push(JSON.parse(line) as Record<string, unknown>);
    done();
  },
});

type Ready = { status: string; info?: Record<string, Record<string, unknown>>; error?: Record<string, Record<string, unknown>> };

const CONSUMERS = ['hash-chain', 'key-registry', 'measure-updates', 'plan-catalog', 'projections'];

/** Log consumers in readiness and metrics: a consumer that cannot go on is never a silent stop. */
describe('log consumers in readiness and metrics (e2e)', () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close({ removeData: true });
    t = undefined;
  });

  const ready = async (app: TestApp) => {
    const res = await fetch(new URL('/health/ready', app.url));
    return { status: res.status, body: (await res.json()) as Ready };
  };
  const metrics = async (app: TestApp) => (await fetch(new URL('/metrics', app.url))).text();

  it('lists every consumer when ready, and fails readiness when the projections meet a report they cannot read whole', async () => {
    t = await startTestApp({ env: { LOG_LEVEL: 'info' }, app: { logDestination: logs } });
    const runner = t.app.get(ProjectionsService).runner;
    await runner.catchUpToHead(20_000);
    const before = await ready(t);
    expect(before.status).toBe(200);
    expect(Object.keys(before.body.info!.consumers).filter((k) => k !== 'status').sort()).toEqual(CONSUMERS);
    expect(before.body.info!.consumers.projections).toMatchObject({ state: expect.stringMatching(/^(catching-up|live)$/) });

    // An event that did not come through the mutations (an import, a direct append): participants "many".
    const store = t.app.get<EventStore>(EVENT_STORE);
    const { position } = await store.append(
      'activity-bad-agency-r1',
      [
        {
          type: 'TrainingDelivered',
          data: { planId: plan.id, measureCode: training.code, agencyId: training.responsible[0], reportId: 'r1', occurredOn: '2023-03-01', details: { title: 'x', participants: 'many', days: 1 } },
          metadata: { recordedAt: new Date().toISOString(), schemaVersion: 1 },
        },
      ],
      'no_stream',
    );
    await expect(runner.waitForPosition(position, 20_000)).rejects.toThrow(/participants/);

    const after = await ready(t);
    expect(after.status).toBe(503);
    expect(after.body.error!.consumers).toMatchObject({
      status: 'down',
      projections: { state: 'failed', position: String(position - 1n) },
      reason: expect.stringMatching(new RegExp(`projections failed \\(applied up to position ${position - 1n}\\): at position ${position}: projection activity cannot apply the event: TrainingDelivered of activity-bad-agency-r1: details\\.participants must be a whole number`)),
    });
    expect(after.body.error!.projections).toMatchObject({ status: 'down', state: 'failed' });

    const text = await metrics(t);
    expect(text).toMatch(/^ledger_log_consumer_state\{consumer="projections",state="failed"\} 1$/m);
    expect(text).toMatch(/^ledger_log_consumer_state\{consumer="plan-catalog",state="live"\} 1$/m);
    expect(text).toMatch(/^ledger_log_consumer_failures_total\{consumer="projections"\} 1$/m);
    expect(text).toMatch(new RegExp(`^ledger_log_consumer_position\\{consumer="projections"\\} ${position - 1n}$`, 'm'));

    const line = logLines.find((l) => typeof l.msg === 'string' && l.msg.startsWith(`projections failed at position ${position}`));
    expect(line).toMatchObject({ level: 50, context: 'Projections' });
    expect(line!.msg).toMatch(/details\.participants must be a whole number/);
  });

  it('fails readiness, naming the hash chain, when the first event was altered while the api was down', async () => {
    t = await startTestApp();
    await t.app.get(AuditService).follower.waitForPosition(1n, 20_000);
    const dataDir = t.dataDir;
    await t.close();
    t = undefined;

    const db = new Database(join(dataDir, 'events.db'));
    const row = db.prepare('SELECT metadata FROM events WHERE position = 1').get() as { metadata: string };
    db.prepare('UPDATE events SET metadata = ? WHERE position = 1').run(row.metadata.replace('"schemaVersion":1', '"schemaVersion":1,"x":1'));
    db.close();

    t = await startTestApp({ dataDir });
    const { status, body } = await ready(t);
    expect(status).toBe(503);
    expect(body.error!.consumers).toMatchObject({
      status: 'down',
      'hash-chain': { state: 'failed' },
      reason: expect.stringMatching(/hash-chain failed \(applied up to position 0\): at position 0: .*does not start with this store's first event/),
    });
    expect(await metrics(t)).toMatch(/^ledger_log_consumer_state\{consumer="hash-chain",state="failed"\} 1$/m);
  });
});
