/**
 * Issue 24's focused figure: the cost of one report at a time, against the no-op mutation on the
 * same stack in the same run, with server CPU per request and (with --profile) where it goes.
 *
 *   node --import @swc-node/register/esm-register bench/one-client.ts [--seconds 10] [--profile]
 *     [--data-root /dev/shm] (a tmpfs: fsync costs nothing, so what is left is CPU)
 *     [--measures] (also `measures` with indicator values, 1 and 16 clients, on the ingest store)
 *     [--data DIR] (with --measures: the read rows on a store built by bench/generate.ts instead,
 *       beside `measure` (one measure, the same fields) at 16 clients; no ingest rows, so the
 *       store is not written to; point-in-time snapshots are built only when queried, and the
 *       rows wait until the server is idle)
 *
 * Prints a Markdown table on stdout; writes nothing else. Servers as bench/run.ts starts them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type GraphqlLoad, autocannonLoad, trainingReportLoad } from './support/load.js';
import { processCpuMs } from './support/machine.js';
import { monotonicMicros, summariseProfile } from './support/profile.js';
import { QUERIES, waitForProjections } from './support/projection-figures.js';
import { type BenchServer, issueAgencyKey, issueCoordinatorKey, startServer } from './support/server-process.js';

const { values: args } = parseArgs({
  options: { seconds: { type: 'string', default: '10' }, 'data-root': { type: 'string' }, profile: { type: 'boolean', default: false }, measures: { type: 'boolean', default: false }, data: { type: 'string' } },
});
const SECONDS = Number(args.seconds);
const dirs: string[] = [];
const tempDir = (name: string) => {
  const dir = mkdtempSync(join(args['data-root'] ?? tmpdir(), `apl-one-${name}-`));
  dirs.push(dir);
  return dir;
};
const log = (m: string) => process.stderr.write(`[one-client] ${m}\n`);

const ingest = (server: BenchServer, key: string, tag: string): GraphqlLoad => trainingReportLoad(server.url, key, tag, 'one');
const fixed = (server: BenchServer, key: string, query: string): GraphqlLoad => {
  const body = JSON.stringify({ query });
  return { url: server.url, key, body: () => body };
};

interface Row {
  label: string;
  rate: number;
  p99: number;
  cpuMsPerOp: number;
  failed: number;
}

async function run(server: BenchServer, label: string, load: GraphqlLoad, connections: number): Promise<Row> {
  const pid = server.child.pid!;
  const cpu0 = processCpuMs(pid)!;
  const r = await autocannonLoad(label, load, { connections, seconds: SECONDS });
  const cpu = processCpuMs(pid)! - cpu0;
  const row = { label, rate: r.rate, p99: r.p99, cpuMsPerOp: cpu / (r.rate * SECONDS), failed: r.failed };
  log(`${label}: ${Math.round(r.rate)}/s, p99 ${r.p99} ms, ${row.cpuMsPerOp.toFixed(3)} ms CPU/op, failed ${r.failed}${r.firstFailure ? ` (${r.firstFailure})` : ''}`);
  return row;
}

/**
 * Resolves once the process used under 25% of a core in each of three 2-s windows in a row
 * (bounded), with the time waited and its CPU share then. (An idle api on the 1M-event store
 * still used 2–15% of a core here: the CPU per op of the rows includes that. One window was not
 * enough: the start-up hashing of the whole log pauses on reads.)
 */
async function waitForIdle(pid: number, timeoutMs: number): Promise<{ waitedMs: number; idleShare: number }> {
  const started = performance.now();
  let quiet = 0;
  let quietMs = 0;
  for (;;) {
    const before = processCpuMs(pid)!;
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const used = processCpuMs(pid)! - before;
    quiet = used < 500 ? quiet + 1 : 0;
    quietMs = quiet === 1 ? used : quietMs + used;
    if (quiet === 3) return { waitedMs: performance.now() - started, idleShare: quietMs / 6000 };
    if (performance.now() - started > timeoutMs) throw new Error(`the server did not go idle within ${timeoutMs} ms`);
  }
}

