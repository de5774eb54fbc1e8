/**
 * The plain words for the status model's codes and the plan's funding sources, and the one way money
 * is written: what a person reads where the api sends a code or an amount (the dashboard, the DOCX
 * and XLSX implementation reports). One copy, shared: the rules are docs/status.md's
 * (evaluateMeasure) and the plan's; this only names them.
 *
 * Deliberately free of imports, so browser code (apps/dashboard, built by Vite) can import this
 * file by path without pulling in the server libraries. plain-words.spec.ts checks the keys
 * against MeasureStatus, StatusReason, the OGP IRM levels and the catalogue's funding sources.
 */

/** MeasureStatus → words. */
export const STATUS_LABEL = {
  NOT_STARTED: 'Not started',
  IN_PROGRESS: 'In progress',
  ACHIEVED: 'Achieved',
  OVERDUE: 'Overdue',
  AWAITING_ASSESSMENT: 'Awaiting assessment',
  WITHDRAWN: 'Withdrawn',
} as const satisfies Record<string, string>;

/** StatusReason → why a measure has its status, in plain words. */
export const STATUS_REASON_LABEL = {
  NO_REPORT: 'No report yet',
  TARGET_NOT_MET: 'Reports received; the target is not met yet',
  NO_FINISH_LINE: 'The plan sets no target or milestone: a coordinator judges completion',
  TARGET_MET: 'Every target met',
  DEADLINE_PASSED: 'Deadline passed with the target not met',
  DEADLINE_BEFORE_PLAN_START: "The decree's deadline is before the plan's first day",
  ASSESSED_NOT_STARTED: 'Assessed: not started',
  ASSESSED_LIMITED: 'Assessed: limited completion',
  ASSESSED_SUBSTANTIAL: 'Assessed: substantial completion',
  ASSESSED_COMPLETE: 'Assessed: complete',
  ASSESSED_WITHDRAWN: 'Assessed: withdrawn',
} as const satisfies Record<string, string>;

/** OGP IRM completion levels of an assessment. */
export const LEVEL_LABEL = {
  NOT_STARTED: 'Not started',
  LIMITED: 'Limited',
  SUBSTANTIAL: 'Substantial',
  COMPLETE: 'Complete',
  WITHDRAWN: 'Withdrawn',
} as const satisfies Record<string, string>;

/** Where a reporting period stands for an agency (PeriodStatus, docs/periods.md), in words. */
export const PERIOD_STATUS_LABEL = {
  OPEN: 'Not submitted',
  SUBMITTED: "Submitted, awaiting the coordinator's approval",
  RETURNED: 'Returned by the coordinator',
  APPROVED: 'Approved (locked)',
  REOPENED: 'Reopened by the coordinator',
} as const satisfies Record<string, string>;

/**
 * Funding sources by the plan's ids (`national`, `eu`, `swiss-hungarian`; FundsDisbursed.source)
 * and "unspecified" (an allocation or payment that names none, funding.model's UNSPECIFIED_SOURCE).
 */
export const FUNDING_SOURCE_LABEL = {
  national: 'National budget',
  eu: 'EU funds',
  'swiss-hungarian': 'Swiss–Hungarian Cooperation Programme',
  unspecified: 'Source not named',
} as const satisfies Record<string, string>;

/** The words for a code of one of the tables above; an unknown code (a newer api) as it is. */
export function plainWord(labels: Readonly<Record<string, string>>, code: string): string {
  return Object.hasOwn(labels, code) ? labels[code] : code;
}

// Exact: a bigint never goes through a float, whatever its size. en-US: comma thousands.
const GROUPED = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0, useGrouping: true });

/**
 * An amount of integer HUF grouped by thousands, without the unit (where a label or a column
 * header names it): `132000000` → `132,000,000`. Takes the bigint or its decimal string, as the
 * api sends money (exact, never a float); a string that is no whole number comes back as it is.
 */
export function formatAmount(amount: bigint | string): string {
  if (typeof amount === 'bigint') return GROUPED.format(amount);
  return /^-?\d+$/.test(amount.trim()) ? GROUPED.format(BigInt(amount.trim())) : amount;
}

/**
 * Money as every place a person reads it writes it — the dashboard, the DOCX report, the XLSX
 * text and, through {@link HUF_NUMBER_FORMAT}, its money cells: `HUF 132,000,000`. The ISO 4217
 * code before the amount, as English-language EU texts write sums (`EUR 2,500`); whole forints,
 * as every amount in the ledger is. Input as {@link formatAmount}.
 */
export function formatHuf(amount: bigint | string): string {
  return `HUF ${formatAmount(amount)}`;
}

/** The spreadsheet number format that shows a money cell as {@link formatHuf} writes it (the cell stays a number). */
export const HUF_NUMBER_FORMAT = '"HUF "#,##0';

/*
 * The report catalogue's names, as the documents write them. Rules rather than tables: a new
 * activity type, field or enum value of the catalogue (libs/domain events/catalogue.ts) gets its
 * words without an entry here.
 */

/** An activity type's name in words: `FundsDisbursed` → `Funds disbursed`. */
export const activityTypeWords = (type: string): string => type.replace(/(?<=[a-z])(?=[A-Z])/g, ' ').replace(/ [A-Z]/g, (m) => m.toLowerCase());

/** A report field's name in words: `meetingKind` → `meeting kind`. */
export const fieldWords = (name: string): string => name.replace(/(?<=[a-z])(?=[A-Z])/g, ' ').toLowerCase();

/** A value of an enum field (kind `enum` in the catalogue) in words: `WORKING_GROUP` → `working group`. */
export const enumValueWords = (value: string): string => value.toLowerCase().replace(/[_-]/g, ' ');

/**
 * A value of a report field in words, by its kind in the event catalogue, as the documents and
 * the dashboard write it: a yes/no, money as {@link formatHuf}, the funding `source` by its name,
 * an enum value in words. Undefined for a value no rule covers (counts, texts, dates), which each
 * place writes its own way (the documents group counts; a text stays as it is).
 */
export function fieldValueWords(kind: string, name: string, value: unknown): string | undefined {
  if (kind === 'boolean' && typeof value === 'boolean') return value ? 'yes' : 'no';
  if (kind === 'money' && typeof value === 'string' && /^-?\d+$/.test(value)) return formatHuf(value);
  if (kind === 'enum' && typeof value === 'string') return name === 'source' ? plainWord(FUNDING_SOURCE_LABEL, value) : enumValueWords(value);
  return undefined;
}
