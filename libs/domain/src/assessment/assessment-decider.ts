import { DomainError } from '../errors.js';
import type { FieldViolation } from '../events/validate-details.js';
import { EMPTY_TEXT_RULE, futureDateRefusal, isIsoDate, isValidClientId, isoDateRefusal } from '../wire/wire-rules.js';
import {
  ASSESSMENT_CORRECTED,
  type AssessmentContent,
  type AssessmentEvent,
  type AssessmentRef,
  IMPLEMENTATION_LEVELS,
  type ImplementationLevel,
  type IndicatorComment,
  MEASURE_ASSESSED,
} from './assessment-events.js';

const CLIENT_ID_REFUSAL = 'must be 1–100 letters, digits, ".", "_", ":" or "-", starting with a letter or digit';

/** What the decider knows of the measure being assessed (from the plan) and of the day. */
export interface AssessmentContext {
  readonly planId: string;
  readonly measureCode: string;
  /** The plan's period: an assessment describes the measure on a day from its start on. */
  readonly period: { readonly from: string; readonly to: string };
  /** The measure's indicator keys: per-indicator comments must name one. */
  readonly indicatorKeys: readonly string[];
  /** The latest date accepted (YYYY-MM-DD): today in the zone furthest ahead, UTC+14 (latestToday): an assessment cannot describe the future. */
  readonly today: string;
}

/**
 * The input of an assessment as a client sends it (unchecked). In a correction an omitted
 * (undefined) `evidence` or `indicatorComments` keeps what the assessment says now; an empty list
 * clears it. In a new assessment omitted means none.
 */
export interface AssessmentInput {
  readonly level: string;
  readonly asOf: string;
  readonly narrative: string;
  readonly evidence?: readonly string[];
  readonly indicatorComments?: readonly IndicatorComment[];
}

export interface AssessMeasure extends AssessmentInput {
  readonly kind: 'assess';
  readonly assessmentId: string;
}

export interface CorrectAssessment extends AssessmentInput {
  readonly kind: 'correct';
  readonly assessmentId: string;
  readonly correctionId: string;
  readonly reason: string;
}

export type AssessmentCommand = AssessMeasure | CorrectAssessment;

/** Where an event was stored: what a receipt quotes (also for an idempotent repeat). */
export interface AssessmentStoredRef {
  readonly eventId: string;
  readonly position: bigint;
  readonly revision: bigint;
  readonly type: string;
}

export interface AssessmentRecord {
  readonly ref: AssessmentRef;
  /** The content now in force (the original, or the last correction's). */
  readonly current: AssessmentContent;
  readonly original: AssessmentContent & { readonly stored: AssessmentStoredRef };
  readonly corrections: readonly (AssessmentContent & { readonly correctionId: string; readonly reason: string; readonly stored: AssessmentStoredRef })[];
}

/** Every assessment of one measure, by assessmentId. */
export interface AssessmentState {
  readonly assessments: Readonly<Record<string, AssessmentRecord>>;
}

export const initialAssessmentState: AssessmentState = { assessments: {} };

export type StoredAssessmentEvent = AssessmentEvent & { readonly id: string; readonly position: bigint; readonly revision: bigint };

const contentOf = (data: AssessmentContent): AssessmentContent => ({
  level: data.level,
  asOf: data.asOf,
  narrative: data.narrative,
  evidence: data.evidence,
  indicatorComments: data.indicatorComments,
});

export function evolveAssessment(state: AssessmentState, event: StoredAssessmentEvent): AssessmentState {
  const stored: AssessmentStoredRef = { eventId: event.id, position: event.position, revision: event.revision, type: event.type };
  switch (event.type) {
    case MEASURE_ASSESSED: {
      const { planId, measureCode, assessmentId } = event.data;
      if (state.assessments[assessmentId]) return state;
      const content = contentOf(event.data);
      const record: AssessmentRecord = { ref: { planId, measureCode, assessmentId }, current: content, original: { ...content, stored }, corrections: [] };
      return { assessments: { ...state.assessments, [assessmentId]: record } };
    }
    case ASSESSMENT_CORRECTED: {
      const before = state.assessments[event.data.assessmentId];
      if (!before) return state;
      const content = contentOf(event.data);
      const record: AssessmentRecord = {
        ...before,
        current: content,
        corrections: [...before.corrections, { ...content, correctionId: event.data.correctionId, reason: event.data.reason, stored }],
      };
      return { assessments: { ...state.assessments, [event.data.assessmentId]: record } };
    }
    default: {
      const _: never = event;
      return state;
    }
  }
}

const MAX_NARRATIVE = 20_000;
const MAX_EVIDENCE = 100;
const MAX_REFERENCE = 500;
const MAX_COMMENT = 5_000;

