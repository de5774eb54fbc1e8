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

const DAY_MS = 86_400_000;
let todayCache = { day: Number.NaN, text: '' };

/**
 * Today as YYYY-MM-DD (UTC). Without `now` the text is formatted once per UTC day: a `measures`
 * query asks for it several times per measure (issue 24's profile: 1% of such a query).
 */
export function today(now?: Date): string {
  if (now) return now.toISOString().slice(0, 10);
  const ms = Date.now();
  const day = Math.floor(ms / DAY_MS);
  if (day !== todayCache.day) todayCache = { day, text: new Date(ms).toISOString().slice(0, 10) };
  return todayCache.text;
}

/**
 * The reporting year a month (YYYY-MM) falls in, for years starting on the first day of month
 * `startMonth` (1–12; the US TIP reporting year starts on 1 April: 4), written as an ISO 8601
 * interval: 2023-04-01/2024-03-31. With startMonth 1 it is the calendar year, YYYY.
 */
export function reportingYearOfMonth(month: string, startMonth: number): string {
  if (startMonth === 1) return month.slice(0, 4);
  const year = Number(month.slice(0, 4));
  const m = Number(month.slice(5, 7));
  const start = m >= startMonth ? year : year - 1;
  const pad = (n: number) => String(n).padStart(2, '0');
  const endMonth = startMonth - 1;
  const lastDay = new Date(Date.UTC(start + 1, endMonth, 0)).getUTCDate();
  return `${start}-${pad(startMonth)}-01/${start + 1}-${pad(endMonth)}-${pad(lastDay)}`;
}

/** A range of whole months, YYYY-MM to YYYY-MM inclusive, with the label it is reported under. */
export interface MonthRange {
  readonly key: string;
  readonly from: string;
  readonly to: string;
}
