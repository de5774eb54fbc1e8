/**
 * The plain words for the status model's codes and the plan's funding sources: what a person reads
 * where the api sends a code (the dashboard, the DOCX and XLSX implementation reports). One copy,
 * shared: the rules are docs/status.md's (evaluateMeasure) and the plan's; this only names them.
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
