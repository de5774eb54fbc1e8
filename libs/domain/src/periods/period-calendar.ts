/**
 * Reporting periods as calendar spans (DHIS2 "period types"): a month `2023-05`, a quarter
 * `2023-Q2`, a year `2023`. The plan says which length it reports in (quarters by default);
 * a period belongs to a plan when it overlaps the plan's period.
 */
import { isIsoDate } from '../wire/wire-rules.js';

export type PeriodLength = 'month' | 'quarter' | 'year';

export interface PeriodSpan {
  readonly periodId: string;
  /** First and last day (YYYY-MM-DD), inclusive. */
  readonly from: string;
  readonly to: string;
}

const pad = (n: number): string => String(n).padStart(2, '0');

function lastDayOf(year: number, month: number): string {
  const day = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return `${year}-${pad(month)}-${pad(day)}`;
}

/** The period of a business date (YYYY-MM-DD). */
export function periodOfDate(date: string, length: PeriodLength): PeriodSpan {
  const year = Number(date.slice(0, 4));
  const month = Number(date.slice(5, 7));
  switch (length) {
    case 'month':
      return { periodId: date.slice(0, 7), from: `${date.slice(0, 7)}-01`, to: lastDayOf(year, month) };
    case 'quarter': {
      const q = Math.ceil(month / 3);
      return { periodId: `${year}-Q${q}`, from: `${year}-${pad(q * 3 - 2)}-01`, to: lastDayOf(year, q * 3) };
    }
    case 'year':
      return { periodId: String(year), from: `${year}-01-01`, to: `${year}-12-31` };
    default: {
      const _: never = length;
      throw new Error(`Unknown period length ${String(_)}`);
    }
  }
}

const PERIOD_ID: Record<PeriodLength, RegExp> = {
  month: /^(\d{4})-(0[1-9]|1[0-2])$/,
  quarter: /^(\d{4})-Q([1-4])$/,
  year: /^(\d{4})$/,
};

/** The span of a period id of the given length; undefined when the id is not one. */
export function parsePeriodId(periodId: string, length: PeriodLength): PeriodSpan | undefined {
  const m = PERIOD_ID[length].exec(periodId);
  if (!m) return undefined;
  const first = length === 'month' ? `${m[1]}-${m[2]}-01` : length === 'quarter' ? `${m[1]}-${pad(Number(m[2]) * 3 - 2)}-01` : `${m[1]}-01-01`;
  return isIsoDate(first) ? periodOfDate(first, length) : undefined;
}

/** Every period overlapping a plan's period, in order. */
export function periodsBetween(from: string, to: string, length: PeriodLength): PeriodSpan[] {
  const out: PeriodSpan[] = [];
  for (let span = periodOfDate(from, length); span.from <= to; span = periodOfDate(addDays(span.to, 1), length)) out.push(span);
  return out;
}

/** A date plus (or minus) whole days, in the proleptic Gregorian calendar. */
export function addDays(date: string, days: number): string {
  const t = Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) + days * 86_400_000;
  return new Date(t).toISOString().slice(0, 10);
}

const HUMAN_ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const STREAM_PERIOD = /^(\d{4})(?:-(?:Q[1-4]|0[1-9]|1[0-2]))?$/;

/**
 * A period's stream: `period-<planId>/<agencyId>/<periodId>`. Plan and agency ids are kebab-case
 * and period ids are `YYYY`, `YYYY-MM` or `YYYY-Qn`: none holds `/`, so no two (plan, agency,
 * period) triples share a name, and no other stream starts with `period-`.
 */
export const PERIOD_STREAM_PREFIX = 'period-';

export function periodStreamName(planId: string, agencyId: string, periodId: string): string {
  if (!HUMAN_ID.test(planId) || !HUMAN_ID.test(agencyId) || !STREAM_PERIOD.test(periodId)) {
    throw new Error(`No period stream for plan ${planId}, agency ${agencyId}, period ${periodId}`);
  }
  return `${PERIOD_STREAM_PREFIX}${planId}/${agencyId}/${periodId}`;
}
