import {
  type Details,
  type EventTypeSpec,
  type FieldValue,
  REPORT_CORRECTED,
  REPORT_RETRACTED,
  REPORT_STREAM_PREFIX,
  eventTypeSpec,
  isDetails,
  isIsoDate,
  isMoneyText,
  validateDetails,
} from '@app/domain';
import type { JsonValue, RecordedEvent } from '@app/event-store';
import { intern } from '../intern.js';

/**
 * Report events as the projections read them (libs/domain reporting/report-events.ts): the
 * activity itself, a correction that replaces its figures and date, a retraction. Anything
 * malformed reads as undefined and is ignored: the decider validated what it wrote, so only
 * a damaged import could produce one, and skipping it is better than stopping every read model.
 */

export type { Details, FieldValue } from '@app/domain';

export type ReportEventKind = 'activity' | 'corrected' | 'retracted';

/**
 * A report event, read. One shape for the three kinds (V8 keeps one hidden class for it):
 * a retraction has no date and no details.
 */
export interface ReportInput {
  readonly kind: ReportEventKind;
  readonly stream: string;
  /** The event's revision in its stream: 0 for the first event of a report. */
  readonly revision: bigint;
  readonly planId: string;
  readonly measureCode: string;
  readonly agencyId: string;
  /** Interned `planId␟measureCode`: how the read models key a measure. */
  readonly measureKey: string;
  /** The report's activity type (a catalogue type), for every kind. */
  readonly activityType: string;
  readonly occurredOn: string | undefined;
  readonly details: Details | undefined;
}

export const REPORT_EVENT_TYPES: ReadonlySet<string> = new Set([REPORT_CORRECTED, REPORT_RETRACTED]);

/** Unit separator: never part of an id, a code or an event type. */
export const SEP = '\u001f';

const measureKeys = new Map<string, Map<string, string>>();

/** `planId␟measureCode`, one shared copy per measure (no concatenation per event). */
export function measureKey(planId: string, measureCode: string): string {
  let byCode = measureKeys.get(planId);
  if (!byCode) measureKeys.set(planId, (byCode = new Map()));
  let key = byCode.get(measureCode);
  if (key === undefined) {
    key = intern(`${planId}${SEP}${measureCode}`);
    if (byCode.size < 100_000) byCode.set(measureCode, key);
  }
  return key;
}

export function splitMeasureKey(key: string): { readonly planId: string; readonly measureCode: string } {
  const i = key.indexOf(SEP);
  return { planId: key.slice(0, i), measureCode: key.slice(i + 1) };
}

const isObject = (value: JsonValue | undefined): value is { [key: string]: JsonValue } =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const text = (value: JsonValue | undefined): string | undefined =>
  typeof value === 'string' && value.length > 0 ? value : undefined;

const readDetails = (value: JsonValue | undefined): Details | undefined => (isDetails(value) ? value : undefined);

/** The last event read and what it read as: check and evolve read the same event in turn. */
let lastRead: { readonly event: RecordedEvent; readonly report: ReportInput | undefined } | undefined;

/** The report event, or undefined when the event is not one (or is malformed). */
export function readReportEvent(event: RecordedEvent): ReportInput | undefined {
  if (lastRead?.event === event) return lastRead.report;
  const report = readReport(event);
  lastRead = { event, report };
  return report;
}

function readReport(event: RecordedEvent): ReportInput | undefined {
  if (!event.stream.startsWith(REPORT_STREAM_PREFIX) || !isObject(event.data)) return undefined;
  const data = event.data;
  const planId = text(data.planId);
  const measureCode = text(data.measureCode);
  const agencyId = text(data.agencyId);
  if (!planId || !measureCode || !agencyId) return undefined;
  let kind: ReportEventKind;
  let activityType: string | undefined;
  let occurredOn: string | undefined;
  let details: Details | undefined;
  if (event.type === REPORT_RETRACTED) {
    kind = 'retracted';
    activityType = text(data.activityType);
  } else {
    kind = event.type === REPORT_CORRECTED ? 'corrected' : 'activity';
    activityType = kind === 'corrected' ? text(data.activityType) : eventTypeSpec(event.type) && event.type;
    occurredOn = text(data.occurredOn);
    details = readDetails(data.details);
    if (!occurredOn || !isIsoDate(occurredOn) || !details) return undefined;
    occurredOn = intern(occurredOn);
  }
  if (!activityType) return undefined;
  const measure = measureKey(planId, measureCode);
  return {
    kind,
    stream: event.stream,
    revision: event.revision,
    planId,
    measureCode,
    agencyId: intern(agencyId),
    measureKey: measure,
    activityType: intern(activityType),
    occurredOn,
    details,
  };
}

