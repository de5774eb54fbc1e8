/**
 * Issue 24's read-your-writes row, second by second: why does a paced ingest at 0.7× the
 * 64-client rate queue? Runs what `bench/run.ts --only lag` runs for its first row — the
 * 64-client closed-loop ingest rate on a fresh server, then figure 2 (paced ingest with reads)
 * at a share of it on another fresh server — with the server probe (bench/support/server-probe.mjs)
 * loaded into both servers, and prints one line per second: the paced ingest by due second
 * (sent, answered, p50/p99/max latency, requests outstanding), the reads, the projections' lag,
 * and the server's CPU, event-loop utilization and delay, GC pauses and heap; the load
 * generator's own CPU; the machine's load average.
 *
 *   node --import @swc-node/register/esm-register bench/ryw-timeline.ts [--seconds 6] [--share 0.7]
 *     [--rate N (skip the 64-client run)] [--no-reads] [--ingest-warmup same|lag] [--json FILE]
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { type GraphqlLoad, autocannonLoad, pacedLoad, percentiles, trainingReportLoad } from './support/load.js';
import { processCpuMs } from './support/machine.js';
import { lagFigures } from './support/projection-figures.js';
import { type BenchServer, issueAgencyKey, issueCoordinatorKey, startServer } from './support/server-process.js';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '6' },
    share: { type: 'string', default: '0.7' },
    rate: { type: 'string' },
    'no-reads': { type: 'boolean', default: false },
    json: { type: 'string' },
    /** Run the paced row on the server that measured the 64-client rate, right after it (warm), instead of a fresh one. */
    'same-server': { type: 'boolean', default: false },
    /** Instead: server CPU per request of figure 2's reads and polls beside a report's, closed loop on one server, alternating. */
    'read-cost': { type: 'boolean', default: false },
    /** Where the servers' stores go (e.g. /dev/shm: no fsync cost, to tell the disk's share from the CPU's). */
    dir: { type: 'string', default: tmpdir() },
  },
});

const PROBE = ['--import', './bench/support/server-probe.mjs'];
const dirs: string[] = [];
const servers: BenchServer[] = [];
const log = (m: string) => process.stderr.write(`[ryw ${new Date().toISOString().slice(11, 19)}] ${m}\n`);

const ingestLoad = (server: BenchServer, key: string, tag: string): GraphqlLoad => trainingReportLoad(server.url, key, tag);

async function start(label: string): Promise<{ server: BenchServer; key: string; probe: string }> {
  const dir = mkdtempSync(join(args.dir, `apl-ryw-${label}-`));
  dirs.push(dir);
  const probe = join(dir, 'probe.jsonl');
  const server = await startServer({ dataDir: join(dir, 'data'), nodeFlags: PROBE, env: { BENCH_PROBE_FILE: probe } });
  servers.push(server);
  log(`${label} server up after ${(server.startupMs / 1000).toFixed(1)} s`);
  return { server, key: await issueAgencyKey(server, 'ministry-of-interior'), probe };
}

interface ProbeLine {
  t: number;
  cpu: number;
  elu: number;
  delay: [number, number, number];
  gc: Record<string, [number, number]>;
  heap: number;
  main?: [number, number];
}
const readProbe = (file: string): ProbeLine[] => {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as ProbeLine);
  } catch {
    return [];
  }
};

/** This process's CPU and the load average, once a second (performance.now() ms). */
function sampleSelf(): { stop: () => Array<{ at: number; cpu: number; load: number }> } {
  const out: Array<{ at: number; cpu: number; load: number }> = [];
  let last = process.cpuUsage();
  const timer = setInterval(() => {
    const now = process.cpuUsage();
    out.push({ at: performance.now(), cpu: (now.user - last.user + now.system - last.system) / 1000, load: loadavg()[0] });
    last = now;
  }, 1000);
  return { stop: () => (clearInterval(timer), out) };
}

/** What figure 2 adds on top of the paced reports: CPU per read and per poll, beside a report's. */
async function readCost(): Promise<void> {
  const a = await start('read-cost');
  try {
    const coordinator = await issueCoordinatorKey(a.server);
    await autocannonLoad('warm-up', ingestLoad(a.server, a.key, 'warm'), { connections: 16, seconds: 3 });
    const position = (await a.server.gql<{ health: { headPosition: string } }>('{ health { headPosition } }')).health.headPosition;
    const plain = JSON.stringify({ query: '{ measure(code: "II.1.3") { reportCount } }' });
    const ryw = JSON.stringify({ query: 'query ($p: String!) { measure(code: "II.1.3") { reportCount(atLeastPosition: $p) } }', variables: { p: position } });
    const poll = JSON.stringify({ query: '{ projectionStatus { name lag } }' });
    const rows: Array<[string, GraphqlLoad]> = [
      ['report (recordTrainingDelivered)', ingestLoad(a.server, a.key, 'cost')],
      ['read, plain', { url: a.server.url, key: coordinator, body: () => plain }],
      ['read, atLeastPosition (reached)', { url: a.server.url, key: coordinator, body: () => ryw }],
      ['projectionStatus poll', { url: a.server.url, key: coordinator, body: () => poll }],
    ];
    const cpu: Record<string, number[]> = {};
    for (let round = 0; round < 3; round++) {
      for (const [label, load] of rows) {
        const c0 = processCpuMs(a.server.child.pid!)!;
        const r = await autocannonLoad(label, load, { connections: 16, seconds: 2 });
        (cpu[label] ??= []).push((processCpuMs(a.server.child.pid!)! - c0) / r.ok);
      }
    }
    for (const [label, values] of Object.entries(cpu)) process.stdout.write(`${label}: ${values.map((v) => v.toFixed(2)).join(' / ')} ms server CPU per request (16 clients, 3 rounds; load ${loadavg()[0].toFixed(1)})\n`);
  } finally {
    await a.server.stop();
  }
}

