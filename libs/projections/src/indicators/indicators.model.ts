import type { EventStore, RecordedEvent } from '@app/event-store';
import { PLAN_STREAM_PREFIX, type Plan, planIdOfStream } from '@app/plan';
import { intern } from '../intern.js';
import { type Change, type ChangeSet, type EntryValue, type StateView, table } from '../keyed-state.js';
import { monthOf } from '../common/periods.js';
import { nextPlan } from '../common/plan-fold.js';
import { SEP, addMoney, sumFieldsOf } from '../common/report-input.js';
import type { CountedReport, ReportDelta } from '../activity/report-register.js';

/**
 * The indicators read model (part of the activity projection): raw figures per (plan, measure,
 * event type), broken down by reporting agency and month of occurredOn. It knows no measure
 * code and no indicator: an indicator's value (count, sum of a field, distinct count of a field,
 * milestone) is computed at query time from these figures and the plan as it currently stands
 * (indicators.query.ts), so an amendment that adds an indicator or changes a target shows at
 * once, without a rebuild.
 *
 * Every count and money field of a report is summed (cheap: a few numbers per bucket). Distinct
 * counts, and counts narrowed by a `where` condition, need each value's multiplicity, kept only
 * for the (event type, field) pairs some plan version takes a distinct count of or compares
 * ("tracked" pairs): keeping every text field of every report
 * would cost memory for nothing. An amendment that starts a distinct count over a field not
 * tracked, for an event type already reported, marks the state stale and the runner rebuilds
 * it; a build from position 0 first reads the plan streams (trackedPairsInStore) so every pair
 * any plan version will need is tracked from the first report.
 *
 * Corrections replace a report's contribution (old figures and month out, new ones in, through
 * the report register); retractions take it out.
 */

/**
 * Reports of one type, by one agency, in one month, on one measure: their number and the sums
 * of the type's count fields (numbers) and money fields (decimal strings).
 */
export type Bucket = {
  readonly t: string;
  readonly a: string;
  readonly mo: string;
  readonly n: number;
  readonly s: { readonly [field: string]: number | string };
};

/** How many reports (of type t, by agency a, in month mo, on one measure) gave value v to field f. */
export type DistinctValue = {
  readonly t: string;
  readonly f: string;
  readonly a: string;
  readonly mo: string;
  readonly v: string;
  readonly n: number;
};

/** Buckets, grouped by measure key; key `type␟agency␟month`. */
export const BUCKETS = table<Bucket>('bucket');
/** Distinct values, grouped by measure key; key `type␟field␟agency␟month␟value`. */
export const DISTINCT = table<DistinctValue>('distinct');
/**
 * Counted reports by measure and month of occurredOn, with their day: group `measureKey␟YYYY-MM`,
 * key the report stream, value its occurredOn. Buckets keep whole months; a status as of a day
 * inside a month needs that month's reports by day (dated-figures.ts), and this finds them without
 * walking the register. One small entry per report, so point-in-time snapshots leave it out with
 * the register (activity projection, streamLocalTables).
 *
 * A report that leaves the group (retracted, or corrected to another month) leaves a tombstone,
 * value {@link LEFT_MONTH} (""), instead of going: the group then lists every report that was
 * ever in it, a superset of those in it at any past position — what point-in-time queries read
 * back to count a day inside a month (PointInTime's monthView). Readers skip tombstones.
 */
export const MONTH_REPORTS = table<string>('month_report');
/** A MONTH_REPORTS value: the report was in the group once and is not now. */
export const LEFT_MONTH = '';
/** Tracked distinct pairs: group = event type, key = field. */
export const TRACKED = table<1>('tracked');
/** Event types of which a report was counted (group ''): an untracked pair for them means stale. */
const SEEN = table<1>('seen');
/** Present when the state lost figures it now needs (group '', key 'since' = position). */
const STALE = table<string>('stale');
/** The plans as folded here, only to know which pairs they track (queries read the plans projection). */
const PLANS = table<EntryValue>('plan');

export const INDICATOR_TABLES: readonly string[] = [BUCKETS.name, DISTINCT.name, MONTH_REPORTS.name, TRACKED.name, SEEN.name, STALE.name, PLANS.name];

/**
 * The (event type, field) pairs whose values a plan's indicators need: the fields it takes
 * distinct counts of, and the fields its `where` conditions compare (a count of the joint
 * inspections is the number of reports whose `joint` value is true).
 */
export function trackedPairs(plan: Plan): Array<readonly [type: string, field: string]> {
  const pairs: Array<readonly [string, string]> = [];
  for (const pillar of plan.pillars) {
    for (const objective of pillar.objectives) {
      for (const measure of objective.measures) {
        for (const indicator of measure.indicators) {
          if (indicator.aggregate === 'distinct' && indicator.field) pairs.push([indicator.event, indicator.field]);
          if (indicator.where) pairs.push([indicator.event, indicator.where.field]);
        }
      }
    }
  }
  return pairs;
}

/** The fields of `type` whose values the indicators keep (for distinct counts). */
export function trackedFields(state: StateView, type: string): Iterable<string> {
  return state.group(TRACKED, type).keys();
}

/** A plan event: start tracking the pairs its new version counts distinct values of. */
export function indicatorsOnPlanEvent(cs: ChangeSet, state: StateView, event: RecordedEvent): void {
  const planId = planIdOfStream(event.stream);
  if (planId === undefined) return;
  const next = nextPlan(state.get(PLANS, '', planId) as unknown as Plan | undefined, event);
  if (!next) return;
  cs.set(PLANS, '', planId, next.plan as unknown as EntryValue);
  for (const [type, field] of trackedPairs(next.plan)) {
    if (cs.get(TRACKED, type, field)) continue;
    cs.set(TRACKED, type, field, 1);
    // Reports of this type were counted without this field's values: they cannot be recounted.
    if (cs.get(SEEN, '', type) && !cs.get(STALE, '', 'since')) cs.set(STALE, '', 'since', event.position.toString());
  }
}

