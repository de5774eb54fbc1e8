/** Periods of a business date (YYYY-MM-DD): how coordinators slice figures. */
export type Granularity = 'MONTH' | 'QUARTER' | 'YEAR';

export const GRANULARITIES: readonly Granularity[] = ['MONTH', 'QUARTER', 'YEAR'];

/** YYYY-MM */
export function monthOf(date: string): string {
  return date.slice(0, 7);
}

/** The period a month (YYYY-MM) falls in: YYYY-MM, YYYY-Qn or YYYY. */
export function periodOfMonth(month: string, granularity: Granularity): string {
  switch (granularity) {
    case 'MONTH':
      return month;
    case 'QUARTER':
      return `${month.slice(0, 4)}-Q${Math.ceil(Number(month.slice(5, 7)) / 3)}`;
    case 'YEAR':
      return month.slice(0, 4);
    default: {
      const _: never = granularity;
      throw new Error(`Unknown granularity ${String(_)}`);
    }
  }
}

/** Calendar year of a date or month. */
export function yearOf(date: string): number {
  return Number(date.slice(0, 4));
}

/** Today as YYYY-MM-DD (UTC). */
export function today(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}
