import type { ProjectionSnapshot } from '@app/projections';
import type { PointInTimeInput } from './dto/point-in-time.input.js';

/**
 * What a feature answering from the read models needs of the projections feature: one
 * snapshot per request, after the runner has passed `atLeastPosition` (read-your-writes), or
 * as the ledger stood at `at`. A token, so such a feature depends on this interface only.
 */
export interface ProjectionSnapshots {
  snapshot(context: object, atLeastPosition?: string | null, at?: PointInTimeInput | null): Promise<ProjectionSnapshot>;
}

/** Injection token of the instance's {@link ProjectionSnapshots}. */
export const PROJECTION_SNAPSHOTS = Symbol('PROJECTION_SNAPSHOTS');
