import type { JsonObject } from '@app/event-store';
import { type StoredEvent, storedAssessmentEventViolations, storedPeriodEventViolations, storedReportEventViolations as check } from './stored-events.js';

/** The violations of an event the test knows is a report event's. */
const storedReportEventViolations = (event: StoredEvent) => check(event)!;

const training = (details: JsonObject, data: JsonObject = {}): StoredEvent => ({
  type: 'TrainingDelivered',
  stream: 'activity-police/t1',
  data: { planId: 'hu-2022-2023', measureCode: 'A.1.1', agencyId: 'police', reportId: 't1', occurredOn: '2023-05-04', details, ...data },
  metadata: { schemaVersion: 1 },
});

describe('storedReportEventViolations (the rules a stored report event keeps)', () => {
  it('reads a well-formed activity, correction and retraction, on new and legacy stream names', () => {
    expect(storedReportEventViolations(training({ title: 'x', participants: 24, days: 2 }))).toEqual([]);
    expect(storedReportEventViolations({ ...training({ title: 'x', participants: 24, days: 2 }), stream: 'activity-police-t1' })).toEqual([]);
    const ref = { planId: 'p', measureCode: 'A.1.1', agencyId: 'police', reportId: 't1', activityType: 'TrainingDelivered', reason: 'typo' };
    expect(storedReportEventViolations({ type: 'ReportCorrected', stream: 'activity-police/t1', data: { ...ref, occurredOn: '2023-05-05', details: { title: 'x', participants: 22, days: 2 } }, metadata: {} })).toEqual([]);
    expect(storedReportEventViolations({ type: 'ReportRetracted', stream: 'activity-police/t1', data: ref, metadata: {} })).toEqual([]);
  });

  it('names each field a stored event breaks, with the catalogue\'s kinds', () => {
    expect(storedReportEventViolations(training({ title: 'x', participants: 'many', days: 2 }))).toEqual([{ field: 'data.details.participants', reason: 'must be a whole number' }]);
    expect(storedReportEventViolations(training({ title: 'x', participants: 3, days: 2.5 }, { occurredOn: '2023-13-01' })).map((v) => v.field)).toEqual([
      'data.occurredOn',
      'data.details.days',
    ]);
    expect(storedReportEventViolations(training({ title: 'x', participants: 3, days: 1 }, { agencyId: 'Police' })).map((v) => v.field)).toContain('data.agencyId');
    expect(storedReportEventViolations({ type: 'ReportRetracted', stream: 'activity-police/t1', data: { planId: 'p', measureCode: 'm', agencyId: 'police', reportId: 't1', activityType: 'Nope', reason: '' }, metadata: {} }).map((v) => v.field)).toEqual([
      'data.reason',
      'data.activityType',
    ]);
  });

  it('keeps to the rules of a field\'s kind, not the plausibility rules that may have tightened since', () => {
    expect(storedReportEventViolations(training({ title: 'x', participants: 0, days: 0 }))).toEqual([]);
    expect(storedReportEventViolations(training({ title: 'x', participants: 5_000_000, days: 1 }))).toEqual([]);
  });

  it('leaves events of other owners (plans, keys, unknown types) to its caller', () => {
    expect(check({ type: 'PlanAdopted', stream: 'plan-x', data: {}, metadata: {} })).toBeUndefined();
    expect(check({ type: 'Whatever', stream: 'activity-police/t1', data: {}, metadata: {} })).toBeUndefined();
  });
});

describe('storedAssessmentEventViolations and storedPeriodEventViolations (what ledger import checks of them)', () => {
  const assessed: StoredEvent = {
    type: 'MeasureAssessed',
    stream: 'assessment-hu-2022-2023_II.1.3',
    data: { planId: 'hu-2022-2023', measureCode: 'II.1.3', assessmentId: 'a-1', level: 'SUBSTANTIAL', asOf: '2023-12-31', narrative: 'Ten of twelve held', evidence: ['BM/1'], indicatorComments: [{ indicatorKey: 'trainings', comment: 'two postponed' }] },
    metadata: { schemaVersion: 1 },
  };
  const corrected: StoredEvent = { ...assessed, type: 'AssessmentCorrected', data: { ...(assessed.data as JsonObject), correctionId: 'a-1-fix', reason: 'counted again', evidence: [], indicatorComments: [] } };
  const period = (type: string, data: JsonObject = {}, stream = 'period-hu-2022-2023/police/2023-Q2'): StoredEvent => ({
    type,
    stream,
    data: { planId: 'hu-2022-2023', agencyId: 'police', periodId: '2023-Q2', requestId: 'r-1', ...data },
    metadata: {},
  });

  it('reads what the deciders write', () => {
    expect(storedAssessmentEventViolations(assessed)).toEqual([]);
    expect(storedAssessmentEventViolations(corrected)).toEqual([]);
    expect(storedPeriodEventViolations(period('PeriodSubmitted', { measureCodes: ['II.1.3'] }))).toEqual([]);
    expect(storedPeriodEventViolations(period('PeriodApproved'))).toEqual([]);
    expect(storedPeriodEventViolations(period('PeriodReturned', { comment: 'figures missing' }))).toEqual([]);
    expect(storedPeriodEventViolations(period('PeriodReopened', { reason: 'a report was missed' }))).toEqual([]);
  });

  it('names each field that breaks the rules, and a stream that is not the event\'s own', () => {
    const bad = { ...assessed, data: { ...(assessed.data as JsonObject), level: 'DONE', asOf: '2023-02-30', evidence: 'BM/1' } };
    expect(storedAssessmentEventViolations(bad)!.map((v) => v.field)).toEqual(['data.level', 'data.asOf', 'data.evidence']);
    expect(storedAssessmentEventViolations({ ...corrected, data: { ...(corrected.data as JsonObject), reason: ' ' } })).toEqual([{ field: 'data.reason', reason: 'is required' }]);
    expect(storedAssessmentEventViolations({ ...assessed, stream: 'assessment-hu-2022-2023_II.1.4' })).toEqual([
      { field: 'stream', reason: "must be the measure's assessment stream assessment-hu-2022-2023_II.1.3 (got assessment-hu-2022-2023_II.1.4)" },
    ]);
    expect(storedPeriodEventViolations(period('PeriodReturned'))).toEqual([{ field: 'data.comment', reason: 'must be a text' }]);
    expect(storedPeriodEventViolations(period('PeriodApproved', { periodId: '2023-Q5' }, 'period-hu-2022-2023/police/2023-Q5'))).toEqual([
      { field: 'data.periodId', reason: 'is not a period id (YYYY, YYYY-Qn or YYYY-MM)' },
    ]);
    expect(storedPeriodEventViolations(period('PeriodApproved', {}, 'period-hu-2022-2023/ngo/2023-Q2'))!.map((v) => v.field)).toEqual(['stream']);
  });

  it('leave other event types to their owners', () => {
    expect(storedAssessmentEventViolations(period('PeriodApproved'))).toBeUndefined();
    expect(storedPeriodEventViolations(assessed)).toBeUndefined();
    expect(storedAssessmentEventViolations(training({ title: 'x', participants: 1, days: 1 }))).toBeUndefined();
  });
});
