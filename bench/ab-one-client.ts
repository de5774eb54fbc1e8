/**
 * Issue 24: one report at a time against the no-op mutation, for two source trees at once
 * (before and after a change), in short alternating windows: on a machine shared with other work
 * the load swings within seconds, so figures from runs minutes apart are not comparable, and
 * windows that alternate see the same conditions on average.
 *
 *   node --import @swc-node/register/esm-register bench/ab-one-client.ts --trees DIR_A,DIR_B
 *     [--rounds 12] [--window 2] [--connections 1] [--data-root /dev/shm]
 *
 * Each tree's api runs as bench/run.ts starts it, with the bench-only noopMutation added (one
 * server per tree serves both operations). A round runs, per tree, noopMutation then
 * recordTrainingDelivered (1 client, or `--connections` of them) for `window` seconds each,
 * with the server's CPU (user + system) read around each window. Prints per tree: requests per
 * second and CPU per request of both, and the report ÷ no-op ratio (over all rounds, and the
 * median of the rounds' ratios).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type GraphqlLoad, autocannonLoad } from './support/load.js';
import { processCpuMs } from './support/machine.js';
import { type BenchServer, issueAgencyKey, startServer } from './support/server-process.js';

const { values: args } = parseArgs({
  options: { trees: { type: 'string', default: '.' }, connections: { type: 'string', default: '1' }, rounds: { type: 'string', default: '12' }, window: { type: 'string', default: '2' }, 'data-root': { type: 'string' } },
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
  readonly sums: Record<'noop' | 'ingest', { requests: number; cpuMs: number; seconds: number }>;
  readonly ratios: number[];
}

const dirs: string[] = [];
const trees: Tree[] = [];
try {
  for (const [i, dir] of (args.trees ?? '.').split(',').map((d) => resolve(d)).entries()) {
    const dataDir = mkdtempSync(join(args['data-root'] ?? tmpdir(), `apl-ab-${i}-`));
    dirs.push(dataDir);
    const server = await startServer({ dataDir, noop: true, cwd: dir, startTimeoutMs: 180_000 });
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
      sums: { noop: { requests: 0, cpuMs: 0, seconds: 0 }, ingest: { requests: 0, cpuMs: 0, seconds: 0 } },
      ratios: [],
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
        const r = await autocannonLoad(`${op} round ${round}`, tree[op], { connections: CONNECTIONS, seconds: WINDOW });
        const cpu = processCpuMs(pid)! - cpu0;
        const sum = tree.sums[op];
        sum.requests += r.rate * WINDOW;
        sum.cpuMs += cpu;
        sum.seconds += WINDOW;
        rates[op] = r.rate;
      }
      tree.ratios.push(rates.ingest / rates.noop);
      log(`round ${round + 1} ${basename(tree.dir)}: no-op ${Math.round(rates.noop)}/s, report ${Math.round(rates.ingest)}/s, ${(rates.ingest / rates.noop).toFixed(2)}×`);
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  process.stdout.write('| tree | no-op / s | CPU per no-op | report / s | CPU per report | report ÷ no-op (all rounds) | median of rounds |\n| --- | --- | --- | --- | --- | --- | --- |\n');
  for (const t of trees) {
    const n = t.sums.noop;
    const r = t.sums.ingest;
    process.stdout.write(
      `| ${t.dir} | ${Math.round(n.requests / n.seconds)} | ${(n.cpuMs / n.requests).toFixed(3)} ms | ${Math.round(r.requests / r.seconds)} | ${(r.cpuMs / r.requests).toFixed(3)} ms | ` +
        `${(r.requests / n.requests).toFixed(2)}× | ${median(t.ratios).toFixed(2)}× |\n`,
    );
  }
} finally {
  for (const t of trees) await t.server.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}
