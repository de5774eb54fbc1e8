import {
  ASSESSMENT_CORRECTED,
  ASSESSMENT_EVENT_TYPES,
  ASSESSMENT_STREAM_PREFIX,
  IMPLEMENTATION_LEVELS,
  type ImplementationLevel,
  MEASURE_ASSESSED,
} from '@app/domain';
import type { JsonValue, RecordedEvent } from '@app/event-store';
import { type Change, type StateView, table } from '../keyed-state.js';
import type { Projection } from '../projection.js';
import { measureKey } from '../common/report-input.js';

/**
 * Coordinators' assessments of measures (libs/domain assessment/), as they now stand: one entry
 * per assessment, grouped by measure, holding the content in force (a correction replaces it) and
 * how many corrections it had. The history itself is the stream (reportHistory-like queries read it).
 */
export const ASSESSMENTS_PROJECTION = 'assessments';

export type AssessmentEntry = {
  readonly assessmentId: string;
  readonly level: ImplementationLevel;
  readonly asOf: string;
  readonly narrative: string;
  readonly evidence: readonly string[];
  readonly indicatorComments: readonly { readonly indicatorKey: string; readonly comment: string }[];
  readonly corrections: number;
  /** Server time the assessment was first recorded (ISO instant), and by whom. */
  readonly recordedAt: string;
  readonly recordedBy: string;
  /** Server time of the last event (the assessment or its last correction). */
  readonly updatedAt: string;
  /** Global position of the last event, as a decimal string. */
  readonly position: string;
  readonly stream: string;
};

/** Assessments, grouped by measure key (`planId␟measureCode`), keyed by assessmentId. */
export const ASSESSMENTS = table<AssessmentEntry>('assessment');

type Obj = { readonly [key: string]: JsonValue };
const isObject = (v: JsonValue | undefined): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: JsonValue | undefined): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

/** The content fields of an assessment event, or undefined when malformed (skipped, as report-input does). */
function readContent(data: Obj): Omit<AssessmentEntry, 'assessmentId' | 'corrections' | 'recordedAt' | 'recordedBy' | 'updatedAt' | 'position' | 'stream'> | undefined {
  const level = str(data.level);
  const asOf = str(data.asOf);
  const narrative = str(data.narrative);
  if (!level || !(IMPLEMENTATION_LEVELS as readonly string[]).includes(level) || !asOf || !narrative) return undefined;
  const evidence = Array.isArray(data.evidence) ? data.evidence.filter((e): e is string => typeof e === 'string') : [];
  const indicatorComments = Array.isArray(data.indicatorComments)
    ? data.indicatorComments.filter(isObject).flatMap((c) => {
        const indicatorKey = str(c.indicatorKey);
        const comment = str(c.comment);
        return indicatorKey && comment ? [{ indicatorKey, comment }] : [];
      })
    : [];
  return { level: level as ImplementationLevel, asOf, narrative, evidence, indicatorComments };
}

export function evolveAssessments(state: StateView, event: RecordedEvent): readonly Change[] {
  if (!event.stream.startsWith(ASSESSMENT_STREAM_PREFIX) || !isObject(event.data)) return [];
  const planId = str(event.data.planId);
  const measureCode = str(event.data.measureCode);
  const assessmentId = str(event.data.assessmentId);
  const content = readContent(event.data);
  if (!planId || !measureCode || !assessmentId || !content) return [];
  const group = measureKey(planId, measureCode);
  const before = state.get(ASSESSMENTS, group, assessmentId);
  const recordedAt = str(event.metadata.recordedAt) ?? event.created.toISOString();
  const base = { ...content, assessmentId, updatedAt: recordedAt, position: event.position.toString(), stream: event.stream };
  let value: AssessmentEntry;
  if (event.type === MEASURE_ASSESSED) {
    if (before) return [];
    value = { ...base, corrections: 0, recordedAt, recordedBy: str(event.metadata.principalId) ?? '' };
  } else if (event.type === ASSESSMENT_CORRECTED) {
    if (!before) return [];
    value = { ...base, corrections: before.corrections + 1, recordedAt: before.recordedAt, recordedBy: before.recordedBy };
  } else {
    return [];
  }
  return [{ table: ASSESSMENTS.name, group, key: assessmentId, value }];
}

export const assessmentsProjection: Projection = {
  name: ASSESSMENTS_PROJECTION,
  version: 1,
  eventTypes: new Set(ASSESSMENT_EVENT_TYPES),
  evolve: evolveAssessments,
};

/** Every assessment of a measure, as it now stands, ordered by asOf then first recording. */
export function assessmentsOf(view: StateView, planId: string, measureCode: string): AssessmentEntry[] {
  return [...view.group(ASSESSMENTS, measureKey(planId, measureCode)).values()].sort(
    (a, b) => (a.asOf < b.asOf ? -1 : a.asOf > b.asOf ? 1 : a.recordedAt < b.recordedAt ? -1 : a.recordedAt > b.recordedAt ? 1 : 0),
  );
}

/**
 * The assessment in force on `date`: of those as of that day or earlier, the one with the latest
 * asOf (on a tie, the one recorded last). Undefined when there is none.
 */
export function latestAssessment(assessments: readonly AssessmentEntry[], date: string): AssessmentEntry | undefined {
  let latest: AssessmentEntry | undefined;
  for (const a of assessments) if (a.asOf <= date) latest = a;
  return latest;
}
