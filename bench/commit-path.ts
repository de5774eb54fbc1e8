/**
 * Issue 24: the CPU one report costs after its resolver, in-process and without HTTP — the
 * append through the embedded store (group commit, chain link, the commit itself) and the log
 * consumers the api feeds from each commit (the projection runner with the api's projections,
 * the hash-chain follower). One append at a time, as one agency client sends them, each waited
 * for until the projections have applied it (what a read-your-writes query waits for).
 *
 *   node --import @swc-node/register/esm-register bench/commit-path.ts [--appends 2000] [--rounds 3]
 *     [--data-root /dev/shm] (a tmpfs: no fsync, so only CPU is left)
 *     [--concurrency 1] (appends in flight at once, as that many clients send them: the group
 *       commit then stores several per transaction, as at 64 clients)
 *     [--configs all] (or a comma-separated subset of: store, projections, chain, api)
 *
 * `api` is every log consumer the api runs on the store: the projections, the hash-chain
 * follower, the key registry, the plan catalog and live updates (measure-updates, with no
 * subscription open).
 *
 * Prints, per configuration, CPU (user + system of this process) and wall time per append; the
 * configurations alternate round by round so that a busy machine weighs on all of them alike.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ChainFollower, ChainStore, auditChainFile } from '@app/audit';
import { KeyRegistry } from '@app/auth';
import { NO_STREAM, SqliteEventStore, embeddedStoreFile } from '@app/event-store';
import { PlanCatalog } from '@app/plan';
import { API_PROJECTIONS, ProjectionRunner, ReadModelStore, readModelsFile } from '@app/projections';
import { MeasureUpdates } from '../apps/api/src/projections/measure-updates.service.js';
import type { ProjectionsService } from '../apps/api/src/projections/projections.service.js';
import { generateHistory } from '../test/support/history-generator.js';
import { trainingEvent } from './support/raw-store.js';

const { values: args } = parseArgs({
  options: {
    appends: { type: 'string', default: '2000' },
    rounds: { type: 'string', default: '3' },
    'data-root': { type: 'string' },
    concurrency: { type: 'string', default: '1' },
    configs: { type: 'string', default: 'all' },
  },
});
const APPENDS = Number(args.appends);
const ROUNDS = Number(args.rounds);
const CONCURRENCY = Number(args.concurrency);
const silent = { log: () => undefined, warn: () => undefined, error: () => undefined };

const ALL_CONFIGS = {
  store: 'store only',
  projections: 'store + projections',
  chain: 'store + projections + hash chain',
  api: "store + every consumer of the api's",
} as const;
type Config = (typeof ALL_CONFIGS)[keyof typeof ALL_CONFIGS];
const CONFIGS: readonly Config[] =
  args.configs === 'all' ? Object.values(ALL_CONFIGS) : (args.configs ?? '').split(',').map((c) => ALL_CONFIGS[c as keyof typeof ALL_CONFIGS] ?? (() => { throw new Error(`unknown config ${c}`); })());

async function measure(config: Config, round: number): Promise<{ cpuMs: number; wallMs: number; perCommit: number }> {
  const dir = mkdtempSync(join(args['data-root'] ?? tmpdir(), 'apl-commit-path-'));
  try {
    const store = SqliteEventStore.open(embeddedStoreFile(dir));
    await generateHistory(store, { events: 200, progressEvery: 1_000_000 });
    const readModels = ReadModelStore.open(readModelsFile(dir));
    const runner = config === 'store only' ? undefined : new ProjectionRunner({ store, readModels, projections: API_PROJECTIONS, logger: silent });
    const withChain = config === ALL_CONFIGS.chain || config === ALL_CONFIGS.api;
    const chain = withChain ? ChainStore.open(auditChainFile(dir)) : undefined;
    const follower = chain && new ChainFollower({ store, chain, logger: silent });
    const api = config === ALL_CONFIGS.api;
    const keys = api ? new KeyRegistry(store, silent) : undefined;
    const catalog = api ? new PlanCatalog(store, silent) : undefined;
    const updates = api && runner ? new MeasureUpdates(store, { runner } as ProjectionsService) : undefined;
    await runner?.start();
    await follower?.start();
    await keys?.start();
    await catalog?.start();
    await updates?.onApplicationBootstrap();
    await runner?.catchUpToHead(60_000);
    // Warm-up: the JIT and SQLite's page cache.
    const append = async (tag: string, n: number) => {
      const { stream, event } = trainingEvent(`${tag}-${round}-${n}`);
      const { position } = await store.append(stream, [event], NO_STREAM);
      await runner?.waitForPosition(position, 60_000);
    };
    // `clients` loops, each one append at a time, `total` appends between them.
    const run = (tag: string, total: number, clients: number) => {
      let next = 0;
      const client = async () => {
        while (next < total) await append(tag, next++);
      };
      return Promise.all(Array.from({ length: clients }, client));
    };
    await run('warm', 300, CONCURRENCY);
    const commits0 = store.commitCount;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await run('run', APPENDS, CONCURRENCY);
    const perCommit = APPENDS / (store.commitCount - commits0);
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    await updates?.beforeApplicationShutdown();
    await catalog?.stop();
    await keys?.stop();
    await follower?.stop();
    await runner?.stop();
    readModels.close();
    chain?.close();
    await store.close();
    return { cpuMs: (cpu.user + cpu.system) / 1000 / APPENDS, wallMs: wallMs / APPENDS, perCommit };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const results = new Map<Config, Array<{ cpuMs: number; wallMs: number; perCommit: number }>>(CONFIGS.map((c) => [c, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const config of CONFIGS) {
    const r = await measure(config, round);
    results.get(config)!.push(r);
    process.stderr.write(`[commit-path] round ${round + 1} ${config}: ${r.cpuMs.toFixed(3)} ms CPU, ${r.wallMs.toFixed(3)} ms wall per append (${r.perCommit.toFixed(1)} per commit)\n`);
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
process.stdout.write('| configuration | CPU per append (median) | wall per append (median) |\n| --- | --- | --- |\n');
for (const [config, rs] of results) {
  process.stdout.write(`| ${config} | ${median(rs.map((r) => r.cpuMs)).toFixed(3)} ms | ${median(rs.map((r) => r.wallMs)).toFixed(3)} ms |\n`);
}
