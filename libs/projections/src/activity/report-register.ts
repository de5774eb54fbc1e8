import { intern } from '../intern.js';
import { type ChangeSet, table } from '../keyed-state.js';
import { type Details, type FieldValue, type ReportInput, countValue, moneyValue, sumFieldsOf } from '../common/report-input.js';

/**
 * The register of counted reports: for each report stream, what the report contributes to the
 * read models now. A correction replaces it, a retraction removes it, and each read model
 * (indicators, funding, agency activity) applies the difference: the old contribution taken
 * back, the new one added. The register is shared by the three so a report is held once.
 *
 * Memory per report: the stream name (the map key), a 5-slot array and a small figures object
 * with the report's count and money fields and the few text fields a read model needs. Strings
 * repeated across reports (measure keys, types, agencies, dates) are shared copies (intern.ts).
 */

/** Figures a report contributes: count fields (numbers), money fields (decimal strings), kept texts. */
export type Figures = { readonly [field: string]: FieldValue };

/** A counted report: [measure key, activity type, agency id, occurredOn, figures]. */
export type CountedReport = readonly [measureKey: string, type: string, agencyId: string, occurredOn: string, figures: Figures];

/** Counted reports, by stream (group ''). */
export const REPORTS = table<CountedReport>('report');

/** What changed about one report: the contribution to take back and the one to add. */
export interface ReportDelta {
  readonly stream: string;
  readonly agencyId: string;
  /** What it contributed before the event; undefined for a new report. */
  readonly before: CountedReport | undefined;
  /** What it contributes after the event; undefined once retracted. */
  readonly after: CountedReport | undefined;
}

/**
 * Updates the register for a report event and returns the delta, or undefined when the event
 * changes nothing: a second activity event on a report stream (not a second report), a
 * correction or retraction of a report that is not counted (unknown, or already retracted).
 * `keptFields` are the non-numeric fields of the type some read model needs later.
 */
export function registerReport(cs: ChangeSet, report: ReportInput, keptFields: Iterable<string>): ReportDelta | undefined {
  // The first event of a stream has nothing before it: no lookup in the (large) register.
  const before = report.kind === 'activity' && report.revision === 0n ? undefined : cs.get(REPORTS, '', report.stream);
  let after: CountedReport | undefined;
  switch (report.kind) {
    case 'activity':
      if (before) return undefined;
      after = [report.measureKey, report.activityType, report.agencyId, report.occurredOn!, figuresOf(report.activityType, report.details!, keptFields)];
      break;
    case 'corrected':
      if (!before) return undefined;
      // The report keeps its measure, agency and type; a correction replaces figures and date.
      after = [before[0], before[1], before[2], report.occurredOn!, figuresOf(before[1], report.details!, keptFields)];
      break;
    case 'retracted':
      if (!before) return undefined;
      after = undefined;
      break;
    default: {
      const _: never = report.kind;
      throw new Error(`Unknown report event kind ${String(_)}`);
    }
  }
  if (after) cs.set(REPORTS, '', report.stream, after);
  else cs.delete(REPORTS, '', report.stream);
  return { stream: report.stream, agencyId: (before ?? after)![2], before, after };
}

/** The report's count and money fields, plus the kept fields it has. */
export function figuresOf(type: string, details: Details, keptFields: Iterable<string>): Figures {
  const figures: Record<string, FieldValue> = {};
  for (const field of sumFieldsOf(type)) {
    const value = field.kind === 'count' ? countValue(details[field.name]) : moneyValue(details[field.name]);
    if (value !== undefined) figures[field.name] = value;
  }
  for (const field of keptFields) {
    const value = details[field];
    if (value !== undefined && figures[field] === undefined) figures[field] = typeof value === 'string' ? intern(value) : value;
  }
  return figures;
}
