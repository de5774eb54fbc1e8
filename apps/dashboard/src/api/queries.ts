/**
 * Every GraphQL document the dashboard sends, with the shapes it reads back: the one place to
 * change when the schema grows. Nothing here computes a status, a progress or a sum — those are
 * the api's (projections); the pages only show them.
 *
 * The root fields a role can be refused (planProgress, fundingSummary, overdueMeasures, reports,
 * events, agencyActivity, …) are nullable in the schema: null comes with a FORBIDDEN (or other)
 * error for that field alone, so their shapes here are `| null` and the pages say so rather than
 * read into them (gql() throws on any error, but the types follow the schema).
 */

import type { Granularity, ImplementationLevel, MeasureStatus, PeriodStatus, Role, StatusReason } from './schema-enums.js';

// The schema's enums, generated from schema.gql (`npm run schema`): one source for their values.
export type { Granularity, ImplementationLevel, MeasureStatus, PeriodStatus, Role, StatusReason };

/** The `at` argument of point-in-time queries (auditors): after a position, or as of an instant. */
export interface PointInTime {
  readonly position?: string;
  readonly recordedAt?: string;
}

export interface StatusCounts {
  notStarted: number;
  inProgress: number;
  achieved: number;
  overdue: number;
  awaitingAssessment: number;
  withdrawn: number;
}

// ---- who is signed in ------------------------------------------------------------------------

export interface Me {
  me: { id: string; role: Role; agencyId: string | null; label: string | null };
  plans: Array<{ id: string; title: string; period: { from: string; to: string } }>;
}
export const ME = /* GraphQL */ `
  query Me { me { id role agencyId label } plans { id title period { from to } } }
`;

// ---- overview ---------------------------------------------------------------------------------

const COUNTS = 'byStatus { notStarted inProgress achieved overdue awaitingAssessment withdrawn } byReason { reason measures }';

export interface RollUp {
  code: string;
  title: string;
  measures: number;
  measuresWithProgress: number;
  meanProgress: number | null;
  byStatus: StatusCounts;
  byReason: Array<{ reason: StatusReason; measures: number }>;
}
export interface Overview {
  planProgress: {
    asOf: string;
    position: string;
    measures: number;
    meanProgress: number | null;
    measuresWithProgress: number;
    byStatus: StatusCounts;
    byReason: Array<{ reason: StatusReason; measures: number }>;
    pillars: Array<RollUp & { objectives: RollUp[] }>;
  } | null;
  fundingSummary: { allocated: string; disbursed: string; overDisbursedMeasures: string[]; bySource: SourceFunding[] } | null;
  overdueMeasures: Array<{ code: string; title: string; deadline: string; statusReason: StatusReason; responsible: Array<{ id: string; name: string }> }> | null;
}
export const OVERVIEW = /* GraphQL */ `
  query Overview($planId: ID!, $asOf: String, $at: PointInTimeInput) {
    planProgress(planId: $planId, asOf: $asOf, at: $at) {
      asOf position measures meanProgress measuresWithProgress ${COUNTS}
      pillars { code title measures measuresWithProgress meanProgress ${COUNTS}
        objectives { code title measures measuresWithProgress meanProgress ${COUNTS} } }
    }
    fundingSummary(planId: $planId, asOf: $asOf, at: $at) { allocated disbursed overDisbursedMeasures bySource { source allocated disbursed } }
    overdueMeasures(planId: $planId, asOf: $asOf, at: $at) { code title deadline statusReason(asOf: $asOf, at: $at) responsible { id name } }
  }
`;

// ---- measures table ---------------------------------------------------------------------------

