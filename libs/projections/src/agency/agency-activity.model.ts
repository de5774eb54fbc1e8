import type { RecordedEvent } from '@app/event-store';
import { type ChangeSet, type Table, table } from '../keyed-state.js';
import type { ReportDelta } from '../activity/report-register.js';

/**
 * The agency activity read model (part of the activity projection): the business dates of each
 * agency's counted reports (for the last one) and when it last recorded anything. Retracted
 * reports do not count; a correction may move a report's date.
 *
 * Its reports by event type and by measure are not kept twice: the indicators buckets already
 * count reports per measure, type and agency, and the query sums them (agency-activity.query.ts).
 */

/** Counted reports, grouped by agency; key = occurredOn. */
export const BY_DAY = table<number>('agency_day');
/** Latest recording time (ISO instant) of a report event of the agency that counted (group ''; key = agency). */
export const LAST_RECORDED = table<string>('agency_recorded');

export const AGENCY_TABLES: readonly string[] = [BY_DAY.name, LAST_RECORDED.name];

/** A report's contribution changed: move its date from the old contribution to the new one. */
export function agencyActivityOnReport(cs: ChangeSet, delta: ReportDelta, event: RecordedEvent): void {
  const { before, after, agencyId } = delta;
  if (before?.[3] !== after?.[3]) {
    if (before) add(cs, BY_DAY, agencyId, before[3], -1);
    if (after) add(cs, BY_DAY, agencyId, after[3], 1);
  }
  const recordedAt = typeof event.metadata.recordedAt === 'string' ? event.metadata.recordedAt : event.created.toISOString();
  const last = cs.get(LAST_RECORDED, '', agencyId);
  if (last === undefined || recordedAt > last) cs.set(LAST_RECORDED, '', agencyId, recordedAt);
}

function add(cs: ChangeSet, counter: Table<number>, agency: string, key: string, sign: 1 | -1): void {
  const n = (cs.get(counter, agency, key) ?? 0) + sign;
  if (n > 0) cs.set(counter, agency, key, n);
  else cs.delete(counter, agency, key);
}
