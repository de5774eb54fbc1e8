/**
 * What an auditor's status as of a day inside a month costs at a past point of the ledger
 * (docs/audit.md, "at is not asOf"): on a generated history (test/support/history-generator.ts,
 * bulk-written to a temporary SQLite store), a PointInTime view at the middle of the log, then
 * - the whole plan evaluated as of a month's last day (nothing read back),
 * - the whole plan as of a day inside a month (ProjectionSnapshot.prepareAsOf: every report ever
 *   dated in that month on any measure read back from its stream; what planProgress does),
 * - one measure as of that day (what Measure.status with `at` does),
 * each on a fresh snapshot (prepareAsOf is done once per request). Candidates come from the month
 * index of the whole log folded in memory (the api's live read models).
 *
 *   node --import @swc-node/register/esm-register bench/as-of-at.ts [--events 200000] [--rounds 3]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { PointInTime } from '@app/audit';
import { type RecordedEvent, SqliteEventStore } from '@app/event-store';
import { KeyedState, MONTH_REPORTS, type MonthCandidates, NO_POSITION, ProjectionSnapshot, activityProjection, foldProjection, measureKey, monthGroup } from '@app/projections';
import { generateHistoryBulk } from '../test/support/history-generator.js';

const { values } = parseArgs({ options: { events: { type: 'string', default: '200000' }, rounds: { type: 'string', default: '3' } } });
const total = Number(values.events);
const rounds = Number(values.rounds);

const dir = mkdtempSync(join(tmpdir(), 'apl-bench-asofat-'));
try {
  const file = join(dir, 'events.db');
  await generateHistoryBulk(file, { events: total, progressEvery: Number.MAX_SAFE_INTEGER });
  const store = SqliteEventStore.open(file);
  const events: RecordedEvent[] = [];
  for await (const event of store.readAll()) events.push(event);
  const state = new KeyedState();
  for (const change of (await activityProjection.initialEntries?.(store)) ?? []) state.apply(change);
  const live = foldProjection(activityProjection, events, { state, position: NO_POSITION }).state;
  let read = 0;
  const candidates: MonthCandidates = async (_position, groups) => {
    const map = new Map(groups.map((group) => [group, [...live.group(MONTH_REPORTS, group).keys()]]));
    for (const streams of map.values()) read += streams.length;
    return map;
  };
  const position = events[Math.floor(events.length / 2)].position;
  const pit = new PointInTime({ store });
  let started = performance.now();
  const view = await pit.at(position);
  console.log(`${events.length} events; view at the middle (position ${position}) first built in ${(performance.now() - started).toFixed(0)} ms`);
  const planId = new ProjectionSnapshot(view).plans()[0].id;
  // The measure with the most reports ever dated in June 2023: the dearest single-measure case.
  const inJune = (c: string) => live.group(MONTH_REPORTS, monthGroup(measureKey(planId, c), '2023-06')).size;
  const code = new ProjectionSnapshot(view)
    .measures(planId)
    .map(({ measure }) => measure.code)
    .reduce((best, c) => (inJune(c) > inJune(best) ? c : best));
  const time = async (label: string, run: (snapshot: ProjectionSnapshot) => Promise<unknown>) => {
    const ms: number[] = [];
    for (let i = 0; i < rounds; i++) {
      read = 0;
      const snapshot = new ProjectionSnapshot(await pit.at(position), candidates);
      started = performance.now();
      await run(snapshot);
      ms.push(performance.now() - started);
    }
    ms.sort((a, b) => a - b);
    console.log(`${label}: median ${ms[Math.floor(ms.length / 2)].toFixed(1)} ms (min ${ms[0].toFixed(1)}, max ${ms[ms.length - 1].toFixed(1)}), ${read} streams read back`);
  };
  for (const [monthEnd, day] of [
    ['2023-03-31', '2023-03-15'],
    ['2023-06-30', '2023-06-15'],
  ]) {
    await time(`whole plan, asOf ${monthEnd}`, async (s) => {
      await s.prepareAsOf(planId, monthEnd);
      s.evaluatePlan(planId, monthEnd);
    });
    await time(`whole plan, asOf ${day}`, async (s) => {
      await s.prepareAsOf(planId, day);
      s.evaluatePlan(planId, day);
    });
    await time(`one measure (${code}), asOf ${day}`, async (s) => {
      await s.prepareAsOf(planId, day, [code]);
      s.evaluate(planId, code, day);
    });
  }
  await store.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
