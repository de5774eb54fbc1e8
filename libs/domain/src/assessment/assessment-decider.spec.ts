import { DomainError } from '../errors.js';
import {
  type AssessmentCommand,
  type AssessmentContext,
  type AssessmentState,
  type StoredAssessmentEvent,
  assessmentDecider,
  decideAssessment,
  evolveAssessment,
  initialAssessmentState,
  receiptOf,
} from './assessment-decider.js';
import { assessmentStreamName } from './assessment-events.js';
import { refusalOf } from '../../../../test/support/refusal.js';

const ctx: AssessmentContext = {
  planId: 'hu-2022-2023',
  measureCode: 'II.1.3',
  period: { from: '2022-01-01', to: '2023-12-31' },
  indicatorKeys: ['trainings', 'participants'],
  today: '2024-02-01',
};

const assess = (over: Partial<Extract<AssessmentCommand, { kind: 'assess' }>> = {}): AssessmentCommand => ({
  kind: 'assess',
  assessmentId: 'final-2023',
  level: 'SUBSTANTIAL',
  asOf: '2023-12-31',
  narrative: '  Ten of twelve planned trainings held. ',
  evidence: ['BM-2024/17'],
  indicatorComments: [{ indicatorKey: 'trainings', comment: 'Two postponed to 2024' }],
  ...over,
});

/** Applies a decision as the store would: positions and revisions in order. */
function apply(state: AssessmentState, command: AssessmentCommand, start = 0): AssessmentState {
  return decideAssessment(command, state, ctx).reduce(
    (s, e, i) => evolveAssessment(s, { ...e, id: `e${start + i}`, position: BigInt(100 + start + i), revision: BigInt(start + i) } as StoredAssessmentEvent),
    state,
  );
}

const refusal = (fn: () => unknown): DomainError => refusalOf(DomainError, fn);

