import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type EventStore, SqliteEventStore, WrongExpectedRevisionError } from '@app/event-store';
import type { Plan } from './plan.types.js';
import { PlanLoadConflictError, loadPlan, readPlan } from './plan-loader.js';
import { parsePlan } from './plan-parser.js';

const demo = parsePlan(readFileSync(resolve('test/fixtures/plans/demo-plan.yaml'), 'utf8')).plan as Plan;
const source = { principal: 'cli', sourceFile: 'demo-plan.yaml', sha256: '00'.repeat(32) };

function withTarget(plan: Plan, target: number): Plan {
  const copy = structuredClone(plan) as unknown as { pillars: { objectives: { measures: { indicators: { target?: number }[] }[] }[] }[] };
  copy.pillars[1].objectives[0].measures[0].indicators[0].target = target;
  return copy as unknown as Plan;
}

describe('loadPlan', () => {
  let dir: string;
  let store: EventStore;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'apl-plan-loader-'));
    store = SqliteEventStore.open(join(dir, 'events.db'));
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('adopts a new plan, and appends nothing when the same plan is loaded again', async () => {
    const first = await loadPlan(store, demo, source);
    expect(first).toMatchObject({ planId: 'demo-2030', outcome: 'adopted', changes: [], revision: 0n });
    expect(typeof first.position).toBe('bigint');
    const second = await loadPlan(store, structuredClone(demo), source);
    expect(second).toEqual({ planId: 'demo-2030', outcome: 'unchanged', changes: [], revision: 0n });
    const events = await store.readStream('plan-demo-2030');
    expect(events.map((e) => e.type)).toEqual(['PlanAdopted']);
    expect(events[0].metadata).toMatchObject({ schemaVersion: 1, principal: 'cli', sourceFile: 'demo-plan.yaml' });
    expect(await readPlan(store, 'demo-2030')).toEqual(demo);
  });

  it('records exactly the changed target as one amendment', async () => {
    await loadPlan(store, demo, source);
    const amended = withTarget(demo, 9);
    const result = await loadPlan(store, amended, { ...source, principal: 'someone' });
    const change = { op: 'set', path: ['measures', 'B.1.1', 'indicators', 'places', 'target'], before: 6, after: 9 };
    expect(result).toMatchObject({ outcome: 'amended', changes: [change], revision: 1n });

    const history = await store.readStream('plan-demo-2030');
    expect(history.map((e) => e.type)).toEqual(['PlanAdopted', 'PlanAmended']);
    expect(history[1].data).toEqual({ planId: 'demo-2030', changes: [change] });
    expect(history[1].metadata).toMatchObject({ principal: 'someone' });
    expect(await readPlan(store, 'demo-2030')).toEqual(amended);
    expect((await loadPlan(store, amended, source)).outcome).toBe('unchanged');
  });

  it('lets one of two concurrent loaders win and tells the other clearly', async () => {
    await loadPlan(store, demo, source);
    const results = await Promise.allSettled([loadPlan(store, withTarget(demo, 7), source), loadPlan(store, withTarget(demo, 8), source)]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const failure = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(failure.reason).toBeInstanceOf(PlanLoadConflictError);
    expect(failure.reason.message).toMatch(/changed by someone else while it was being loaded; nothing was written/);
    expect(failure.reason.cause).toBeInstanceOf(WrongExpectedRevisionError);
    expect(await store.readStream('plan-demo-2030')).toHaveLength(2);
  });

  it('lets only one of two concurrent first adoptions win', async () => {
    const results = await Promise.allSettled([loadPlan(store, demo, source), loadPlan(store, demo, source)]);
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(1);
    expect(await store.readStream('plan-demo-2030')).toHaveLength(1);
  });
});
