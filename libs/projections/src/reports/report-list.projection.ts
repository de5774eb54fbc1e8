import type { RecordedEvent } from '@app/event-store';
import { type Change, type EntryValue, type StateView, table } from '../keyed-state.js';
import type { Projection } from '../projection.js';
import { REPORT_EVENT_TYPES, readReportEvent } from '../common/report-input.js';
import { ACTIVITY_EVENT_TYPES } from '@app/domain';

/**
 * What was done: every report as it now stands — its current details (titles, places,
 * participants: what an implementation report or the GRETA questionnaire quotes), its status and
 * how many times it was corrected. One entry per report, grouped by agency (an agency's own
 * reports are one group).
 *
 * Not one of COORDINATOR_PROJECTIONS: it holds every report's details, so point-in-time snapshots
 * (which copy those projections' states) would grow with the ledger; the auditors' point in time
 * for single reports is reportHistory / events. Maintained by the api's runner (API_PROJECTIONS).
 */
export const REPORT_LIST_PROJECTION = 'report_list';

export type ReportStatus = 'ACTIVE' | 'RETRACTED';

export type ReportEntry = {
  readonly stream: string;
  readonly planId: string;
  readonly measureCode: string;
  readonly agencyId: string;
  readonly reportId: string;
  /** The activity type (MeetingHeld, …). */
  readonly type: string;
  readonly occurredOn: string;
  readonly details: { readonly [field: string]: string | number | boolean };
  readonly status: ReportStatus;
  readonly corrections: number;
  /** Server time the report was recorded, and of its last correction or retraction (ISO instants). */
  readonly recordedAt: string;
  readonly updatedAt: string;
  /** Global position of the report's first event (its recording order), as a decimal string. */
  readonly position: string;
  readonly retractionReason?: string;
};

/** Reports, grouped by agency id, keyed by report stream. */
export const REPORT_LIST = table<ReportEntry>('report');

export function evolveReportList(state: StateView, event: RecordedEvent): readonly Change[] {
  const report = readReportEvent(event);
  if (!report) return [];
  const before = state.get(REPORT_LIST, report.agencyId, report.stream);
  const at = typeof event.metadata.recordedAt === 'string' ? event.metadata.recordedAt : event.created.toISOString();
  let after: ReportEntry;
  switch (report.kind) {
    case 'activity':
      if (before) return [];
      after = {
        stream: report.stream,
        planId: report.planId,
        measureCode: report.measureCode,
        agencyId: report.agencyId,
        reportId: reportIdOf(event) ?? report.stream,
        type: report.activityType,
        occurredOn: report.occurredOn!,
        details: report.details!,
        status: 'ACTIVE',
        corrections: 0,
        recordedAt: at,
        updatedAt: at,
        position: event.position.toString(),
      };
      break;
    case 'corrected':
      if (!before || before.status === 'RETRACTED') return [];
      after = { ...before, occurredOn: report.occurredOn!, details: report.details!, corrections: before.corrections + 1, updatedAt: at };
      break;
    case 'retracted': {
      if (!before || before.status === 'RETRACTED') return [];
      const reason = (event.data as { reason?: unknown }).reason;
      after = { ...before, status: 'RETRACTED', updatedAt: at, ...(typeof reason === 'string' ? { retractionReason: reason } : {}) };
      break;
    }
    default: {
      const _: never = report.kind;
      return [];
    }
  }
  return [{ table: REPORT_LIST.name, group: report.agencyId, key: report.stream, value: after as EntryValue }];
}

function reportIdOf(event: RecordedEvent): string | undefined {
  const id = (event.data as { reportId?: unknown }).reportId;
  return typeof id === 'string' ? id : undefined;
}

export const reportListProjection: Projection = {
  name: REPORT_LIST_PROJECTION,
  version: 1,
  eventTypes: new Set([...ACTIVITY_EVENT_TYPES, ...REPORT_EVENT_TYPES]),
  evolve: evolveReportList,
};

/** What the reports query narrows to; every condition given must hold. Dates are occurredOn, inclusive. */
export interface ReportListFilter {
  readonly planId?: string;
  readonly measureCode?: string;
  readonly agencyId?: string;
  /** The agency system's own id: unique within an agency, so across agencies it may match several. */
  readonly reportId?: string;
  readonly eventType?: string;
  readonly occurredFrom?: string;
  readonly occurredTo?: string;
  readonly status?: ReportStatus;
}

export interface ReportListPage {
  readonly reports: readonly ReportEntry[];
  /** Reports matching the filter, over all pages. */
  readonly totalCount: number;
  readonly hasNextPage: boolean;
}

/**
 * The reports matching the filter in recording order, `first` of them after position `after`
 * (exclusive). Cost: the reports of one agency when the filter names it, else all reports.
 */
export function listReports(view: StateView, filter: ReportListFilter, first: number, after?: bigint): ReportListPage {
  const agencies = filter.agencyId !== undefined ? [filter.agencyId] : [...view.groups(REPORT_LIST)];
  const matching: ReportEntry[] = [];
  for (const agency of agencies) {
    for (const r of view.group(REPORT_LIST, agency).values()) if (matches(r, filter)) matching.push(r);
  }
  matching.sort((a, b) => compare(BigInt(a.position), BigInt(b.position)));
  const start = after === undefined ? 0 : matching.findIndex((r) => BigInt(r.position) > after);
  const from = start < 0 ? matching.length : start;
  const reports = matching.slice(from, from + first);
  return { reports, totalCount: matching.length, hasNextPage: from + first < matching.length };
}

const compare = (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0);

function matches(r: ReportEntry, f: ReportListFilter): boolean {
  if (f.planId !== undefined && r.planId !== f.planId) return false;
  if (f.measureCode !== undefined && r.measureCode !== f.measureCode) return false;
  if (f.reportId !== undefined && r.reportId !== f.reportId) return false;
  if (f.eventType !== undefined && r.type !== f.eventType) return false;
  if (f.status !== undefined && r.status !== f.status) return false;
  if (f.occurredFrom !== undefined && r.occurredOn < f.occurredFrom) return false;
  if (f.occurredTo !== undefined && r.occurredOn > f.occurredTo) return false;
  return true;
}
