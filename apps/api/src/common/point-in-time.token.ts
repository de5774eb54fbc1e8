import type { PointInTime } from '@app/audit';
import type { LiveReportList, MonthCandidates, ProjectionSnapshot } from '@app/projections';
import type { PointInTimeInput } from './dto/point-in-time.input.js';

/**
 * What the projection queries and the report documents need of the audit feature: read models
 * as the ledger stood at a past point (`at`), and the position a past instant names. A token, so
 * those features depend on this interface only.
 */
export interface PointInTimeSnapshots {
  /**
   * `candidates`: the live month index, so that figures as of a day inside a month can be made
   * exact there (ProjectionSnapshot.prepareAsOf); without it such an asOf is refused.
   * `reports`: the live report list, which the snapshot's reportList starts from (listReportsAt).
   */
  snapshotAt(context: object, at: PointInTimeInput, candidates?: MonthCandidates, reports?: LiveReportList): Promise<ProjectionSnapshot>;
  /** The audit feature's point-in-time evaluator: `resolve` turns an instant into a position. */
  readonly pointInTime: Pick<PointInTime, 'resolve'>;
}

export const POINT_IN_TIME_SNAPSHOTS = Symbol('POINT_IN_TIME_SNAPSHOTS');
