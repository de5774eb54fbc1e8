import { ACTIVITY_EVENT_TYPES } from '@app/domain';
import type { RecordedEvent } from '@app/event-store';
import { PLAN_EVENT_TYPES, PLAN_STREAM_PREFIX } from '@app/plan';
import { type Change, ChangeSet, type KeyedState, type StateView, digestState } from '../keyed-state.js';
import type { Projection } from '../projection.js';
import { REPORT_EVENT_TYPES, readReportEvent, reportEventProblem } from '../common/report-input.js';
import { AGENCY_TABLES, agencyActivityOnReport } from '../agency/agency-activity.model.js';
import { FUNDING_KEPT_FIELDS, FUNDING_TABLES, FUNDS_DISBURSED, fundingOnReport } from '../funding/funding.model.js';
import {
  INDICATOR_TABLES,
  MONTH_REPORTS,
  indicatorsNeedRebuild,
  indicatorsOnPlanEvent,
  indicatorsOnReport,
  trackedFields,
  trackedPairsInStore,
} from '../indicators/indicators.model.js';
import { REPORTS, registerReport } from './report-register.js';
import { PERIOD_FIELDS, PERIOD_REPORTS, isPeriodicType, periodsOnReport } from '../indicators/periods.model.js';

/**
 * The activity projection: everything coordinators see of the agencies' reports, as three read
 * models over one register of counted reports —
 * - indicators (indicators.model.ts): figures per measure, event type, agency and month; and the
 *   reports that cover a period, one by one (periods.model.ts);
 * - funding (funding.model.ts): money disbursed per measure, source and year;
 * - agency activity (agency-activity.model.ts): report dates and last recording per agency
 *   (its counts by type and measure are the indicators' buckets, summed at query time).
 *
 * One projection rather than three: a report is read, registered and kept in memory once (the
 * register is what a correction or retraction needs, and it is most of the memory), and one
 * version covers the lot. Each read model is a pure function of the register's deltas.
 *
 * Bump `version` whenever any of the four parts changes what it stores.
 */
export const ACTIVITY_PROJECTION = 'activity';

/** The read models of the activity projection and their tables: digests are taken per model. */
export const ACTIVITY_MODELS: Readonly<Record<string, readonly string[]>> = {
  reports: [REPORTS.name],
  indicators: [...INDICATOR_TABLES, PERIOD_REPORTS.name],
  funding: FUNDING_TABLES,
  agencyActivity: AGENCY_TABLES,
};

export function evolveActivity(state: StateView, event: RecordedEvent): readonly Change[] {
  const cs = new ChangeSet(state);
  if (event.stream.startsWith(PLAN_STREAM_PREFIX)) {
    indicatorsOnPlanEvent(cs, state, event);
    return cs.changes;
  }
  const report = readReportEvent(event);
  if (!report) return [];
  const kept = report.activityType === FUNDS_DISBURSED ? [...trackedFields(state, FUNDS_DISBURSED), ...FUNDING_KEPT_FIELDS] : trackedFields(state, report.activityType);
  const delta = registerReport(cs, report, isPeriodicType(report.activityType) ? [...kept, ...PERIOD_FIELDS] : kept);
  if (!delta) return [];
  indicatorsOnReport(cs, state, delta);
  periodsOnReport(cs, delta, event.position);
  fundingOnReport(cs, delta);
  agencyActivityOnReport(cs, delta, event);
  return cs.changes;
}

export const activityProjection: Projection = {
  name: ACTIVITY_PROJECTION,
  // 2: periodic reports kept one by one (periods.model.ts). 3: reports by measure and month (MONTH_REPORTS), for figures as of a day.
  // 4: the month index keeps a tombstone for a report that left a month (point-in-time figures as of a day read it).
  version: 4,
  eventTypes: new Set([...ACTIVITY_EVENT_TYPES, ...REPORT_EVENT_TYPES, ...PLAN_EVENT_TYPES]),
  evolve: evolveActivity,
  initialEntries: trackedPairsInStore,
  needsRebuild: indicatorsNeedRebuild,
  check: reportEventProblem,
  // The month index is one entry per report too: point-in-time snapshots leave it out (a day inside a month is read back per query, PointInTime's monthView).
  streamLocalTables: [REPORTS.name, MONTH_REPORTS.name],
};

/** sha256 of each read model of the activity projection (see digestState). */
export function activityDigests(state: KeyedState): Record<string, string> {
  return Object.fromEntries(Object.entries(ACTIVITY_MODELS).map(([model, tables]) => [model, digestState(state, tables)]));
}
