import { type EventStore, NO_STREAM, WrongExpectedRevisionError } from '@app/event-store';
import type { Plan } from './plan.types.js';
import { type PlanChange, diffPlans } from './plan-changes.js';
import {
  type PlanEventSource,
  foldPlanStream,
  planAdopted,
  planAmended,
  planStreamName,
  toNewEvent,
} from './plan-events.js';

export type PlanLoadOutcome = 'adopted' | 'amended' | 'unchanged';

export interface PlanLoadResult {
  readonly planId: string;
  readonly outcome: PlanLoadOutcome;
  /** What the amendment changed; empty when adopted or unchanged. */
  readonly changes: readonly PlanChange[];
  /** Global position of the event written; absent when nothing was written. */
  readonly position?: bigint;
  /** The stream's revision after the load; absent when the stream still does not exist. */
  readonly revision?: bigint;
}

/** Another writer changed the plan's stream between our read and our append. */
export class PlanLoadConflictError extends Error {
  override readonly name = 'PlanLoadConflictError';
  constructor(
    readonly planId: string,
    options: { cause: WrongExpectedRevisionError },
  ) {
    super(
      `Plan "${planId}" was changed by someone else while it was being loaded; nothing was written. ` +
        `Load it again to apply it on top of the other change.`,
      options,
    );
  }
}

/**
 * Makes the store's plan equal to `plan`: adopts it when its stream does not exist, records one
 * amendment with exactly the differences otherwise, and writes nothing when they are equal —
 * so loading the same file twice is harmless. The append names the revision that was read, so
 * of two concurrent loaders one wins and the other gets a {@link PlanLoadConflictError}.
 */
export async function loadPlan(store: EventStore, plan: Plan, source: PlanEventSource): Promise<PlanLoadResult> {
  const stream = planStreamName(plan.id);
  const recorded = await store.readStream(stream);
  const current = foldPlanStream(recorded);
  try {
    if (current === undefined) {
      const result = await store.append(stream, [toNewEvent(planAdopted(plan, source))], NO_STREAM);
      return { planId: plan.id, outcome: 'adopted', changes: [], position: result.position, revision: result.nextExpectedRevision };
    }
    const changes = diffPlans(current, plan);
    const revision = recorded[recorded.length - 1].revision;
    if (changes.length === 0) return { planId: plan.id, outcome: 'unchanged', changes, revision };
    const result = await store.append(stream, [toNewEvent(planAmended(plan.id, changes, source))], revision);
    return { planId: plan.id, outcome: 'amended', changes, position: result.position, revision: result.nextExpectedRevision };
  } catch (error) {
    if (error instanceof WrongExpectedRevisionError) throw new PlanLoadConflictError(plan.id, { cause: error });
    throw error;
  }
}

/** The plan as recorded in the store, or undefined when it was never adopted. */
export async function readPlan(store: EventStore, planId: string): Promise<Plan | undefined> {
  return foldPlanStream(await store.readStream(planStreamName(planId)));
}
