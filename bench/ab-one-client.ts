/**
 * Issue 24: one report at a time against the no-op mutation, for two source trees at once
 * (before and after a change), in short alternating windows: on a machine shared with other work
 * the load swings within seconds, so figures from runs minutes apart are not comparable, and
 * windows that alternate see the same conditions on average.
 *
 *   node --import @swc-node/register/esm-register bench/ab-one-client.ts --trees DIR_A,DIR_B
 *     [--rounds 12] [--window 2] [--connections 1] [--data-root /dev/shm] [--profile [--top 40]]
 *
 * Each tree's api runs as bench/run.ts starts it, with the bench-only noopMutation added (one
 * server per tree serves both operations). A round runs, per tree, noopMutation then
 * recordTrainingDelivered (1 client, or `--connections` of them) for `window` seconds each,
 * with the server's CPU (user + system; all threads, and its main thread's alone) read around each window. Prints per tree: requests per
 * second and CPU per request of both, and the report ÷ no-op ratio (over all rounds, and the
 * median of the rounds' ratios). With --profile each server runs under `node --cpu-prof`, and the
 * samples inside each tree's report windows (and no-op windows) are compared side by side in
 * sampled µs per request: self time per package or folder, and this repository's functions by
 * inclusive time (wall-clock sampling: a thread waiting for a core is counted where it waits).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type GraphqlLoad, autocannonLoad } from './support/load.js';
import { processCpuMs, threadCpuMs } from './support/machine.js';
import { rawSqliteAppends } from './support/raw-store.js';
import { type ProfileSummary, monotonicMicros, summariseProfile } from './support/profile.js';
import { type BenchServer, issueAgencyKey, startServer } from './support/server-process.js';

const { values: args } = parseArgs({
  options: { trees: { type: 'string', default: '.' }, connections: { type: 'string', default: '1' }, rounds: { type: 'string', default: '12' }, window: { type: 'string', default: '2' }, 'data-root': { type: 'string' }, profile: { type: 'boolean', default: false }, top: { type: 'string', default: '40' } },
});
const ROUNDS = Number(args.rounds);
const WINDOW = Number(args.window);
const CONNECTIONS = Number(args.connections);
const log = (m: string) => process.stderr.write(`[ab-one-client] ${m}\n`);
const INGEST_QUERY = 'mutation ($input: RecordTrainingDeliveredInput!) { recordTrainingDelivered(input: $input) { position } }';

interface Tree {
  readonly dir: string;
  readonly server: BenchServer;
  readonly noop: GraphqlLoad;
  readonly ingest: GraphqlLoad;
  readonly sums: Record<'noop' | 'ingest', { requests: number; cpuMs: number; mainCpuMs: number; seconds: number }>;
  readonly ratios: number[];
  readonly profDir?: string;
  readonly windows: Record<'noop' | 'ingest', Array<{ fromUs: number; toUs: number }>>;
}

const dirs: string[] = [];
const trees: Tree[] = [];
/** Per round at one client: mean latency (ms) of one durable commit alone, beside the stores. */
const commitMs: number[] = [];
try {
  for (const [i, dir] of (args.trees ?? '.').split(',').map((d) => resolve(d)).entries()) {
    const dataDir = mkdtempSync(join(args['data-root'] ?? tmpdir(), `apl-ab-${i}-`));
    dirs.push(dataDir);
    const profDir = args.profile ? mkdtempSync(join(args['data-root'] ?? tmpdir(), `apl-ab-prof-${i}-`)) : undefined;
    if (profDir) dirs.push(profDir);
    const server = await startServer({ dataDir, noop: true, cwd: dir, startTimeoutMs: 180_000, nodeFlags: profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [] });
    const key = await issueAgencyKey(server, 'ministry-of-interior');
    const noopBody = JSON.stringify({ query: 'mutation { noopMutation }' });
    const ingest: GraphqlLoad = {
      url: server.url,
      key,
      body: (n) =>
        JSON.stringify({
          query: INGEST_QUERY,
          variables: { input: { measureCode: 'II.1.3', reportId: `ab-${Date.now()}-${n}`, occurredOn: '2023-05-02', title: 'Border control course', participants: 12 + (n % 20), days: 1 } },
        }),
    };
    const tree: Tree = {
      dir,
      server,
      noop: { url: server.url, key, body: () => noopBody },
      ingest,
      sums: { noop: { requests: 0, cpuMs: 0, mainCpuMs: 0, seconds: 0 }, ingest: { requests: 0, cpuMs: 0, mainCpuMs: 0, seconds: 0 } },
      ratios: [],
      profDir,
      windows: { noop: [], ingest: [] },
    };
    await autocannonLoad('noop warm-up', tree.noop, { connections: 4, seconds: 3 });
    await autocannonLoad('ingest warm-up', tree.ingest, { connections: 4, seconds: 3 });
    trees.push(tree);
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const tree of trees) {
      const rates: Record<string, number> = {};
      for (const op of ['noop', 'ingest'] as const) {
        const pid = tree.server.child.pid!;
        const cpu0 = processCpuMs(pid)!;
        const main0 = threadCpuMs(pid)!;
        const fromUs = monotonicMicros();
        const r = await autocannonLoad(`${op} round ${round}`, tree[op], { connections: CONNECTIONS, seconds: WINDOW });
        tree.windows[op].push({ fromUs, toUs: monotonicMicros() });
        const cpu = processCpuMs(pid)! - cpu0;
        const sum = tree.sums[op];
        sum.requests += r.rate * WINDOW;
        sum.cpuMs += cpu;
        sum.mainCpuMs += threadCpuMs(pid)! - main0;
        sum.seconds += WINDOW;
        rates[op] = r.rate;
      }
      tree.ratios.push(rates.ingest / rates.noop);
      log(`round ${round + 1} ${basename(tree.dir)}: no-op ${Math.round(rates.noop)}/s, report ${Math.round(rates.ingest)}/s, ${(rates.ingest / rates.noop).toFixed(2)}×`);
    }
    if (CONNECTIONS === 1) {
      const commits = await rawSqliteAppends(1, 1, 100_000, args['data-root'] ?? tmpdir());
      commitMs.push(1000 / commits.rate);
      log(`round ${round + 1}: one durable commit alone ${commitMs.at(-1)!.toFixed(3)} ms`);
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const meanCommitMs = commitMs.length > 0 ? commitMs.reduce((a, b) => a + b, 0) / commitMs.length : undefined;
  process.stdout.write(
    '| tree | no-op / s | CPU per no-op (main thread) | report / s | CPU per report (main thread) | report ÷ no-op (all rounds) | median of rounds | ceiling at one client |\n| --- | --- | --- | --- | --- | --- | --- | --- |\n',
  );
  for (const t of trees) {
    const n = t.sums.noop;
    const r = t.sums.ingest;
    const noopMs = (1000 * n.seconds) / n.requests;
    const ceiling = meanCommitMs === undefined ? '—' : `${(noopMs / (noopMs + meanCommitMs)).toFixed(2)}× (no-op ${noopMs.toFixed(3)} ms + commit ${meanCommitMs.toFixed(3)} ms)`;
    process.stdout.write(
      `| ${t.dir} | ${Math.round(n.requests / n.seconds)} | ${(n.cpuMs / n.requests).toFixed(3)} ms (${(n.mainCpuMs / n.requests).toFixed(3)}) | ` +
        `${Math.round(r.requests / r.seconds)} | ${(r.cpuMs / r.requests).toFixed(3)} ms (${(r.mainCpuMs / r.requests).toFixed(3)}) | ` +
        `${(r.requests / n.requests).toFixed(2)}× | ${median(t.ratios).toFixed(2)}× | ${ceiling} |\n`,
    );
  }
  if (args.profile) {
    for (const t of trees) await t.server.stop();
    printProfiles();
  }
} finally {
  for (const t of trees) await t.server.stop();
  // --profile keeps the stores and profiles (their paths on stderr) for a closer look.
  if (args.profile) log(`kept: ${dirs.join(' ')}`);
  else for (const d of dirs) rmSync(d, { recursive: true, force: true });
}

/** Per tree and operation: sampled µs per request, by group (self) and by function (inclusive). */
function printProfiles(): void {
  const TOP = Number(args.top);
  const perOp = (p: ProfileSummary, tree: Tree, op: 'noop' | 'ingest') => (ms: number) => (ms * 1000) / tree.sums[op].requests;
  const summaries = trees.map((t) => ({
    tree: t,
    noop: summariseProfile(t.profDir!, t.windows.noop, 10_000, t.dir),
    ingest: summariseProfile(t.profDir!, t.windows.ingest, 10_000, t.dir),
  }));
  const names = trees.map((t) => basename(t.dir));
  const table = (title: string, pick: (s: (typeof summaries)[number]) => Array<{ key: string; us: number }>) => {
    const rows = new Map<string, number[]>();
    summaries.forEach((s, i) => {
      for (const { key, us } of pick(s)) {
        const row = rows.get(key) ?? names.map(() => 0);
        row[i] += us;
        rows.set(key, row);
      }
    });
    const sorted = [...rows.entries()].sort((a, b) => Math.max(...b[1]) - Math.max(...a[1])).slice(0, TOP);
    process.stdout.write(`\n${title}\n\n| | ${names.join(' | ')} |\n| --- |${names.map(() => ' --- |').join('')}\n`);
    for (const [key, us] of sorted) process.stdout.write(`| ${key} | ${us.map((u) => u.toFixed(1)).join(' | ')} |\n`);
  };
  const busy = (p: ProfileSummary) => p.totalMs - (p.groups.find((g) => g.name === '(idle)')?.ms ?? 0);
  process.stdout.write(`\nsampled busy µs per request: ${summaries.map((s) => `${names[trees.indexOf(s.tree)]} no-op ${perOp(s.noop, s.tree, 'noop')(busy(s.noop)).toFixed(0)}, report ${perOp(s.ingest, s.tree, 'ingest')(busy(s.ingest)).toFixed(0)}`).join('; ')}\n`);
  table('report windows: self µs per report, by package or folder', (s) => s.ingest.groups.map((g) => ({ key: g.name, us: perOp(s.ingest, s.tree, 'ingest')(g.ms) })));
  table('no-op windows: self µs per no-op, by package or folder', (s) => s.noop.groups.map((g) => ({ key: g.name, us: perOp(s.noop, s.tree, 'noop')(g.ms) })));
  table('report windows: self µs per report, by function', (s) => s.ingest.functions.map((g) => ({ key: `${g.name} ${g.where}`, us: perOp(s.ingest, s.tree, 'ingest')(g.ms) })));
  table('report windows: inclusive µs per report, functions of apps/ and libs/', (s) => s.ingest.inclusive.map((g) => ({ key: `${g.name} ${g.where}`, us: perOp(s.ingest, s.tree, 'ingest')(g.ms) })));
}
