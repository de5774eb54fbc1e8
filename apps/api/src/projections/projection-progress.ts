import type { EventStore } from '@app/event-store';
import type { ProjectionProgress } from '../common/projection-progress.token.js';
import type { ProjectionsService } from './projections.service.js';

/** The runner of this instance as health and metrics read it (PROJECTION_PROGRESS). */
export function projectionProgressOf(service: ProjectionsService, store: EventStore): ProjectionProgress {
  const runner = service.runner;
  return {
    get state() {
      return runner.state;
    },
    get position() {
      return runner.position;
    },
    lag: () => runner.lag(),
    async eventsBehind(limit) {
      const position = runner.position;
      let count = 0;
      // Nothing applied yet reads from the start.
      for await (const _ of store.readAll({ from: position > 0n ? position : undefined, maxCount: limit })) count++;
      return count;
    },
    projections: () => runner.status().map((s) => ({ name: s.name, position: s.position })),
  };
}
