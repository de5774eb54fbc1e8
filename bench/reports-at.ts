/**
 * What an auditor's report list at a past point costs (docs/audit.md, "Point in time"): on a
 * generated history (test/support/history-generator.ts, bulk-written to a temporary SQLite store),
 * the live report list folded in memory (the api's runner), then at positions across the log
 * - the live list's first page (`reports(first: 50)` without `at`: the baseline),
 * - the list at the point (ProjectionSnapshot.reportList on a PointInTime view): whole, one
 *   agency's, one measure's, and one report (`report`) changed after the point,
 * each timed without building the view itself (that is the other `at` queries' cost, measured by
 * `npm run bench -- --full`), with the streams read back counted.
 *
 *   node --import @swc-node/register/esm-register bench/reports-at.ts [--events 200000] [--rounds 5]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { PointInTime } from '@app/audit';
import { type RecordedEvent, SqliteEventStore } from '@app/event-store';
import { ProjectionSnapshot, REPORT_LIST, type ReportEntry, type ReportListFilter, foldProjection, listReports, reportListProjection } from '@app/projections';
import { generateHistoryBulk } from '../test/support/history-generator.js';

const { values } = parseArgs({ options: { events: { type: 'string', default: '200000' }, rounds: { type: 'string', default: '5' } } });
const total = Number(values.events);
const rounds = Number(values.rounds);

const dir = mkdtempSync(join(tmpdir(), 'apl-bench-reportsat-'));
try {
  const file = join(dir, 'events.db');
  let started = performance.now();
  await generateHistoryBulk(file, { events: total, progressEvery: Number.MAX_SAFE_INTEGER });
  const store = SqliteEventStore.open(file);
  let read = 0;
  const counting: SqliteEventStore = Object.create(store, {
    readStream: { value: (...args: Parameters<SqliteEventStore['readStream']>) => (read++, store.readStream(...args)) },
  });
  const events: RecordedEvent[] = [];
  for await (const event of store.readAll()) events.push(event);
  const live = foldProjection(reportListProjection, events).state;
  const entries: ReportEntry[] = [];
  for (const group of live.groups(REPORT_LIST)) for (const entry of live.group(REPORT_LIST, group).values()) entries.push(entry);
  console.log(`${events.length} events, ${entries.length} reports; generated and folded in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const pit = new PointInTime({ store: counting });

  const median = async (run: () => unknown): Promise<string> => {
    const ms: number[] = [];
    let reads = 0;
    for (let i = 0; i < rounds; i++) {
      read = 0;
      const t0 = performance.now();
      await run();
      ms.push(performance.now() - t0);
      reads = read;
    }
    ms.sort((a, b) => a - b);
    return `${ms[Math.floor(ms.length / 2)].toFixed(1)} ms (${reads} read back)`;
  };

  const agency = [...live.groups(REPORT_LIST)][0];
  const measure = entries[0].measureCode;
  for (const share of [0.1, 0.5, 0.9, 1]) {
    const position = events[Math.min(events.length - 1, Math.floor(events.length * share))].position;
    started = performance.now();
    const view = await pit.at(position);
    const built = performance.now() - started;
    const recorded = entries.filter((r) => BigInt(r.position) <= position);
    const changed = recorded.filter((r) => BigInt(r.lastPosition) > position);
    const snapshot = () => new ProjectionSnapshot(view, undefined, async () => live);
    const page = (filter: ReportListFilter) => () => snapshot().reportList(filter, 50);
    const one = changed[0] ?? recorded[recorded.length - 1];
    console.log(
      [
        `at ${Math.round(share * 100)}% (position ${position}; view built in ${built.toFixed(0)} ms): ${recorded.length} reports recorded, ${changed.length} changed since`,
        `  live list, first 50 (baseline): ${await median(() => listReports(live, {}, 50))}`,
        `  reports(first: 50, at): ${await median(page({}))}`,
        `  reports(filter: { agencyId: ${agency} }, at): ${await median(page({ agencyId: agency }))}`,
        `  reports(filter: { measureCode: ${measure} }, at): ${await median(page({ measureCode: measure }))}`,
        `  report(${one.agencyId}, ${one.reportId}, at): ${await median(page({ agencyId: one.agencyId, reportId: one.reportId }))}`,
      ].join('\n'),
    );
  }
  await store.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
