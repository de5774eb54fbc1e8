/**
 * Pure mapping between our port and the EventStoreDB client 6.x: positions, expected revisions,
 * filters, events. See eventstoredb-event-store.ts for how positions map.
 */
import { randomUUID } from 'node:crypto';
import {
  type AppendStreamState,
  type EventData,
  type Filter,
  type JSONType,
  type Position,
  type RecordedEvent as EsdbRecordedEvent,
  eventTypeFilter,
  excludeSystemEvents,
  jsonEvent,
  streamNameFilter,
} from '@kurrent/kurrentdb-client';
import {
  ANY,
  EventStoreError,
  type ExpectedRevision,
  type JsonObject,
  type JsonValue,
  NO_STREAM,
  type NewEvent,
  type ReadAllFilter,
  type RecordedEvent,
  STREAM_EXISTS,
} from '../event-store.port.js';

const RECONNECT_BASE_MS = 100;
const RECONNECT_MAX_MS = 5_000;
/** Positions are int64 on the server; anything outside is the "no position" marker (2^64-1). */
const MAX_POSITION = 2n ** 63n;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Checkpoint every 1 × the server's search window (32 events searched): the client's smallest. */
export const CHECKPOINT_INTERVAL = 1;

/** Our expected revision as the client spells it (the string constants happen to coincide). */
export function toClientExpectedRevision(expected: ExpectedRevision): AppendStreamState {
  switch (expected) {
    case NO_STREAM:
      return 'no_stream';
    case STREAM_EXISTS:
      return 'stream_exists';
    case ANY:
      return 'any';
    default:
      if (typeof expected !== 'bigint' || expected < 0n) {
        throw new EventStoreError(`Invalid expected revision: ${String(expected)}`);
      }
      return expected;
  }
}

/** System events: their type or their stream starts with `$`. Never delivered by this adapter. */
export function isSystemEvent(event: { readonly type: string; readonly streamId: string }): boolean {
  return event.type.startsWith('$') || event.streamId.startsWith('$');
}

/** Whether an event at `commit` falls outside an exclusive `from` bound. */
export function excludedByFrom(commit: bigint, from: bigint, direction: 'forwards' | 'backwards'): boolean {
  return direction === 'forwards' ? commit <= from : commit >= from;
}

/** One of our positions as a client position; see the file comment on commit === prepare. */
export function toClientPosition(position: bigint): Position {
  return { commit: position, prepare: position };
}

export function comparePositions(a: Position, b: Position): number {
  if (a.commit !== b.commit) return a.commit < b.commit ? -1 : 1;
  if (a.prepare !== b.prepare) return a.prepare < b.prepare ? -1 : 1;
  return 0;
}

export function samePosition(a: Position, b: Position): boolean {
  return a.commit === b.commit && a.prepare === b.prepare;
}

/** A real position, or undefined for the server's "no position" marker. */
export function knownPosition(commit: bigint): bigint | undefined {
  return commit >= 0n && commit < MAX_POSITION ? commit : undefined;
}

/** Backoff before resubscribing: 100 ms doubling, at most 5 s. */
export function reconnectDelay(attempt: number): number {
  return Math.min(RECONNECT_MAX_MS, RECONNECT_BASE_MS * 2 ** Math.min(attempt, 16));
}

/**
 * The server-side part of a subscription filter. The client takes one filter (on stream names
 * or on event types, by prefix), so this narrows what travels over the wire; the exact filter
 * ({@link matchesFilter}) and the system-event exclusion are applied again on our side.
 */
export function serverFilterFor(
  filter: ReadAllFilter | undefined,
  checkpointReached?: (position: Position) => void,
): Filter {
  const usable = (values: readonly string[] | undefined): values is readonly string[] =>
    values !== undefined && values.length > 0 && values.every((v) => v.length > 0);
  // With a checkpoint callback the server reports how far it has searched (every
  // CHECKPOINT_INTERVAL × its search window of 32 events), so a resumed subscription does not
  // rescan from the last matching event. Without one the client drops the checkpoints.
  const checkpoints = checkpointReached
    ? { checkpointInterval: CHECKPOINT_INTERVAL, checkpointReached: (_: unknown, position: Position) => checkpointReached(position) }
    : {};
  if (usable(filter?.streamPrefixes)) return streamNameFilter({ prefixes: [...filter.streamPrefixes], ...checkpoints });
  if (usable(filter?.eventTypes)) return eventTypeFilter({ prefixes: [...filter.eventTypes], ...checkpoints });
  return excludeSystemEvents(checkpoints);
}

/** A new event as a client JSON event; data and metadata are serialised as JSON. */
export function toEventData(event: NewEvent): EventData {
  const id = event.id ?? randomUUID();
  if (!UUID.test(id)) throw new EventStoreError(`Event id "${id}" is not a UUID`);
  if (!event.type) throw new EventStoreError('An event type is required');
  return jsonEvent({
    id,
    type: event.type,
    // JSON.stringify'd by the client, so any JSON value works although its type says object/array/string.
    data: event.data as JSONType,
    ...(event.metadata === undefined ? {} : { metadata: event.metadata }),
  });
}

/** A client event as ours. Needs the event's `$all` position (always there on `$all` reads). */
export function toRecordedEvent(event: EsdbRecordedEvent): RecordedEvent {
  const position = event.position ? knownPosition(event.position.commit) : undefined;
  if (position === undefined) {
    throw new EventStoreError(
      `EventStoreDB did not report the $all position of event ${event.id} in "${event.streamId}" ` +
        '(stream reads carry it from EventStoreDB 22.6 on)',
    );
  }
  return {
    id: event.id,
    type: event.type,
    stream: event.streamId,
    revision: event.revision,
    position,
    data: toJsonData(event.data),
    metadata: toJsonMetadata(event.metadata),
    created: event.created,
  };
}

function toJsonData(data: unknown): JsonValue {
  if (data instanceof Uint8Array) {
    // Written by another tool as binary: JSON if it parses, else the text.
    const text = Buffer.from(data).toString('utf8');
    try {
      return JSON.parse(text) as JsonValue;
    } catch {
      return text;
    }
  }
  return data as JsonValue;
}

function toJsonMetadata(metadata: unknown): JsonObject {
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata) || metadata instanceof Uint8Array) {
    return {};
  }
  return metadata as JsonObject;
}

/** What the client's errors without a message mean (its native reader reports only a name). */
const BARE_ERRORS: Readonly<Record<string, string>> = {
  unavailable: 'no server answered at that address, or it is not ready (starting, electing a leader)',
  'deadline-exceeded': 'no answer before the deadline',
  'not-leader': 'the node is not the leader',
  'access-denied': 'access denied: check the user and password of the connection string',
};

export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const bare = !error.message || error.message === error.name || error.message === error.constructor.name;
  if (!bare) return error.message;
  const type = (error as { type?: unknown }).type;
  const meaning = typeof type === 'string' ? BARE_ERRORS[type] : undefined;
  return meaning ? `${error.constructor.name}: ${meaning}` : error.message || error.name;
}

export async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(message)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
