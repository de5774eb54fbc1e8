import type { RecordedEvent } from '@app/event-store';
import { KeyedState } from './keyed-state.js';
import { type Projection, applyEvent } from './projection.js';
import { NO_POSITION } from './read-model-store.js';

export interface Folded {
  readonly state: KeyedState;
  /** The last event applied, or NO_POSITION. */
  readonly position: bigint;
}

/**
 * Folds events into a projection's state in memory, with the runner's checkpoint rule (an
 * event at or below the position already applied changes nothing): for tests, point-in-time
 * evaluation and tools. Events are taken as given (upcast them first if needed). Throws
 * ProjectionFailedError at an event the projection cannot apply (see changesOf).
 */
export function foldProjection(
  projection: Projection,
  events: Iterable<RecordedEvent>,
  from: Folded = { state: new KeyedState(), position: NO_POSITION },
): Folded {
  const { state } = from;
  let position = from.position;
  for (const event of events) {
    if (event.position <= position) continue;
    applyEvent(projection, state, event);
    position = event.position;
  }
  return { state, position };
}
