/**
 * Time from `npm start` to serving, beside a bare Nest application's start:
 *
 *   node --import @swc-node/register/esm-register bench/start-time.ts [--runs 5]
 *
 * Runs what `npm start` runs (`node --max-semi-space-size=64 bin/api.js`: the api from its
 * sources, the changed ones compiled by SWC into node_modules/.cache) on a data directory of its
 * own, once to warm up (the first start: the shipped plan is adopted), then --runs
 * times (a "second npm start"), each timed from spawn to the first 200 of GET /health/live; then
 * bench/bare-nest.mjs the same way. `npm start` itself (npm's own start-up) adds its figure once.
 * Prints one JSON object (milliseconds; median and every run).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const runs = Number(values.runs);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Spawns `command args`, polls GET /health/live until 200; returns the milliseconds, then stops the process. */
async function timeToServing(command: string, args: string[], env: Record<string, string>): Promise<number> {
  const port = await freePort();
  const started = performance.now();
  // Its own process group: `npm start` runs the api in a child of npm, and the whole group is stopped.
  const child = spawn(command, args, { env: { ...process.env, ...env, PORT: String(port) }, stdio: ['ignore', 'ignore', 'inherit'], detached: true });
  let exited = false;
  child.once('exit', () => (exited = true));
  try {
    for (;;) {
      if (exited) throw new Error(`${command} ${args.join(' ')} exited before serving`);
      try {
        if ((await fetch(`http://127.0.0.1:${port}/health/live`)).status === 200) return Math.round(performance.now() - started);
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  } finally {
    if (!exited) {
      const gone = new Promise((r) => child.once('exit', r));
      process.kill(-child.pid!, 'SIGTERM');
      await gone;
    }
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const dataDir = mkdtempSync(join(tmpdir(), 'apl-start-'));
const apiEnv = { DATA_DIR: dataDir, NODE_ENV: 'development', LOG_LEVEL: 'warn' };
try {
  const first = await timeToServing(process.execPath, ['--max-semi-space-size=64', 'bin/api.js'], apiEnv);
  const api: number[] = [];
  for (let i = 0; i < runs; i++) api.push(await timeToServing(process.execPath, ['--max-semi-space-size=64', 'bin/api.js'], apiEnv));
  const npmStart = await timeToServing('npm', ['start', '--silent'], apiEnv);
  const bare: number[] = [];
  await timeToServing(process.execPath, ['bench/bare-nest.mjs'], {});
  for (let i = 0; i < runs; i++) bare.push(await timeToServing(process.execPath, ['bench/bare-nest.mjs'], {}));
  const load = spawnSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).stdout.trim();
  process.stdout.write(
    `${JSON.stringify({ runs, firstStartMs: first, secondStartMs: { median: median(api), all: api }, npmStartMs: npmStart, bareNestMs: { median: median(bare), all: bare }, loadavg: load }, null, 2)}\n`,
  );
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