/**
 * The content checked against the measure and the day; throws BAD_USER_INPUT naming the first
 * field refused and listing every one (`violations`: extensions.errors), as the report deciders do.
 */
export function checkAssessmentInput(input: AssessmentInput, ctx: AssessmentContext): AssessmentContent {
  const { content, violations } = assessmentContentOf(input, ctx);
  if (violations.length > 0) throw DomainError.fromViolations(violations);
  return content;
}

/**
 * The content as it would be stored, and every rule it breaks (one violation per field; a value
 * breaking several rules is refused by the first of them): a coordinator fixes them all in one
 * round trip instead of learning of narrative, then evidence[0], then an indicator key.
 */
function assessmentContentOf(input: AssessmentInput, ctx: AssessmentContext): { readonly content: AssessmentContent; readonly violations: readonly FieldViolation[] } {
  const violations: FieldViolation[] = [];
  const refuse = (field: string, reason: string): void => {
    violations.push({ field, reason });
  };
  if (!(IMPLEMENTATION_LEVELS as readonly string[]).includes(input.level)) refuse('level', `must be one of ${IMPLEMENTATION_LEVELS.join(', ')} (got "${input.level}")`);
  if (!isIsoDate(input.asOf)) refuse('asOf', isoDateRefusal(input.asOf));
  else if (input.asOf > ctx.today) refuse('asOf', `${futureDateRefusal(ctx.today)}; an assessment describes what has been done`);
  else if (input.asOf < ctx.period.from) refuse('asOf', `is before the start of plan ${ctx.planId} (${ctx.period.from})`);
  const narrative = input.narrative.trim();
  if (narrative.length < 3) refuse('narrative', 'must say what the judgement rests on (at least 3 characters)');
  else if (narrative.length > MAX_NARRATIVE) refuse('narrative', `must be at most ${MAX_NARRATIVE} characters`);
  const evidence = (input.evidence ?? []).map((e, i) => {
    const reference = e.trim();
    if (reference.length === 0) refuse(`evidence[${i}]`, EMPTY_TEXT_RULE);
    else if (reference.length > MAX_REFERENCE) refuse(`evidence[${i}]`, `must be at most ${MAX_REFERENCE} characters`);
    // One reference is one line: the CSV export lists references one per line in a cell.
    else if (/[\r\n\u2028\u2029]/.test(reference)) refuse(`evidence[${i}]`, 'must be one line (a document number, URL or file id): give each reference as an item of its own');
    return reference;
  });
  if (evidence.length > MAX_EVIDENCE) refuse('evidence', `must hold at most ${MAX_EVIDENCE} references`);
  const seen = new Set<string>();
  const indicatorComments = (input.indicatorComments ?? []).map((c, i): IndicatorComment => {
    if (!ctx.indicatorKeys.includes(c.indicatorKey)) {
      refuse(`indicatorComments[${i}].indicatorKey`, `"${c.indicatorKey}" is not an indicator of measure ${ctx.measureCode} (its indicators: ${ctx.indicatorKeys.join(', ') || 'none'})`);
    } else if (seen.has(c.indicatorKey)) {
      refuse(`indicatorComments[${i}].indicatorKey`, `"${c.indicatorKey}" is commented on twice`);
    }
    seen.add(c.indicatorKey);
    const comment = c.comment.trim();
    if (comment.length === 0) refuse(`indicatorComments[${i}].comment`, EMPTY_TEXT_RULE);
    else if (comment.length > MAX_COMMENT) refuse(`indicatorComments[${i}].comment`, `must be at most ${MAX_COMMENT} characters`);
    return { indicatorKey: c.indicatorKey, comment };
  });
  return { content: { level: input.level as ImplementationLevel, asOf: input.asOf, narrative, evidence, indicatorComments }, violations };
}

export function sameAssessmentContent(a: AssessmentContent, b: AssessmentContent): boolean {
  return (
    a.level === b.level &&
    a.asOf === b.asOf &&
    a.narrative === b.narrative &&
    a.evidence.length === b.evidence.length &&
    a.evidence.every((e, i) => e === b.evidence[i]) &&
    a.indicatorComments.length === b.indicatorComments.length &&
    a.indicatorComments.every((c, i) => c.indicatorKey === b.indicatorComments[i].indicatorKey && c.comment === b.indicatorComments[i].comment)
  );
}

/**
 * Decides what an assessment command appends to the measure's assessment stream. An empty list:
 * the same request was already carried out (the handler answers with the stored receipt, see
 * {@link receiptOf}). Refusals: BAD_USER_INPUT naming the field, CONFLICT for an id reused with
 * other content, NOT_FOUND for a correction of an unknown assessment.
 */