/** The fields of a type that sums can take: counts (numbers) and money (decimal strings). */
export interface SumField {
  readonly name: string;
  readonly kind: 'count' | 'money';
}

const sumFieldsCache = new Map<string, readonly SumField[]>();

export function sumFieldsOf(type: string): readonly SumField[] {
  let fields = sumFieldsCache.get(type);
  if (!fields) {
    const spec: EventTypeSpec | undefined = eventTypeSpec(type);
    fields = (spec?.fields ?? [])
      .filter((f) => f.kind === 'count' || f.kind === 'money')
      .map((f) => ({ name: f.name, kind: f.kind as SumField['kind'] }));
    sumFieldsCache.set(type, fields);
  }
  return fields;
}

/** A money field's value as stored (a decimal string of integer HUF), or undefined. */
export function moneyValue(value: FieldValue | undefined): string | undefined {
  if (isMoneyText(value)) return value;
  // Tolerated: a safe integer number (an import from a system that wrote numbers).
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  return undefined;
}

export function countValue(value: FieldValue | undefined): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

/** a + sign·b on decimal strings of integers, exact at any size. */
export function addMoney(a: string | undefined, b: string, sign: 1 | -1): string {
  const result = BigInt(a ?? '0') + (sign === 1 ? BigInt(b) : -BigInt(b));
  return result.toString();
}

/**
 * Why a report event cannot be applied, or undefined when it can: the projections count a
 * report and sum its fields from the same event, so one whose fields do not have the kinds the
 * event catalogue declares (a `participants` of "many") would be counted but left out of the
 * sums. Such an event stops the projections (ProjectionFailedError) instead. Only the kinds of
 * the fields are checked (libs/domain validateDetails, rules 'stored'), not plausibility: a rule
 * tightened later must not stop the read models at events recorded under the old one. Events
 * that are not report events of the catalogue: undefined.
 */
export function reportEventProblem(event: RecordedEvent): string | undefined {
  const kind = event.type === REPORT_CORRECTED ? 'corrected' : event.type === REPORT_RETRACTED ? 'retracted' : eventTypeSpec(event.type) ? 'activity' : undefined;
  if (!kind || !event.stream.startsWith(REPORT_STREAM_PREFIX)) return undefined;
  const report = readReportEvent(event);
  if (!report) {
    return kind === 'retracted'
      ? 'a report retraction needs planId, measureCode, agencyId and activityType'
      : 'a report event needs planId, measureCode, agencyId, occurredOn (YYYY-MM-DD) and details of plain values' +
          (kind === 'corrected' ? ', and activityType' : '');
  }
  if (!report.details) return undefined;
  const spec = eventTypeSpec(report.activityType);
  if (!spec) return `activityType ${report.activityType} is not an event type of the catalogue`;
  // The kinds a stored event must keep have one home (validateDetails' 'stored' rules, which an
  // import is checked against too). A field the type does not know is not summed: not a problem.
  const { violations } = validateDetails(spec, report.details, 'details.', 'stored');
  for (const { field, reason } of violations) {
    const name = field.slice('details.'.length);
    if (!spec.fields.some((f) => f.name === name)) continue;
    const value = report.details[name];
    return value === undefined ? `${field} ${reason} for ${spec.type}` : `${field} ${reason} (got ${JSON.stringify(value)})`;
  }
  return undefined;
}
