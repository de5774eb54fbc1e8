/**
 * Events of one reported activity, on the stream `activity-<agencyId>-<reportId>`.
 * The first event is the activity itself, typed by the catalogue (MeetingHeld, …);
 * later ones correct or retract it. Nothing is ever overwritten: the original stays.
 */

/** The type's own fields as stored: counts, booleans, texts, dates; money as decimal strings. */
export type Details = Readonly<Record<string, string | number | boolean>>;

/** What every event of a report carries in its data. */
export interface ReportRef {
  readonly planId: string;
  readonly measureCode: string;
  readonly agencyId: string;
  readonly reportId: string;
}

/** The activity itself; `type` is a catalogue event type. */
export interface ActivityRecorded {
  readonly type: string;
  readonly data: ReportRef & {
    /** The business date the activity happened (YYYY-MM-DD), not when it was recorded. */
    readonly occurredOn: string;
    readonly details: Details;
  };
}

export const REPORT_CORRECTED = 'ReportCorrected';
export const REPORT_RETRACTED = 'ReportRetracted';

/** Replaces the figures of a report (and possibly its date); the original stays in history. */
export interface ReportCorrected {
  readonly type: typeof REPORT_CORRECTED;
  readonly data: ReportRef & {
    /** The activity type being corrected (the report's first event type). */
    readonly activityType: string;
    readonly occurredOn: string;
    readonly details: Details;
    readonly reason: string;
  };
}

/** Withdraws a report: it no longer counts. */
export interface ReportRetracted {
  readonly type: typeof REPORT_RETRACTED;
  readonly data: ReportRef & {
    readonly activityType: string;
    readonly reason: string;
  };
}

export type ReportEvent = ActivityRecorded | ReportCorrected | ReportRetracted;

/** Metadata of every event the API appends. */
export interface EventMetadata {
  readonly agencyId?: string;
  readonly principalId: string;
  readonly principalRole: string;
  /** Server time of recording (ISO instant). */
  readonly recordedAt: string;
  /** The business date the event describes (YYYY-MM-DD), where it has one. */
  readonly occurredOn?: string;
  readonly correlationId: string;
  readonly causationId: string;
  readonly schemaVersion: number;
}

const REPORT_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/;

/** Report ids come from agency systems; they become part of a stream name. */
export function isValidReportId(reportId: string): boolean {
  return REPORT_ID.test(reportId);
}

export function reportStreamName(agencyId: string, reportId: string): string {
  return `activity-${agencyId}-${reportId}`;
}

export const REPORT_STREAM_PREFIX = 'activity-';
