/**
 * correctAssessment over HTTP: a correction that omits `evidence` / `indicatorComments` keeps what
 * the assessment says (docs/status.md's example corrects the level and narrative only); an
 * explicit [] clears them; null is treated as omitted.
 */
import { jest } from '@jest/globals';
import { authHeader, issueTestKey } from './support/auth.js';
import { type TestApp, startTestApp } from './support/test-app.js';

jest.setTimeout(180_000);

interface Current {
  level: string;
  narrative: string;
  evidence: string[];
  indicatorComments: Array<{ indicatorKey: string; comment: string }>;
  corrections: number;
}

describe('correctAssessment keeps what it omits (e2e)', () => {
  let t: TestApp;
  let coordinator: Record<string, string>;
  let last = '0';

  async function mutate(mutation: 'assessMeasure' | 'correctAssessment', input: Record<string, unknown>) {
    const type = mutation === 'assessMeasure' ? 'AssessMeasureInput' : 'CorrectAssessmentInput';
    const res = await t.gql<Record<string, { position: string; duplicate: boolean }>>(
      `mutation ($input: ${type}!) { ${mutation}(input: $input) { position duplicate } }`,
      { input },
      coordinator,
    );
    if (res.data?.[mutation]) last = res.data[mutation].position;
    return res;
  }

  async function current(code: string): Promise<Current> {
    const res = await t.gql<{ measure: { assessment: Current } }>(
      `query ($p: String) { measure(code: "${code}") { assessment(asOf: "2024-01-15", atLeastPosition: $p) { level narrative evidence indicatorComments { indicatorKey comment } corrections } } }`,
      { p: last },
      coordinator,
    );
    expect(res.errors).toBeUndefined();
    return res.data!.measure.assessment;
  }

  beforeAll(async () => {
    t = await startTestApp();
    coordinator = authHeader(await issueTestKey(t, { role: 'COORDINATOR' }));
  });
  afterAll(async () => {
    await t.close({ removeData: true });
  });

  it('follows docs/status.md: the correction of level and narrative keeps the evidence and the indicator comment', async () => {
    const assessed = await mutate('assessMeasure', {
      measureCode: 'II.1.3',
      assessmentId: 'nacs-2024-003',
      level: 'SUBSTANTIAL',
      asOf: '2023-12-31',
      narrative: 'Ten of twelve planned trainings held',
      evidence: ['BM/1234-5/2024'],
      indicatorComments: [{ indicatorKey: 'trainings', comment: 'Two postponed to 2024' }],
    });
    expect(assessed.errors).toBeUndefined();
    const correction = {
      measureCode: 'II.1.3',
      assessmentId: 'nacs-2024-003',
      correctionId: 'nacs-2024-003-c1',
      reason: 'The last two were held on 28 December',
      level: 'COMPLETE',
      asOf: '2023-12-31',
      narrative: 'All twelve held',
    };
    const corrected = await mutate('correctAssessment', correction);
    expect(corrected.errors).toBeUndefined();
    expect(await current('II.1.3')).toEqual({
      level: 'COMPLETE',
      narrative: 'All twelve held',
      evidence: ['BM/1234-5/2024'],
      indicatorComments: [{ indicatorKey: 'trainings', comment: 'Two postponed to 2024' }],
      corrections: 1,
    });
    // A retry of the same request is answered with the first receipt.
    const retry = await mutate('correctAssessment', correction);
    expect(retry.data!.correctAssessment).toMatchObject({ duplicate: true });
    // The stored event holds the whole content in force, so a replay needs no earlier event.
    const history = await t.gql<{ assessmentHistory: Array<{ type: string; data: { evidence: string[] } }> }>(
      `{ assessmentHistory(measureCode: "II.1.3") { type data } }`,
      undefined,
      coordinator,
    );
    expect(history.data!.assessmentHistory.map((e) => [e.type, e.data.evidence])).toEqual([
      ['MeasureAssessed', ['BM/1234-5/2024']],
      ['AssessmentCorrected', ['BM/1234-5/2024']],
    ]);
  });

  it('clears with an explicit [], and null keeps like an omitted field', async () => {
    const base = { measureCode: 'II.1.3', assessmentId: 'nacs-2024-003', level: 'COMPLETE', asOf: '2023-12-31', narrative: 'All twelve held' };
    const nulls = await mutate('correctAssessment', { ...base, correctionId: 'c-null', reason: 'Wording of the narrative', narrative: 'All twelve trainings held', evidence: null, indicatorComments: null });
    expect(nulls.errors).toBeUndefined();
    expect(await current('II.1.3')).toMatchObject({ narrative: 'All twelve trainings held', evidence: ['BM/1234-5/2024'], indicatorComments: [{ indicatorKey: 'trainings' }] });
    const cleared = await mutate('correctAssessment', { ...base, correctionId: 'c-clear', reason: 'The file number was wrong', evidence: [] });
    expect(cleared.errors).toBeUndefined();
    expect(await current('II.1.3')).toMatchObject({ evidence: [], indicatorComments: [{ indicatorKey: 'trainings', comment: 'Two postponed to 2024' }], corrections: 3 });
    const commentsCleared = await mutate('correctAssessment', { ...base, correctionId: 'c-clear-2', reason: 'The comment no longer holds', indicatorComments: [] });
    expect(commentsCleared.errors).toBeUndefined();
    expect(await current('II.1.3')).toMatchObject({ evidence: [], indicatorComments: [], corrections: 4 });
  });
});
