/**
 * What a status as of a day costs (docs/status.md, "asOf"): the whole 2022–2023 plan evaluated by
 * ProjectionSnapshot over the activity read model of a generated history (test/support/
 * history-generator.ts, folded in memory, no store), for
 * - no asOf (today, every report: the cached path the `measures` benchmark measures),
 * - a month's last day and a day inside a month (figuresAsOf: whole months from the buckets, the
 *   asOf month's reports one by one), first call and repeated (remembered per date),
 * - the same day again after one more report on one measure (only that measure is recounted),
 * - the report-by-report reference (every counted report of the register through the
 *   contribution rule, as the implementation report did before), for scale.
 *
 *   node --import @swc-node/register/esm-register bench/as-of.ts [--events 1000000] [--rounds 5]
 */
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import type { JsonObject, JsonValue, RecordedEvent } from '@app/event-store';
import { planAdopted, planStreamName } from '@app/plan';
import {
  ACTIVITY_PROJECTION,
  BUCKETS,
  ChangeSet,
  DISTINCT,
  KeyedState,
  MeasureFigures,
  PERIOD_REPORTS,
  PLANS_PROJECTION,
  ProjectionSnapshot,
  REPORTS,
  type ReadModelSource,
  TRACKED,
  activityProjection,
  applyEvent,
  indicatorsOnReport,
  plansProjection,
} from '@app/projections';
import { historyEvents, historyPlan, historyPlanSource } from '../test/support/history-generator.js';

const { values } = parseArgs({ options: { events: { type: 'string', default: '1000000' }, rounds: { type: 'string', default: '5' } } });
const total = Number(values.events);
const rounds = Number(values.rounds);

const plan = historyPlan();
const plans = new KeyedState();
const activity = new KeyedState();
let position = 0n;
const revisions = new Map<string, bigint>();
function apply(stream: string, type: string, data: JsonValue, metadata: JsonObject): void {
  position += 1n;
  const revision = (revisions.get(stream) ?? -1n) + 1n;
  revisions.set(stream, revision);
  const event: RecordedEvent = { id: `e${position}`, type, stream, revision, position, data, metadata, created: new Date(0) };
  applyEvent(plansProjection, plans, event);
  applyEvent(activityProjection, activity, event);
}

const adoption = planAdopted(plan, historyPlanSource(plan));
apply(planStreamName(plan.id), adoption.type, adoption.data as unknown as JsonValue, adoption.metadata as unknown as JsonObject);
const foldStart = performance.now();
for (const append of historyEvents(plan, { count: total - 1, seed: 1 })) {
  apply(append.stream, append.event.type, append.event.data as JsonValue, append.event.metadata);
}
let cells = 0;
for (const group of activity.groups(BUCKETS)) cells += activity.group(BUCKETS, group).size;
for (const group of activity.groups(DISTINCT)) cells += activity.group(DISTINCT, group).size;
let periodic = 0;
for (const group of activity.groups(PERIOD_REPORTS)) periodic += activity.group(PERIOD_REPORTS, group).size;
process.stdout.write(
  `folded ${total.toLocaleString('en')} events in ${((performance.now() - foldStart) / 1000).toFixed(1)} s; ${activity.size.toLocaleString('en')} activity entries, of which ${cells.toLocaleString('en')} buckets and distinct values and ${periodic.toLocaleString('en')} periodic reports (the cells figures are taken from)\n`,
);

const source: ReadModelSource = {
  position,
  view: (name) => (name === PLANS_PROJECTION ? plans : name === ACTIVITY_PROJECTION ? activity : new KeyedState()),
};
const codes = plan.pillars.flatMap((p) => p.objectives.flatMap((o) => o.measures.map((m) => m.code)));

/** CPU ms of this thread (user + system): the machine is shared, wall time says more about the neighbours. */
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** CPU ms for evaluating every measure of the plan on a fresh snapshot (as one request does). */
function timed(asOf: string | undefined): number {
  const start = cpuMs();
  const evaluations = new ProjectionSnapshot(source).evaluatePlan(plan.id, asOf);
  const ms = cpuMs() - start;
  if (evaluations.size !== codes.length) throw new Error('not every measure evaluated');
  return ms;
}

function reference(asOf: string): number {
  const start = cpuMs();
  const state = new KeyedState();
  for (const type of activity.groups(TRACKED)) for (const field of activity.group(TRACKED, type).keys()) state.put(TRACKED.name, type, field, 1);
  for (const [stream, report] of activity.group(REPORTS, '')) {
    if (report[3] > asOf) continue;
    const cs = new ChangeSet(state);
    indicatorsOnReport(cs, state, { stream, agencyId: report[2], before: undefined, after: report });
    for (const change of cs.changes) state.apply(change);
  }
  for (const code of codes) new MeasureFigures(state, plan.id, code);
  return cpuMs() - start;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const row = (label: string, ms: number[]) => process.stdout.write(`| ${label} | ${median(ms).toFixed(2)} | ${Math.max(...ms).toFixed(2)} |\n`);

process.stdout.write('\n| whole plan (46 measures) evaluated | median CPU ms | max CPU ms |\n| --- | --- | --- |\n');
timed(undefined);
row('no asOf (today, cached), repeated', Array.from({ length: rounds }, () => timed(undefined)));
for (const asOf of ['2023-06-30', '2023-06-15']) {
  const first: number[] = [];
  const again: number[] = [];
  const afterReport: number[] = [];
  for (let i = 0; i < rounds; i++) {
    // Another date each round so the first call is never remembered: the 1st … 28th.
    const day = asOf === '2023-06-30' ? `2023-0${1 + (i % 6)}-${['31', '28', '31', '30', '31', '30'][i % 6]}` : `2023-06-${String(2 + i).padStart(2, '0')}`;
    first.push(timed(day));
    again.push(timed(day));
    apply(`activity-bench-extra-${asOf}-${i}`, 'TrainingDelivered', {
      planId: plan.id, measureCode: 'II.1.3', agencyId: 'ministry-of-interior', reportId: `extra-${i}`, occurredOn: day,
      details: { title: 't', participants: 10, days: 1 },
    }, { agencyId: 'ministry-of-interior', occurredOn: day });
    afterReport.push(timed(day));
  }
  const kind = asOf === '2023-06-30' ? 'asOf a month\'s last day' : 'asOf a day inside a month';
  row(`${kind}, first call`, first);
  row(`${kind}, repeated`, again);
  row(`${kind}, after one more report on one measure`, afterReport);
}
row('reference: every report through the contribution rule', Array.from({ length: Math.min(rounds, 3) }, () => reference('2023-06-15')));