export interface MeasureRow {
  code: string;
  title: string;
  pillarCode: string;
  objectiveCode: string;
  deadline: string;
  responsible: Array<{ id: string; name: string }>;
  /**
   * Absent when not asked (plan data only); null when the api refused them for this measure (an
   * agency reads only the progress of the measures it is responsible for or a partner of).
   */
  status?: MeasureStatus | null;
  progress?: number | null;
  reportCount?: number | null;
  statusReason?: StatusReason | null;
}
export interface Measures {
  measures: MeasureRow[];
}
const MEASURE_FIELDS = 'code title pillarCode objectiveCode deadline responsible { id name }';
// One date for all of them: a status on D is shown with the progress and report count behind it (docs/status.md).
const MEASURE_FIGURES = 'status(asOf: $asOf, at: $at) statusReason(asOf: $asOf, at: $at) progress(asOf: $asOf, at: $at) reportCount(asOf: $asOf, at: $at)';

/** With figures for roles that read projections; plan data only otherwise. */
export function measuresQuery(withFigures: boolean): string {
  return withFigures
    ? `query Measures($filter: MeasureFilter, $asOf: String, $at: PointInTimeInput) { measures(filter: $filter) { ${MEASURE_FIELDS} ${MEASURE_FIGURES} } }`
    : `query Measures($filter: MeasureFilter) { measures(filter: $filter) { ${MEASURE_FIELDS} } }`;
}

// ---- one measure ------------------------------------------------------------------------------

export interface PeriodValue {
  period: string;
  value: number;
  exactValue: string;
}
export interface IndicatorValue {
  key: string;
  label: string;
  aggregate: string;
  target: number | null;
  value: number;
  exactValue: string;
  progress: number | null;
  achieved: boolean | null;
  byPeriod: PeriodValue[];
  byAgency: Array<{ agencyId: string; value: number; exactValue: string }>;
}
export interface SourceFunding {
  source: string;
  allocated: string;
  disbursed: string;
}
export interface MeasureFunding {
  allocated: string;
  disbursed: string;
  overDisbursed: boolean;
  hasAllocations: boolean;
  sources: string[];
  unstatedYears: number[];
  years: Array<{ year: number; allocated: string; allocationUnstated: boolean; disbursed: string; overDisbursed: boolean; bySource: SourceFunding[] }>;
}
export interface Assessment {
  assessmentId: string;
  level: ImplementationLevel;
  asOf: string;
  narrative: string;
  evidence: string[];
  indicatorComments: Array<{ indicatorKey: string; comment: string }>;
  corrections: number;
  recordedAt: string;
}
export interface MeasureDetail {
  code: string;
  title: string;
  planId: string;
  means: string;
  deadline: string;
  indicatorText: string;
  fundingText: string;
  responsible: Array<{ id: string; name: string }>;
  partners: Array<{ id: string; name: string }>;
  indicators: Array<{ key: string; label: string; aggregate: string; target: number | null }>;
  // The figures: absent when not asked, null when refused (as MeasureRow's).
  status?: MeasureStatus | null;
  progress?: number | null;
  reportCount?: number | null;
  indicatorValues?: IndicatorValue[] | null;
  fundingStatus?: MeasureFunding | null;
  statusReason?: StatusReason | null;
  /** The assessment in force on asOf. */
  assessment?: Assessment | null;
  /** Every assessment as it now stands, by asOf. */
  assessments?: Assessment[] | null;
}
const MEASURE_DETAIL = `code title planId means deadline indicatorText fundingText
  responsible { id name } partners { id name } indicators { key label aggregate target }`;
const ASSESSMENT_FIELDS = 'assessmentId level asOf narrative evidence indicatorComments { indicatorKey comment } corrections recordedAt';
const MEASURE_DETAIL_FIGURES = `status(asOf: $asOf, at: $at) statusReason(asOf: $asOf, at: $at) progress(asOf: $asOf, at: $at) reportCount(asOf: $asOf, at: $at)
  assessment(asOf: $asOf, at: $at) { ${ASSESSMENT_FIELDS} } assessments(at: $at) { ${ASSESSMENT_FIELDS} }
  indicatorValues(asOf: $asOf, at: $at) { key label aggregate target value exactValue progress achieved
    byPeriod(granularity: $granularity) { period value exactValue } byAgency { agencyId value exactValue } }
  fundingStatus(asOf: $asOf, at: $at) { allocated disbursed overDisbursed hasAllocations sources unstatedYears
    years { year allocated allocationUnstated disbursed overDisbursed bySource { source allocated disbursed } } }`;