/** A report's contribution changed: take the old one back, add the new one. */
export function indicatorsOnReport(cs: ChangeSet, state: StateView, delta: ReportDelta): void {
  if (delta.before) {
    contribute(cs, state, delta.before, -1);
    // Set again below when the report stays in the group; a tombstone otherwise (see MONTH_REPORTS).
    cs.set(MONTH_REPORTS, monthGroup(delta.before[0], monthOfDate(delta.before[3])), delta.stream, LEFT_MONTH);
  }
  if (delta.after) {
    contribute(cs, state, delta.after, 1);
    cs.set(MONTH_REPORTS, monthGroup(delta.after[0], monthOfDate(delta.after[3])), delta.stream, delta.after[3]);
    if (!delta.before && !cs.get(SEEN, '', delta.after[1])) cs.set(SEEN, '', delta.after[1], 1);
  }
}

export function indicatorsNeedRebuild(state: StateView): boolean {
  return state.get(STALE, '', 'since') !== undefined;
}

/** Adds (sign 1) or takes back (sign -1) a report's contribution to its bucket and distinct values. */
function contribute(cs: ChangeSet, state: StateView, report: CountedReport, sign: 1 | -1): void {
  const [mk, type, agency, occurredOn, figures] = report;
  const month = monthOfDate(occurredOn);
  const bucketKey = cachedKey(type, agency, month);
  const bucket = cs.get(BUCKETS, mk, bucketKey);
  const n = (bucket?.n ?? 0) + sign;
  if (n <= 0) {
    if (bucket) cs.delete(BUCKETS, mk, bucketKey);
  } else {
    const sums: Record<string, number | string> = {};
    for (const field of sumFieldsOf(type)) {
      const previous = bucket?.s[field.name];
      const value = figures[field.name];
      if (value === undefined) {
        if (previous !== undefined) sums[field.name] = previous;
      } else if (field.kind === 'count') {
        sums[field.name] = ((previous as number | undefined) ?? 0) + sign * (value as number);
      } else {
        sums[field.name] = addMoney(previous as string | undefined, value as string, sign);
      }
    }
    cs.set(BUCKETS, mk, bucketKey, { t: type, a: agency, mo: month, n, s: sums });
  }
  for (const field of trackedFields(state, type)) {
    const raw = figures[field];
    if (raw === undefined) continue;
    const value = String(raw);
    const key = `${type}${SEP}${field}${SEP}${agency}${SEP}${month}${SEP}${value}`;
    const entry = cs.get(DISTINCT, mk, key);
    const count = (entry?.n ?? 0) + sign;
    if (count <= 0) {
      if (entry) cs.delete(DISTINCT, mk, key);
    } else {
      cs.set(DISTINCT, mk, key, { t: type, f: field, a: agency, mo: month, v: entry?.v ?? intern(value), n: count });
    }
  }
}

const months = new Map<string, string>();

/** The (shared) YYYY-MM of a (shared) date: dates repeat, so the slice is made once per date. */
function monthOfDate(date: string): string {
  let month = months.get(date);
  if (month === undefined) {
    month = intern(monthOf(date));
    if (months.size < 100_000) months.set(date, month);
  }
  return month;
}

const monthGroups = new Map<string, Map<string, string>>();

/** `measureKey␟YYYY-MM`: the MONTH_REPORTS group of a measure's reports dated in a month (one shared copy each). */
export function monthGroup(mk: string, month: string): string {
  let byMonth = monthGroups.get(mk);
  if (!byMonth) monthGroups.set(mk, (byMonth = new Map()));
  let group = byMonth.get(month);
  if (group === undefined) {
    group = `${mk}${SEP}${month}`;
    if (byMonth.size < 10_000 && monthGroups.size < 100_000) byMonth.set(month, group);
  }
  return group;
}

const bucketKeys = new Map<string, Map<string, Map<string, string>>>();

/**
 * `type␟agency␟month`, one shared copy per bucket: looking it up in small maps of shared
 * strings is cheaper than concatenating and hashing a new string for every report.
 */
function cachedKey(type: string, agency: string, month: string): string {
  let byAgency = bucketKeys.get(type);
  if (!byAgency) bucketKeys.set(type, (byAgency = new Map()));
  let byMonth = byAgency.get(agency);
  if (!byMonth) byAgency.set(agency, (byMonth = new Map()));
  let key = byMonth.get(month);
  if (key === undefined) {
    key = `${type}${SEP}${agency}${SEP}${month}`;
    // Bounded like the intern pool: unexpected variety must not grow it without limit.
    if (byMonth.size < 10_000) byMonth.set(month, key);
  }
  return key;
}

/** Tracked pairs of every plan version in the store: a build from 0 keeps them from the start. */
export async function trackedPairsInStore(store: EventStore): Promise<Change[]> {
  const plans = new Map<string, Plan>();
  const tracked = new Set<string>();
  const changes: Change[] = [];
  for await (const event of store.readAll({ filter: { streamPrefixes: [PLAN_STREAM_PREFIX] } })) {
    const next = nextPlan(plans.get(planIdOfStream(event.stream) ?? ''), event);
    if (!next) continue;
    plans.set(next.planId, next.plan);
    for (const [type, field] of trackedPairs(next.plan)) {
      if (tracked.has(`${type}${SEP}${field}`)) continue;
      tracked.add(`${type}${SEP}${field}`);
      changes.push({ table: TRACKED.name, group: type, key: field, value: 1 });
    }
  }
  return changes;
}
