import { jest } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ConsumerStoppedError, FaultyEventStore, LogConsumerBoard, SqliteEventStore } from '@app/event-store';
import type { Plan } from './plan.types.js';
import { MeasureLookupError, PlanCatalog, PlanCatalogTimeoutError } from './plan-catalog.js';
import { planAmended, toNewEvent } from './plan-events.js';
import { loadPlan } from './plan-loader.js';
import { parsePlan } from './plan-parser.js';
import { waitUntil } from '../../../test/support/wait-until.js';

const read = (name: string) => parsePlan(readFileSync(resolve('test/fixtures/plans', name), 'utf8')).plan as Plan;
const demo = read('demo-plan.yaml');
const second = read('second-plan.yaml');
const source = { principal: 'test' };

describe('PlanCatalog', () => {
  let dir: string;
  let store: SqliteEventStore;
  let catalog: PlanCatalog;
  const logger = { log: jest.fn(), error: jest.fn() };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'apl-plan-catalog-'));
    store = SqliteEventStore.open(join(dir, 'events.db'), { pollIntervalMs: 20 });
    // Something that is not a plan, to show the catalog reads plan streams only.
    await store.append('activity-x-1', [{ type: 'MeetingHeld', data: {} }], 'no_stream');
    await loadPlan(store, demo, source);
    await loadPlan(store, second, source);
    catalog = new PlanCatalog(store, logger);
    await catalog.start();
    logger.error.mockClear();
  });
  afterEach(async () => {
    await catalog.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('holds every adopted plan once started', () => {
    expect(catalog.plans().map((p) => p.id)).toEqual(['demo-2030', 'demo-2032']);
    expect(catalog.plan('demo-2030')).toEqual(demo);
    expect(catalog.plan('nope')).toBeUndefined();
    expect(catalog.position).toBe(3n);
  });

  it('finds a measure with its pillar and objective', () => {
    const ref = catalog.findMeasure('B.1.1');
    expect([ref.plan.id, ref.pillar.code, ref.objective.code, ref.measure.title]).toEqual(['demo-2030', 'B', 'B.1', 'New shelter places']);
    expect(catalog.findMeasure('A.1.1', 'demo-2032').measure.title).toBe('Follow-up trainings');
    expect(catalog.measures('demo-2030').map((r) => r.measure.code)).toEqual(['A.1.1', 'A.1.2', 'A.2.1', 'B.1.1']);
  });

  it('refuses an unknown or ambiguous measure with a typed error', () => {
    const failure = (code: string, planId?: string) => {
      try {
        catalog.findMeasure(code, planId);
      } catch (error) {
        return error as MeasureLookupError;
      }
      throw new Error('expected a failure');
    };
    expect(failure('A.1.1')).toMatchObject({ reason: 'ambiguous', code: 'A.1.1', planIds: ['demo-2030', 'demo-2032'] });
    expect(failure('A.1.1')).toBeInstanceOf(MeasureLookupError);
    expect(failure('Z.1.1')).toMatchObject({ reason: 'not-found', planIds: [], message: 'No measure "Z.1.1" in any adopted plan' });
    expect(failure('B.1.1', 'demo-2032')).toMatchObject({ reason: 'not-found', planIds: ['demo-2032'] });
    expect(failure('B.1.1', 'unknown-plan').reason).toBe('not-found');
    // Only case or spaces apart from a code: the code meant is named, never taken.
    expect(failure('b.1.1')).toMatchObject({ reason: 'not-found', suggestion: 'B.1.1', message: 'No measure "b.1.1" in any adopted plan; did you mean "B.1.1"?' });
    expect(failure('A. 1.2', 'demo-2030')).toMatchObject({ suggestion: 'A.1.2', message: 'No measure "A. 1.2" in plan "demo-2030"; did you mean "A.1.2"?' });
    expect(failure('B.1.2').suggestion).toBeUndefined();
    expect(failure('b.1.1', 'demo-2032').suggestion).toBeUndefined();
  });

  it('knows agencies across plans and expands groups without looping', () => {
    expect(catalog.agency('valley-police')).toMatchObject({ name: 'Valley Police', kind: 'police' });
    expect(catalog.agency('valley-police', 'demo-2030')).toBeUndefined();
    expect(catalog.agencies('demo-2032').map((a) => a.id)).toEqual(['example-ministry', 'valley-police']);
    expect(catalog.agencies()).toHaveLength(8);
    expect([...catalog.expandAgencies(['coordination-forum'])].sort()).toEqual([
      'coordination-forum',
      'example-ministry',
      'harbour-shelter',
      'helping-hands',
      'ngo-roundtable',
      'river-city-police',
    ]);
    expect(catalog.expandAgencies(['public-prosecutor'])).toEqual(new Set(['public-prosecutor']));
  });

  it('lists the measures of an agency, through groups too', () => {
    const of = (id: string, planId?: string) => catalog.measuresForAgency(id, planId).map((r) => `${r.plan.id}:${r.measure.code}:${r.role}`);
    // Partner directly (A.1.1), through ngo-roundtable (A.1.2), and through coordination-forum,
    // which contains ngo-roundtable (B.1.1).
    expect(of('helping-hands')).toEqual(['demo-2030:A.1.1:partner', 'demo-2030:A.1.2:partner', 'demo-2030:B.1.1:partner']);
    expect(of('example-ministry')).toEqual([
      'demo-2030:A.1.2:responsible',
      'demo-2030:A.2.1:responsible',
      'demo-2030:B.1.1:responsible',
      'demo-2032:A.1.1:partner',
    ]);
    expect(of('example-ministry', 'demo-2032')).toEqual(['demo-2032:A.1.1:partner']);
    expect(of('nobody')).toEqual([]);
  });

  it('follows amendments and adoptions made after it started', async () => {
    const amended = structuredClone(demo) as unknown as { title: string };
    amended.title = 'Amended while running';
    const result = await loadPlan(store, amended as unknown as Plan, source);
    await catalog.waitForPosition(result.position!, 2000);
    expect(catalog.plan('demo-2030')?.title).toBe('Amended while running');
    expect(catalog.position).toBe(result.position);

    const third = { ...second, id: 'demo-2033' };
    const adopted = await loadPlan(store, third, source);
    await catalog.waitForPosition(adopted.position!, 2000);
    expect(catalog.plans().map((p) => p.id)).toEqual(['demo-2030', 'demo-2032', 'demo-2033']);
  });

  it('sees a plan loaded by another process sharing the store file', async () => {
    const other = SqliteEventStore.open(join(dir, 'events.db'));
    try {
      const result = await loadPlan(other, { ...second, id: 'from-elsewhere' }, source);
      await catalog.waitForPosition(result.position!, 5000);
      expect(catalog.plan('from-elsewhere')?.title).toBe(second.title);
    } finally {
      await other.close();
    }
  });

  it('times out waiting for a position it does not reach', async () => {
    await expect(catalog.waitForPosition(1000n, 50)).rejects.toBeInstanceOf(PlanCatalogTimeoutError);
  });

  it('keeps a plan at its last good state when an event does not apply', async () => {
    const bad = planAmended('demo-2030', [{ op: 'set', path: ['measures', 'Z.1.1', 'title'], after: 'x' }], source);
    const result = await store.append('plan-demo-2030', [toNewEvent(bad)], 0n);
    await catalog.waitForPosition(result.position, 2000);
    expect(catalog.plan('demo-2030')).toEqual(demo);
    expect(logger.error).toHaveBeenCalledWith(expect.stringMatching(/Cannot apply PlanAmended at position \d+ of plan-demo-2030/));
  });

  it('rejects a wait once stopped, like every log consumer', async () => {
    const pending = catalog.waitForPosition(1000n, 60_000);
    await catalog.stop();
    await expect(pending).rejects.toBeInstanceOf(ConsumerStoppedError);
  });
});