describe('assessment decider', () => {
  it('records an assessment with its content trimmed, and a repeat of it writes nothing', () => {
    const [event] = decideAssessment(assess(), initialAssessmentState, ctx);
    expect(event).toEqual({
      type: 'MeasureAssessed',
      data: {
        planId: 'hu-2022-2023',
        measureCode: 'II.1.3',
        assessmentId: 'final-2023',
        level: 'SUBSTANTIAL',
        asOf: '2023-12-31',
        narrative: 'Ten of twelve planned trainings held.',
        evidence: ['BM-2024/17'],
        indicatorComments: [{ indicatorKey: 'trainings', comment: 'Two postponed to 2024' }],
      },
    });
    const state = apply(initialAssessmentState, assess());
    expect(decideAssessment(assess(), state, ctx)).toEqual([]);
    expect(receiptOf(assess(), state)).toEqual({ eventId: 'e0', position: 100n, revision: 0n, type: 'MeasureAssessed' });
  });

  it('refuses the same id with other content as a CONFLICT, and a new id is a second assessment', () => {
    const state = apply(initialAssessmentState, assess());
    expect(refusal(() => decideAssessment(assess({ level: 'COMPLETE' }), state, ctx))).toMatchObject({ code: 'CONFLICT', extra: { field: 'assessmentId' } });
    const two = apply(state, assess({ assessmentId: 'mid-2023', asOf: '2023-06-30', level: 'LIMITED' }), 1);
    expect(Object.keys(two.assessments).sort()).toEqual(['final-2023', 'mid-2023']);
  });

  it.each([
    [{ level: 'DONE' }, 'level', /must be one of NOT_STARTED, LIMITED, SUBSTANTIAL, COMPLETE, WITHDRAWN/],
    [{ asOf: '2023-02-30' }, 'asOf', /real calendar date/],
    [{ asOf: '2024-02-02' }, 'asOf', /in the future: the latest date accepted is 2024-02-01, .*UTC\+14.*; an assessment describes what has been done/],
    [{ asOf: '2021-12-31' }, 'asOf', /before the start of plan hu-2022-2023/],
    [{ narrative: ' a ' }, 'narrative', /at least 3/],
    [{ evidence: ['ok', '  '] }, 'evidence[1]', /evidence\[1\] is required/],
    [{ evidence: ['BM/1/2023', 'BM/2/2023\nBM/3/2023'] }, 'evidence[1]', /must be one line/],
    [{ evidence: ['a\r\nb'] }, 'evidence[0]', /must be one line/],
    [{ indicatorComments: [{ indicatorKey: 'budget', comment: 'x' }] }, 'indicatorComments[0].indicatorKey', /not an indicator of measure II.1.3/],
    [{ indicatorComments: [{ indicatorKey: 'trainings', comment: 'x' }, { indicatorKey: 'trainings', comment: 'y' }] }, 'indicatorComments[1].indicatorKey', /twice/],
    [{ assessmentId: 'has space' }, 'assessmentId', /letters, digits/],
  ])('refuses bad input %j naming %s', (over, field, reason) => {
    const error = refusal(() => decideAssessment(assess(over as never), initialAssessmentState, ctx));
    expect(error).toMatchObject({ code: 'BAD_USER_INPUT', extra: { field } });
    expect(error.message).toMatch(reason);
  });

  it('refuses every bad field of an assessment in one answer, the first named as the field, all listed', () => {
    const bad = assess({ assessmentId: 'has space', asOf: '2023-02-30', narrative: 'xy', evidence: ['ok', ''], indicatorComments: [{ indicatorKey: 'nope', comment: ' ' }] });
    const error = refusal(() => decideAssessment(bad, initialAssessmentState, ctx));
    expect(error).toMatchObject({ code: 'BAD_USER_INPUT', extra: { field: 'assessmentId' } });
    expect(error.extra.violations?.map((v) => v.field)).toEqual(['assessmentId', 'asOf', 'narrative', 'evidence[1]', 'indicatorComments[0].indicatorKey', 'indicatorComments[0].comment']);
    expect(error.message).toMatch(/\(and 5 more problems\)$/);
  });

  it('refuses every bad field of a correction in one answer, its ids and reason with the content', () => {
    const state = apply(initialAssessmentState, assess());
    const correct: AssessmentCommand = { ...assess({ level: 'FINISHED', narrative: '' }), kind: 'correct', correctionId: '-c1', reason: 'x' };
    const error = refusal(() => decideAssessment(correct, state, ctx));
    expect(error.extra.violations?.map((v) => v.field)).toEqual(['correctionId', 'reason', 'level', 'narrative']);
    // An unknown assessment is NOT_FOUND only once the request itself is right.
    expect(refusal(() => decideAssessment({ ...correct, assessmentId: 'nope' }, state, ctx)).code).toBe('BAD_USER_INPUT');
    expect(refusal(() => decideAssessment({ ...assess({ level: 'COMPLETE' }), kind: 'correct', assessmentId: 'nope', correctionId: 'c1', reason: 'why not' }, state, ctx)).code).toBe('NOT_FOUND');
  });

  it('corrects an assessment: the content in force changes, the original and each correction stay', () => {
    let state = apply(initialAssessmentState, assess());
    const correct: AssessmentCommand = { ...assess({ level: 'COMPLETE' }), kind: 'correct', correctionId: 'c1', reason: 'The last two trainings were held on 28 December' };
    state = apply(state, correct, 1);
    const record = state.assessments['final-2023'];
    expect(record.current.level).toBe('COMPLETE');
    expect(record.original.level).toBe('SUBSTANTIAL');
    expect(record.corrections.map((c) => [c.correctionId, c.level, c.stored.revision])).toEqual([['c1', 'COMPLETE', 1n]]);
    // A retried correction writes nothing; the same correctionId with other content is a conflict.
    expect(decideAssessment(correct, state, ctx)).toEqual([]);
    expect(receiptOf(correct, state)?.position).toBe(101n);
    expect(refusal(() => decideAssessment({ ...correct, reason: 'Another reason' }, state, ctx))).toMatchObject({ code: 'CONFLICT', extra: { field: 'correctionId' } });
    // A correction that changes nothing is refused; one of an unknown assessment is NOT_FOUND.
    expect(refusal(() => decideAssessment({ ...correct, correctionId: 'c2' }, state, ctx))).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(refusal(() => decideAssessment({ ...correct, assessmentId: 'nope' }, state, ctx))).toMatchObject({ code: 'NOT_FOUND', extra: { field: 'assessmentId' } });
    expect(refusal(() => decideAssessment({ ...correct, correctionId: 'c3', level: 'LIMITED', reason: ' ' }, state, ctx))).toMatchObject({ extra: { field: 'reason' } });
  });

  it('keeps the evidence and indicator comments a correction omits; an explicit [] clears them', () => {
    const base = apply(initialAssessmentState, assess({ evidence: ['BM/1234-5/2024', 'OKM-77'] }));
    const levelOnly: AssessmentCommand = {
      kind: 'correct',
      assessmentId: 'final-2023',
      correctionId: 'c1',
      reason: 'The last two were held on 28 December',
      level: 'COMPLETE',
      asOf: '2023-12-31',
      narrative: 'All twelve held',
    };
    const [kept] = decideAssessment(levelOnly, base, ctx);
    expect(kept.data).toMatchObject({
      level: 'COMPLETE',
      narrative: 'All twelve held',
      evidence: ['BM/1234-5/2024', 'OKM-77'],
      indicatorComments: [{ indicatorKey: 'trainings', comment: 'Two postponed to 2024' }],
    });
    const corrected = apply(base, levelOnly, 1);
    expect(corrected.assessments['final-2023'].current.evidence).toEqual(['BM/1234-5/2024', 'OKM-77']);
    // A retry (omitting the lists again) is the same request, also after a later correction changed them.
    expect(decideAssessment(levelOnly, corrected, ctx)).toEqual([]);
    const cleared: AssessmentCommand = { ...levelOnly, correctionId: 'c2', reason: 'Evidence withdrawn', evidence: [], indicatorComments: [] };
    const [clear] = decideAssessment(cleared, corrected, ctx);
    expect(clear.data).toMatchObject({ level: 'COMPLETE', evidence: [], indicatorComments: [] });
    const after = apply(corrected, cleared, 2);
    expect(after.assessments['final-2023'].current).toMatchObject({ evidence: [], indicatorComments: [] });
    expect(decideAssessment(levelOnly, after, ctx)).toEqual([]);
    // One list given, the other omitted: the given replaces, the omitted stays.
    const [mixed] = decideAssessment({ ...levelOnly, correctionId: 'c3', evidence: ['NEW-1'] }, corrected, ctx);
    expect(mixed.data).toMatchObject({ evidence: ['NEW-1'], indicatorComments: [{ indicatorKey: 'trainings', comment: 'Two postponed to 2024' }] });
    // Omitting both where only they would differ changes nothing: refused as before.
    expect(refusal(() => decideAssessment({ ...levelOnly, correctionId: 'c4' }, corrected, ctx))).toMatchObject({ code: 'BAD_USER_INPUT', extra: { field: 'level' } });
  });

  it('binds the context into a Decider for handleCommand', () => {
    const decider = assessmentDecider(ctx);
    expect(decider.initialState).toBe(initialAssessmentState);
    expect(decider.decide(assess(), decider.initialState)).toHaveLength(1);
  });

  it('names streams so that no two (plan, measure) pairs share one', () => {
    // Plan ids are kebab-case: the first "_" ends the plan id, whatever hyphens the parts hold.
    const pairs: Array<[string, string]> = [
      ['hu-2022', '2023-I.1'],
      ['hu-2022-2023', 'I.1'],
      ['hu', '2022-2023_I.1'],
    ];
    const names = pairs.map(([p, m]) => assessmentStreamName(p, m));
    expect(new Set(names).size).toBe(pairs.length);
    expect(names[1]).toBe('assessment-hu-2022-2023_I.1');
  });
});
