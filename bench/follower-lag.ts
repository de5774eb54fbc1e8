/**
 * The projection follower alone, without HTTP: how long after an append is acknowledged the
 * projections have applied it (what a read with `atLeastPosition` waits for), at a paced rate
 * relative to the store's own closed-loop append rate measured in the same run (issue 24:
 * read-your-writes at 0.7× the 64-client rate).
 *
 *   node --import @swc-node/register/esm-register bench/follower-lag.ts [--seconds 5] [--data-root /dev/shm]
 *
 * One process: the embedded SQLite store (group commit, synchronous=FULL), the api's projection
 * runner (API_PROJECTIONS, its default batch size and interval) following it, and the load:
 * report events of the demo plan, one per append, 64 appends in flight for the closed-loop rate,
 * then open-loop at shares of it. Prints a Markdown table on stdout.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ANY, SqliteEventStore } from '@app/event-store';
import { API_PROJECTIONS, ProjectionRunner, ReadModelStore } from '@app/projections';
import { DEMO_PLAN_FILE, TestLog, loadTestPlan } from '../libs/projections/src/test-support.js';
import { percentiles } from './support/load.js';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '5' }, 'data-root': { type: 'string' }, 'batch-interval': { type: 'string' } } });
const SECONDS = Number(values.seconds);
const quiet = { log: () => {}, warn: () => {}, error: () => {} };
const plan = loadTestPlan(DEMO_PLAN_FILE);

interface Row {
  readonly label: string;
  readonly rate: number;
  readonly ackP50: number;
  readonly ackP99: number;
  readonly rywP50: number;
  readonly rywP99: number;
  readonly rywMax: number;
  readonly lagMax: number;
}

async function withStore<T>(run: (store: SqliteEventStore, runner: ProjectionRunner) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(values['data-root'] ?? tmpdir(), 'apl-follower-'));
  const store = SqliteEventStore.open(join(dir, 'events.db'));
  const readModels = ReadModelStore.open(join(dir, 'read-models.db'));
  const runner = new ProjectionRunner({ store, readModels, projections: API_PROJECTIONS, logger: quiet, ...(values['batch-interval'] ? { batchIntervalMs: Number(values['batch-interval']) } : {}) });
  try {
    const log = new TestLog();
    const adopted = log.adopt(plan);
    await store.append(adopted.stream, [{ type: adopted.type, data: adopted.data, metadata: adopted.metadata }], ANY);
    await runner.start();
    await runner.catchUpToHead(60_000);
    return await run(store, runner);
  } finally {
    await runner.stop();
    readModels.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

let reportNo = 0;
function nextReport() {
  const log = new TestLog();
  const n = reportNo++;
  const e = log.report('TrainingDelivered', { agencyId: 'river-city-police', reportId: `f-${n}`, measureCode: 'A.1.1' }, '2030-02-01', { title: 't', participants: 1 + (n % 30), days: 1 });
  return e;
}

/** One append, then the wait for the projections to apply it; both times in ms. */
async function one(store: SqliteEventStore, runner: ProjectionRunner, acks: number[], ryw: number[]): Promise<void> {
  const e = nextReport();
  const t0 = performance.now();
  const { position } = await store.append(e.stream, [{ type: e.type, data: e.data, metadata: e.metadata }], 'no_stream');
  const acked = performance.now();
  acks.push(acked - t0);
  await runner.waitForPosition(position, 60_000);
  ryw.push(performance.now() - acked);
}

async function closedLoop(store: SqliteEventStore, runner: ProjectionRunner, inFlight: number): Promise<Row> {
  const acks: number[] = [];
  const ryw: number[] = [];
  const end = performance.now() + SECONDS * 1000;
  let lagMax = 0n;
  const sampler = setInterval(() => void runner.lag().then((l) => (lagMax = l > lagMax ? l : lagMax)), 50);
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (performance.now() < end) await one(store, runner, acks, ryw);
    }),
  );
  clearInterval(sampler);
  return row(`closed loop, ${inFlight} in flight`, acks.length / SECONDS, acks, ryw, lagMax);
}

async function paced(store: SqliteEventStore, runner: ProjectionRunner, rate: number, label: string): Promise<Row> {
  const acks: number[] = [];
  const ryw: number[] = [];
  const pending: Promise<void>[] = [];
  const start = performance.now();
  let sent = 0;
  let lagMax = 0n;
  const sampler = setInterval(() => void runner.lag().then((l) => (lagMax = l > lagMax ? l : lagMax)), 50);
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const elapsed = performance.now() - start;
      const due = Math.min(Math.floor((elapsed / 1000) * rate), Math.floor(SECONDS * rate));
      while (sent < due) {
        sent += 1;
        pending.push(one(store, runner, acks, ryw));
      }
      if (elapsed >= SECONDS * 1000) {
        clearInterval(tick);
        resolve();
      }
    }, 1);
  });
  await Promise.all(pending);
  clearInterval(sampler);
  return row(label, acks.length / ((performance.now() - start) / 1000), acks, ryw, lagMax);
}

function row(label: string, rate: number, acks: number[], ryw: number[], lagMax: bigint): Row {
  const a = percentiles(acks);
  const r = percentiles(ryw);
  return { label, rate, ackP50: a.p50, ackP99: a.p99, rywP50: r.p50, rywP99: r.p99, rywMax: r.max, lagMax: Number(lagMax) };
}

const rows: Row[] = [];
const closed = await withStore((store, runner) => closedLoop(store, runner, 64));
rows.push(closed);
process.stderr.write(`[follower] ${closed.label}: ${Math.round(closed.rate)}/s\n`);
for (const share of [0.7, 0.35]) {
  const rate = Math.max(1, Math.round(share * closed.rate));
  const r = await withStore((store, runner) => paced(store, runner, rate, `paced at ${share}× (${rate}/s)`));
  rows.push(r);
  process.stderr.write(`[follower] ${r.label}: ryw p99 ${r.rywP99.toFixed(2)} ms\n`);
}
const f = (n: number) => n.toFixed(2);
process.stdout.write(
  [
    '| load | appends / s | ack p50 | ack p99 | ack → applied p50 | p99 | max | runner lag max (events) |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r.label} | ${Math.round(r.rate)} | ${f(r.ackP50)} ms | ${f(r.ackP99)} ms | ${f(r.rywP50)} ms | ${f(r.rywP99)} ms | ${f(r.rywMax)} ms | ${r.lagMax} |`),
  ].join('\n') + '\n',
);
