import { foldProjection } from '../fold.js';
import { TestLog } from '../test-support.js';
import { listReports, reportListProjection } from './report-list.projection.js';

describe('report list: what was done, report by report', () => {
  const log = new TestLog();
  const t1 = log.report('TrainingDelivered', { agencyId: 'police', measureCode: 'A.1.1', reportId: 't1' }, '2030-03-01', { title: 'Border', participants: 10, days: 1 });
  const t2 = log.report('TrainingDelivered', { agencyId: 'police', measureCode: 'A.1.1', reportId: 't2' }, '2030-04-01', { title: 'Airport', participants: 5, days: 1 });
  log.report('CampaignConducted', { agencyId: 'ministry', measureCode: 'A.1.2', reportId: 'c1' }, '2030-05-01', { title: 'Work abroad safely', scope: 'LOCAL' });
  log.correct(t1, '2030-03-02', { title: 'Border police', participants: 12, days: 1 });
  log.correct(t1, '2030-03-02', { title: 'Border police', participants: 11, days: 1 });
  log.retract(t2);
  // A correction after the retraction changes nothing.
  log.correct(t2, '2030-04-01', { title: 'x', participants: 1, days: 1 });
  const { state } = foldProjection(reportListProjection, log.events);

  it('keeps each report’s current details, status and number of corrections, in recording order', () => {
    const page = listReports(state, {}, 10);
    expect(page.reports.map((r) => [r.reportId, r.type, r.occurredOn, r.details.title, r.status, r.corrections])).toEqual([
      ['t1', 'TrainingDelivered', '2030-03-02', 'Border police', 'ACTIVE', 2],
      ['t2', 'TrainingDelivered', '2030-04-01', 'Airport', 'RETRACTED', 0],
      ['c1', 'CampaignConducted', '2030-05-01', 'Work abroad safely', 'ACTIVE', 0],
    ]);
    expect(page.reports[1].retractionReason).toBe('reported in error');
  });

  it('filters by measure, agency, type, business dates and status, and pages', () => {
    const ids = (f: Parameters<typeof listReports>[1]) => listReports(state, f, 10).reports.map((r) => r.reportId);
    expect(ids({ measureCode: 'A.1.1' })).toEqual(['t1', 't2']);
    expect(ids({ agencyId: 'ministry' })).toEqual(['c1']);
    expect(ids({ eventType: 'CampaignConducted' })).toEqual(['c1']);
    expect(ids({ occurredFrom: '2030-03-03', occurredTo: '2030-04-30' })).toEqual(['t2']);
    expect(ids({ status: 'ACTIVE' })).toEqual(['t1', 'c1']);
    const first = listReports(state, {}, 2);
    expect(first).toMatchObject({ totalCount: 3, hasNextPage: true });
    const next = listReports(state, {}, 2, BigInt(first.reports[1].position));
    expect(next.reports.map((r) => r.reportId)).toEqual(['c1']);
    expect(next.hasNextPage).toBe(false);
  });
});
