/**
 * Events of one reported activity, on its report stream (report-streams.ts). The first event is
 * the activity itself, typed by the catalogue (MeetingHeld, …); later ones correct or retract
 * it. Nothing is ever overwritten: the original stays.
 */
import type { ActivityEventType } from '../events/catalogue.js';
import type { Details } from '../wire/wire-rules.js';

export type { Details } from '../wire/wire-rules.js';

/** What every event of a report carries in its data. */
export type ReportRef = {
  readonly planId: string;
  readonly measureCode: string;
  readonly agencyId: string;
  readonly reportId: string;
};

/** The activity itself; `type` is a catalogue event type. */
export type ActivityRecorded = {
  readonly type: ActivityEventType;
  readonly data: ReportRef & {
    /** The business date the activity happened (YYYY-MM-DD), not when it was recorded. */
    readonly occurredOn: string;
    readonly details: Details;
  };
};

export const REPORT_CORRECTED = 'ReportCorrected';
export const REPORT_RETRACTED = 'ReportRetracted';

/** Replaces the figures of a report (and possibly its date); the original stays in history. */
export type ReportCorrected = {
  readonly type: typeof REPORT_CORRECTED;
  readonly data: ReportRef & {
    /** The activity type being corrected (the report's first event type). */
    readonly activityType: ActivityEventType;
    readonly occurredOn: string;
    readonly details: Details;
    readonly reason: string;
    /**
     * The client's own id of the correction request: a retry with it, at any later time,
     * answers with this event and changes nothing. Absent on corrections stored before it existed.
     */
    readonly requestId?: string;
  };
};

/** Withdraws a report: it no longer counts. */
export type ReportRetracted = {
  readonly type: typeof REPORT_RETRACTED;
  readonly data: ReportRef & {
    readonly activityType: ActivityEventType;
    readonly reason: string;
    /** The client's own id of the retraction request (absent on retractions stored before it existed). */
    readonly requestId?: string;
  };
};

export type ReportEvent = ActivityRecorded | ReportCorrected | ReportRetracted;
export type ReportEventType = ReportEvent['type'];

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
