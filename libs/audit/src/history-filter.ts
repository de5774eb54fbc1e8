import type { RecordedEvent } from '@app/event-store';
import { indexedFieldsOf } from './indexed-fields.js';

/**
 * What an auditor narrows the history to; every condition given must hold.
 *
 * - `measureCode`: data.measureCode; `agencyId`: metadata.agencyId, else data.agencyId;
 *   `occurredFrom`/`occurredTo`: the business date (metadata.occurredOn, else data.occurredOn),
 *   inclusive, YYYY-MM-DD — events without one are left out when either is given (see
 *   indexed-fields.ts).
 * - `eventType`, `stream`: exact.
 * - `recordedFrom`/`recordedTo` (inclusive) are not tested per event: they are turned into the
 *   span of positions the ledger grew by between the two instants (see LedgerClock), the same
 *   rule point-in-time queries use, so "recorded by T" means the same everywhere.
 */
export interface HistoryFilter {
  readonly measureCode?: string;
  readonly agencyId?: string;
  readonly eventType?: string;
  readonly stream?: string;
  readonly recordedFrom?: Date;
  readonly recordedTo?: Date;
  readonly occurredFrom?: string;
  readonly occurredTo?: string;
}

/** Whether an event passes the per-event conditions of the filter (the recorded span excepted). */
export function matchesHistoryFilter(event: RecordedEvent, filter: HistoryFilter): boolean {
  if (filter.eventType !== undefined && event.type !== filter.eventType) return false;
  if (filter.stream !== undefined && event.stream !== filter.stream) return false;
  if (filter.measureCode === undefined && filter.agencyId === undefined && filter.occurredFrom === undefined && filter.occurredTo === undefined) {
    return true;
  }
  const fields = indexedFieldsOf(event);
  if (filter.measureCode !== undefined && fields.measureCode !== filter.measureCode) return false;
  if (filter.agencyId !== undefined && fields.agencyId !== filter.agencyId) return false;
  if (filter.occurredFrom !== undefined && (fields.occurredOn === undefined || fields.occurredOn < filter.occurredFrom)) return false;
  if (filter.occurredTo !== undefined && (fields.occurredOn === undefined || fields.occurredOn > filter.occurredTo)) return false;
  return true;
}

/** Whether the filter has conditions the event store cannot apply (only the audit index or a scan can). */
export function needsIndex(filter: HistoryFilter): boolean {
  return filter.measureCode !== undefined || filter.agencyId !== undefined || filter.occurredFrom !== undefined || filter.occurredTo !== undefined;
}