export function decideAssessment(command: AssessmentCommand, state: AssessmentState, ctx: AssessmentContext): readonly AssessmentEvent[] {
  // Every field the request itself gets wrong, in one refusal (extensions.errors): its ids, the
  // correction's reason and the content. Rules that need the stored assessment come after.
  const violations: FieldViolation[] = [];
  if (!isValidClientId(command.assessmentId)) violations.push({ field: 'assessmentId', reason: CLIENT_ID_REFUSAL });
  if (command.kind === 'correct') {
    if (!isValidClientId(command.correctionId)) violations.push({ field: 'correctionId', reason: CLIENT_ID_REFUSAL });
    if (command.reason.trim().length < 3) violations.push({ field: 'reason', reason: 'must say why (at least 3 characters)' });
    // The lists a correction omits are kept from the assessment: checked below, once it is known.
    violations.push(...assessmentContentOf({ ...command, evidence: command.evidence ?? [], indicatorComments: command.indicatorComments ?? [] }, ctx).violations);
  } else {
    violations.push(...assessmentContentOf(command, ctx).violations);
  }
  if (violations.length > 0) throw DomainError.fromViolations(violations);
  const ref: AssessmentRef = { planId: ctx.planId, measureCode: ctx.measureCode, assessmentId: command.assessmentId };
  switch (command.kind) {
    case 'assess': {
      const content = checkAssessmentInput(command, ctx);
      const existing = state.assessments[command.assessmentId];
      if (existing) {
        if (sameAssessmentContent(existing.original, content)) return [];
        throw new DomainError(
          'CONFLICT',
          `assessmentId ${command.assessmentId} was already used for a different assessment of ${ctx.measureCode} (${existing.original.level} as of ${existing.original.asOf}); use correctAssessment to change it`,
          { field: 'assessmentId', reason: 'already used for a different assessment' },
        );
      }
      return [{ type: MEASURE_ASSESSED, data: { ...ref, ...content } }];
    }
    case 'correct': {
      const existing = state.assessments[command.assessmentId];
      if (!existing) {
        throw new DomainError('NOT_FOUND', `No assessment ${command.assessmentId} of measure ${ctx.measureCode} in plan ${ctx.planId}`, { field: 'assessmentId' });
      }
      const reason = command.reason.trim();
      const index = existing.corrections.findIndex((c) => c.correctionId === command.correctionId);
      if (index >= 0) {
        // A retry is compared with what it was decided against: the content in force before it.
        const earlier = existing.corrections[index];
        const content = checkAssessmentInput(keepOmitted(command, index === 0 ? existing.original : existing.corrections[index - 1]), ctx);
        if (earlier.reason === reason && sameAssessmentContent(earlier, content)) return [];
        throw new DomainError('CONFLICT', `correctionId ${command.correctionId} was already used for a different correction of assessment ${command.assessmentId}`, {
          field: 'correctionId',
          reason: 'already used for a different correction',
        });
      }
      const content = checkAssessmentInput(keepOmitted(command, existing.current), ctx);
      if (sameAssessmentContent(existing.current, content)) throw DomainError.badInput('level', 'changes nothing: the assessment already says this');
      return [{ type: ASSESSMENT_CORRECTED, data: { ...ref, ...content, correctionId: command.correctionId, reason } }];
    }
    default: {
      const _: never = command;
      throw new Error(`Unknown assessment command ${JSON.stringify(_)}`);
    }
  }
}

/**
 * A correction's input with the lists it omits taken from the content it corrects: a coordinator
 * correcting the level or narrative does not lose the evidence and indicator comments recorded
 * (GraphQL tells an omitted field, undefined, from an explicit [] that clears it).
 */
function keepOmitted(command: CorrectAssessment, current: AssessmentContent): AssessmentInput {
  return {
    level: command.level,
    asOf: command.asOf,
    narrative: command.narrative,
    evidence: command.evidence ?? current.evidence,
    indicatorComments: command.indicatorComments ?? current.indicatorComments,
  };
}

/** The stored event a command's outcome is quoted by: the one it wrote, or the one it repeated. */
export function receiptOf(command: AssessmentCommand, state: AssessmentState): AssessmentStoredRef | undefined {
  const record = state.assessments[command.assessmentId];
  if (!record) return undefined;
  if (command.kind === 'assess') return record.original.stored;
  return record.corrections.find((c) => c.correctionId === command.correctionId)?.stored;
}

/**
 * The assessment decider for one measure, in the shape handleCommand takes (@app/event-store):
 * the context (plan, measure, today) is bound here, so decide stays pure.
 */
export function assessmentDecider(ctx: AssessmentContext) {
  return {
    initialState: initialAssessmentState,
    evolve: evolveAssessment,
    decide: (command: AssessmentCommand, state: AssessmentState) => decideAssessment(command, state, ctx),
  };
}