const rows: Row[] = [];
const loads: string[] = [];
const noteLoad = (when: string) => loads.push(`${when} ${loadavg().map((l) => l.toFixed(2)).join(' / ')}`);
const measuresWindow = { fromUs: 0, toUs: 0 };
const noopWindow = { fromUs: 0, toUs: 0 };
const noopProfDir = tempDir('prof-noop');
try {
  {
    const server = await startServer({ dataDir: tempDir('noop'), noop: true, startTimeoutMs: 180_000, nodeFlags: args.profile ? ['--cpu-prof', `--cpu-prof-dir=${noopProfDir}`] : [] });
    const key = await issueAgencyKey(server, 'ministry-of-interior');
    const load = fixed(server, key, 'mutation { noopMutation }');
    await autocannonLoad('noop warm-up', load, { connections: 4, seconds: 3 });
    noopWindow.fromUs = monotonicMicros();
    rows.push(await run(server, 'noopMutation, 1 client', load, 1));
    noopWindow.toUs = monotonicMicros();
    await server.stop();
  }
  const profDir = tempDir('prof');
  const onStore = args.data !== undefined;
  if (onStore && !args.measures) throw new Error('--data is for the read rows: give --measures too');
  const server = await startServer({
    dataDir: args.data ?? tempDir('ingest'),
    startTimeoutMs: 600_000,
    // On a large store the background point-in-time snapshots (up to 400, replayed from the log
    // after each start) take minutes of CPU that would be counted against the queries.
    env: onStore ? { POINT_IN_TIME_WARM_SECONDS: '0' } : {},
    nodeFlags: args.profile ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [],
  });
  let fromUs = 0;
  let toUs = 0;
  if (!onStore) {
    const key = await issueAgencyKey(server, 'ministry-of-interior');
    await autocannonLoad('ingest warm-up', ingest(server, key, 'warm'), { connections: 4, seconds: 3 });
    fromUs = monotonicMicros();
    rows.push(await run(server, 'recordTrainingDelivered, 1 client', ingest(server, key, 'c1'), 1));
    toUs = monotonicMicros();
  }
  if (args.measures) {
    const coordinator = await issueCoordinatorKey(server);
    if (onStore) {
      log(`projections caught up ${Math.round(await waitForProjections(server, coordinator, 1_800_000))} ms after start`);
      // Other log consumers (the audit hash chain) may still be catching up on a fresh store:
      // their CPU would be counted against the queries.
      const idle = await waitForIdle(server.child.pid!, 900_000);
      log(`server idle after ${Math.round(idle.waitedMs)} ms more, using ${(idle.idleShare * 100).toFixed(0)}% of a core`);
      loads.push(`server idle at ${(idle.idleShare * 100).toFixed(0)}% of a core`);
      const one = fixed(server, coordinator, QUERIES.measure);
      await autocannonLoad('measure warm-up', one, { connections: 4, seconds: 2 });
      noteLoad('before the read rows');
      fromUs = monotonicMicros();
      rows.push(await run(server, 'measure (one) with indicatorValues, 16 clients', one, 16));
      toUs = monotonicMicros();
    }
    const load = fixed(server, coordinator, QUERIES.measures);
    await autocannonLoad('measures warm-up', load, { connections: 1, seconds: 2 });
    rows.push(await run(server, 'measures with indicatorValues, 1 client', load, 1));
    measuresWindow.fromUs = monotonicMicros();
    rows.push(await run(server, 'measures with indicatorValues, 16 clients', load, 16));
    measuresWindow.toUs = monotonicMicros();
    noteLoad('after');
  }
  await server.stop();
  const base = rows[0];
  process.stdout.write('| row | rate / s | p99 | server CPU per op | ÷ no-op rate | failed |\n| --- | --- | --- | --- | --- | --- |\n');
  for (const r of rows) process.stdout.write(`| ${r.label} | ${Math.round(r.rate)} | ${r.p99} ms | ${r.cpuMsPerOp.toFixed(3)} ms | ${(r.rate / base.rate).toFixed(2)}× | ${r.failed} |\n`);
  if (loads.length > 0) process.stdout.write(`\nload average (1 / 5 / 15 min): ${loads.join('; ')}\n`);
  if (args.profile) {
    const p = summariseProfile(profDir, { fromUs, toUs }, 25);
    process.stdout.write(`\nprofile ${p.file}: ${Math.round(p.totalMs)} ms sampled\n\n| group | self | share |\n| --- | --- | --- |\n`);
    for (const g of p.groups) process.stdout.write(`| ${g.name} | ${g.ms.toFixed(0)} ms | ${(g.share * 100).toFixed(1)}% |\n`);
    process.stdout.write('\n| function (self) | where | share |\n| --- | --- | --- |\n');
    for (const g of p.functions) process.stdout.write(`| ${g.name} | ${g.where} | ${(g.share * 100).toFixed(1)}% |\n`);
    process.stdout.write('\n| function (inclusive) | where | share |\n| --- | --- | --- |\n');
    for (const g of p.inclusive) process.stdout.write(`| ${g.name} | ${g.where} | ${(g.share * 100).toFixed(1)}% |\n`);
    // Per operation, against the no-op's own profile: what a report adds, group by group. Samples
    // are wall-clock (a thread waiting in a system call or for a core is sampled where it waits).
    const n = summariseProfile(noopProfDir, noopWindow, 1000);
    const r = summariseProfile(profDir, { fromUs, toUs }, 1000);
    const perOp = (ms: number, row: Row) => (ms * 1000) / (row.rate * SECONDS);
    const noopGroups = new Map(n.groups.map((g) => [g.name, g.ms]));
    const reportGroups = new Map(r.groups.map((g) => [g.name, g.ms]));
    const names = [...new Set([...noopGroups.keys(), ...reportGroups.keys()])].filter((g) => g !== '(idle)');
    const diff = names
      .map((g) => ({ g, noop: perOp(noopGroups.get(g) ?? 0, rows[0]), report: perOp(reportGroups.get(g) ?? 0, rows[1]) }))
      .sort((a, b) => b.report - b.noop - (a.report - a.noop));
    const busy = (p: typeof n, row: Row) => perOp(p.totalMs - (p.groups.find((g) => g.name === '(idle)')?.ms ?? 0), row);
    process.stdout.write(`\nper operation, sampled µs (busy: no-op ${busy(n, rows[0]).toFixed(0)} µs, report ${busy(r, rows[1]).toFixed(0)} µs)\n\n| group | no-op | report | added |\n| --- | --- | --- | --- |\n`);
    for (const d of diff.slice(0, 25)) process.stdout.write(`| ${d.g} | ${d.noop.toFixed(0)} | ${d.report.toFixed(0)} | ${(d.report - d.noop).toFixed(0)} |\n`);
    process.stdout.write('\n| function (inclusive) | where | µs per report |\n| --- | --- | --- |\n');
    for (const f of r.inclusive.slice(0, 40)) process.stdout.write(`| ${f.name} | ${f.where} | ${perOp(f.ms, rows[1]).toFixed(0)} |\n`);
    if (args.measures) {
      const m = summariseProfile(profDir, measuresWindow, 25);
      process.stdout.write(`\nmeasures, 16 clients: ${Math.round(m.totalMs)} ms sampled\n\n| group | self | share |\n| --- | --- | --- |\n`);
      for (const g of m.groups) process.stdout.write(`| ${g.name} | ${g.ms.toFixed(0)} ms | ${(g.share * 100).toFixed(1)}% |\n`);
      process.stdout.write('\n| function (inclusive) | where | share |\n| --- | --- | --- |\n');
      for (const g of m.inclusive) process.stdout.write(`| ${g.name} | ${g.where} | ${(g.share * 100).toFixed(1)}% |\n`);
    }
  }
} finally {
  if (!args.profile) for (const d of dirs) rmSync(d, { recursive: true, force: true });
}
