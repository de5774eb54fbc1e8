import { foldProjection } from '../fold.js';
import { DEMO_PLAN_FILE, TestLog, loadTestPlan } from '../test-support.js';
import { activityProjection as agencyActivityProjection } from '../activity/activity.projection.js';
import { agencyActivity, groupsContaining, reportingAgencies } from './agency-activity.query.js';

const plan = loadTestPlan(DEMO_PLAN_FILE);

describe('agency activity projection', () => {
  it('counts reports by type and measure, the last report date and the last recording time', () => {
    const log = new TestLog();
    const police = { agencyId: 'river-city-police', measureCode: 'A.1.1' };
    const t1 = log.report('TrainingDelivered', { ...police, reportId: 't1' }, '2030-03-01', { title: 't', participants: 1, days: 1 });
    log.report('TrainingDelivered', { ...police, reportId: 't2' }, '2030-02-01', { title: 't', participants: 1, days: 1 });
    log.report('FundsDisbursed', { ...police, reportId: 'f1' }, '2030-01-01', { amount: '1', source: 'national', purpose: 'p' });
    const retraction = log.retract(t1);
    const { state } = foldProjection(agencyActivityProjection, log.events);
    const activity = agencyActivity(state, 'river-city-police', [plan]);
    expect(activity).toMatchObject({
      agencyId: 'river-city-police',
      reports: 2,
      reportsByType: [
        { type: 'FundsDisbursed', count: 1 },
        { type: 'TrainingDelivered', count: 1 },
      ],
      measuresReported: [{ planId: 'demo-2030', measureCode: 'A.1.1', reports: 2 }],
      lastReportOn: '2030-02-01',
      lastRecordedAt: retraction.metadata.recordedAt,
    });
    expect(reportingAgencies(state)).toEqual(['river-city-police']);
  });

  it('lists measures it is responsible for without a report, and partner measures separately (groups expanded)', () => {
    const log = new TestLog();
    log.report('CampaignConducted', { agencyId: 'example-ministry', measureCode: 'A.1.2', reportId: 'c1' }, '2030-03-01', { title: 'c', scope: 'LOCAL' });
    const { state } = foldProjection(agencyActivityProjection, log.events);
    const ministry = agencyActivity(state, 'example-ministry', [plan]);
    expect(ministry.responsibleWithoutReport).toEqual([
      { planId: 'demo-2030', measureCode: 'A.2.1' },
      { planId: 'demo-2030', measureCode: 'B.1.1' },
    ]);
    // B.1.1 names the coordination-forum group, which contains the police.
    const police = agencyActivity(state, 'river-city-police', [plan]);
    expect(police.responsibleWithoutReport).toEqual([{ planId: 'demo-2030', measureCode: 'A.1.1' }]);
    // A.1.2 names the ngo-roundtable, which contains the forum, which contains the police.
    expect(police.partnerWithoutReport).toEqual([
      { planId: 'demo-2030', measureCode: 'A.1.2' },
      { planId: 'demo-2030', measureCode: 'B.1.1' },
    ]);
    // A measure a coordinator assessed WITHDRAWN is no gap of anyone's.
    expect(agencyActivity(state, 'example-ministry', [plan], (planId, code) => planId === 'demo-2030' && code === 'B.1.1').responsibleWithoutReport).toEqual([
      { planId: 'demo-2030', measureCode: 'A.2.1' },
    ]);
    expect(agencyActivity(state, 'river-city-police', [plan], (_, code) => code === 'B.1.1').partnerWithoutReport).toEqual([{ planId: 'demo-2030', measureCode: 'A.1.2' }]);
    expect(police.reports).toBe(0);
    expect(police.lastReportOn).toBeUndefined();
    expect([...groupsContaining(plan, 'helping-hands')].sort()).toEqual(['coordination-forum', 'helping-hands', 'ngo-roundtable']);
  });

  it('a correction moves the report date; a retraction removes the report', () => {
    const log = new TestLog();
    const on = { agencyId: 'example-ministry', measureCode: 'A.1.2' };
    const c1 = log.report('CampaignConducted', { ...on, reportId: 'c1' }, '2030-03-01', { title: 'c', scope: 'LOCAL' });
    log.report('CampaignConducted', { ...on, reportId: 'c2' }, '2030-02-01', { title: 'c', scope: 'LOCAL' });
    log.correct(c1, '2030-01-05', { title: 'c', scope: 'NATIONAL' });
    let { state } = foldProjection(agencyActivityProjection, log.events);
    expect(agencyActivity(state, 'example-ministry', [plan]).lastReportOn).toBe('2030-02-01');
    log.retract(c1);
    ({ state } = foldProjection(agencyActivityProjection, log.events));
    expect(agencyActivity(state, 'example-ministry', [plan])).toMatchObject({ reports: 1, lastReportOn: '2030-02-01' });
  });

  it('applies each position once', () => {
    const log = new TestLog();
    log.report('CampaignConducted', { agencyId: 'example-ministry', measureCode: 'A.1.2', reportId: 'c1' }, '2030-03-01', { title: 'c', scope: 'LOCAL' });
    const once = foldProjection(agencyActivityProjection, log.events);
    const twice = foldProjection(agencyActivityProjection, log.events, once);
    expect(agencyActivity(twice.state, 'example-ministry', [plan]).reports).toBe(1);
  });
});
