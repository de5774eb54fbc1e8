import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import Database from 'better-sqlite3';
import { SqliteEventStore, embeddedStoreFile } from '@app/event-store';
import { API_PROJECTIONS, ProjectionRunner, ReadModelStore, readModelsFile } from '@app/projections';
import { generateHistory } from '../../../../test/support/history-generator.js';
import { CliContext } from '../cli-context.js';
import { rebuiltReadModelsFile, replayCommand } from './replay.command.js';

function context(json = false) {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  out.on('data', (chunk) => (stdout += chunk));
  return { ctx: new CliContext(json, out, err), stdout: () => stdout };
}

const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };

describe('ledger replay', () => {
  let dir: string;
  const savedDataDir = process.env.DATA_DIR;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'apl-cli-replay-'));
    process.env.DATA_DIR = dir;
    const store = SqliteEventStore.open(embeddedStoreFile(dir));
    await generateHistory(store, { events: 500, seed: 8 });
    // The api's live read models, as its runner left them.
    const readModels = ReadModelStore.open(readModelsFile(dir));
    await new ProjectionRunner({ store, readModels, projections: API_PROJECTIONS, logger: quiet }).replay();
    readModels.close();
    await store.close();
    // Generating 500 events and building the read models takes seconds on a busy machine.
  }, 60_000);
  afterEach(() => {
    if (savedDataDir === undefined) delete process.env.DATA_DIR;
    else process.env.DATA_DIR = savedDataDir;
    rmSync(dir, { recursive: true, force: true });
  });

  it('rebuilds every projection into a fresh file and proves it equals the live read models', async () => {
    const { ctx, stdout } = context();
    expect(await replayCommand(ctx)).toBe(0);
    await ctx.close();
    expect(stdout()).toMatch(/^Rebuilt 5 projections from position 0 in [\d.]+ s \(500 events\) into .*read-models\.rebuilt\.db\n/);
    expect(stdout()).toMatch(/ {2}plans +v1 {2}position 500 {2}sha256 [0-9a-f]{16}… {2}= live\n/);
    expect(stdout()).toMatch(/ {2}activity +v4 {2}position 500 .*= live\n/);
    expect(stdout()).toMatch(/ {2}periods +v1 {2}position 500 .*= live\n/);
    expect(stdout()).toMatch(/ {2}report_list +v\d+ {2}position 500 .*= live\n/);
    expect(stdout()).toMatch(/OK: every projection equals its live read model at the same position\.\n$/);
    expect(existsSync(rebuiltReadModelsFile(dir))).toBe(true);
  });

  it('names the projection whose live read model differs, and exits 1 (--json)', async () => {
    const db = new Database(readModelsFile(dir));
    const chunk = db.prepare("SELECT seq, data FROM projection_chunks WHERE name = 'plans' LIMIT 1").get() as { seq: number; data: string };
    db.prepare("UPDATE projection_chunks SET data = ? WHERE name = 'plans' AND seq = ?").run(chunk.data.replace('"title":"', '"title":"Tampered '), chunk.seq);
    db.close();
    const { ctx, stdout } = context(true);
    const out = join(dir, 'elsewhere.db');
    expect(await replayCommand(ctx, { out })).toBe(1);
    await ctx.close();
    const result = JSON.parse(stdout()) as { ok: boolean; files: string[]; projections: Array<{ name: string; match: boolean; problem?: string }> };
    expect(result.ok).toBe(false);
    expect(result.files).toEqual([out]);
    expect(result.projections.filter((p) => !p.match).map((p) => p.name)).toEqual(['plans']);
    expect(result.projections[0].problem).toMatch(/differs from its rebuild at position 500/);
  });
});
