import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { jest } from '@jest/globals';
import { ConfigError } from '@app/config';
import { SqliteEventStore } from '@app/event-store';
import { DEFAULT_PLAN_FILE, autoloadPlans, planFilesSetting } from './plan-autoload.service.js';

const FIXTURES = resolve('test/fixtures/plans');

describe('planFilesSetting (PLAN_FILES)', () => {
  it('defaults to the shipped plan, which may be missing', () => {
    expect(planFilesSetting(undefined, '/srv/app')).toEqual({ files: [`/srv/app/${DEFAULT_PLAN_FILE}`], explicit: false });
    expect(planFilesSetting('  ', '/srv/app').explicit).toBe(false);
  });

  it('reads a comma-separated list relative to the working directory', () => {
    expect(planFilesSetting('a.yaml, /plans/b.yml', '/srv/app')).toEqual({ files: ['/srv/app/a.yaml', '/plans/b.yml'], explicit: true });
    expect(planFilesSetting('none', '/srv/app')).toEqual({ files: [], explicit: true });
  });

  it('refuses a malformed list, naming PLAN_FILES', () => {
    expect(() => planFilesSetting('a.yaml,,b.yaml', '/x')).toThrow(ConfigError);
    expect(() => planFilesSetting('a.yaml,,b.yaml', '/x')).toThrow(/^Invalid configuration: PLAN_FILES .*it has an empty entry/);
    expect(() => planFilesSetting('plan.json', '/x')).toThrow(/PLAN_FILES .*"plan.json" is not a YAML file name/);
  });
});

describe('autoloadPlans', () => {
  let dir: string;
  let store: SqliteEventStore;
  const logger = { log: jest.fn(), warn: jest.fn() };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'apl-autoload-'));
    store = SqliteEventStore.open(join(dir, 'events.db'));
    logger.log.mockClear();
    logger.warn.mockClear();
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const setting = (...names: string[]) => ({ files: names.map((n) => join(FIXTURES, n)), explicit: true });

  it('adopts the plans on an empty store, recording where they came from, and only then', async () => {
    const cwd = resolve('.');
    const results = await autoloadPlans({ store, logger }, setting('demo-plan.yaml', 'second-plan.yaml'), cwd);
    expect(results.map((r) => [r.planId, r.outcome])).toEqual([
      ['demo-2030', 'adopted'],
      ['demo-2032', 'adopted'],
    ]);
    const [adopted] = await store.readStream('plan-demo-2030');
    expect(adopted.metadata).toMatchObject({
      principal: 'system:autoload',
      sourceFile: 'test/fixtures/plans/demo-plan.yaml',
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(logger.log).toHaveBeenCalledWith(expect.stringContaining('Plan demo-2030 adopted from test/fixtures/plans/demo-plan.yaml'));

    // Any plan in the store: nothing more is adopted, not even a plan that is not there yet.
    const again = await autoloadPlans({ store, logger }, setting('demo-plan.yaml', 'other.yaml'), cwd);
    expect(again).toEqual([]);
    expect(await store.readStream('plan-demo-2030')).toHaveLength(1);
  });

  it('only warns when the shipped plan is missing', async () => {
    const results = await autoloadPlans({ store, logger }, planFilesSetting(undefined, dir), dir);
    expect(results).toEqual([]);
    expect(logger.warn).toHaveBeenCalledWith(expect.stringContaining('does not exist'));
  });

  it('stops when a file PLAN_FILES names is missing or invalid', async () => {
    await expect(autoloadPlans({ store, logger }, setting('nope.yaml'), dir)).rejects.toThrow(
      /PLAN_FILES names .*nope\.yaml, which does not exist/,
    );
    await expect(autoloadPlans({ store, logger }, setting('invalid-plan.yaml'), dir)).rejects.toThrow(
      /invalid-plan\.yaml is invalid:\n.*responsible\[1\]: unknown agency id "missing-agency"/,
    );
    expect(await store.headPosition()).toBe(0n);
  });
});
