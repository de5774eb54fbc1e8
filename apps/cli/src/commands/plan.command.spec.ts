import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SqliteEventStore } from '@app/event-store';
import { loadPlanCommand, validatePlanCommand } from './plan.command.js';
import { captureContext, ledger } from '../../../../test/support/cli.js';

const FIXTURES = resolve('test/fixtures/plans');
const DEMO = join(FIXTURES, 'demo-plan.yaml');
const REAL_PLAN = resolve('libs/plan/plans/hu-2022-2023.yaml');

/** Runs `ledger <args>`, with --json when asked. */
const cli = (args: string[], json = false) => ledger(...(json ? ['--json'] : []), ...args);
const context = captureContext;

describe('ledger plan', () => {
  let dir: string;
  const savedDataDir = process.env.DATA_DIR;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'apl-cli-plan-'));
    process.env.DATA_DIR = dir;
  });
  afterEach(() => {
    if (savedDataDir === undefined) delete process.env.DATA_DIR;
    else process.env.DATA_DIR = savedDataDir;
    rmSync(dir, { recursive: true, force: true });
  });

  describe('validate', () => {
    it('summarises a valid plan', async () => {
      const { ctx, stdout } = context();
      expect(await validatePlanCommand(ctx, DEMO)).toBe(0);
      expect(stdout()).toBe('OK: demo-2030, 2 pillars, 3 objectives, 4 measures, 7 indicators\n');
    });

    it('summarises the shipped plan', async () => {
      const { code, stdout } = await cli(['plan', 'validate', REAL_PLAN]);
      expect(code).toBe(0);
      expect(stdout).toMatch(/^OK: hu-2022-2023, 4 pillars, 18 objectives, 46 measures, \d+ indicators\n$/);
    });

    it('lists every error with file, line and path, and exits 1', async () => {
      const { code, stdout } = await cli(['plan', 'validate', join(FIXTURES, 'invalid-plan.yaml')]);
      expect(code).toBe(1);
      const lines = stdout.trim().split('\n');
      expect(lines).toHaveLength(4);
      expect(lines[0]).toMatch(
        /invalid-plan\.yaml:18:\d+: measure A\.1\.1 \(pillars\[0\]\.objectives\[0\]\.measures\[0\]\)\.responsible\[1\]: unknown agency id "missing-agency"/,
      );
      expect(lines[1]).toMatch(/:20:\d+: .*\.deadline: "2030-02-30" is not a real calendar date$/);
      expect(lines[2]).toMatch(/:24:\d+: measure A\.1\.1 indicator things .*\.event: event type "ThingHappened" is not in the event catalogue$/);
      expect(lines[3]).toMatch(/^INVALID: .*invalid-plan\.yaml: 3 errors$/);
    });

    it('answers JSON with --json', async () => {
      const ok = await cli(['plan', 'validate', DEMO], true);
      expect(JSON.parse(ok.stdout)).toMatchObject({
        valid: true,
        planId: 'demo-2030',
        stats: { pillars: 2, objectives: 3, measures: 4, indicators: 7, agencies: 7 },
        sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      });
      const bad = await cli(['plan', 'validate', join(FIXTURES, 'invalid-plan.yaml')], true);
      expect(bad.code).toBe(1);
      const body = JSON.parse(bad.stdout);
      expect(body.valid).toBe(false);
      expect(body.errors[0]).toMatchObject({ path: expect.stringContaining('responsible[1]'), line: 18 });
    });

    it('exits 66 when the file does not exist', async () => {
      const { code, stderr, stdout } = await cli(['plan', 'validate', join(dir, 'missing.yaml')]);
      expect(code).toBe(66);
      expect(stderr).toMatch(/Plan file not found: .*missing\.yaml/);
      expect(stdout).toBe('');
    });
  });

  describe('load', () => {
    it('refuses a store that does not exist (exit 69, naming the file), unless --create', async () => {
      const refused = await cli(['plan', 'load', DEMO]);
      expect(refused.code).toBe(69);
      expect(refused.stderr).toContain(`No event store at ${join(dir, 'events.db')} (DATA_DIR=${dir})`);
      expect(refused.stderr).toContain('--create');
      expect(existsSync(join(dir, 'events.db'))).toBe(false);
      expect((await cli(['plan', 'load', DEMO, '--create'])).code).toBe(0);
      expect(existsSync(join(dir, 'events.db'))).toBe(true);
    });

    it('adopts, then finds nothing to do, then records exactly what changed', async () => {
      const first = await cli(['plan', 'load', DEMO, '--create']);
      expect(first.code).toBe(0);
      expect(first.stdout).toMatch(/^Adopted plan demo-2030, 2 pillars, 3 objectives, 4 measures, 7 indicators at position \d+\n$/);

      const again = await cli(['plan', 'load', DEMO]);
      expect(again.stdout).toBe('Unchanged: the store already holds this version of plan demo-2030\n');

      const edited = join(dir, 'edited.yaml');
      writeFileSync(edited, readFileSync(DEMO, 'utf8').replace('aggregate: sum, field: places, target: 6', 'aggregate: sum, field: places, target: 8'));
      const amended = await cli(['plan', 'load', edited, '--principal', 'coordinator-office'], true);
      expect(amended.code).toBe(0);
      expect(JSON.parse(amended.stdout)).toMatchObject({
        planId: 'demo-2030',
        outcome: 'amended',
        changes: [{ op: 'set', path: ['measures', 'B.1.1', 'indicators', 'places', 'target'], before: 6, after: 8 }],
        position: expect.stringMatching(/^\d+$/),
      });

      writeFileSync(edited, readFileSync(DEMO, 'utf8').replace('target: 10', 'target: 12'));
      const human = await cli(['plan', 'load', edited]);
      expect(human.stdout).toMatch(/^Amended plan demo-2030 at position \d+: 2 changes\n/);
      expect(human.stdout).toContain('  set measure A.1.1, indicator trainings, target: 10 → 12\n');
      expect(human.stdout).toContain('  set measure B.1.1, indicator places, target: 8 → 6\n');

      const store = SqliteEventStore.open(join(dir, 'events.db'));
      try {
        const history = await store.readStream('plan-demo-2030');
        expect(history.map((e) => e.type)).toEqual(['PlanAdopted', 'PlanAmended', 'PlanAmended']);
        expect(history[0].metadata).toMatchObject({ principal: 'cli', sourceFile: expect.stringContaining('demo-plan.yaml') });
        expect(history[1].metadata).toMatchObject({ principal: 'coordinator-office' });
      } finally {
        await store.close();
      }
    });

    it('loads nothing from an invalid file', async () => {
      const { code } = await cli(['plan', 'load', join(FIXTURES, 'invalid-plan.yaml'), '--create']);
      expect(code).toBe(1);
      const { ctx } = context();
      const store = await ctx.eventStore({ create: true });
      expect(await store.headPosition()).toBe(0n);
      await ctx.close();
    });

    it('exits 66 when the file does not exist', async () => {
      const { ctx } = context();
      await expect(loadPlanCommand(ctx, join(dir, 'missing.yaml'))).rejects.toMatchObject({ exitCode: 66 });
      await ctx.close();
    });
  });
});
