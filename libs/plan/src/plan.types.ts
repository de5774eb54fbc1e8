/**
 * The plan document: what a plan file (YAML, see docs/plan-format.md) holds once parsed and
 * validated. A plan is data — nothing in the code knows a measure code or an agency name.
 *
 * Identifiers:
 * - plan `id`: kebab-case, e.g. "hu-2022-2023"; the plan's stream is `plan-<id>`.
 * - agency `id`: kebab-case, stable forever (credentials and reports refer to it).
 * - measure `code`: as the plan writes it ("II.3.2"); unique within a plan.
 * - indicator `key`: camelCase or kebab-case, unique within a measure.
 */

export type AgencyKind =
  | 'ministry'
  | 'police'
  | 'prosecution'
  | 'judiciary'
  | 'child-protection'
  | 'social-services'
  | 'government-office'
  | 'authority'
  | 'education'
  | 'ngo'
  | 'other'
  /** A set of bodies the plan names as a whole; see `members`. */
  | 'group';

export interface Agency {
  readonly id: string;
  readonly name: string;
  readonly kind: AgencyKind;
  /** For groups: the member agency ids known today (a group's membership may grow by amendment). */
  readonly members?: readonly string[];
}

export interface LegalBasis {
  /** e.g. "1228/2022 (IV. 14.)" */
  readonly decision: string;
  /** ISO date of the decision. */
  readonly date: string;
  readonly title?: string;
}

/** A money commitment of the decision itself (e.g. "HUF 341 million in 2023"). */
export interface BudgetPoint {
  /** e.g. "3a" */
  readonly id: string;
  readonly description: string;
  /** Integer HUF as a decimal string (exact at any size). */
  readonly amountHuf: string;
  /** The year it applies to; with `recurring`, the first such year. */
  readonly year: number;
  /** True when the amount applies every year from `year` on. */
  readonly recurring?: boolean;
  /** Agency ids whose budget chapter holds it. */
  readonly chapter?: string;
}

export type FundingSourceId = 'national' | 'eu' | 'swiss-hungarian';

export interface FundingAllocation {
  /**
   * Integer HUF as a decimal string; absent when the plan funds the purpose that year but states
   * no amount (written `amountHuf: unstated` in the plan file) — unknown, not 0.
   */
  readonly amountHuf?: string;
  readonly year: number;
  /** True when the amount applies every year from `year` on. */
  readonly recurring?: boolean;
  readonly purpose: string;
  /** The decision budget point it is counted under, when the decision names one. */
  readonly budgetPoint?: string;
  readonly source?: FundingSourceId;
}

export interface Funding {
  /** Sources the funding text names; empty when the plan gives none ("–"). */
  readonly sources: readonly FundingSourceId[];
  readonly allocations?: readonly FundingAllocation[];
}

export type Aggregate =
  /** Number of reported events of the type. */
  | 'count'
  /** Sum of a count or money field. */
  | 'sum'
  /** Number of distinct values of a field. */
  | 'distinct'
  /** Reached (1) once an event of the type is reported, else 0. */
  | 'milestone';

export interface Indicator {
  readonly key: string;
  readonly label: string;
  /** An event type of the catalogue (libs/domain). */
  readonly event: string;
  readonly aggregate: Aggregate;
  /** Required for sum and distinct: a field of that event type. */
  readonly field?: string;
  /**
   * count and milestone only: count just the events whose field has this value (e.g. the joint
   * inspections among all inspections). One boolean, enum, text or date field of the event type.
   */
  readonly where?: IndicatorCondition;
  /** The number the plan states, when it states one. */
  readonly target?: number;
  /**
   * For event types whose reports each cover a period (periodStart–periodEnd, e.g. statistics):
   * how two reports of one agency with overlapping periods count — never both. `supersede`: the
   * one recorded later replaces every earlier one whose period overlaps it. Required for them.
   */
  readonly overlappingPeriods?: OverlappingPeriods;
}

export type OverlappingPeriods = 'supersede';

/** A field of the event type and the value it must have (strings for enum, text and date fields). */
export interface IndicatorCondition {
  readonly field: string;
  readonly equals: string | boolean;
}

export interface Measure {
  readonly code: string;
  readonly title: string;
  /** A: agency ids. */
  readonly responsible: readonly string[];
  /** B: agency ids (groups allowed). */
  readonly partners: readonly string[];
  /** B verbatim, when the ids alone lose meaning (e.g. "and especially …"). */
  readonly partnersText?: string;
  /** C verbatim. */
  readonly means: string;
  /** D as an ISO date. */
  readonly deadline: string;
  /** E verbatim. */
  readonly indicatorText: string;
  /** F verbatim ("–" when the plan gives none). */
  readonly fundingText: string;
  readonly funding: Funding;
  readonly indicators: readonly Indicator[];
}

export interface Objective {
  /** e.g. "II.3" */
  readonly code: string;
  readonly title: string;
  readonly measures: readonly Measure[];
}

export interface Pillar {
  /** e.g. "II" */
  readonly code: string;
  readonly title: string;
  readonly objectives: readonly Objective[];
}

export interface Plan {
  readonly id: string;
  readonly title: string;
  readonly legalBasis: LegalBasis;
  /** ISO dates: reports must describe activity inside the period. */
  readonly period: { readonly from: string; readonly to: string };
  /** How reports are signed off (docs/periods.md); absent: calendar quarters, no data-entry window. */
  readonly reporting?: ReportingRules;
  readonly budgetPoints: readonly BudgetPoint[];
  readonly agencies: readonly Agency[];
  readonly pillars: readonly Pillar[];
}

/** Length of a reporting period: calendar months, quarters (the default) or years. */
export type ReportingPeriodLength = 'month' | 'quarter' | 'year';
export const REPORTING_PERIOD_LENGTHS: readonly ReportingPeriodLength[] = ['month', 'quarter', 'year'];

/**
 * Reporting periods of a plan (DHIS2 "data input periods"): agencies submit each period, the
 * coordinator approves it and it is locked. `entryWindowDays` (DHIS2 "expiry days"): reports
 * for a period are accepted until that many days after its end, later only while it is reopened.
 */
export interface ReportingRules {
  readonly periods: ReportingPeriodLength;
  readonly entryWindowDays?: number;
}