async function main(): Promise<void> {
  if (args['read-cost']) return readCost();
  let rate: number;
  let rate64: number | undefined;
  let warm: { server: BenchServer; key: string; probe: string } | undefined;
  if (args.rate) rate = Number(args.rate);
  else {
    const a = await start('ingest');
    await autocannonLoad('warm-up', ingestLoad(a.server, a.key, 'warm'), { connections: 16, seconds: 2 });
    for (const c of [1, 16]) log(`${c} clients: ${Math.round((await autocannonLoad(`${c}`, ingestLoad(a.server, a.key, `c${c}`), { connections: c, seconds: 4 })).rate)}/s`);
    const cpu0 = processCpuMs(a.server.child.pid!)!;
    const t0 = performance.now();
    const r = await autocannonLoad('64', ingestLoad(a.server, a.key, 'c64'), { connections: 64, seconds: 4 });
    const cpu = (processCpuMs(a.server.child.pid!)! - cpu0) / (performance.now() - t0);
    rate64 = r.rate;
    log(`64 clients: ${Math.round(r.rate)}/s, p99 ${r.p99} ms, server CPU ${Math.round(cpu * 100)}% of a core, ${((cpu * 1000) / r.rate).toFixed(2)} ms per report (load ${loadavg()[0].toFixed(1)})`);
    const aProbe = readProbe(a.probe).slice(-5);
    log(`  server seconds of it: ${aProbe.map((l) => `CPU ${Math.round(l.cpu)} ms, main thread on CPU / waiting ${l.main?.join(' / ')} ms, ELU ${l.elu}, loop delay max ${l.delay[2]} ms`).join('; ')}`);
    if (args['same-server']) warm = a;
    else await a.server.stop();
    rate = Math.max(1, Math.round(Number(args.share) * r.rate));
  }

  const b = warm ?? (await start('lag'));
  if (!warm) {
    // As bench/run.ts warms figure 2's servers: what figure 1's server had before its 64-client row.
    await autocannonLoad('lag warm-up', ingestLoad(b.server, b.key, 'lwarm'), { connections: 16, seconds: 2 });
    const w = await autocannonLoad('lag warm-up, 64', ingestLoad(b.server, b.key, 'lwarm64'), { connections: 64, seconds: 4 });
    log(`lag server's own 64-client rate at the end of its warm-up: ${Math.round(w.rate)}/s (load ${loadavg()[0].toFixed(1)})`);
  }
  const coordinator = await issueCoordinatorKey(b.server);
  const self = sampleSelf();
  const cpu0 = processCpuMs(b.server.child.pid!)!;
  const wallStart = Date.now();
  const perfStart = performance.now();
  const seconds = Number(args.seconds);
  let figures;
  if (args['no-reads']) {
    const samples: Array<readonly [number, number, boolean, boolean]> = [];
    const ingest = await pacedLoad('paced, no reads', ingestLoad(b.server, b.key, 'lag'), {
      rate,
      seconds,
      drainTimeoutMs: 15_000,
      onSample: (d, l, ok, fresh) => samples.push([d, l, ok, fresh]),
    });
    figures = { rate, ingest, samples: { ingest: samples, reads: [], polls: [] } };
  } else {
    figures = await lagFigures(b.server, ingestLoad(b.server, b.key, 'lag'), coordinator, { rate, seconds, drainTimeoutMs: 15_000 });
  }
  const serverCpu = (processCpuMs(b.server.child.pid!)! - cpu0) / (performance.now() - perfStart);
  const selfLines = self.stop();
  await new Promise((r) => setTimeout(r, 1100));
  const probe = readProbe(b.probe);
  await b.server.stop();
  // The group commit: every event of one store transaction has the same `created` (ms), so
  // rows per `created` of the paced reports are its batches (two commits in one ms count as one).
  const db = new Database(join(dirname(b.probe), 'data', 'events.db'), { readonly: true });
  const batches = db
    .prepare("SELECT created, count(*) AS n FROM events WHERE stream LIKE 'activity-%bench-lag-%' GROUP BY created ORDER BY created")
    .all() as Array<{ created: string; n: number }>;
  db.close();
  const commitsBySecond = new Map<number, number[]>();

  // One row per second from the first due request.
  const first = Math.min(...figures.samples.ingest.map(([due]) => due));
  const sec = (at: number) => Math.floor((at - first) / 1000);
  const rows = new Map<number, { due: number[]; fresh: number[]; answered: number; reads: number[]; ryw: number[]; polls: number[] }>();
  const row = (s: number) => rows.get(s) ?? rows.set(s, { due: [], fresh: [], answered: 0, reads: [], ryw: [], polls: [] }).get(s)!;
  for (const [due, latency, , fresh] of figures.samples.ingest) {
    row(sec(due)).due.push(latency);
    if (fresh) row(sec(due)).fresh.push(latency);
    row(sec(due + latency)).answered += 1;
  }
  for (const [sent, latency, withPosition] of figures.samples.reads) (withPosition ? row(sec(sent)).ryw : row(sec(sent)).reads).push(latency);
  for (const [sent, , lag] of figures.samples.polls) row(sec(sent)).polls.push(lag);
  const toWall = (at: number) => wallStart + (at - perfStart);
  const wallFirst = toWall(first);
  for (const { created, n } of batches) {
    const s = Math.floor((Date.parse(created) - wallFirst) / 1000);
    commitsBySecond.set(s, [...(commitsBySecond.get(s) ?? []), n]);
  }
  const f = (n: number) => (Number.isFinite(n) ? String(Math.round(n)) : '–');
  const lines = [
    `rate ${rate}/s${rate64 ? ` (${args.share} × ${Math.round(rate64)}/s at 64 clients)` : ''}; achieved ${Math.round(figures.ingest.rate)}/s, ingest p99 ${f(figures.ingest.p99)} ms; server CPU ${Math.round(serverCpu * 100)}% of a core, ${((serverCpu * 1000) / figures.ingest.rate).toFixed(2)} ms per report (reads included)`,
    '',
    '| s | due | answered | ingest p50 / p99 / max ms | on a new connection: n, p50 ms | outstanding at end | ryw n p99 | plain n p99 | lag events max | commits, reports per commit mean / max | srv CPU ms | ELU | main thread on CPU / waiting for a core / blocked ms | loop delay p99 / max ms | GC minor / major+incr ms | heap MB | loader CPU ms | load 1m |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  let outstanding = 0;
  const maxS = Math.max(...rows.keys());
  for (let s = 0; s <= maxS; s++) {
    const r = row(s);
    outstanding += r.due.length - r.answered;
    const p = percentiles(r.due);
    const end = toWall(first + (s + 1) * 1000);
    const pr = probe.find((l) => l.t >= end - 500 && l.t < end + 500);
    const me = selfLines.find((l) => l.at >= first + (s + 1) * 1000 - 500 && l.at < first + (s + 1) * 1000 + 500);
    const commits = commitsBySecond.get(s) ?? [];
    const commitCell = commits.length ? `${commits.length}, ${(commits.reduce((a, b) => a + b, 0) / commits.length).toFixed(1)} / ${Math.max(...commits)}` : '–';
    const gcMinor = pr?.gc.minor?.[0] ?? 0;
    const gcMajor = (pr?.gc.major?.[0] ?? 0) + (pr?.gc.incremental?.[0] ?? 0);
    lines.push(
      `| ${s} | ${r.due.length} | ${r.answered} | ${f(p.p50)} / ${f(p.p99)} / ${f(p.max)} | ${r.fresh.length ? `${r.fresh.length}, ${f(percentiles(r.fresh).p50)}` : '0'} | ${outstanding} | ${r.ryw.length} ${f(percentiles(r.ryw).p99)} | ${r.reads.length} ${f(percentiles(r.reads).p99)} | ${r.polls.length ? Math.max(...r.polls) : '–'} | ${commitCell} | ` +
        `${pr ? f(pr.cpu) : '–'} | ${pr ? pr.elu.toFixed(2) : '–'} | ${pr?.main ? `${f(pr.main[0])} / ${f(pr.main[1])} / ${f(Math.max(0, pr.elu * 1000 - pr.main[0] - pr.main[1]))}` : '–'} | ${pr ? `${pr.delay[1]} / ${pr.delay[2]}` : '–'} | ${pr ? `${f(gcMinor)} / ${f(gcMajor)}` : '–'} | ${pr ? f(pr.heap) : '–'} | ${me ? f(me.cpu) : '–'} | ${me ? me.load.toFixed(1) : '–'} |`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  if (args.json) writeFileSync(args.json, JSON.stringify({ rate, rate64, serverCpu, probe, self: selfLines, samples: figures.samples, first, wallStart, perfStart }));
}

try {
  await main();
} finally {
  for (const s of servers) if (s.child.exitCode === null) s.child.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}
