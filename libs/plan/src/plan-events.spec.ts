import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { RecordedEvent } from '@app/event-store';
import type { Plan } from './plan.types.js';
import { diffPlans } from './plan-changes.js';
import {
  type PlanEvent,
  evolvePlan,
  foldPlanStream,
  fromRecordedEvent,
  planAdopted,
  planAmended,
  planIdOfStream,
  planStreamName,
  toNewEvent,
} from './plan-events.js';
import { parsePlan } from './plan-parser.js';

const demo = parsePlan(readFileSync(resolve('test/fixtures/plans/demo-plan.yaml'), 'utf8')).plan as Plan;
const source = { principal: 'cli', sourceFile: 'demo-plan.yaml', sha256: 'ab'.repeat(32), recordedAt: '2030-01-05T10:00:00.000Z' };

function recorded(event: PlanEvent, revision: bigint): RecordedEvent {
  const stored = JSON.parse(JSON.stringify(toNewEvent(event)));
  return { id: `e${revision}`, stream: planStreamName(demo.id), revision, position: revision + 10n, created: new Date(), ...stored };
}

describe('plan events', () => {
  it('names the stream after the plan', () => {
    expect(planStreamName('demo-2030')).toBe('plan-demo-2030');
    expect(planIdOfStream('plan-demo-2030')).toBe('demo-2030');
    expect(planIdOfStream('activity-x-1')).toBeUndefined();
  });

  it('records who, when, from which file, under schema version 1', () => {
    const event = planAdopted(demo, source);
    expect(event.type).toBe('PlanAdopted');
    expect(event.metadata).toEqual({
      schemaVersion: 1,
      recordedAt: '2030-01-05T10:00:00.000Z',
      principal: 'cli',
      sourceFile: 'demo-plan.yaml',
      sha256: 'ab'.repeat(32),
      correlationId: expect.any(String),
    });
    expect(planAmended(demo.id, [], { principal: 'system:autoload' }).metadata).toEqual({
      schemaVersion: 1,
      recordedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      principal: 'system:autoload',
      correlationId: expect.any(String),
    });
  });

  it('folds adoption and amendments into the plan in force', () => {
    const amendedPlan = { ...demo, title: 'Amended title' };
    const events = [planAdopted(demo, source), planAmended(demo.id, diffPlans(demo, amendedPlan), source)];
    expect(events.reduce<Plan | undefined>(evolvePlan, undefined)).toEqual(amendedPlan);
    // The same through the store's JSON.
    expect(foldPlanStream(events.map((e, i) => recorded(e, BigInt(i))))).toEqual(amendedPlan);
  });

  it('refuses a history that does not make sense', () => {
    expect(() => evolvePlan(undefined, planAmended(demo.id, [], source))).toThrow(/amended before it is adopted/);
    expect(() => evolvePlan(demo, planAdopted(demo, source))).toThrow(/adopted twice/);
  });

  it('ignores other event types and refuses unknown schema versions', () => {
    const other = { ...recorded(planAdopted(demo, source), 0n), type: 'SomethingElse' };
    expect(fromRecordedEvent(other)).toBeUndefined();
    const future = recorded(planAdopted(demo, source), 0n);
    expect(() => fromRecordedEvent({ ...future, metadata: { ...future.metadata, schemaVersion: 2 } })).toThrow(/schema version 2/);
  });
});
