import type { EventStore, RecordedEvent } from '@app/event-store';
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
}

export const PROJECTION_NAME = /^[a-z][a-z0-9_]{0,62}$/;
