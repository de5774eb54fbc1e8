/**
 * A realistic reporting season over the real 2022–2023 plan: seven agencies, 34 reports on 12
 * measures, a duplicate retry, a correction and a retraction, and a server restart in the
 * middle. Every indicator value, status and funding figure is asserted exactly, before and
 * after another restart.
 */
import { authHeader, issueTestKey } from './support/auth.js';
import { MOI, NPH, PMO, BAPTIST, MHC, MIT, MOJ, type Report, reportBuilders } from './support/season.js';
import { type TestApp, startTestApp } from './support/test-app.js';

const { r, training, capacity, funds } = reportBuilders('season');

/** The first half of the season: before the server restarts. */
const FIRST: Report[] = [
  training(MOI, '2023-02-14', 24, 2),
  training(MOI, '2023-03-21', 18),
  training(MOI, '2023-05-09', 30),
  training(NPH, '2023-05-30', 15),
  capacity(PMO, 'II.3.9', '2023-03-01', 'Budapest', 1, 4),
  capacity(PMO, 'II.3.9', '2023-06-01', 'Miskolc', 1, 4),
  capacity(BAPTIST, 'II.3.9', '2023-07-03', 'Pécs', 1, 4),
  funds(PMO, 'II.3.9', '2023-04-10', '12000000'),
  r(MHC, 'StudyCompleted', 'II.3.3', '2022-11-30', { title: 'Feasibility study on therapeutic care' }),
  capacity(MHC, 'II.3.3', '2023-09-01', 'Szeged', 1, 6),
  funds(MHC, 'II.3.3', '2023-03-15', '132000000'),
  funds(MHC, 'II.3.3', '2023-08-15', '88000000'),
  funds(MHC, 'II.3.3', '2023-09-15', '1'),
  capacity(MHC, 'II.3.8', '2023-02-01', 'Pécs', 0, 5),
  capacity(MHC, 'II.3.8', '2023-04-01', 'Győr', 0, 5),
  capacity(MHC, 'II.3.8', '2023-05-01', 'Pécs', 0, 5),
  r(MHC, 'VictimPlaced', 'II.3.8', '2023-06-12', { victims: 2, facility: 'Old people’s home, Pécs' }),
];

/** The second half: after the restart. */
const SECOND: Report[] = [
  r(MIT, 'InspectionConducted', 'III.2.2', '2023-01-20', { inspectionKind: 'labour inspection', joint: true }),
  r(MIT, 'InspectionConducted', 'III.2.2', '2023-04-20', { inspectionKind: 'labour inspection', joint: true }),
  r(MIT, 'InspectionConducted', 'III.2.2', '2023-10-20', { inspectionKind: 'labour inspection', joint: true }),
  // Not joint: reported on the measure, not counted by its indicator (number of joint inspections).
  r(MIT, 'InspectionConducted', 'III.2.2', '2023-07-20', { inspectionKind: 'labour inspection', joint: false }),
  r(MOJ, 'MeetingHeld', 'I.3.2', '2022-10-05', { title: 'Online advertising working group', meetingKind: 'WORKING_GROUP' }),
  r(MOJ, 'MeetingHeld', 'I.3.2', '2023-03-05', { title: 'Online advertising working group', meetingKind: 'WORKING_GROUP' }),
  r(MOI, 'MeetingHeld', 'IV.4.1', '2022-06-15', { title: 'NGO Roundtable', meetingKind: 'ROUND_TABLE' }),
  r(MOI, 'MeetingHeld', 'IV.4.1', '2022-12-15', { title: 'NGO Roundtable', meetingKind: 'ROUND_TABLE' }),
  r(MOI, 'MaterialProduced', 'II.1.1', '2022-05-10', { material: 'Information card', copies: 5000 }),
  r(MOI, 'MaterialProduced', 'II.1.1', '2022-09-10', { material: 'Information card (reprint)', copies: 3000 }),
  r(MOI, 'PublicationIssued', 'IV.1.1', '2022-06-30', { title: 'Belügyi Szemle thematic issue', publications: 9 }),
  r(PMO, 'ProtocolAdopted', 'II.3.7', '2023-11-02', { title: 'Emergency protocol for revealed shelter addresses' }),
  r(MOJ, 'LegalConsultationProvided', 'II.3.4', '2023-02-02', { consultations: 4 }),
  r(MOJ, 'LegalConsultationProvided', 'II.3.4', '2023-08-02', { consultations: 6 }),
  capacity(MHC, 'I.1.3', '2023-05-05', 'Szeged', 1, 0),
  capacity(MHC, 'I.1.3', '2023-10-05', 'Debrecen', 1, 0),
  funds(MHC, 'I.1.3', '2023-06-30', '70000000'),
];

const RECEIPT = 'eventId position duplicate';
const MEASURE = `
  code status(asOf: $asOf) progress reportCount
  indicatorValues(atLeastPosition: $at) { key exactValue target progress achieved byAgency { agencyId exactValue } }
  fundingStatus { allocated disbursed overDisbursed }`;

