/**
 * The history generator writes only what the api would have accepted: every event is replayed
 * through the reporting decider and the access policy, streams and revisions are checked, and
 * the two writing modes are shown to store the same history for a seed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { AccessPolicy, type Principal } from '@app/auth';
import {
  type ActivityEventType,
  type ReportCommand,
  type ReportState,
  REPORT_CORRECTED,
  REPORT_RETRACTED,
  type StoredReportEvent,
  decideReport,
  evolveReport,
  eventTypeSpec,
  initialReportState,
  reportStreamName,
  upcasters,
  validateDetails,
} from '@app/domain';
import { type RecordedEvent, SqliteEventStore } from '@app/event-store';
import { type Measure, type Plan, readPlan } from '@app/plan';
import { measureContext } from '../../apps/api/src/reporting/commands/execute-report.handler.js';
import { expandAgencyIds, generateHistory, generateHistoryBulk, historyPlan } from './history-generator.js';

const EVENTS = 2_000;

async function readEverything(file: string): Promise<RecordedEvent[]> {
  const store = SqliteEventStore.open(file);
  try {
    const events: RecordedEvent[] = [];
    for await (const event of store.readAll()) events.push(event);
    return events;
  } finally {
    await store.close();
  }
}

describe('history generator', () => {
  const plan: Plan = historyPlan();
  const measures = new Map<string, Measure>(plan.pillars.flatMap((p) => p.objectives.flatMap((o) => o.measures)).map((m) => [m.code, m]));
  const policy = new AccessPolicy({ expandAgencies: (ids) => new Set([...ids, ...expandAgencyIds(plan, ids)]) });
  let dir: string;
  let events: RecordedEvent[];
  let result: Awaited<ReturnType<typeof generateHistory>>;
  let storedPlan: Plan | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'apl-history-'));
    const store = SqliteEventStore.open(join(dir, 'append.db'));
    try {
      result = await generateHistory(store, { events: EVENTS, seed: 42, concurrency: 64 });
      storedPlan = await readPlan(store, plan.id);
    } finally {
      await store.close();
    }
    events = await readEverything(join(dir, 'append.db'));
  }, 60_000); // thousands of appends: past jest's 5 s default on a machine busy with a full run

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('stores exactly the events asked for, the plan adoption first, positions without gaps', () => {
    expect(result.events).toBe(EVENTS);
    expect(events).toHaveLength(EVENTS);
    expect(events.map((e) => e.position)).toEqual(Array.from({ length: EVENTS }, (_, i) => BigInt(i + 1)));
    expect(events[0]).toMatchObject({ type: 'PlanAdopted', stream: `plan-${plan.id}`, revision: 0n });
    expect(storedPlan).toEqual(plan);
    expect(result.reports + result.corrections + result.retractions + 1).toBe(EVENTS);
    // Group commit at work: far fewer transactions than appends.
    expect(result.commits).toBeLessThan(EVENTS / 10);
  });

  it('keeps each stream at revisions 0, 1, 2, … in position order', () => {
    const next = new Map<string, bigint>();
    for (const e of events) {
      expect(e.revision).toBe(next.get(e.stream) ?? 0n);
      next.set(e.stream, e.revision + 1n);
    }
    expect(next.size).toBe(result.reports + 1);
  });

  it('writes only reports the decider accepts, by agencies allowed to report for the measure', () => {
    const problems: string[] = [];
    const states = new Map<string, ReportState>();
    for (const e of events.slice(1)) {
      const data = e.data as Record<string, unknown> & { agencyId: string; reportId: string; measureCode: string; planId: string };
      const metadata = e.metadata as Record<string, unknown>;
      const problem = (what: string) => problems.push(`${e.position} ${e.type} ${e.stream}: ${what}`);
      if (e.stream !== reportStreamName(data.agencyId, data.reportId) || data.planId !== plan.id) problem('stream or plan does not match the data');
      if (metadata.agencyId !== data.agencyId || metadata.principalRole !== 'AGENCY' || metadata.schemaVersion !== upcasters.currentVersion(e.type)) {
        problem(`metadata ${JSON.stringify(metadata)}`);
      }
      const state = states.get(e.stream) ?? initialReportState;
      const measure = measures.get(data.measureCode);
      if (!measure) {
        problem(`unknown measure ${data.measureCode}`);
        continue;
      }
      const recordedAt = metadata.recordedAt as string;
      const ctx = { today: recordedAt.slice(0, 10), measure: measureContext(plan, measure), planPeriod: () => plan.period, period: () => undefined };
      let command: ReportCommand;
      if (e.type === REPORT_CORRECTED || e.type === REPORT_RETRACTED) {
        // Corrections and retractions only on reports that exist and are not retracted.
        if (state.status !== 'active') problem(`${e.type} of a report that is ${state.status}`);
        command =
          e.type === REPORT_CORRECTED
            ? { kind: 'correct', type: data.activityType as ActivityEventType, agencyId: data.agencyId, reportId: data.reportId, requestId: data.requestId as string, occurredOn: data.occurredOn as string, details: data.details as Record<string, unknown>, reason: data.reason as string }
            : { kind: 'retract', agencyId: data.agencyId, reportId: data.reportId, requestId: data.requestId as string, reason: data.reason as string };
      } else {
        if (state.status !== 'absent') problem('a second activity on one report stream');
        const violations = validateDetails(eventTypeSpec(e.type)!, data.details as Record<string, unknown>).violations;
        if (violations.length > 0) problem(`details: ${JSON.stringify(violations)}`);
        const principal: Principal = { id: metadata.principalId as string, role: 'AGENCY', agencyId: data.agencyId };
        try {
          policy.assertCanRecord(principal, measure);
        } catch (error) {
          problem((error as Error).message);
        }
        command = { kind: 'record', type: e.type as ActivityEventType, agencyId: data.agencyId, reportId: data.reportId, occurredOn: data.occurredOn as string, details: data.details as Record<string, unknown> };
      }
      try {
        const decision = decideReport(command, state, ctx);
        if (!isDeepStrictEqual(decision, [{ type: e.type, data: e.data }])) {
          problem(`the decider would have written ${JSON.stringify(decision)}`);
        }
      } catch (error) {
        problem(`the decider refuses it: ${(error as Error).message}`);
      }
      // The business date: inside the plan period, never after the day it was recorded.
      const occurredOn = metadata.occurredOn as string;
      if (!(occurredOn >= plan.period.from && occurredOn <= plan.period.to && occurredOn <= recordedAt.slice(0, 10))) problem(`occurredOn ${occurredOn}`);
      states.set(e.stream, evolveReport(state, e as unknown as StoredReportEvent));
    }
    expect(problems).toEqual([]);
    expect([...states.values()].filter((s) => s.status === 'retracted')).toHaveLength(result.retractions);
  });

  it('covers every measure and every agency allowed to report it, with about 2% corrections and 0.5% retractions', () => {
    const seen = new Set(events.slice(1).map((e) => `${(e.data as { measureCode: string }).measureCode} ${(e.data as { agencyId: string }).agencyId}`));
    for (const measure of measures.values()) {
      for (const agency of expandAgencyIds(plan, [...measure.responsible, ...measure.partners])) expect(seen).toContain(`${measure.code} ${agency}`);
    }
    expect(result.corrections / EVENTS).toBeGreaterThan(0.008);
    expect(result.corrections / EVENTS).toBeLessThan(0.035);
    expect(result.retractions).toBeGreaterThan(0);
    expect(result.retractions / EVENTS).toBeLessThan(0.015);
  });

  it('stores the same history in bulk mode, and again for the same seed', async () => {
    const bulk = await generateHistoryBulk(join(dir, 'bulk.db'), { events: EVENTS, seed: 42, batchSize: 300 });
    expect({ ...bulk, elapsedMs: 0, commits: 0 }).toEqual({ ...result, elapsedMs: 0, commits: 0 });
    const strip = (e: RecordedEvent) => ({ ...e, created: undefined });
    expect((await readEverything(join(dir, 'bulk.db'))).map(strip)).toEqual(events.map(strip));
    await generateHistoryBulk(join(dir, 'other.db'), { events: 200, seed: 43 });
    const ids = (list: RecordedEvent[]) => list.slice(1, 20).map((e) => e.id);
    expect(ids(await readEverything(join(dir, 'other.db')))).not.toEqual(ids(events));
  }, 60_000);
});
