/**
 * Issue 24: the CPU one report costs after its resolver, in-process and without HTTP — the
 * append through the embedded store (group commit, chain link, the commit itself) and the log
 * consumers the api feeds from each commit (the projection runner with the api's projections,
 * the hash-chain follower). One append at a time, as one agency client sends them, each waited
 * for until the projections have applied it (what a read-your-writes query waits for).
 *
 *   node --import @swc-node/register/esm-register bench/commit-path.ts [--appends 2000] [--rounds 3]
 *     [--data-root /dev/shm] (a tmpfs: no fsync, so only CPU is left)
 *
 * Prints, per configuration, CPU (user + system of this process) and wall time per append; the
 * configurations alternate round by round so that a busy machine weighs on all of them alike.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ChainFollower, ChainStore, auditChainFile } from '@app/audit';
import { NO_STREAM, SqliteEventStore, embeddedStoreFile } from '@app/event-store';
import { API_PROJECTIONS, ProjectionRunner, ReadModelStore, readModelsFile } from '@app/projections';
import { generateHistory } from '../test/support/history-generator.js';
import { trainingEvent } from './support/raw-store.js';

const { values: args } = parseArgs({
  options: { appends: { type: 'string', default: '2000' }, rounds: { type: 'string', default: '3' }, 'data-root': { type: 'string' } },
});
const APPENDS = Number(args.appends);
const ROUNDS = Number(args.rounds);
const silent = { log: () => undefined, warn: () => undefined, error: () => undefined };

type Config = 'store only' | 'store + projections' | 'store + projections + hash chain';
const CONFIGS: readonly Config[] = ['store only', 'store + projections', 'store + projections + hash chain'];

async function measure(config: Config, round: number): Promise<{ cpuMs: number; wallMs: number }> {
  const dir = mkdtempSync(join(args['data-root'] ?? tmpdir(), 'apl-commit-path-'));
  try {
    const store = SqliteEventStore.open(embeddedStoreFile(dir));
    await generateHistory(store, { events: 200, progressEvery: 1_000_000 });
    const readModels = ReadModelStore.open(readModelsFile(dir));
    const runner = config === 'store only' ? undefined : new ProjectionRunner({ store, readModels, projections: API_PROJECTIONS, logger: silent });
    const chain = config === 'store + projections + hash chain' ? ChainStore.open(auditChainFile(dir)) : undefined;
    const follower = chain && new ChainFollower({ store, chain, logger: silent });
    await runner?.start();
    await follower?.start();
    await runner?.catchUpToHead(60_000);
    // Warm-up: the JIT and SQLite's page cache.
    const append = async (tag: string, n: number) => {
      const { stream, event } = trainingEvent(`${tag}-${round}-${n}`);
      const { position } = await store.append(stream, [event], NO_STREAM);
      await runner?.waitForPosition(position, 60_000);
    };
    for (let n = 0; n < 300; n++) await append('warm', n);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (let n = 0; n < APPENDS; n++) await append('run', n);
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    await follower?.stop();
    await runner?.stop();
    readModels.close();
    chain?.close();
    await store.close();
    return { cpuMs: (cpu.user + cpu.system) / 1000 / APPENDS, wallMs: wallMs / APPENDS };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const results = new Map<Config, Array<{ cpuMs: number; wallMs: number }>>(CONFIGS.map((c) => [c, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const config of CONFIGS) {
    const r = await measure(config, round);
    results.get(config)!.push(r);
    process.stderr.write(`[commit-path] round ${round + 1} ${config}: ${r.cpuMs.toFixed(3)} ms CPU, ${r.wallMs.toFixed(3)} ms wall per append\n`);
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
process.stdout.write('| configuration | CPU per append (median) | wall per append (median) |\n| --- | --- | --- |\n');
for (const [config, rs] of results) {
  process.stdout.write(`| ${config} | ${median(rs.map((r) => r.cpuMs)).toFixed(3)} ms | ${median(rs.map((r) => r.wallMs)).toFixed(3)} ms |\n`);
}