export function measureQuery(withFigures: boolean): string {
  return withFigures
    ? `query Measure($code: String!, $planId: ID, $asOf: String, $at: PointInTimeInput, $granularity: Granularity!) {
        measure(code: $code, planId: $planId) { ${MEASURE_DETAIL} ${MEASURE_DETAIL_FIGURES} } }`
    : `query Measure($code: String!, $planId: ID) { measure(code: $code, planId: $planId) { ${MEASURE_DETAIL} } }`;
}

// ---- what was done (the reports connection) ---------------------------------------------------

export interface ReportItem {
  agencyId: string;
  reportId: string;
  measureCode: string;
  eventType: string;
  occurredOn: string;
  recordedAt: string;
  details: Record<string, unknown>;
  status: 'ACTIVE' | 'RETRACTED';
  corrections: number;
}
export interface ReportFilter {
  planId?: string;
  measureCode?: string;
  agencyId?: string;
  status?: 'ACTIVE' | 'RETRACTED';
}
export interface Reports {
  reports: {
    totalCount: number;
    edges: Array<{ node: ReportItem }>;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  } | null;
}
/**
 * Reports as they now stand (COORDINATOR and AUDITOR: every agency's; an AGENCY: its own), in
 * recording order; with `at` (auditors), as they stood at that point of the ledger.
 */
export const REPORTS = /* GraphQL */ `
  query Reports($filter: ReportFilterInput, $first: Int, $after: String, $at: PointInTimeInput) {
    reports(filter: $filter, first: $first, after: $after, at: $at) {
      totalCount
      edges { node { agencyId reportId measureCode eventType occurredOn recordedAt details status corrections } }
      pageInfo { hasNextPage endCursor }
    }
  }
`;
/** Only what the "last report" column needs, a page of 500 (the api's largest); `at` as REPORTS. */
export const REPORT_DATES = /* GraphQL */ `
  query ReportDates($filter: ReportFilterInput, $after: String, $at: PointInTimeInput) {
    reports(filter: $filter, first: 500, after: $after, at: $at) { edges { node { measureCode occurredOn } } pageInfo { hasNextPage endCursor } }
  }
`;

/** Pushed after each report, correction or retraction on the measure; the page then re-reads it. */
export const MEASURE_UPDATED = /* GraphQL */ `
  subscription MeasureUpdated($code: String!, $planId: ID) { measureUpdated(code: $code, planId: $planId) { code } }
`;

// ---- history (auditors) -----------------------------------------------------------------------

export interface LedgerEvent {
  id: string;
  position: string;
  stream: string;
  revision: string;
  type: string;
  recordedAt: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
}
export interface EventFilter {
  measureCode?: string;
  agencyId?: string;
  eventType?: string;
  stream?: string;
  occurredFrom?: string;
  occurredTo?: string;
  recordedFrom?: string;
  recordedTo?: string;
}
export interface Events {
  events: {
    edges: Array<{ cursor: string; node: LedgerEvent }>;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  } | null;
}
export const EVENTS = /* GraphQL */ `
  query Events($first: Int, $after: String, $filter: EventFilter, $order: EventOrder!) {
    events(first: $first, after: $after, filter: $filter, order: $order) {
      edges { cursor node { id position stream revision type recordedAt data metadata } }
      pageInfo { hasNextPage endCursor }
    }
  }
`;

// ---- agencies ---------------------------------------------------------------------------------

