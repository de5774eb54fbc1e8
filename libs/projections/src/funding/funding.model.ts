import { intern } from '../intern.js';
import { type ChangeSet, table } from '../keyed-state.js';
import { yearOf } from '../common/periods.js';
import { SEP, addMoney, splitMeasureKey } from '../common/report-input.js';
import type { CountedReport, ReportDelta } from '../activity/report-register.js';

/**
 * The funding read model (part of the activity projection): money paid out (FundsDisbursed)
 * per plan, measure, funding source and year of occurredOn, in exact integer HUF (decimal
 * strings here, bigint in queries). What was allocated comes from the plan at query time
 * (funding.query.ts), so an amended allocation needs no rebuild. Corrections replace a
 * disbursement's amount, source and date; retractions take it out.
 */

export const FUNDS_DISBURSED = 'FundsDisbursed';
/** The source of a disbursement that names none (the catalogue requires one; imports may not). */
export const UNSPECIFIED_SOURCE = 'unspecified';
/** Fields of FundsDisbursed the register keeps beyond the money: where it came from. */
export const FUNDING_KEPT_FIELDS: readonly string[] = ['source'];

/** Paid out on one measure from one source in one year: total and number of disbursements. */
export type Disbursed = {
  readonly m: string;
  readonly src: string;
  readonly y: number;
  readonly amt: string;
  readonly n: number;
};

/** Totals, grouped by plan id; key `measureCode␟source␟year`. */
export const DISBURSED = table<Disbursed>('disbursed');

export const FUNDING_TABLES: readonly string[] = [DISBURSED.name];

/** A report's contribution changed: take the old disbursement back, add the new one. */
export function fundingOnReport(cs: ChangeSet, delta: ReportDelta): void {
  if (delta.before?.[1] === FUNDS_DISBURSED) contribute(cs, delta.before, -1);
  if (delta.after?.[1] === FUNDS_DISBURSED) contribute(cs, delta.after, 1);
}

function contribute(cs: ChangeSet, report: CountedReport, sign: 1 | -1): void {
  const [mk, , , occurredOn, figures] = report;
  const amount = figures.amount;
  // Without a valid amount (the register keeps only valid money) there is nothing to count.
  if (typeof amount !== 'string') return;
  const source = typeof figures.source === 'string' && figures.source.length > 0 ? figures.source : UNSPECIFIED_SOURCE;
  const year = yearOf(occurredOn);
  const { planId, measureCode } = splitMeasureKey(mk);
  const key = `${measureCode}${SEP}${source}${SEP}${year}`;
  const total = cs.get(DISBURSED, planId, key);
  const n = (total?.n ?? 0) + sign;
  if (n <= 0) {
    if (total) cs.delete(DISBURSED, planId, key);
    return;
  }
  cs.set(DISBURSED, planId, key, { m: intern(measureCode), src: source, y: year, amt: addMoney(total?.amt, amount, sign), n });
}
