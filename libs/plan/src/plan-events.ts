import { randomUUID } from 'node:crypto';
import type { JsonObject, JsonValue, NewEvent, RecordedEvent } from '@app/event-store';
import type { Plan } from './plan.types.js';
import { type PlanChange, applyChanges } from './plan-changes.js';
import { cloneJson, isPlainObject } from './plan-json.js';

/**
 * The events of a plan's stream, `plan-<planId>`: a plan is adopted once (the whole document)
 * and then amended (exactly what changed, see plan-changes.ts). Folding them with
 * {@link evolvePlan} gives the plan as in force after the last one.
 */

export const PLAN_STREAM_PREFIX = 'plan-';
export const PLAN_EVENT_SCHEMA_VERSION = 1;

export function planStreamName(planId: string): string {
  return `${PLAN_STREAM_PREFIX}${planId}`;
}

/** The plan id of a plan stream name, or undefined for any other stream. */
export function planIdOfStream(stream: string): string | undefined {
  return stream.startsWith(PLAN_STREAM_PREFIX) ? stream.slice(PLAN_STREAM_PREFIX.length) : undefined;
}

export interface PlanEventMetadata {
  readonly schemaVersion: typeof PLAN_EVENT_SCHEMA_VERSION;
  /** Server clock when the event was recorded (ISO timestamp). */
  readonly recordedAt: string;
  /** Who recorded it: `cli`, `system:autoload`, or a principal id. */
  readonly principal: string;
  /** The plan file the change came from, and the sha256 of its content, when it came from one. */
  readonly sourceFile?: string;
  readonly sha256?: string;
  readonly correlationId: string;
}

export type PlanAdopted = Readonly<{
  type: 'PlanAdopted';
  data: Readonly<{ plan: Plan }>;
  metadata: PlanEventMetadata;
}>;

export type PlanAmended = Readonly<{
  type: 'PlanAmended';
  /** `planId` repeats the stream's id so a consumer of the global log needs no name parsing. */
  data: Readonly<{ planId: string; changes: readonly PlanChange[] }>;
  metadata: PlanEventMetadata;
}>;

export type PlanEvent = PlanAdopted | PlanAmended;
/** A plan event without its metadata: what the plan decider decides and evolvePlan folds. */
export type PlanEventBody = Omit<PlanAdopted, 'metadata'> | Omit<PlanAmended, 'metadata'>;
export type PlanEventType = PlanEvent['type'];
export const PLAN_EVENT_TYPES: readonly PlanEventType[] = ['PlanAdopted', 'PlanAmended'];

/** What the caller says about a plan event it records; the rest of the metadata is filled in. */
export interface PlanEventSource {
  readonly principal: string;
  readonly sourceFile?: string;
  readonly sha256?: string;
  readonly correlationId?: string;
  /** Defaults to now; tests pin it. */
  readonly recordedAt?: string;
}

export function planEventMetadata(source: PlanEventSource): PlanEventMetadata {
  return {
    schemaVersion: PLAN_EVENT_SCHEMA_VERSION,
    recordedAt: source.recordedAt ?? new Date().toISOString(),
    principal: source.principal,
    ...(source.sourceFile !== undefined ? { sourceFile: source.sourceFile } : {}),
    ...(source.sha256 !== undefined ? { sha256: source.sha256 } : {}),
    correlationId: source.correlationId ?? randomUUID(),
  };
}

export function planAdopted(plan: Plan, source: PlanEventSource): PlanAdopted {
  return { type: 'PlanAdopted', data: { plan: cloneJson(plan) }, metadata: planEventMetadata(source) };
}

export function planAmended(planId: string, changes: readonly PlanChange[], source: PlanEventSource): PlanAmended {
  return { type: 'PlanAmended', data: { planId, changes: cloneJson(changes) }, metadata: planEventMetadata(source) };
}

/**
 * The plan after `event`. Pure. A history that does not make sense (an amendment before the
 * adoption, a second adoption, a change that does not fit) throws: the stream is corrupt and
 * no plan state derived from it can be trusted.
 */
export function evolvePlan(state: Plan | undefined, event: PlanEventBody): Plan {
  switch (event.type) {
    case 'PlanAdopted':
      if (state !== undefined) throw new Error(`Plan "${state.id}" is adopted twice`);
      return event.data.plan;
    case 'PlanAmended':
      if (state === undefined) throw new Error(`Plan "${event.data.planId}" is amended before it is adopted`);
      return applyChanges(state, event.data.changes);
    default: {
      const _: never = event;
      throw new Error(`Unknown plan event ${JSON.stringify(_)}`);
    }
  }
}

/** The plan event as the store takes it. */
export function toNewEvent(event: PlanEvent): NewEvent {
  return {
    type: event.type,
    data: event.data as unknown as JsonValue,
    metadata: event.metadata as unknown as JsonObject,
  };
}

/**
 * A stored event as a plan event; undefined for any other type (a plan stream holds only
 * these today, and a reader must not choke on types added later). Throws on a plan event of a
 * schema version it does not know.
 */
export function fromRecordedEvent(recorded: RecordedEvent): PlanEvent | undefined {
  if (!(PLAN_EVENT_TYPES as readonly string[]).includes(recorded.type)) return undefined;
  const version = recorded.metadata.schemaVersion;
  if (version !== PLAN_EVENT_SCHEMA_VERSION) {
    throw new Error(`${recorded.type} at position ${recorded.position} has schema version ${JSON.stringify(version)}, expected ${PLAN_EVENT_SCHEMA_VERSION}`);
  }
  if (!isPlainObject(recorded.data)) throw new Error(`${recorded.type} at position ${recorded.position} has no data`);
  return { type: recorded.type, data: recorded.data, metadata: recorded.metadata } as unknown as PlanEvent;
}

/** Folds a plan stream's stored events. */
export function foldPlanStream(events: readonly RecordedEvent[]): Plan | undefined {
  let state: Plan | undefined;
  for (const recorded of events) {
    const event = fromRecordedEvent(recorded);
    if (event) state = evolvePlan(state, event);
  }
  return state;
}
