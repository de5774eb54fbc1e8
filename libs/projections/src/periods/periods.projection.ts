import { PERIOD_EVENT_TYPES, type PeriodStatus, isPeriodEventType, statusAfter } from '@app/domain';
import type { RecordedEvent } from '@app/event-store';
import { type Change, type StateView, table } from '../keyed-state.js';
import type { Projection } from '../projection.js';

/**
 * Where each reporting period stands for each agency under each plan (docs/periods.md): the lock
 * read model the report write path consults, and what the period queries read. Folded from the
 * period streams' events; a period with no entry is OPEN.
 */
export const PERIODS_PROJECTION = 'periods';

/** One period of one agency: its status and the last step's words. */
export type PeriodEntry = {
  readonly status: PeriodStatus;
  /** The last submission's measures (what the agency signed for). */
  readonly measureCodes: readonly string[];
  /** The comment of the last return (what to change), or of the approval. */
  readonly comment: string | null;
  /** The reason of the last reopening. */
  readonly reason: string | null;
  /** Global position (decimal string) and recording time of the last step. */
  readonly position: string;
  readonly recordedAt: string | null;
  /** How many times it was approved: a reopened and re-approved period says 2. */
  readonly approvals: number;
};

const PERIODS = table<PeriodEntry>('period');

/** Group of a plan × agency: plan and agency ids are kebab-case, so `/` separates them unambiguously. */
const groupOf = (planId: string, agencyId: string): string => `${planId}/${agencyId}`;

export function evolvePeriods(state: StateView, event: RecordedEvent): readonly Change[] {
  if (!isPeriodEventType(event.type)) return [];
  const data = event.data as { planId?: unknown; agencyId?: unknown; periodId?: unknown; measureCodes?: unknown; comment?: unknown; reason?: unknown };
  if (typeof data.planId !== 'string' || typeof data.agencyId !== 'string' || typeof data.periodId !== 'string') return [];
  const group = groupOf(data.planId, data.agencyId);
  const before = state.get(PERIODS, group, data.periodId);
  const status = statusAfter(event.type);
  const recordedAt = typeof event.metadata.recordedAt === 'string' ? event.metadata.recordedAt : null;
  const value: PeriodEntry = {
    status,
    measureCodes: status === 'SUBMITTED' && Array.isArray(data.measureCodes) ? data.measureCodes.filter((c): c is string => typeof c === 'string') : (before?.measureCodes ?? []),
    comment: typeof data.comment === 'string' ? data.comment : status === 'SUBMITTED' ? null : (before?.comment ?? null),
    reason: typeof data.reason === 'string' ? data.reason : (before?.reason ?? null),
    position: event.position.toString(),
    recordedAt,
    approvals: (before?.approvals ?? 0) + (status === 'APPROVED' ? 1 : 0),
  };
  return [{ table: PERIODS.name, group, key: data.periodId, value }];
}

export const periodsProjection: Projection = {
  name: PERIODS_PROJECTION,
  version: 1,
  eventTypes: new Set(PERIOD_EVENT_TYPES),
  evolve: evolvePeriods,
};

/** The entry of one period of one agency; undefined while it is OPEN. */
export function periodEntry(view: StateView, planId: string, agencyId: string, periodId: string): PeriodEntry | undefined {
  return view.get(PERIODS, groupOf(planId, agencyId), periodId);
}

/** Every period with an entry of one agency under one plan, by period id. */
export function agencyPeriods(view: StateView, planId: string, agencyId: string): ReadonlyMap<string, PeriodEntry> {
  return view.group(PERIODS, groupOf(planId, agencyId));
}
