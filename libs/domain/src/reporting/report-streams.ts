import { DomainError } from '../errors.js';
import { CLIENT_ID_RULE, isValidAgencyId, isValidReportId } from '../wire/wire-rules.js';

/**
 * Report stream names. A report lives on `activity-<agencyId>/<reportId>`: agency ids are
 * kebab-case and report ids are client ids (wire-rules.ts), and neither may contain `/`, so no
 * two (agency, report) pairs share a name. Every report stream starts with `activity-`, which is
 * what the projections and live updates filter the log by.
 *
 * Stores written before this naming hold `activity-<agencyId>-<reportId>`, which is ambiguous:
 * `activity-acme-east-r1` is agency acme's report east-r1 or agency acme-east's report r1. Those
 * streams are still read (see {@link legacyReportStreamName}): a legacy stream answers for an
 * (agency, report) only when its first event's data names exactly that agency and report.
 */
export const REPORT_STREAM_PREFIX = 'activity-';
const SEPARATOR = '/';

/** The stream of a report; refuses ids that could make two names collide, naming the field. */
export function reportStreamName(agencyId: string, reportId: string): string {
  if (!isValidAgencyId(agencyId)) throw DomainError.badInput('agencyId', 'is not an agency id (kebab-case)');
  if (!isValidReportId(reportId)) throw DomainError.badInput('reportId', CLIENT_ID_RULE);
  return `${REPORT_STREAM_PREFIX}${agencyId}${SEPARATOR}${reportId}`;
}

/** The name the same report had before the `/` separator (c902ab3 and earlier). */
export function legacyReportStreamName(agencyId: string, reportId: string): string {
  return `${REPORT_STREAM_PREFIX}${agencyId}-${reportId}`;
}

/** Whether a stream is a report stream of the legacy, ambiguous naming. */
export function isLegacyReportStream(stream: string): boolean {
  return stream.startsWith(REPORT_STREAM_PREFIX) && !stream.includes(SEPARATOR);
}

/**
 * Whether the first event of a legacy stream is the report (agency, report): the data of every
 * report event names both, so a stream another agency's ids happen to spell never answers.
 */
export function legacyStreamBelongsTo(firstEventData: unknown, agencyId: string, reportId: string): boolean {
  if (typeof firstEventData !== 'object' || firstEventData === null) return false;
  const data = firstEventData as { agencyId?: unknown; reportId?: unknown };
  return data.agencyId === agencyId && data.reportId === reportId;
}
