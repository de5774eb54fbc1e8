import type { JsonObject } from '@app/event-store';
import { type StoredEvent, storedReportEventViolations as check } from './stored-events.js';

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
