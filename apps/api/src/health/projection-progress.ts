import { Module } from '@nestjs/common';
import { EVENT_STORE, type EventStore } from '@app/event-store';
import { ProjectionsModule } from '../projections/projections.module.js';
import { ProjectionsService } from '../projections/projections.service.js';

/**
 * How far the read models of this instance are: what readiness and the projection metrics
 * read. The one place that knows the projections service (apps/api/src/projections); nothing
 * else in health or metrics depends on its shape.
 */
export interface ProjectionProgress {
  /** The runner's state: created, catching-up, live, stopped or failed. */
  readonly state: string;
  /** The global position every projection has applied (the slowest one). */
  readonly position: bigint;
  /**
   * How far that is behind the store's head, in positions (asks the store). Positions count
   * events in the embedded store; in EventStoreDB they are commit positions (bytes).
   */
  lag(): Promise<bigint>;
  /** How many events the store holds after that position, counted up to `limit`. */
  eventsBehind(limit: number): Promise<number>;
  /** Each projection's applied position. */
  projections(): readonly { readonly name: string; readonly position: bigint }[];
}

/** Injection token of the instance's {@link ProjectionProgress}. */
export const PROJECTION_PROGRESS = Symbol('PROJECTION_PROGRESS');

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

@Module({
  imports: [ProjectionsModule],
  providers: [{ provide: PROJECTION_PROGRESS, inject: [ProjectionsService, EVENT_STORE], useFactory: projectionProgressOf }],
  exports: [PROJECTION_PROGRESS],
})
export class ProjectionProgressModule {}
