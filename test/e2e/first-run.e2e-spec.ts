import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** `node bin/<entry> …` as `npm start` / `npx ledger` run it, with stdout and stderr collected. */
function run(entry: string, args: string[], env: Record<string, string>): { child: ChildProcess; stdout: () => string; stderr: () => string; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> } {
  const child = spawn(process.execPath, [resolve('bin', entry), ...args], { cwd: process.cwd(), env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.on('exit', (code, signal) => done({ code, signal })));
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

async function until(condition: () => boolean, what: string, exited: Promise<unknown>): Promise<void> {
  let gone = false;
  void exited.then(() => (gone = true));
  while (!condition()) {
    if (gone) throw new Error(`exited before ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('first run (npm start, npx ledger)', () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'apl-first-run-'));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  // The environment of a fresh clone: development, pretty logs, the shipped plan.
  const env = () => ({ DATA_DIR: dataDir, PORT: '0', NODE_ENV: 'development', LOG_FORMAT: 'pretty', LOG_LEVEL: 'info', PLAN_FILES: '', ADMIN_API_KEY: '' });

  it('starts from the sources with a short log: the plan adopted, then the ADMIN key in its own block; exits 0 on SIGTERM', async () => {
    const api = run('api.js', [], env());
    try {
      await until(() => /GraphQL at http:\/\/localhost:\d+\/graphql/.test(api.stdout()), 'listening', api.exited);
      const url = /GraphQL at (http:\/\/localhost:\d+)\/graphql/.exec(api.stdout())![1];
      expect((await fetch(`${url}/health/live`)).status).toBe(200);
      api.child.kill('SIGTERM');
      expect(await api.exited).toEqual({ code: 0, signal: null });
    } finally {
      if (api.child.exitCode === null) api.child.kill('SIGKILL');
    }
    const out = api.stdout();
    const logLines = out.split('\n').filter((l) => /^\[\d\d:\d\d:\d\d\.\d{3}\] /.test(l));
    // Store, plan, two projections, the key, where it listens; then the shutdown.
    expect(logLines.length).toBeLessThanOrEqual(10);
    expect(out).not.toMatch(/InstanceLoader|RouterExplorer|RoutesResolver|plan\(s\) in the catalog/);
    const adopted = out.indexOf('Plan hu-2022-2023 adopted');
    const key = /\n\n {4}(apl_[A-Za-z0-9]+_[A-Za-z0-9_-]+)\n\n/.exec(out);
    expect(adopted).toBeGreaterThan(0);
    expect(key).not.toBeNull();
    expect(key!.index).toBeGreaterThan(adopted);
    expect(out).toMatch(/SIGTERM: shutting down[\s\S]*Stopped cleanly/);
    expect(api.stderr()).toBe('');
  }, 180_000);

  it('the CLI on that store: agencies with names; output into a closed pipe ends quietly', async () => {
    const agencies = run('ledger.js', ['agencies'], env());
    expect((await agencies.exited).code).toBe(0);
    expect(agencies.stdout()).toMatch(/^AGENCY ID +KIND +NAME$/m);
    expect(agencies.stdout()).toMatch(/^ministry-of-interior +\S+ +Ministry of Interior/m);

    // `ledger --json agencies | head -c0`: the reader is gone before the CLI writes.
    const piped = run('ledger.js', ['--json', 'agencies'], env());
    piped.child.stdout!.destroy();
    const { code } = await piped.exited;
    expect(piped.stderr()).not.toMatch(/EPIPE|\n\s+at /);
    expect(code).toBe(0);
  }, 120_000);

  it('the CLI without the api\'s DATA_DIR refuses with exit 69 and the path it looked at', async () => {
    const elsewhere = join(dataDir, 'not-here');
    const status = run('ledger.js', ['status'], { ...env(), DATA_DIR: elsewhere });
    expect((await status.exited).code).toBe(69);
    expect(status.stderr()).toContain(`No event store at ${join(elsewhere, 'events.db')}`);
  }, 120_000);
});
