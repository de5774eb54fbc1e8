import type { EventStore, RecordedEvent } from '@app/event-store';
import { ProjectionFailedError } from './errors.js';
import type { Change, StateView } from './keyed-state.js';

/**
 * A projection: a name, a version, and a pure evolve over a keyed state (see keyed-state.ts).
 * The runner feeds it the global log in order, once per event, from its checkpoint.
 */
export interface Projection {
  /** Lower-case letters, digits and `_`: it names the projection's SQLite table. */
  readonly name: string;
  /**
   * Bump it whenever evolve or the entry shapes change: a stored read model of another
   * version is dropped and rebuilt from position 0 when the runner starts.
   */
  readonly version: number;
  /** The event types evolve looks at; any other event only advances the projection's position. */
  readonly eventTypes: ReadonlySet<string>;
  /**
   * The entries the event changes. Pure: reads `state`, never modifies it; the same state and
   * event always give the same changes. Events arrive upcast (see @app/domain upcasters).
   */
  evolve(state: StateView, event: RecordedEvent): readonly Change[];
  /**
   * Entries a build from position 0 starts with, when the projection needs to know something
   * of the future of the log before replaying it (the indicators projection: which fields any
   * plan version takes a distinct count of).
   */
  initialEntries?(store: EventStore): Promise<readonly Change[]>;
  /**
   * True when evolving can no longer keep the state right (e.g. an amendment asks for a
   * figure that was not kept for earlier reports): the runner then rebuilds it from position 0.
   */
  needsRebuild?(state: StateView): boolean;
  /**
   * Why an event of its types cannot be applied (data that does not have the declared shape),
   * or undefined. Asked before evolve: such an event stops the projection, whole, instead of
   * being applied in part (see {@link changesOf}).
   */
  check?(event: RecordedEvent): string | undefined;
  /**
   * Tables whose entries follow from the events of one stream alone and that no query reads
   * (the report register: needed only to evolve that stream's next event). Point-in-time
   * snapshots leave them out and rebuild the entries a fold needs from the streams involved.
   */
  readonly streamLocalTables?: readonly string[];
}

/**
 * The changes one event makes to a projection's state: nothing when the projection does not
 * handle its type. Applies nothing itself. Throws {@link ProjectionFailedError} (naming the
 * projection, the position and the reason) when `check` refuses the event or evolve throws:
 * the one way the runner, folds and point-in-time apply a projection to an event.
 */
export function changesOf(projection: Projection, state: StateView, event: RecordedEvent): readonly Change[] {
  if (!projection.eventTypes.has(event.type)) return NO_CHANGES;
  const problem = projection.check?.(event);
  if (problem !== undefined) throw new ProjectionFailedError(projection.name, event.position, { reason: `${event.type} of ${event.stream}: ${problem}` });
  try {
    return projection.evolve(state, event);
  } catch (error) {
    throw new ProjectionFailedError(projection.name, event.position, { cause: error });
  }
}

/** Applies one event to a state it may change (see {@link changesOf}); returns whether anything changed. */
export function applyEvent(projection: Projection, state: StateView & { apply(change: Change): void }, event: RecordedEvent): boolean {
  const changes = changesOf(projection, state, event);
  for (const change of changes) state.apply(change);
  return changes.length > 0;
}

const NO_CHANGES: readonly Change[] = Object.freeze([]);

export const PROJECTION_NAME = /^[a-z][a-z0-9_]{0,62}$/;
