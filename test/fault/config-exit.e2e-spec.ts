import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnTs, watchLines } from './support/spawn-ts.js';

/** Each test compiles and starts main.ts in a child: tens of seconds on a machine busy with a full run. */
const SPAWN_TIMEOUT_MS = 120_000;

/** Starts the api (main.ts) with `env` and waits for it to exit. */
async function start(env: Record<string, string>) {
  const dataDir = mkdtempSync(join(tmpdir(), 'apl-config-exit-'));
  try {
    const lines: string[] = [];
    const child = spawnTs('apps/api/src/main.ts', [], { DATA_DIR: dataDir, NODE_ENV: 'test', LOG_LEVEL: 'warn', PORT: '0', ...env });
    const exit = await watchLines(child, (line) => lines.push(line));
    return { ...exit, stdout: lines.join('\n') };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

describe('a bad configuration stops the api (fault)', () => {
  it('names the variable and what it expects, and exits 78 before Nest starts', async () => {
    const { code, stderr, stdout } = await start({ PORT: 'abc' });
    expect(code).toBe(78);
    expect(stderr).toMatch(/^Invalid configuration: PORT must be a whole number from 0 to 65535 \(got "abc"\)$/m);
    // Nothing of Nest ran: no log line at all.
    expect(stdout).toBe('');
  }, SPAWN_TIMEOUT_MS);

  it('lists every bad variable at once', async () => {
    const { code, stderr } = await start({ LOG_LEVEL: 'loud', READINESS_MAX_LAG: '-5', ADMIN_API_KEY: 'hunter2', HTTP_BODY_LIMIT: '1mb' });
    expect(code).toBe(78);
    expect(stderr).toMatch(/Invalid configuration: LOG_LEVEL must be one of fatal, error, warn, info, debug, trace \(got "loud"\)/);
    expect(stderr).toMatch(/Invalid configuration: READINESS_MAX_LAG must be a whole number/);
    expect(stderr).toMatch(/Invalid configuration: ADMIN_API_KEY must have the form apl_<keyId>_<secret>/);
    // A body limit that cannot carry a full batch names both variables.
    expect(stderr).toMatch(/Invalid configuration: HTTP_BODY_LIMIT \(1mb\) cannot carry a recordReports request of BULK_MAX_ROWS \(10000\) reports/);
    expect(stderr).not.toMatch(/hunter2/);
  }, SPAWN_TIMEOUT_MS);

  it('exits 78 too for a setting only checkable at start (a PLAN_FILES file that does not exist)', async () => {
    const { code, stderr } = await start({ PLAN_FILES: 'no/such/plan.yaml' });
    expect(code).toBe(78);
    expect(stderr).toMatch(/Invalid configuration: PLAN_FILES names .*no\/such\/plan\.yaml, which does not exist/);
  }, SPAWN_TIMEOUT_MS);
});
