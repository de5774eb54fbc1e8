/**
 * Coordinators' assessments of a measure, on the stream `assessment-<planId>_<measureCode>`
 * (see {@link assessmentStreamName}). An assessment is a judgement, as of a business date, of how
 * far a measure has been implemented, on the completion scale of the OGP Independent Reporting
 * Mechanism (IRM) — the scale action-plan monitors use — plus WITHDRAWN for a measure dropped
 * from the plan. A measure's stream holds all its assessments (an interim one in mid-term, the
 * final one at the plan's end, …); each is named by the coordinator system's own `assessmentId`.
 * Later events correct an assessment, with a reason; nothing is overwritten.
 */

/** OGP IRM completion levels, plus WITHDRAWN. */
export const IMPLEMENTATION_LEVELS = ['NOT_STARTED', 'LIMITED', 'SUBSTANTIAL', 'COMPLETE', 'WITHDRAWN'] as const;
export type ImplementationLevel = (typeof IMPLEMENTATION_LEVELS)[number];

export const MEASURE_ASSESSED = 'MeasureAssessed';
export const ASSESSMENT_CORRECTED = 'AssessmentCorrected';
export const ASSESSMENT_EVENT_TYPES: readonly string[] = [MEASURE_ASSESSED, ASSESSMENT_CORRECTED];

/** A comment on one indicator of the measure (its plan key). */
export type IndicatorComment = {
  readonly indicatorKey: string;
  readonly comment: string;
};

/** What an assessment says; a correction event holds all of it (the lists a correctAssessment omits are filled in from the content in force). */
export type AssessmentContent = {
  readonly level: ImplementationLevel;
  /** The business date the judgement describes (YYYY-MM-DD): the measure as it stood that day. */
  readonly asOf: string;
  readonly narrative: string;
  /** References to evidence: document numbers, URLs, file ids, report ids. */
  readonly evidence: string[];
  readonly indicatorComments: IndicatorComment[];
};

export type AssessmentRef = {
  readonly planId: string;
  readonly measureCode: string;
  /** The coordinator system's own id: a retried request finds it (idempotent). */
  readonly assessmentId: string;
};

export type MeasureAssessed = {
  readonly type: typeof MEASURE_ASSESSED;
  readonly data: AssessmentRef & AssessmentContent;
};

export type AssessmentCorrected = {
  readonly type: typeof ASSESSMENT_CORRECTED;
  readonly data: AssessmentRef &
    AssessmentContent & {
      /** The client's own id of the correction: a retried correction is answered, not repeated. */
      readonly correctionId: string;
      readonly reason: string;
    };
};

export type AssessmentEvent = MeasureAssessed | AssessmentCorrected;

export const ASSESSMENT_STREAM_PREFIX = 'assessment-';

/**
 * `assessment-<planId>_<measureCode>`. Plan ids are kebab-case ([a-z0-9-], no `_`), so the first
 * `_` ends the plan id whatever the measure code holds: two (plan, measure) pairs never share a
 * stream, and the prefix is no other stream's (`plan-`, `activity-`, `apikey-`).
 */
export function assessmentStreamName(planId: string, measureCode: string): string {
  return `${ASSESSMENT_STREAM_PREFIX}${planId}_${measureCode}`;
}

