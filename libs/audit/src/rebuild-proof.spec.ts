import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { NO_STREAM, SqliteEventStore } from '@app/event-store';
import { API_PROJECTIONS, ProjectionRunner, ReadModelStore } from '@app/projections';
import { generateHistory } from '../../../test/support/history-generator.js';
import { boundedStore } from './bounded-store.js';
import { rebuildWithProof } from './rebuild-proof.js';

const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };

describe('rebuild with proof', () => {
  let dir: string;
  let store: SqliteEventStore;
  let live: string;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'apl-audit-proof-'));
    store = SqliteEventStore.open(join(dir, 'events.db'));
    live = join(dir, 'read-models.db');
    await generateHistory(store, { events: 700, seed: 4, correctionRate: 0.05 });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** What the api does: a runner over the live file, here stopped at `until`. */
  const runLive = async (until?: bigint) => {
    const readModels = ReadModelStore.open(live);
    await new ProjectionRunner({ store, readModels, projections: API_PROJECTIONS, logger: quiet }).replay({ until });
    readModels.close();
  };

  it('proves the live read models equal their rebuild at the live position, even when the log went on', async () => {
    await runLive(500n);
    await store.append('activity-x-late', [{ type: 'MeetingHeld', data: {}, metadata: {} }], NO_STREAM);
    const progress: bigint[] = [];
    const proof = await rebuildWithProof({ store, liveFile: live, outFile: join(dir, 'rebuilt.db'), onProgress: (p) => progress.push(p) });
    expect(proof).toMatchObject({ ok: true, compared: true, files: [join(dir, 'rebuilt.db')] });
    expect(proof.projections.map((p) => [p.name, p.match, p.rebuilt.position, p.live?.position])).toEqual([
      ['plans', true, 500n, 500n],
      ['activity', true, 500n, 500n],
      ['assessments', true, 500n, 500n],
      ['periods', true, 500n, 500n],
      ['report_list', true, 500n, 500n],
    ]);
    expect(progress.at(-1)).toBe(500n);
  });

  it('names the projection and the read model that differ', async () => {
    await runLive();
    // Someone edits a stored chunk of the activity projection's read model.
    const db = new Database(live);
    const row = db.prepare("SELECT seq, data FROM projection_chunks WHERE name = 'activity' AND data LIKE '%\"disbursed\"%' LIMIT 1").get() as { seq: number; data: string } | undefined;
    const victim = row ?? (db.prepare("SELECT seq, data FROM projection_chunks WHERE name = 'activity' LIMIT 1").get() as { seq: number; data: string });
    const entries = JSON.parse(victim.data) as Array<[string, string, string, unknown]>;
    const index = entries.findIndex((e) => e[0] === 'bucket');
    entries[index] = [entries[index][0], entries[index][1], entries[index][2], { ...(entries[index][3] as object), n: 999 }];
    db.prepare("UPDATE projection_chunks SET data = ? WHERE name = 'activity' AND seq = ?").run(JSON.stringify(entries), victim.seq);
    db.close();

    const proof = await rebuildWithProof({ store, liveFile: live, outFile: join(dir, 'rebuilt.db') });
    expect(proof.ok).toBe(false);
    const activity = proof.projections.find((p) => p.name === 'activity')!;
    expect(activity).toMatchObject({ match: false, problem: expect.stringMatching(/differs from its rebuild/) });
    expect(activity.models?.indicators.match).toBe(false);
    expect(activity.models?.funding.match).toBe(true);
    expect(proof.projections.find((p) => p.name === 'plans')!.match).toBe(true);
  });

  it('rebuilds to the head when there is nothing live to compare with', async () => {
    const proof = await rebuildWithProof({ store, liveFile: join(dir, 'none.db'), outFile: join(dir, 'rebuilt.db') });
    expect(proof).toMatchObject({ ok: true, compared: false, events: 700 });
    expect(proof.projections.every((p) => p.live === undefined && p.rebuilt.position === 700n)).toBe(true);
  });

  it('reads through a bounded view as the log stood at a position', async () => {
    const view = boundedStore(store, 10n);
    let n = 0;
    for await (const _ of view.readAll()) n++;
    expect(n).toBe(10);
    expect(await view.headPosition()).toBe(10n);
    await expect(view.append('s', [{ type: 'T', data: {} }], NO_STREAM)).rejects.toThrow(/read-only/);
  });
});
