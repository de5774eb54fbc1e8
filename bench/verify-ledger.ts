/**
 * What a `verifyLedger` request costs on a store of N events, before and after verification
 * became incremental (apps/api/src/audit/ledger-verifier.ts):
 *
 *   node --import @swc-node/register/esm-register bench/verify-ledger.ts --events 150000
 *
 * Builds (or reuses) a generated store in --dir with its hash-chain links, then times, each
 * --runs times: a run over the whole log (what every request did before, and what
 * `verifyLedger(full: true)` does), and an incremental request after the start-up run with 0
 * and with 100 events appended since the last one. Prints one JSON object.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ChainFollower, ChainStore, auditChainFile, verifyChain } from '@app/audit';
import { ANY, SqliteEventStore, embeddedStoreFile } from '@app/event-store';
import { LedgerVerifier } from '../apps/api/src/audit/ledger-verifier.js';
import { generateStore, progressPrinter } from './generate.js';

const { values } = parseArgs({ options: { events: { type: 'string', default: '150000' }, dir: { type: 'string' }, runs: { type: 'string', default: '3' } } });
const events = Number(values.events);
const runs = Number(values.runs);
const dir = values.dir ?? join('/tmp', `apl-verify-${events}`);
if (!existsSync(embeddedStoreFile(dir))) await generateStore(dir, { events, seed: 1, onProgress: progressPrinter('generate'), progressEvery: 50_000 });

const store = SqliteEventStore.open(embeddedStoreFile(dir));
const chain = ChainStore.open(auditChainFile(dir));
const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };
const follower = new ChainFollower({ store, chain, logger: quiet });
await follower.catchUp();

const ms = async (work: () => Promise<unknown>) => {
  const started = performance.now();
  await work();
  return Math.round(performance.now() - started);
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const whole: number[] = [];
for (let i = 0; i < runs; i++) whole.push(await ms(() => verifyChain({ store, chain })));

const verifier = new LedgerVerifier(store, chain);
const startup = await ms(async () => {
  verifier.start();
  await verifier.verify();
});
const none: number[] = [];
const hundred: number[] = [];
for (let i = 0; i < runs; i++) {
  none.push(await ms(() => verifier.verify()));
  for (let j = 0; j < 100; j++) await store.append(`bench-verify-${Date.now()}-${i}-${j}`, [{ type: 'BenchNoted', data: { i, j } }], ANY);
  await follower.catchUp();
  hundred.push(await ms(async () => {
    const result = await verifier.verify();
    if (!result.ok || result.events !== 100) throw new Error(`unexpected: ${JSON.stringify({ ok: result.ok, events: result.events })}`);
  }));
}
const head = await store.headPosition();
await store.close();
chain.close();
process.stdout.write(
  `${JSON.stringify({ events: Number(head), runs, wholeLogMs: { median: median(whole), all: whole }, startupRunMs: startup, incrementalMs: { noNewEvents: median(none), hundredNewEvents: median(hundred), all: { none, hundred } } }, null, 2)}\n`,
);
