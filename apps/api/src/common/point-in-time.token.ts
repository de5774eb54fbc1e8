import type { ProjectionSnapshot } from '@app/projections';
import type { PointInTimeInput } from './dto/point-in-time.input.js';

/**
 * What the projection queries need of the audit feature: their read models as the ledger stood
 * at a past point (`at`). A token, so the projections feature depends on this interface only.
 */
export interface PointInTimeSnapshots {
  snapshotAt(context: object, at: PointInTimeInput): Promise<ProjectionSnapshot>;
}

export const POINT_IN_TIME_SNAPSHOTS = Symbol('POINT_IN_TIME_SNAPSHOTS');
