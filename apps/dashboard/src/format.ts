import type { ImplementationLevel, MeasureStatus, PeriodStatus, StatusReason } from './api/queries';
import { type FundingSource, eventTypeSpec } from '../../../libs/domain/src/events/catalogue';
import * as words from '../../../libs/projections/src/status/plain-words';

/*
 * The words for the status model's codes and the funding sources are the api's own table
 * (libs/projections plain-words.ts, which the DOCX and XLSX reports print too): one copy, typed
 * here against the api's enums so a new code without words breaks the typecheck.
 */
export const STATUS_LABEL: Record<MeasureStatus, string> = words.STATUS_LABEL;
/** Why a measure has its status, in plain words (docs/status.md's rules; this only names them). */
export const STATUS_REASON_LABEL: Record<StatusReason, string> = words.STATUS_REASON_LABEL;
/** OGP IRM completion levels of an assessment. */
export const LEVEL_LABEL: Record<ImplementationLevel, string> = words.LEVEL_LABEL;
/** Where a reporting period stands for an agency (docs/periods.md). */
export const PERIOD_STATUS_LABEL: Record<PeriodStatus, string> = words.PERIOD_STATUS_LABEL;
/**
 * Funding sources by name. The api names them by id ("national", FundingSource in libs/domain's
 * event catalogue; "unspecified" where an allocation or payment names none), or by the GraphQL
 * enum (NATIONAL) on the plan's funding: both are read here (sourceLabel).
 */
export const FUNDING_SOURCE_LABEL: Record<FundingSource | 'unspecified', string> = words.FUNDING_SOURCE_LABEL;

/**
 * Money is integer HUF as a decimal string (exact bigint), written as the DOCX and XLSX reports
 * write it: `HUF 12,000,000` (plain-words.ts formatHuf, the one copy), never through a float sum.
 */
export const formatHuf = (amount: string): string => words.formatHuf(amount);

/** The amount grouped, without the unit (where the label names it): `12,000,000`. */
export const formatAmount = (amount: string): string => words.formatAmount(amount);

/** For charts only: HUF in millions (a chart axis needs numbers; the tables beside show the exact amount). */
export const millions = (amount: string): number => Number(BigInt(amount) / 1000n) / 1000;

/**
 * An instant (ISO) in the tab's local time, written as the dashboard writes every date
 * (YYYY-MM-DD, then HH:MM:SS.mmm) and naming the zone by its offset (`UTC+01:00`): the
 * milliseconds are the ledger's precision, so an instant read here and typed back into the
 * picker lands on the same position; not in a locale's order, which mixed dd/mm with the date picker's.
 */
export function formatInstant(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)} ${zoneOf(d)}`;
}

/** The tab's offset from UTC on that instant, e.g. `UTC+01:00` (`UTC` itself when none). */
export function zoneOf(d: Date): string {
  const minutes = -d.getTimezoneOffset();
  if (minutes === 0) return 'UTC';
  const pad = (n: number) => String(n).padStart(2, '0');
  const abs = Math.abs(minutes);
  return `UTC${minutes > 0 ? '+' : '-'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

export const formatPercent = (value: number | null | undefined): string => (value === null || value === undefined ? '—' : `${value}%`);

/** The label of a reason; an unknown one (a newer api) as it is sent. */
export const reasonLabel = (reason: string): string => words.plainWord(STATUS_REASON_LABEL, reason);

/** Colours with ≥ 4.5:1 contrast against white (WCAG AA), used for text and chart series alike. */
export const STATUS_COLOUR: Record<MeasureStatus, string> = {
  NOT_STARTED: '#5c6370',
  IN_PROGRESS: '#0b5cad',
  ACHIEVED: '#1a7f37',
  OVERDUE: '#b42318',
  AWAITING_ASSESSMENT: '#8a4b00',
  WITHDRAWN: '#6f42c1',
};

export const STATUS_ORDER: readonly MeasureStatus[] = ['NOT_STARTED', 'IN_PROGRESS', 'ACHIEVED', 'OVERDUE', 'AWAITING_ASSESSMENT', 'WITHDRAWN'];

/** The name of a funding source id or enum value; an unknown one (a newer api) as it is sent. */
export function sourceLabel(source: string): string {
  const id = source.toLowerCase().replaceAll('_', '-');
  return Object.hasOwn(FUNDING_SOURCE_LABEL, id) ? words.plainWord(FUNDING_SOURCE_LABEL, id) : source;
}

const text = (v: unknown): string => (v === undefined || v === null ? '—' : typeof v === 'object' ? JSON.stringify(v) : String(v as string | number | boolean));

/** An activity type in words, as the DOCX and XLSX write it: `TrainingDelivered` → `Training delivered`. */
export const typeLabel = (type: string): string => words.activityTypeWords(type);

/** Event fields the History row's other cells already say (date, measure, the report's stream). */
const SHOWN_ELSEWHERE = ['measureCode', 'occurredOn', 'reportId', 'planId', 'agencyId', 'details'];

/**
 * A report's own fields in words, as the documents write them (`meeting kind: working group`),
 * without what the row's other cells already say: money fields (kind `money` in the event
 * catalogue) as grouped HUF, a funding source by its name, an enum value and a field name in
 * words, yes/no. `type` is the event type (e.g. FundsDisbursed); a correction or retraction
 * (ReportCorrected, whose `activityType` names the report's type) is written by the same rules as
 * the report it changes, its own fields named in words too (`request id`, `reason`). A field the
 * catalogue does not know (a newer api, a plan or key event) keeps its value as it is.
 */
export function reportSummary(type: string, data: Record<string, unknown>): string {
  const details = typeof data.details === 'object' && data.details !== null ? (data.details as Record<string, unknown>) : {};
  const reportType = typeof data.activityType === 'string' ? data.activityType : type;
  const kinds = new Map((eventTypeSpec(type)?.fields ?? eventTypeSpec(reportType)?.fields ?? []).map((f) => [f.name, f.kind]));
  return Object.entries({ ...data, ...details })
    .filter(([k]) => !SHOWN_ELSEWHERE.includes(k))
    .map(([k, v]) => {
      if (k === 'activityType' && typeof v === 'string') return `report: ${typeLabel(v)}`;
      const kind = kinds.get(k);
      // The documents' words for the value (libs/projections plain-words.ts); counts and texts as they are.
      const value = kind === undefined ? undefined : words.fieldValueWords(kind, k, v);
      return `${words.fieldWords(k)}: ${value ?? text(v)}`;
    })
    .join(' · ');
}