interface IndicatorValue {
  key: string;
  exactValue: string;
  target: number | null;
  progress: number | null;
  achieved: boolean | null;
  byAgency: Array<{ agencyId: string; exactValue: string }>;
}
interface MeasureView {
  code: string;
  status: string;
  progress: number | null;
  reportCount: number;
  indicatorValues: IndicatorValue[];
  fundingStatus: { allocated: string; disbursed: string; overDisbursed: boolean };
}

describe('a reporting season (e2e)', () => {
  let t: TestApp;
  let dataDir: string;
  const keys = new Map<string, string>();
  let lastPosition = '0';
  let coordinator: Record<string, string>;

  async function record(report: Report): Promise<{ eventId: string; position: string; duplicate: boolean }> {
    const res = await t.gql<Record<string, { eventId: string; position: string; duplicate: boolean }>>(
      `mutation ($input: Record${report.type}Input!) { record${report.type}(input: $input) { ${RECEIPT} } }`,
      { input: report.input },
      authHeader(keys.get(report.agency)!),
    );
    expect({ report: report.input.reportId, errors: res.errors }).toEqual({ report: report.input.reportId, errors: undefined });
    const receipt = res.data![`record${report.type}`];
    lastPosition = receipt.position;
    return receipt;
  }

  async function measure(code: string, asOf = '2023-06-30'): Promise<MeasureView> {
    const res = await t.gql<{ measure: MeasureView }>(
      `query ($code: String!, $asOf: String, $at: String) { measure(code: $code) { ${MEASURE} } }`,
      { code, asOf, at: lastPosition },
      coordinator,
    );
    expect(res.errors).toBeUndefined();
    return res.data!.measure;
  }

  const values = (m: MeasureView) => Object.fromEntries(m.indicatorValues.map((i) => [i.key, i.exactValue]));

  beforeAll(async () => {
    t = await startTestApp();
    dataDir = t.dataDir;
    for (const agency of [MOI, NPH, PMO, BAPTIST, MHC, MIT, MOJ]) keys.set(agency, await issueTestKey(t, { role: 'AGENCY', agencyId: agency }));
    coordinator = authHeader(await issueTestKey(t, { role: 'COORDINATOR' }));
  });
  afterAll(async () => {
    await t.close({ removeData: true });
  });

  it('records the first half, with a duplicate retry that counts once', async () => {
    const receipts = [];
    for (const report of FIRST) receipts.push(await record(report));
    expect(receipts.every((x) => !x.duplicate)).toBe(true);
    const retry = await record(FIRST[0]);
    expect(retry).toEqual({ ...receipts[0], duplicate: true });
    expect(values(await measure('II.1.3'))).toEqual({ trainings: '4', participants: '87' });
  });

  it('corrects and retracts', async () => {
    const correction = await t.gql<{ correctTrainingDelivered: { position: string } }>(
      `mutation ($input: CorrectTrainingDeliveredInput!) { correctTrainingDelivered(input: $input) { position } }`,
      { input: { reportId: FIRST[1].input.reportId, requestId: `${String(FIRST[1].input.reportId)}-fix`, title: 'Victim identification at border controls', participants: 20, days: 1, reason: 'Late sign-in sheet: 20 attended' } },
      authHeader(keys.get(MOI)!),
    );
    expect(correction.errors).toBeUndefined();
    const retraction = await t.gql<{ retractReport: { position: string } }>(
      `mutation ($input: RetractReportInput!) { retractReport(input: $input) { position } }`,
      { input: { reportId: FIRST[15].input.reportId, requestId: `${String(FIRST[15].input.reportId)}-withdraw`, reason: 'The Pécs places were reported twice' } },
      authHeader(keys.get(MHC)!),
    );
    expect(retraction.errors).toBeUndefined();
    lastPosition = retraction.data!.retractReport.position;
  });

  it('survives a restart in the middle of the season', async () => {
    await t.close();
    t = await startTestApp({ dataDir });
    for (const report of SECOND) await record(report);
  });

  /** The figures the whole season must give, whatever restarts happened. */
  async function expectSeasonFigures(): Promise<void> {
    const training = await measure('II.1.3');
    expect(values(training)).toEqual({ trainings: '4', participants: '89' });
    expect(training.indicatorValues.find((i) => i.key === 'participants')!.byAgency).toEqual(
      expect.arrayContaining([
        { agencyId: MOI, exactValue: '74' },
        { agencyId: NPH, exactValue: '15' },
      ]),
    );
    expect(training.status).toBe('IN_PROGRESS');
    expect(training.reportCount).toBe(4);
    // No target: after the deadline only a coordinator's assessment can tell (docs/status.md).
    expect((await measure('II.1.3', '2024-01-15')).status).toBe('AWAITING_ASSESSMENT');

    const halfway = await measure('II.3.9');
    expect(values(halfway)).toEqual({ halfwayHouses: '3' });
    // The status on 30 June counts the reports dated by then: the Pécs house opened on 3 July.
    expect(halfway.status).toBe('IN_PROGRESS');
    expect((await measure('II.3.9', '2023-07-03')).status).toBe('ACHIEVED');
    expect(halfway.progress).toBe(100);
    expect(halfway.fundingStatus).toEqual({ allocated: '12000000', disbursed: '12000000', overDisbursed: false });

    const children = await measure('II.3.3');
    expect(values(children)).toEqual({ feasibilityStudy: '1', facilities: '1', places: '6' });
    expect(children.indicatorValues.map((i) => [i.key, i.progress])).toEqual([
      ['feasibilityStudy', 100],
      ['facilities', 50],
      ['places', 50],
    ]);
    expect(children.status).toBe('IN_PROGRESS');
    expect(children.fundingStatus).toEqual({ allocated: '220000000', disbursed: '220000001', overDisbursed: true });

    const elderly = await measure('II.3.8');
    expect(values(elderly)).toEqual({ places: '10', locations: '2', victimsPlaced: '2' });
    expect(elderly.status).toBe('IN_PROGRESS');
    expect(elderly.fundingStatus).toEqual({ allocated: '51000000', disbursed: '0', overDisbursed: false });

    const inspections = await measure('III.2.2');
    expect(values(inspections)).toEqual({ jointInspections: '3' });
    expect(inspections.reportCount).toBe(4);
    expect(values(await measure('I.3.2'))).toEqual({ meetings: '2' });
    expect(values(await measure('IV.4.1'))).toEqual({ meetings: '2' });
    expect(values(await measure('II.1.1'))).toEqual({ informationCards: '8000' });
    expect(values(await measure('IV.1.1'))).toEqual({ publications: '9' });
    const protocol = await measure('II.3.7');
    expect(values(protocol)).toEqual({ protocol: '1' });
    // Adopted on 2 November: not yet on 30 June.
    expect(protocol.status).toBe('NOT_STARTED');
    expect((await measure('II.3.7', '2023-11-02')).status).toBe('ACHIEVED');
    expect(values(await measure('II.3.4'))).toEqual({ consultations: '10' });
    const barnahus = await measure('I.1.3');
    expect(values(barnahus)).toEqual({ newLocations: '2' });
    expect(barnahus.fundingStatus).toEqual({ allocated: '70000000', disbursed: '70000000', overDisbursed: false });
    // Nobody reported on II.1.2 yet.
    expect((await measure('II.1.2')).status).toBe('NOT_STARTED');

    const summary = await t.gql<{ fundingSummary: { allocated: string; disbursed: string; overDisbursedMeasures: string[]; budgetPoints: Array<{ id: string; measureCodes: string[]; years: Array<{ year: number; amount: string; allocated: string; disbursed: string; overDisbursed: boolean }> }> } }>(
      'query ($at: String) { fundingSummary(planId: "hu-2022-2023", year: 2023, atLeastPosition: $at) { allocated disbursed overDisbursedMeasures budgetPoints { id measureCodes years { year amount allocated disbursed overDisbursed } } } }',
      { at: lastPosition },
      coordinator,
    );
    expect(summary.errors).toBeUndefined();
    expect(summary.data!.fundingSummary).toMatchObject({ allocated: '353000000', disbursed: '302000001', overDisbursedMeasures: ['II.3.3'] });
    const points = Object.fromEntries(summary.data!.fundingSummary.budgetPoints.map((p) => [p.id, p]));
    // Point 3a of the decision: HUF 341M for 2023 over I.1.3, II.3.3 and II.3.8.
    expect(points['3a'].measureCodes.sort()).toEqual(['I.1.3', 'II.3.3', 'II.3.8']);
    expect(points['3a'].years).toEqual([{ year: 2023, amount: '341000000', allocated: '341000000', disbursed: '290000001', overDisbursed: false }]);
    expect(points['3b'].years).toEqual([{ year: 2023, amount: '12000000', allocated: '12000000', disbursed: '12000000', overDisbursed: false }]);

    const activity = await t.gql<{ agencyActivity: { reports: number; lastReportOn: string; measuresReported: Array<{ measureCode: string }> } }>(
      `query ($at: String) { agencyActivity(agencyId: "${MHC}", atLeastPosition: $at) { reports lastReportOn measuresReported { measureCode } } }`,
      { at: lastPosition },
      coordinator,
    );
    expect(activity.errors).toBeUndefined();
    // 12 reports recorded, one retracted.
    expect(activity.data!.agencyActivity.reports).toBe(11);
    expect(activity.data!.agencyActivity.lastReportOn).toBe('2023-10-05');
    expect(activity.data!.agencyActivity.measuresReported.map((m) => m.measureCode).sort()).toEqual(['I.1.3', 'II.3.3', 'II.3.8']);
  }

  it('gives every indicator value, status and funding figure exactly', async () => {
    await expectSeasonFigures();
  });

  it('gives the same figures after another restart', async () => {
    await t.close();
    t = await startTestApp({ dataDir });
    await expectSeasonFigures();
  });
});
