import type { PeriodStatus } from '@app/domain';

/** Where a reporting period of an agency under a plan stands; OPEN when nothing was done yet. */
export type PeriodStatusLookup = (planId: string, agencyId: string, periodId: string) => PeriodStatus;

/**
 * What the report write path needs of the periods read model (docs/periods.md, "Consistency"):
 * a lookup taken once the read model has applied everything the store held when it was asked.
 * A token, so the reporting feature depends on this interface only.
 */
export interface PeriodLocks {
  current(): Promise<PeriodStatusLookup>;
}

export const PERIOD_LOCKS = Symbol('PERIOD_LOCKS');
