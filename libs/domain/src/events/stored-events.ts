import type { JsonObject, JsonValue } from '@app/event-store';
import { ASSESSMENT_CORRECTED, ASSESSMENT_EVENT_TYPES, IMPLEMENTATION_LEVELS, assessmentStreamName } from '../assessment/assessment-events.js';
import { periodStreamName } from '../periods/period-calendar.js';
import { PERIOD_REOPENED, PERIOD_RETURNED, PERIOD_SUBMITTED, isPeriodEventType } from '../periods/period-events.js';
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
  if (!isJsonObject(data)) return [{ field: 'data', reason: 'must be an object' }];
  const violations: FieldViolation[] = [];
  const text = textRule(data, violations);
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

/**
 * What is wrong with a stored assessment event (MeasureAssessed, AssessmentCorrected: what the
 * assessment decider writes, assessment-events.ts): the plan, measure and assessment ids, an
 * OGP IRM level, a real `asOf` date, the narrative, evidence and indicator comments, a
 * correction's id and reason, and the measure's own stream. Empty: it can be read. Undefined: not
 * an assessment event type. Used by `ledger import`, as {@link storedReportEventViolations}.
 */
export function storedAssessmentEventViolations(event: StoredEvent): FieldViolation[] | undefined {
  if (!ASSESSMENT_EVENT_TYPES.includes(event.type)) return undefined;
  const data = event.data;
  if (!isJsonObject(data)) return [{ field: 'data', reason: 'must be an object' }];
  const violations: FieldViolation[] = [];
  const text = textRule(data, violations);
  text('planId');
  text('measureCode');
  if (!isValidClientId(data.assessmentId)) violations.push({ field: 'data.assessmentId', reason: CLIENT_ID_RULE });
  if (typeof data.level !== 'string' || !(IMPLEMENTATION_LEVELS as readonly string[]).includes(data.level)) {
    violations.push({ field: 'data.level', reason: `must be one of ${IMPLEMENTATION_LEVELS.join(', ')}` });
  }
  if (!isIsoDate(data.asOf)) violations.push({ field: 'data.asOf', reason: isoDateRefusal(data.asOf) });
  text('narrative');
  if (!Array.isArray(data.evidence) || !data.evidence.every((e) => typeof e === 'string')) violations.push({ field: 'data.evidence', reason: 'must be a list of texts' });
  const comments = data.indicatorComments;
  if (!Array.isArray(comments) || !comments.every((c) => typeof c === 'object' && c !== null && !Array.isArray(c) && typeof c.indicatorKey === 'string' && typeof c.comment === 'string')) {
    violations.push({ field: 'data.indicatorComments', reason: 'must be a list of { indicatorKey, comment } texts' });
  }
  if (event.type === ASSESSMENT_CORRECTED) {
    if (!isValidClientId(data.correctionId)) violations.push({ field: 'data.correctionId', reason: CLIENT_ID_RULE });
    text('reason');
  }
  if (violations.length === 0) {
    const stream = assessmentStreamName(data.planId as string, data.measureCode as string);
    if (event.stream !== stream) violations.push({ field: 'stream', reason: `must be the measure's assessment stream ${stream} (got ${event.stream})` });
  }
  return violations;
}

/**
 * What is wrong with a stored reporting-period event (PeriodSubmitted, PeriodApproved,
 * PeriodReturned, PeriodReopened: what the period decider writes, period-events.ts): the plan,
 * agency and period ids, the request id, a submission's measure codes, a return's comment, a
 * reopening's reason, and the period's own stream. Empty: it can be read. Undefined: not a period
 * event type. Used by `ledger import`, as {@link storedReportEventViolations}.
 */
export function storedPeriodEventViolations(event: StoredEvent): FieldViolation[] | undefined {
  if (!isPeriodEventType(event.type)) return undefined;
  const data = event.data;
  if (!isJsonObject(data)) return [{ field: 'data', reason: 'must be an object' }];
  const violations: FieldViolation[] = [];
  const text = textRule(data, violations);
  text('planId');
  if (!isValidAgencyId(data.agencyId)) violations.push({ field: 'data.agencyId', reason: 'is not an agency id (kebab-case)' });
  text('periodId');
  if (!isValidClientId(data.requestId)) violations.push({ field: 'data.requestId', reason: CLIENT_ID_RULE });
  if (event.type === PERIOD_SUBMITTED && (!Array.isArray(data.measureCodes) || !data.measureCodes.every((c) => typeof c === 'string'))) {
    violations.push({ field: 'data.measureCodes', reason: 'must be a list of measure codes' });
  }
  if (event.type === PERIOD_RETURNED) text('comment');
  if (event.type === PERIOD_REOPENED) text('reason');
  if (data.comment !== undefined && typeof data.comment !== 'string') violations.push({ field: 'data.comment', reason: 'must be a text' });
  if (violations.length === 0) {
    let stream: string | undefined;
    try {
      stream = periodStreamName(data.planId as string, data.agencyId as string, data.periodId as string);
    } catch {
      violations.push({ field: 'data.periodId', reason: 'is not a period id (YYYY, YYYY-Qn or YYYY-MM)' });
    }
    if (stream !== undefined && event.stream !== stream) violations.push({ field: 'stream', reason: `must be the period's own stream ${stream} (got ${event.stream})` });
  }
  return violations;
}

const isJsonObject = (value: JsonValue): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The check of a required text field of `data`: "is required" when blank, "must be a text" when not a string; adds to `violations`. */
function textRule(data: JsonObject, violations: FieldViolation[]): (name: string) => void {
  return (name) => {
    const value = data[name];
    if (!isNonBlankText(value)) violations.push({ field: `data.${name}`, reason: typeof value === 'string' ? EMPTY_TEXT_RULE : 'must be a text' });
  };
}
