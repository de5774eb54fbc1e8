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
 * (which copy those projections' states) would grow with the ledger. The list as it stood at a
 * past position is this register with the reports changed since read back ({@link listReportsAt}).
 * Maintained by the api's runner (API_PROJECTIONS).
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
  /**
   * Global position of the last event that changed this entry (its recording, last correction
   * or retraction), as a decimal string: at any position from here on the entry is as it now
   * stands, so a past point reads back only the reports changed after it (listReportsAt).
   */
  readonly lastPosition: string;
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
        lastPosition: event.position.toString(),
      };
      break;
    case 'corrected':
      if (!before || before.status === 'RETRACTED') return [];
      after = {
        ...before,
        occurredOn: report.occurredOn!,
        details: report.details!,
        corrections: before.corrections + 1,
        updatedAt: at,
        lastPosition: event.position.toString(),
      };
      break;
    case 'retracted': {
      if (!before || before.status === 'RETRACTED') return [];
      const reason = (event.data as { reason?: unknown }).reason;
      after = {
        ...before,
        status: 'RETRACTED',
        updatedAt: at,
        lastPosition: event.position.toString(),
        ...(typeof reason === 'string' ? { retractionReason: reason } : {}),
      };
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
  // 2: each entry keeps the position of its last change (lastPosition), for the list at a past point.
  version: 2,
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
  const matching: ReportEntry[] = [];
  for (const agency of agenciesOf(view, filter)) {
    for (const r of view.group(REPORT_LIST, agency).values()) if (matches(r, filter)) matching.push(r);
  }
  return pageOf(matching, first, after);
}

/**
 * The entries of `streams` as they stood at a past position, by stream (none for a report not
 * recorded by then): each stream read back and folded alone up to it with this projection's
 * evolve. Given by the point-in-time view (PointInTime), which reads the store.
 */
export type ReportEntriesAt = (streams: readonly string[]) => Promise<ReadonlyMap<string, ReportEntry>>;

/**
 * {@link listReports} as the register stood after every event at or before `position`: the same
 * items, order, figures, status, corrections, filter and cursors as the live list gave when the
 * register had applied exactly that position. From the live register `register` (which must
 * have applied `position`; it is read in one synchronous pass, before any await): a report first
 * recorded after `position` is left out; one whose last change (lastPosition) is at or before it
 * is its current entry; only one changed after it (corrected, retracted) is read back through
 * `entriesAt`. Fields no event changes after a report is recorded (agency, plan, measure, type,
 * report id) narrow the reports read back; the rest of the filter (dates, status) is applied to
 * the values as they stood. Cost: the live list's scan, plus one stream read per report in the
 * filter's scope recorded by `position` and changed after it — never a read of the log.
 */
export async function listReportsAt(
  register: StateView,
  position: bigint,
  filter: ReportListFilter,
  first: number,
  after: bigint | undefined,
  entriesAt: ReportEntriesAt,
): Promise<ReportListPage> {
  const standing: ReportEntry[] = [];
  const changed: string[] = [];
  const at = position.toString();
  for (const agency of agenciesOf(register, filter)) {
    for (const r of register.group(REPORT_LIST, agency).values()) {
      if (comparePositions(r.position, at) > 0 || !matchesRecorded(r, filter)) continue;
      if (comparePositions(r.lastPosition, at) <= 0) {
        if (matches(r, filter)) standing.push(r);
      } else {
        changed.push(r.stream);
      }
    }
  }
  const back = changed.length > 0 ? await entriesAt(changed) : new Map<string, ReportEntry>();
  for (const stream of changed) {
    const r = back.get(stream);
    if (r && matches(r, filter)) standing.push(r);
  }
  return pageOf(standing, first, after);
}

function agenciesOf(view: StateView, filter: ReportListFilter): Iterable<string> {
  return filter.agencyId !== undefined ? [filter.agencyId] : [...view.groups(REPORT_LIST)];
}

/**
 * Recording order, then `first` after the cursor position `after` (exclusive). The page is picked
 * in one pass, keeping the `first` earliest seen so far (a sorted buffer of at most 500): no sort
 * of the whole list, which at 200,000 reports took most of a request's time.
 */
function pageOf(matching: readonly ReportEntry[], first: number, after: bigint | undefined): ReportListPage {
  const cursor = after === undefined || after < 0n ? undefined : after.toString();
  const page: ReportEntry[] = [];
  let following = 0;
  for (const r of matching) {
    if (cursor !== undefined && comparePositions(r.position, cursor) <= 0) continue;
    following += 1;
    if (page.length === first && comparePositions(r.position, page[first - 1].position) >= 0) continue;
    let low = 0;
    let high = page.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (comparePositions(page[middle].position, r.position) < 0) low = middle + 1;
      else high = middle;
    }
    page.splice(low, 0, r);
    if (page.length > first) page.pop();
  }
  return { reports: page, totalCount: matching.length, hasNextPage: following > first };
}

/**
 * Two positions written in decimal without leading zeros (as the entries keep them), compared as
 * numbers without parsing them: a longer one is larger, else the text decides.
 */
function comparePositions(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

function matches(r: ReportEntry, f: ReportListFilter): boolean {
  if (!matchesRecorded(r, f)) return false;
  if (f.status !== undefined && r.status !== f.status) return false;
  if (f.occurredFrom !== undefined && r.occurredOn < f.occurredFrom) return false;
  if (f.occurredTo !== undefined && r.occurredOn > f.occurredTo) return false;
  return true;
}

/** The conditions on what a report keeps from its recording on (evolveReportList never changes them). */
function matchesRecorded(r: ReportEntry, f: ReportListFilter): boolean {
  if (f.agencyId !== undefined && r.agencyId !== f.agencyId) return false;
  if (f.planId !== undefined && r.planId !== f.planId) return false;
  if (f.measureCode !== undefined && r.measureCode !== f.measureCode) return false;
  if (f.reportId !== undefined && r.reportId !== f.reportId) return false;
  if (f.eventType !== undefined && r.type !== f.eventType) return false;
  return true;
}