export interface Agencies {
  agencies: Array<{ id: string; name: string; kind: string }>;
}
export const AGENCIES = /* GraphQL */ `query Agencies($planId: ID) { agencies(planId: $planId) { id name kind } }`;

export interface AgencyActivity {
  agencyActivity: {
    agencyId: string;
    reports: number;
    lastReportOn: string | null;
    lastRecordedAt: string | null;
    reportsByType: Array<{ type: string; count: number }>;
    measuresReported: Array<{ measureCode: string; reports: number }>;
    responsibleWithoutReport: Array<{ measureCode: string }>;
    partnerWithoutReport: Array<{ measureCode: string }>;
  } | null;
}
export const AGENCY_ACTIVITY = /* GraphQL */ `
  query AgencyActivity($agencyId: ID!, $at: PointInTimeInput) {
    agencyActivity(agencyId: $agencyId, at: $at) {
      agencyId reports lastReportOn lastRecordedAt reportsByType { type count }
      measuresReported { measureCode reports } responsibleWithoutReport { measureCode } partnerWithoutReport { measureCode }
    }
  }
`;

// ---- reporting periods (docs/periods.md) -------------------------------------------------------

export interface AgencyPeriodRow {
  agencyId: string;
  periodId: string;
  from: string;
  to: string;
  status: PeriodStatus;
  locked: boolean;
  /** The comment of the last return (what to change) or approval. */
  comment: string | null;
  /** The reason of the last reopening. */
  reason: string | null;
  approvals: number;
  submittedMeasureCodes: string[];
  lastRecordedAt: string | null;
}
export interface ReportingPeriods {
  /** One row per period × agency × measure: the dashboard shows one per period × agency. */
  periodApprovals: Array<AgencyPeriodRow & { measureCode: string }>;
  /** Ended before asOf and never submitted. */
  unsubmittedPeriods: Array<{ agencyId: string; periodId: string }>;
  /** Returned and not resubmitted. */
  returnedPeriods: Array<{ agencyId: string; periodId: string }>;
}
const AGENCY_PERIOD_FIELDS = 'agencyId periodId from to status locked comment reason approvals submittedMeasureCodes lastRecordedAt';
/** An agency's periods (agencyId), or every agency's (coordinators and auditors; an AGENCY key reads its own only). */
export const REPORTING_PERIODS = /* GraphQL */ `
  query ReportingPeriods($planId: ID, $agencyId: ID, $asOf: String, $at: PointInTimeInput, $atLeastPosition: String) {
    periodApprovals(planId: $planId, agencyId: $agencyId, at: $at, atLeastPosition: $atLeastPosition) { ${AGENCY_PERIOD_FIELDS} measureCode }
    unsubmittedPeriods(planId: $planId, agencyId: $agencyId, asOf: $asOf, at: $at, atLeastPosition: $atLeastPosition) { agencyId periodId }
    returnedPeriods(planId: $planId, agencyId: $agencyId, at: $at, atLeastPosition: $atLeastPosition) { agencyId periodId }
  }
`;

/** What the api stored for a sign-off step (PeriodReceipt); `position` is read back with atLeastPosition. */
export interface PeriodReceipt {
  agencyId: string;
  periodId: string;
  status: PeriodStatus;
  position: string;
  duplicate: boolean;
}
/**
 * A step of a period's sign-off (docs/periods.md): `mutation` is submitPeriod, approvePeriod,
 * returnPeriod or reopenPeriod, `input` its input type. Nullable (refusable): a refusal comes as an
 * error, which gql() throws.
 */
export function periodStepMutation(mutation: 'submitPeriod' | 'approvePeriod' | 'returnPeriod' | 'reopenPeriod'): string {
  const input = `${mutation.charAt(0).toUpperCase()}${mutation.slice(1)}Input`;
  return `mutation PeriodStep($input: ${input}!) { step: ${mutation}(input: $input) { agencyId periodId status position duplicate } }`;
}