describe('PlanCatalog over a store that fails', () => {
  let dir: string;
  let store: FaultyEventStore;
  let catalog: PlanCatalog;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'apl-plan-catalog-faults-'));
    store = new FaultyEventStore(SqliteEventStore.open(join(dir, 'events.db'), { pollIntervalMs: 10 }));
    await loadPlan(store, demo, source);
  });
  afterEach(async () => {
    await catalog.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('resumes after its subscription drops, and a plan loaded meanwhile shows up', async () => {
    const warnings: string[] = [];
    const board = new LogConsumerBoard();
    catalog = new PlanCatalog(store, { log: () => undefined, warn: (m) => warnings.push(m), error: () => undefined }, board);
    await catalog.start();
    await waitUntil(() => catalog.status().state === 'live');
    store.dropSubscriptions();
    store.failNext(1);
    const result = await loadPlan(store, second, source);
    await catalog.waitForPosition(result.position!, 10_000);
    expect(catalog.plan(second.id)?.title).toBe(second.title);
    expect(warnings[0]).toMatch(/^plan-catalog: reading the event store failed after position \d+ \(subscription dropped \(injected\)\); retrying/);
    expect(board.statuses()).toEqual([expect.objectContaining({ name: 'plan-catalog', failures: 2 })]);
  }, 30_000);

  it('shows retrying, with the reason, while the store keeps refusing', async () => {
    class AccessDenied extends Error {}
    catalog = new PlanCatalog(store);
    await catalog.start();
    await waitUntil(() => catalog.status().state === 'live');
    store.failAlways(() => new AccessDenied('access denied'));
    store.dropSubscriptions(() => new AccessDenied('access denied'));
    await waitUntil(() => catalog.status().failures >= 2);
    expect(catalog.status()).toMatchObject({ state: 'retrying', reason: 'access denied' });
  }, 30_000);
});
