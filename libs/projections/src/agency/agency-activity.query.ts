import type { Plan } from '@app/plan';
import type { StateView } from '../keyed-state.js';
import { measuresOf } from '../common/plan-fold.js';
import { splitMeasureKey } from '../common/report-input.js';
import { BUCKETS } from '../indicators/indicators.model.js';
import { BY_DAY, LAST_RECORDED } from './agency-activity.model.js';

export interface MeasureRef {
  readonly planId: string;
  readonly measureCode: string;
}

export interface AgencyActivity {
  readonly agencyId: string;
  /** Counted (not retracted) reports. */
  readonly reports: number;
  readonly reportsByType: ReadonlyArray<{ readonly type: string; readonly count: number }>;
  readonly measuresReported: ReadonlyArray<MeasureRef & { readonly reports: number }>;
  /** The latest business date (occurredOn) of a counted report. */
  readonly lastReportOn?: string;
  /** When the agency last recorded a report, correction or retraction (server time). */
  readonly lastRecordedAt?: string;
  /** Measures it is responsible for (directly or through a group) on which it has no counted report; withdrawn ones left out. */
  readonly responsibleWithoutReport: readonly MeasureRef[];
  /** The same for measures where it is a partner (and not responsible). */
  readonly partnerWithoutReport: readonly MeasureRef[];
}

const byKey = <T extends { readonly key: string }>(a: T, b: T) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/**
 * One agency's activity against the given plans (every adopted plan, usually), from the
 * activity projection's state. Reports by type and by measure are summed from the indicators
 * buckets (every measure's buckets are scanned: O(buckets), a few thousand). A measure
 * `withdrawn` says is dropped from the plan (a coordinator's WITHDRAWN assessment) is no gap: it is
 * left out of the lists of measures without a report.
 */
export function agencyActivity(
  view: StateView,
  agencyId: string,
  plans: readonly Plan[],
  withdrawn: (planId: string, measureCode: string) => boolean = () => false,
): AgencyActivity {
  const byType = new Map<string, number>();
  const reported = new Map<string, number>();
  for (const mk of view.groups(BUCKETS)) {
    for (const bucket of view.group(BUCKETS, mk).values()) {
      if (bucket.a !== agencyId) continue;
      byType.set(bucket.t, (byType.get(bucket.t) ?? 0) + bucket.n);
      reported.set(mk, (reported.get(mk) ?? 0) + bucket.n);
    }
  }
  const reportsByType = [...byType]
    .map(([key, count]) => ({ key, type: key, count }))
    .sort(byKey)
    .map(({ type, count }) => ({ type, count }));
  const measuresReported = [...reported]
    .map(([key, reports]) => ({ key, ...splitMeasureKey(key), reports }))
    .sort(byKey)
    .map(({ planId, measureCode, reports }) => ({ planId, measureCode, reports }));
  let lastReportOn: string | undefined;
  for (const day of view.group(BY_DAY, agencyId).keys()) if (lastReportOn === undefined || day > lastReportOn) lastReportOn = day;

  const responsibleWithoutReport: MeasureRef[] = [];
  const partnerWithoutReport: MeasureRef[] = [];
  for (const plan of plans) {
    const groups = groupsContaining(plan, agencyId);
    for (const { measure } of measuresOf(plan)) {
      const mk = `${plan.id}\u001f${measure.code}`;
      if (reported.has(mk) || withdrawn(plan.id, measure.code)) continue;
      const ref = { planId: plan.id, measureCode: measure.code };
      if (measure.responsible.some((id) => groups.has(id))) responsibleWithoutReport.push(ref);
      else if (measure.partners.some((id) => groups.has(id))) partnerWithoutReport.push(ref);
    }
  }
  return {
    agencyId,
    reports: reportsByType.reduce((n, t) => n + t.count, 0),
    reportsByType,
    measuresReported,
    lastReportOn,
    lastRecordedAt: view.get(LAST_RECORDED, '', agencyId),
    responsibleWithoutReport,
    partnerWithoutReport,
  };
}

/** Agencies that have recorded any report event, by id. */
export function reportingAgencies(view: StateView): string[] {
  return [...view.group(LAST_RECORDED, '').keys()].sort();
}

/** The agency and every group of the plan that contains it, directly or through other groups. */
export function groupsContaining(plan: Plan, agencyId: string): Set<string> {
  const result = new Set([agencyId]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const agency of plan.agencies) {
      if (result.has(agency.id) || !agency.members?.some((m) => result.has(m))) continue;
      result.add(agency.id);
      grew = true;
    }
  }
  return result;
}
