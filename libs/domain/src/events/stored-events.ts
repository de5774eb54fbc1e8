import type { JsonObject, JsonValue } from '@app/event-store';
import { REPORT_CORRECTED, REPORT_RETRACTED } from '../reporting/report-events.js';
import { REPORT_STREAM_PREFIX, legacyReportStreamName, reportStreamName } from '../reporting/report-streams.js';
import { CLIENT_ID_RULE, EMPTY_TEXT_RULE, isIsoDate, isNonBlankText, isoDateRefusal, isValidAgencyId, isValidClientId } from '../wire/wire-rules.js';
import { eventTypeSpec } from './catalogue.js';
import { upcasters } from './upcasters.js';
import { type FieldViolation, validateDetails } from './validate-details.js';

/** An event as stored (or as an export file holds it). */
export interface StoredEvent {
  readonly type: string;
  readonly stream: string;
  readonly data: JsonValue;
  readonly metadata: JsonObject;
}

/** The event types of a report stream: the catalogue's activities, corrections and retractions. */
export function isReportEventType(type: string): boolean {
  return type === REPORT_CORRECTED || type === REPORT_RETRACTED || eventTypeSpec(type) !== undefined;
}

/**
 * What is wrong with a stored report event, read by today's code: its data upcast from the
 * version it was written with (metadata.schemaVersion), then checked against the event catalogue
 * with the rules of a stored event (validateDetails, `stored`): the report's ids, a real
 * date, details whose fields have the kinds the catalogue declares, a correction's or
 * retraction's activity type and reason, and a stream that is the report's own. Fields are named
 * as paths in the event (`data.details.participants`). Empty: it can be read. Undefined: not a
 * report event type (another part of the domain owns it).
 *
 * Used before an event enters a store by other means than the deciders (`ledger import`), so
 * that nothing is counted half: one place of truth with the recording rules.
 */
export function storedReportEventViolations(event: StoredEvent): FieldViolation[] | undefined {
  if (!isReportEventType(event.type)) return undefined;
  const version = event.metadata.schemaVersion;
  if (version !== undefined && (typeof version !== 'number' || !Number.isInteger(version) || version < 1)) {
    return [{ field: 'metadata.schemaVersion', reason: 'must be a whole number from 1' }];
  }
  const current = upcasters.currentVersion(event.type);
  if (typeof version === 'number' && version > current) {
    return [{ field: 'metadata.schemaVersion', reason: `is ${version}, newer than this code reads (${event.type} is at version ${current})` }];
  }
  let data: JsonValue;
  try {
    data = upcasters.upcast(event).data;
  } catch (error) {
    return [{ field: 'data', reason: `cannot be upcast to version ${current}: ${(error as Error).message}` }];
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return [{ field: 'data', reason: 'must be an object' }];
  const violations: FieldViolation[] = [];
  const text = (name: string) => {
    const value = data[name];
    if (!isNonBlankText(value)) violations.push({ field: `data.${name}`, reason: typeof value === 'string' ? EMPTY_TEXT_RULE : 'must be a text' });
  };
  text('planId');
  text('measureCode');
  if (!isValidAgencyId(data.agencyId)) violations.push({ field: 'data.agencyId', reason: 'is not an agency id (kebab-case)' });
  if (!isValidClientId(data.reportId)) violations.push({ field: 'data.reportId', reason: CLIENT_ID_RULE });
  if (data.requestId !== undefined && !isValidClientId(data.requestId)) violations.push({ field: 'data.requestId', reason: CLIENT_ID_RULE });

  let activityType = event.type;
  if (event.type === REPORT_CORRECTED || event.type === REPORT_RETRACTED) {
    text('reason');
    if (typeof data.activityType !== 'string' || !eventTypeSpec(data.activityType)) {
      violations.push({ field: 'data.activityType', reason: 'must be an event type of the catalogue' });
      activityType = '';
    } else activityType = data.activityType;
  }
  if (event.type !== REPORT_RETRACTED) {
    if (!isIsoDate(data.occurredOn)) violations.push({ field: 'data.occurredOn', reason: isoDateRefusal(data.occurredOn) });
    const details = data.details;
    const spec = eventTypeSpec(activityType);
    if (typeof details !== 'object' || details === null || Array.isArray(details)) {
      violations.push({ field: 'data.details', reason: 'must be an object of the activity\'s fields' });
    } else if (spec) {
      violations.push(...validateDetails(spec, details, 'data.details.', 'stored').violations);
    }
  }
  if (violations.length === 0) {
    const agencyId = data.agencyId as string;
    const reportId = data.reportId as string;
    if (event.stream !== reportStreamName(agencyId, reportId) && event.stream !== legacyReportStreamName(agencyId, reportId)) {
      violations.push({ field: 'stream', reason: `must be the report's own stream ${reportStreamName(agencyId, reportId)} (got ${event.stream})` });
    }
  } else if (!event.stream.startsWith(REPORT_STREAM_PREFIX)) {
    violations.push({ field: 'stream', reason: `must be a report stream (${REPORT_STREAM_PREFIX}…)` });
  }
  return violations;
}
