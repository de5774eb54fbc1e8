import {
  CommandConflictError,
  type Decider,
  type EventStore,
  type JsonObject,
  type RecordedEvent,
  type StoredEvent,
  WrongExpectedRevisionError,
  handleCommand,
} from '@app/event-store';
import type { Plan } from './plan.types.js';
import { type PlanChange, diffPlans } from './plan-changes.js';
import { cloneJson } from './plan-json.js';
import {
  type PlanEventBody,
  type PlanEventSource,
  evolvePlan,
  foldPlanStream,
  fromRecordedEvent,
  planEventMetadata,
  planStreamName,
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

/** Make the stored plan equal to this document. */
export interface LoadPlanCommand {
  readonly plan: Plan;
}

/**
 * The decider of a plan stream: adopt the plan when its stream is new, record one amendment
 * with exactly the differences otherwise, and nothing when they are equal.
 */
export const planDecider: Decider<Plan | undefined, LoadPlanCommand, PlanEventBody> = {
  initialState: undefined,
  evolve: evolvePlan,
  decide({ plan }, current) {
    if (current === undefined) return [{ type: 'PlanAdopted', data: { plan: cloneJson(plan) } }];
    const changes = diffPlans(current, plan);
    return changes.length === 0 ? [] : [{ type: 'PlanAmended', data: { planId: plan.id, changes: cloneJson(changes) } }];
  },
};

/** A stored plan event as the decider reads it; undefined for other types (fromRecordedEvent). */
function readPlanEvent(recorded: RecordedEvent): StoredEvent<PlanEventBody> | undefined {
  const event = fromRecordedEvent(recorded);
  if (!event) return undefined;
  const at = { id: recorded.id, stream: recorded.stream, revision: recorded.revision, position: recorded.position, metadata: recorded.metadata };
  return event.type === 'PlanAdopted' ? { ...at, type: event.type, data: event.data } : { ...at, type: event.type, data: event.data };
}

/**
 * Makes the store's plan equal to `plan` through handleCommand and {@link planDecider}, so
 * loading the same file twice is harmless. The append names the revision that was read and a
 * lost race is not retried: of two concurrent loaders one wins and the other gets a
 * {@link PlanLoadConflictError} (an operator loading a plan decides again on the other change).
 */
export async function loadPlan(store: EventStore, plan: Plan, source: PlanEventSource): Promise<PlanLoadResult> {
  try {
    const result = await handleCommand(store, planStreamName(plan.id), planDecider, { plan }, {
      read: readPlanEvent,
      maxAttempts: 1,
      metadata: (): JsonObject => ({ ...planEventMetadata(source) }),
    });
    const [event] = result.newEvents;
    if (!event) return { planId: plan.id, outcome: 'unchanged', changes: [], revision: result.revision };
    const position = result.appended?.position;
    if (event.type === 'PlanAdopted') return { planId: plan.id, outcome: 'adopted', changes: [], position, revision: result.revision };
    return { planId: plan.id, outcome: 'amended', changes: event.data.changes, position, revision: result.revision };
  } catch (error) {
    if (error instanceof CommandConflictError && error.cause instanceof WrongExpectedRevisionError) {
      throw new PlanLoadConflictError(plan.id, { cause: error.cause });
    }
    throw error;
  }
}

/** The plan as recorded in the store, or undefined when it was never adopted. */
export async function readPlan(store: EventStore, planId: string): Promise<Plan | undefined> {
  return foldPlanStream(await store.readStream(planStreamName(planId)));
}
