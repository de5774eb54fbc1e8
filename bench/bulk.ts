/**
 * Bulk reporting figures (issue 18), beside their baseline in the same run:
 * - recordReports in requests of 10,000 reports vs the raw better-sqlite3 append at 512 events per
 *   transaction (the bench's raw row; target: at least 0.5× of it);
 * - a 100,000-row XLSX imported end to end through POST /imports/reports (target: under 30 s).
 *
 * `node --import @swc-node/register/esm-register bench/bulk.ts [--requests N] [--rows N] [--cpu-prof-dir DIR]`
 * (--cpu-prof-dir: the child api writes a V8 CPU profile there when it stops); prints a Markdown
 * section to paste into BENCHMARKS.md. The api runs in a child process as in bench/run.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import ExcelJS from 'exceljs';
import { machineInfo, processCpuMs, threadCpuMs } from './support/machine.js';
import { rawSqliteAppends } from './support/raw-store.js';
import { issueAgencyKey, startServer } from './support/server-process.js';

const { values: args } = parseArgs({ options: { requests: { type: 'string', default: '3' }, rows: { type: 'string', default: '100000' }, 'cpu-prof-dir': { type: 'string' } } });
const REQUESTS = Number(args.requests);
const XLSX_ROWS = Number(args.rows);
const BATCH = 10_000;
const MEASURE = 'II.1.3';
const AGENCY = 'ministry-of-interior';

const int = (n: number) => Math.round(n).toLocaleString('en-US');

/**
 * CPU seconds (user + system) a process has used: on a shared machine the wall-clock rates swing
 * with other work, the CPU a report costs much less.
 */
const cpuSecondsOf = (pid: number): number => processCpuMs(pid)! / 1000;

async function main(): Promise<void> {
  const rawCpu0 = process.cpuUsage();
  const raw = await rawSqliteAppends(512, 3, 500_000);
  const rawCpu = process.cpuUsage(rawCpu0);
  const rawCpuPerEvent = (rawCpu.user + rawCpu.system) / 1e6 / raw.events;
  const dir = mkdtempSync(join(tmpdir(), 'apl-bench-bulk-'));
  const server = await startServer({ dataDir: dir, env: { BULK_MAX_ROWS: String(Math.max(BATCH, XLSX_ROWS)), BULK_MAX_FILE_BYTES: '200000000' }, startTimeoutMs: 120_000, nodeFlags: args['cpu-prof-dir'] ? ['--cpu-prof', `--cpu-prof-dir=${args['cpu-prof-dir']}`] : [] });
  try {
    const key = await issueAgencyKey(server, AGENCY);
    const post = async (reports: unknown[]) => {
      const res = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify({
          query: 'mutation ($input: RecordReportsInput!) { recordReports(input: $input) { status counts { created duplicate refused } } }',
          variables: { input: { reports } },
        }),
      });
      const body = (await res.json()) as { data?: { recordReports: { counts: { created: number; refused: number } } }; errors?: unknown[] };
      if (!body.data) throw new Error(JSON.stringify(body.errors));
      return body.data.recordReports.counts;
    };
    const rows = (tag: string) =>
      Array.from({ length: BATCH }, (_, i) => ({ trainingDelivered: { measureCode: MEASURE, reportId: `bulk-${tag}-${i}`, occurredOn: '2023-05-02', title: 'Border control course', participants: 12 + (i % 20), days: 1 } }));
    await post(rows('warm').slice(0, 1000));
    const pid = server.child.pid!;
    const bulkCpu0 = cpuSecondsOf(pid);
    const bulkMain0 = threadCpuMs(pid)!;
    const started = performance.now();
    let created = 0;
    for (let r = 0; r < REQUESTS; r++) created += (await post(rows(`r${r}`))).created;
    const bulkSeconds = (performance.now() - started) / 1000;
    const bulkRate = created / bulkSeconds;
    const bulkCpuPerReport = (cpuSecondsOf(pid) - bulkCpu0) / created;
    const bulkMainPerReport = (threadCpuMs(pid)! - bulkMain0) / 1000 / created;

    const book = new ExcelJS.Workbook();
    const sheet = book.addWorksheet('TrainingDelivered');
    sheet.addRow(['measureCode', 'reportId', 'occurredOn', 'title', 'participants', 'days']);
    for (let i = 0; i < XLSX_ROWS; i++) sheet.addRow([MEASURE, `xlsx-${i}`, '2023-06-01', 'Course', 5 + (i % 30), 1]);
    const file = Buffer.from(await book.xlsx.writeBuffer());
    const xlsxCpu0 = cpuSecondsOf(pid);
    const t0 = performance.now();
    const res = await fetch(server.url.replace(/\/graphql$/, '/imports/reports'), {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' },
      body: new Uint8Array(file),
    });
    const summary = (await res.json()) as { counts?: { created: number; refused: number } };
    const xlsxSeconds = (performance.now() - t0) / 1000;
    const xlsxCpu = cpuSecondsOf(pid) - xlsxCpu0;
    if (!summary.counts) throw new Error(JSON.stringify(summary));

    const m = machineInfo();
    process.stdout.write(
      [
        `## Bulk reporting (issue 18) — ${new Date().toISOString().slice(0, 10)}, \`bench/bulk.ts\``,
        '',
        `Machine: ${JSON.stringify(m)}. Load average (1/5/15 min) at the end: ${loadavg().map((l) => l.toFixed(2)).join(' / ')}. Same run, same machine, fresh stores.`,
        '',
        '| figure | value | baseline / target |',
        '| --- | --- | --- |',
        `| raw better-sqlite3, 512 events per transaction | ${int(raw.rate)} events/s; ${(rawCpuPerEvent * 1e6).toFixed(1)} µs CPU per event | baseline |`,
        `| recordReports, ${REQUESTS} requests of ${int(BATCH)} reports (${int(created)} created) | ${int(bulkRate)} reports/s (${bulkSeconds.toFixed(1)} s); api ${(bulkCpuPerReport * 1e6).toFixed(0)} µs CPU per report, ${(bulkMainPerReport * 1e6).toFixed(0)} µs of it on its main thread (0.5× raw leaves ${(2e6 / raw.rate).toFixed(0)} µs of wall clock per report) | ${(bulkRate / raw.rate).toFixed(2)}× raw (target ≥ 0.5×); CPU per report ${(bulkCpuPerReport / rawCpuPerEvent).toFixed(1)}× raw's per event |`,
        `| ${int(XLSX_ROWS)}-row XLSX (${(file.length / 1e6).toFixed(1)} MB), POST /imports/reports end to end | ${xlsxSeconds.toFixed(1)} s (${int(summary.counts.created)} created, ${summary.counts.refused} refused); api ${xlsxCpu.toFixed(1)} s CPU | target < 30 s |`,
        '',
      ].join('\n'),
    );
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
