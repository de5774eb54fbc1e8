import type { EventStore } from '@app/event-store';
import { activityProjection } from './activity/activity.projection.js';
import type { Projection } from './projection.js';
import { ProjectionRunner, type RunnerLogger } from './projection-runner.js';
import { ReadModelStore } from './read-model-store.js';
import { plansProjection } from './plans/plans.projection.js';
import { assessmentsProjection } from './assessments/assessments.projection.js';
import { reportListProjection } from './reports/report-list.projection.js';
import { periodsProjection } from './periods/periods.projection.js';

/**
 * The projections coordinators query: plans, activity (indicators, funding, agency activity),
 * assessments, and the sign-off of reporting periods (also the lock read model of report writes).
 */
export const COORDINATOR_PROJECTIONS: readonly Projection[] = [plansProjection, activityProjection, assessmentsProjection, periodsProjection];

/**
 * What the api's runner maintains: the coordinator projections, and the report list (what was
 * done, report by report), which point-in-time snapshots leave out (see report-list.projection.ts).
 */
export const API_PROJECTIONS: readonly Projection[] = [...COORDINATOR_PROJECTIONS, reportListProjection];


export interface ReplayResult {
  /** The last position applied. */
  readonly position: bigint;
  /** sha256 of each projection's state (see digestState). */
  readonly digests: Readonly<Record<string, string>>;
  /** Time to read, apply and store every event (the digests excluded). */
  readonly durationMs: number;
  /** Events read from the store (all types). */
  readonly events: number;
}

/**
 * Builds the read models from position 0 into a fresh file (deleting what it held) up to the
 * store's head, or up to `until`: what `cli replay` runs, and how a rebuild is proven (its
 * digests equal those of the live read models at the same position).
 */
export async function replayProjections(options: {
  readonly store: EventStore;
  readonly file: string;
  readonly projections?: readonly Projection[];
  readonly until?: bigint;
  readonly logger?: RunnerLogger;
}): Promise<ReplayResult> {
  const started = performance.now();
  const readModels = ReadModelStore.open(options.file, { fresh: true });
  try {
    const runner = new ProjectionRunner({
      store: options.store,
      readModels,
      projections: options.projections ?? COORDINATOR_PROJECTIONS,
      // Into a fresh file: nothing to resume, so one write of the whole state at the end.
      commitOnce: true,
      logger: options.logger,
    });
    await runner.replay({ until: options.until });
    const durationMs = performance.now() - started;
    return { position: runner.position, digests: runner.digests(), durationMs, events: runner.eventsRead };
  } finally {
    readModels.close();
  }
}
