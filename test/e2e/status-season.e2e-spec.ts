/**
 * A season over the shipped 2022–2023 plan with coordinators' assessments: every one of the 46
 * measures' status and reason on 2023-06-30 (mid-term), 2023-12-31 (the plan's last day, most
 * deadlines) and 2024-01-15 (after it), against a table written out by hand from docs/status.md —
 * not computed from the plan. Also: an assessment retried is stored once; a correction changes
 * the status; point-in-time shows the status before the correction; agencies read their own
 * measures only; II.3.3's 2022 money is not over-disbursed (no amount stated for 2022).
 */
import { jest } from '@jest/globals';
import { authHeader, issueTestKey } from './support/auth.js';
import { type TestApp, startTestApp } from './support/test-app.js';

jest.setTimeout(180_000);

const MOI = 'ministry-of-interior';
const PMO = 'prime-ministers-office';
const MHC = 'ministry-of-human-capacities';
const MIT = 'ministry-of-innovation-and-technology';

type Input = Record<string, unknown>;
let n = 0;
const report = (agency: string, type: string, measureCode: string, occurredOn: string, fields: Input) => ({
  agency,
  type,
  input: { measureCode, reportId: `status-${++n}`, occurredOn, ...fields },
});
const capacity = (agency: string, code: string, on: string, location: string, facilities: number, places: number) =>
  report(agency, 'CapacityCreated', code, on, { facilityKind: 'designated places', location, facilities, places });

const REPORTS = [
  report(PMO, 'CampaignConducted', 'I.1.1', '2023-03-10', { title: 'Work abroad safely', scope: 'LOCAL' }),
  report(MOI, 'MaterialProduced', 'II.1.1', '2022-05-10', { material: 'Information card', copies: 5000 }),
  report(MHC, 'StudyCompleted', 'IV.3.1', '2022-10-01', { title: 'Study on the situation of child victims' }),
  report(MOI, 'TrainingDelivered', 'II.1.3', '2023-02-14', { title: 'Victim identification at border controls', participants: 24, days: 2 }),
  report(MOI, 'TrainingDelivered', 'II.1.3', '2023-05-09', { title: 'Victim identification at border controls', participants: 30, days: 1 }),
  report(PMO, 'ProtocolAdopted', 'II.3.7', '2023-04-02', { title: 'Emergency protocol for revealed shelter addresses' }),
  capacity(PMO, 'II.3.9', '2023-03-01', 'Budapest', 1, 4),
  capacity(PMO, 'II.3.9', '2023-06-01', 'Miskolc', 1, 4),
  report(MHC, 'StudyCompleted', 'II.3.3', '2022-11-30', { title: 'Feasibility study on therapeutic care' }),
  capacity(MHC, 'II.3.3', '2023-05-01', 'Szeged', 1, 6),
  capacity(MHC, 'II.3.3', '2023-06-15', 'Pécs', 1, 6),
  report(MHC, 'FundsDisbursed', 'II.3.3', '2022-09-15', { amount: '9500000', source: 'NATIONAL', purpose: 'Feasibility study' }),
  report(MIT, 'InspectionConducted', 'III.2.2', '2023-01-20', { inspectionKind: 'labour inspection', joint: true }),
  report(MOI, 'MeetingHeld', 'I.3.2', '2023-03-05', { title: 'Online advertising working group', meetingKind: 'WORKING_GROUP' }),
];

const narrative = 'Based on the agencies’ reports and the ministry’s summary.';
const ASSESSMENTS: Input[] = [
  { measureCode: 'I.1.2', assessmentId: 'final-I.1.2', level: 'SUBSTANTIAL', asOf: '2023-12-31' },
  { measureCode: 'IV.2.2', assessmentId: 'final-IV.2.2', level: 'COMPLETE', asOf: '2022-12-31' },
  { measureCode: 'II.1.3', assessmentId: 'final-II.1.3', level: 'COMPLETE', asOf: '2023-12-31', indicatorComments: [{ indicatorKey: 'trainings', comment: 'All planned' }] },
  { measureCode: 'III.2.2', assessmentId: 'mid-III.2.2', level: 'LIMITED', asOf: '2023-06-30' },
  { measureCode: 'III.2.2', assessmentId: 'final-III.2.2', level: 'SUBSTANTIAL', asOf: '2023-12-31' },
  { measureCode: 'III.4.1', assessmentId: 'withdrawn-III.4.1', level: 'WITHDRAWN', asOf: '2023-03-01' },
  { measureCode: 'II.1.2', assessmentId: 'mid-II.1.2', level: 'NOT_STARTED', asOf: '2023-06-30' },
  { measureCode: 'I.3.2', assessmentId: 'final-I.3.2', level: 'COMPLETE', asOf: '2023-12-31' },
  { measureCode: 'II.3.2', assessmentId: 'final-II.3.2', level: 'COMPLETE', asOf: '2023-12-31', evidence: ['EMMI/2024/118'] },
  { measureCode: 'I.4.2', assessmentId: 'late-I.4.2', level: 'LIMITED', asOf: '2024-01-10' },
].map((a) => ({ narrative, ...a }));

/**
 * The expected statuses, by hand (docs/status.md). Columns: 2023-06-30, 2023-12-31, 2024-01-15.
 * Abbreviations: NS NOT_STARTED, IP IN_PROGRESS, AC ACHIEVED, OD OVERDUE, AW AWAITING_ASSESSMENT, WD WITHDRAWN.
 */
const EXPECTED = `
I.1.1   IP NO_FINISH_LINE              | IP NO_FINISH_LINE              | AW NO_FINISH_LINE
I.1.2   AW DEADLINE_BEFORE_PLAN_START  | OD ASSESSED_SUBSTANTIAL        | OD ASSESSED_SUBSTANTIAL
I.1.3   NS NO_REPORT                   | NS NO_REPORT                   | AW NO_FINISH_LINE
I.2.1   NS NO_REPORT                   | NS NO_REPORT                   | AW NO_FINISH_LINE
I.2.2   NS NO_REPORT                   | NS NO_REPORT                   | AW NO_FINISH_LINE
I.3.1   NS NO_REPORT                   | NS NO_REPORT                   | AW NO_FINISH_LINE
I.3.2   IP NO_FINISH_LINE              | IP ASSESSED_SUBSTANTIAL        | OD ASSESSED_SUBSTANTIAL
I.4.1   NS NO_REPORT                   | NS NO_REPORT                   | OD DEADLINE_PASSED
I.4.2   NS NO_REPORT                   | NS NO_REPORT                   | OD ASSESSED_LIMITED
I.5.1   NS NO_REPORT                   | NS NO_REPORT                   | AW NO_FINISH_LINE
II.1.1  AW NO_FINISH_LINE              | AW NO_FINISH_LINE              | AW NO_FINISH_LINE
II.1.2  NS ASSESSED_NOT_STARTED        | NS ASSESSED_NOT_STARTED        | OD DEADLINE_PASSED
II.1.3  IP NO_FINISH_LINE              | AC ASSESSED_COMPLETE           | AC ASSESSED_COMPLETE
II.1.4  NS NO_REPORT                   | NS NO_REPORT                   | OD DEADLINE_PASSED
II.1.5  NS NO_REPORT                   | NS NO_REPORT                   | AW NO_FINISH_LINE
II.2.1  NS NO_REPORT                   | NS NO_REPORT                   | AW NO_FINISH_LINE
II.2.2  NS NO_REPORT                   | NS NO_REPORT                   | AW NO_FINISH_LINE
II.3.1  NS NO_REPORT                   | NS NO_REPORT                   | AW NO_FINISH_LINE
II.3.2  NS NO_REPORT                   | AC ASSESSED_COMPLETE           | AC ASSESSED_COMPLETE
II.3.3  AC TARGET_MET                  | AC TARGET_MET                  | AC TARGET_MET
II.3.4  NS NO_REPORT                   | NS NO_REPORT                   | AW NO_FINISH_LINE
II.3.5  NS NO_REPORT                   | NS NO_REPORT                   | AW NO_FINISH_LINE
II.3.6  NS NO_REPORT                   | NS NO_REPORT                   | OD DEADLINE_PASSED
II.3.7  AC TARGET_MET                  | AC TARGET_MET                  | AC TARGET_MET
II.3.8  NS NO_REPORT                   | NS NO_REPORT                   | OD DEADLINE_PASSED
II.3.9  IP TARGET_NOT_MET              | IP TARGET_NOT_MET              | OD DEADLINE_PASSED
II.3.10 NS NO_REPORT                   | NS NO_REPORT                   | AW NO_FINISH_LINE
II.4.1  NS NO_REPORT                   | NS NO_REPORT                   | OD DEADLINE_PASSED
III.1.1 NS NO_REPORT                   | NS NO_REPORT                   | AW NO_FINISH_LINE
III.2.1 NS NO_REPORT                   | NS NO_REPORT                   | AW NO_FINISH_LINE
III.2.2 IP ASSESSED_LIMITED            | IP ASSESSED_SUBSTANTIAL        | OD ASSESSED_SUBSTANTIAL
III.2.3 NS NO_REPORT                   | NS NO_REPORT                   | AW NO_FINISH_LINE
III.2.4 NS NO_REPORT                   | NS NO_REPORT                   | AW NO_FINISH_LINE
III.3.1 NS NO_REPORT                   | NS NO_REPORT                   | AW NO_FINISH_LINE
III.3.2 NS NO_REPORT                   | NS NO_REPORT                   | AW NO_FINISH_LINE
III.3.3 NS NO_REPORT                   | NS NO_REPORT                   | AW NO_FINISH_LINE
III.3.4 NS NO_REPORT                   | NS NO_REPORT                   | AW NO_FINISH_LINE
III.4.1 WD ASSESSED_WITHDRAWN          | WD ASSESSED_WITHDRAWN          | WD ASSESSED_WITHDRAWN
III.4.2 NS NO_REPORT                   | NS NO_REPORT                   | AW NO_FINISH_LINE
IV.1.1  NS NO_REPORT                   | NS NO_REPORT                   | AW NO_FINISH_LINE
IV.2.1  NS NO_REPORT                   | NS NO_REPORT                   | AW NO_FINISH_LINE
IV.2.2  AC ASSESSED_COMPLETE           | AC ASSESSED_COMPLETE           | AC ASSESSED_COMPLETE
IV.3.1  OD DEADLINE_PASSED             | OD DEADLINE_PASSED             | OD DEADLINE_PASSED
IV.4.1  NS NO_REPORT                   | NS NO_REPORT                   | AW NO_FINISH_LINE
IV.5.1  NS NO_REPORT                   | NS NO_REPORT                   | AW NO_FINISH_LINE
IV.5.2  NS NO_REPORT                   | NS NO_REPORT                   | AW NO_FINISH_LINE
`;
const STATUS: Record<string, string> = { NS: 'NOT_STARTED', IP: 'IN_PROGRESS', AC: 'ACHIEVED', OD: 'OVERDUE', AW: 'AWAITING_ASSESSMENT', WD: 'WITHDRAWN' };
const DATES = ['2023-06-30', '2023-12-31', '2024-01-15'] as const;
const table = new Map(
  EXPECTED.trim()
    .split('\n')
    .map((line) => {
      const [code, ...rest] = line.trim().split(/\s+/);
      const cells = rest.join(' ').split('|').map((c) => c.trim().split(' '));
      return [code, cells.map(([s, reason]) => `${STATUS[s]} ${reason}`)] as const;
    }),
);

describe('measure statuses over a season with assessments (e2e)', () => {
  let t: TestApp;
  const agencyKeys = new Map<string, Record<string, string>>();
  let coordinator: Record<string, string>;
  let auditor: Record<string, string>;
  let last = '0';

  const errorsOf = (res: { errors?: unknown[] }) => res.errors;

  async function assess(input: Input, mutation = 'assessMeasure') {
    const res = await t.gql<Record<string, { position: string; duplicate: boolean; eventType: string; stream: string }>>(
      `mutation ($input: ${mutation === 'assessMeasure' ? 'AssessMeasureInput' : 'CorrectAssessmentInput'}!) { ${mutation}(input: $input) { position duplicate eventType stream revision } }`,
      { input },
      coordinator,
    );
    return res;
  }

  async function statuses(asOf: string, at?: string): Promise<Map<string, string>> {
    const res = await t.gql<{ plan: { pillars: Array<{ objectives: Array<{ measures: Array<{ code: string; status: string; statusReason: string }> }> }> } }>(
      `query ($asOf: String, $p: String${at ? ', $at: PointInTimeInput' : ''}) { plan(id: "hu-2022-2023") { pillars { objectives { measures {
        code status(asOf: $asOf, atLeastPosition: $p${at ? ', at: $at' : ''}) statusReason(asOf: $asOf, atLeastPosition: $p${at ? ', at: $at' : ''}) } } } } }`,
      { asOf, p: last, ...(at ? { at: { position: at } } : {}) },
      at ? auditor : coordinator,
    );
    expect(errorsOf(res)).toBeUndefined();
    const measures = res.data!.plan.pillars.flatMap((p) => p.objectives.flatMap((o) => o.measures));
    return new Map(measures.map((m) => [m.code, `${m.status} ${m.statusReason}`]));
  }

  beforeAll(async () => {
    t = await startTestApp();
    for (const agency of [MOI, PMO, MHC, MIT]) agencyKeys.set(agency, authHeader(await issueTestKey(t, { role: 'AGENCY', agencyId: agency })));
    coordinator = authHeader(await issueTestKey(t, { role: 'COORDINATOR' }));
    auditor = authHeader(await issueTestKey(t, { role: 'AUDITOR' }));
    for (const r of REPORTS) {
      const res = await t.gql<Record<string, { position: string }>>(
        `mutation ($input: Record${r.type}Input!) { record${r.type}(input: $input) { position } }`,
        { input: r.input },
        agencyKeys.get(r.agency),
      );
      if (res.errors) throw new Error(`report ${String(r.input.reportId)} refused: ${JSON.stringify(res.errors)}`);
      last = res.data![`record${r.type}`].position;
    }
  });
  afterAll(async () => {
    await t.close({ removeData: true });
  });

  it('records assessments; a retry is answered with the first receipt and stores nothing', async () => {
    for (const a of ASSESSMENTS) {
      const res = await assess(a);
      expect({ a: a.assessmentId, errors: res.errors }).toEqual({ a: a.assessmentId, errors: undefined });
      expect(res.data!.assessMeasure).toMatchObject({ duplicate: false, eventType: 'MeasureAssessed' });
      last = res.data!.assessMeasure.position;
    }
    const again = await assess(ASSESSMENTS[0]);
    expect(again.data!.assessMeasure).toMatchObject({ duplicate: true, stream: 'assessment-hu-2022-2023_I.1.2' });
    const conflict = await assess({ ...ASSESSMENTS[0], level: 'LIMITED' });
    expect(conflict.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', field: 'input.assessmentId' });
    const bad = await assess({ ...ASSESSMENTS[0], assessmentId: 'x-1', indicatorComments: [{ indicatorKey: 'nope', comment: 'c' }] });
    expect(bad.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.indicatorComments[0].indicatorKey' });
    const agency = await t.gql(`mutation { assessMeasure(input: { measureCode: "II.1.3", assessmentId: "a", level: COMPLETE, asOf: "2023-12-31", narrative: "done, we say" }) { position } }`, undefined, agencyKeys.get(MOI));
    expect(agency.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN' });
  });

  let beforeCorrection = '0';
  it('corrects I.3.2’s final assessment from COMPLETE to SUBSTANTIAL, keeping the original in the history', async () => {
    beforeCorrection = last;
    const res = await assess(
      { ...ASSESSMENTS.find((a) => a.assessmentId === 'final-I.3.2')!, level: 'SUBSTANTIAL', correctionId: 'c-1', reason: 'The providers’ code of conduct was not signed' },
      'correctAssessment',
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.correctAssessment).toMatchObject({ eventType: 'AssessmentCorrected', duplicate: false });
    last = res.data!.correctAssessment.position;
    const history = await t.gql<{ assessmentHistory: Array<{ type: string; data: { level: string } }> }>(
      `{ assessmentHistory(measureCode: "I.3.2") { type data } }`,
      undefined,
      coordinator,
    );
    expect(history.data!.assessmentHistory.map((e) => [e.type, e.data.level])).toEqual([
      ['MeasureAssessed', 'COMPLETE'],
      ['AssessmentCorrected', 'SUBSTANTIAL'],
    ]);
    const current = await t.gql<{ measure: { assessments: Array<{ level: string; corrections: number }> } }>(
      `query ($p: String) { measure(code: "I.3.2") { assessments(atLeastPosition: $p) { level corrections } } }`,
      { p: last },
      coordinator,
    );
    expect(current.data!.measure.assessments).toEqual([{ level: 'SUBSTANTIAL', corrections: 1 }]);
  });

  it.each(DATES.map((d, i) => [d, i] as const))('gives every one of the 46 measures the status and reason of the table on %s', async (asOf, column) => {
    const actual = await statuses(asOf);
    expect(actual.size).toBe(46);
    const expected = new Map([...table].map(([code, cells]) => [code, cells[column]]));
    expect(Object.fromEntries(actual)).toEqual(Object.fromEntries(expected));
  });

  it('point in time: before the correction, I.3.2 was ACHIEVED on 2024-01-15', async () => {
    const then = await statuses('2024-01-15', beforeCorrection);
    expect(then.get('I.3.2')).toBe('ACHIEVED ASSESSED_COMPLETE');
  });

  it('planProgress counts by status and reason, and says which measures its mean is over', async () => {
    const res = await t.gql<{ planProgress: Record<string, unknown> & { byReason: Array<{ reason: string; measures: number }> } }>(
      `query ($p: String) { planProgress(planId: "hu-2022-2023", asOf: "2024-01-15", atLeastPosition: $p) {
        measures byStatus { notStarted inProgress achieved overdue awaitingAssessment withdrawn }
        byReason { reason measures } measuresWithProgress progressMeasureCodes } }`,
      { p: last },
      coordinator,
    );
    expect(res.errors).toBeUndefined();
    const column = [...table.values()].map((cells) => cells[2]);
    const count = (status: string) => column.filter((c) => c.startsWith(`${status} `)).length;
    expect(res.data!.planProgress).toMatchObject({
      measures: 46,
      byStatus: {
        notStarted: count('NOT_STARTED'),
        inProgress: count('IN_PROGRESS'),
        achieved: count('ACHIEVED'),
        overdue: count('OVERDUE'),
        awaitingAssessment: count('AWAITING_ASSESSMENT'),
        withdrawn: count('WITHDRAWN'),
      },
      // The 12 measures with a finish line, less III.4.1, assessed WITHDRAWN: no longer to be delivered.
      measuresWithProgress: 11,
    });
    expect(res.data!.planProgress.progressMeasureCodes).toEqual(['I.4.1', 'II.1.2', 'II.1.4', 'II.3.2', 'II.3.3', 'II.3.6', 'II.3.7', 'II.3.8', 'II.3.9', 'II.4.1', 'IV.3.1']);
    const reasons = Object.fromEntries(res.data!.planProgress.byReason.map((r) => [r.reason, r.measures]));
    const expectedReasons: Record<string, number> = {};
    for (const cell of column) expectedReasons[cell.split(' ')[1]] = (expectedReasons[cell.split(' ')[1]] ?? 0) + 1;
    expect(reasons).toEqual(expectedReasons);
  });

  it('II.3.3: 9.5 M HUF paid in 2022, when the plan funds the study with no amount stated, is not over-disbursed', async () => {
    const res = await t.gql<{ measure: { fundingStatus: Record<string, unknown> } }>(
      `query ($p: String) { measure(code: "II.3.3") { fundingStatus(atLeastPosition: $p) { overDisbursed unstatedYears years { year allocated disbursed hasAllocation allocationUnstated overDisbursed } } } }`,
      { p: last },
      coordinator,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.measure.fundingStatus).toEqual({
      overDisbursed: false,
      unstatedYears: [2022],
      years: [
        { year: 2022, allocated: '0', disbursed: '9500000', hasAllocation: true, allocationUnstated: true, overDisbursed: false },
        { year: 2023, allocated: '220000000', disbursed: '0', hasAllocation: true, allocationUnstated: false, overDisbursed: false },
      ],
    });
  });

  it('an agency reads the progress of the measures it is responsible for or a partner of, and of no other', async () => {
    const q = `query ($code: String!, $p: String) { measure(code: $code) { code status(asOf: "2024-01-15", atLeastPosition: $p) statusReason(asOf: "2024-01-15") indicatorValues { key exactValue } assessments { level } } }`;
    const own = await t.gql<{ measure: { status: string; indicatorValues: Array<{ exactValue: string }> } }>(q, { code: 'II.3.9', p: last }, agencyKeys.get(PMO));
    expect(own.errors).toBeUndefined();
    expect(own.data!.measure).toMatchObject({ status: 'OVERDUE', statusReason: 'DEADLINE_PASSED', indicatorValues: [{ key: 'halfwayHouses', exactValue: '2' }] });
    const other = await t.gql(q, { code: 'II.3.9', p: last }, agencyKeys.get(MIT));
    expect(other.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', rule: 'agency-reads-assigned-measures-only' });
    // The plan itself stays readable; the roll-ups over every measure are the coordinators'.
    const plan = await t.gql(`{ planProgress(planId: "hu-2022-2023") { measures } }`, undefined, agencyKeys.get(PMO));
    expect(plan.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN' });
  });

  it('byPeriod over reporting years starting on 1 April, and over any list of whole-month ranges', async () => {
    const q = `query ($y: String, $r: [PeriodRangeInput!]) { measure(code: "II.1.3") { indicatorValues { key byPeriod(yearStartsOn: $y, ranges: $r) { period exactValue } } } }`;
    const tip = await t.gql<{ measure: { indicatorValues: Array<{ key: string; byPeriod: unknown[] }> } }>(q, { y: '04-01' }, coordinator);
    expect(tip.errors).toBeUndefined();
    expect(tip.data!.measure.indicatorValues.find((i) => i.key === 'participants')!.byPeriod).toEqual([
      { period: '2022-04-01/2023-03-31', exactValue: '24' },
      { period: '2023-04-01/2024-03-31', exactValue: '30' },
    ]);
    const ranges = await t.gql<{ measure: { indicatorValues: Array<{ key: string; byPeriod: unknown[] }> } }>(
      q,
      { r: [{ from: '2023-01-01', to: '2023-06-30', label: 'H1 2023' }, { from: '2023-05-01', to: '2023-05-31' }] },
      coordinator,
    );
    expect(ranges.data!.measure.indicatorValues.find((i) => i.key === 'participants')!.byPeriod).toEqual([
      { period: 'H1 2023', exactValue: '54' },
      { period: '2023-05-01/2023-05-31', exactValue: '30' },
    ]);
    const bad = await t.gql(q, { r: [{ from: '2023-01-01', to: '2023-06-15' }] }, coordinator);
    expect(bad.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'ranges[0].to' });
    const badYear = await t.gql(q, { y: '04-15' }, coordinator);
    expect(badYear.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'yearStartsOn' });
  });

  it('reports: what was done, with current details, status and corrections; an agency gets its own, and no other agency’s', async () => {
    const moi = agencyKeys.get(MOI)!;
    const extra = await t.gql<{ recordTrainingDelivered: { position: string } }>(
      `mutation { recordTrainingDelivered(input: { measureCode: "II.1.3", reportId: "status-extra", occurredOn: "2023-06-01", title: "Duplicate entry", participants: 3, days: 1 }) { position } }`,
      undefined,
      moi,
    );
    expect(extra.errors).toBeUndefined();
    const corrected = await t.gql<{ correctTrainingDelivered: { position: string } }>(
      `mutation { correctTrainingDelivered(input: { reportId: "status-4", requestId: "status-4-fix-1", reason: "Two did not attend", title: "Victim identification at border controls", participants: 22, days: 2 }) { position } }`,
      undefined,
      moi,
    );
    expect(corrected.errors).toBeUndefined();
    const retracted = await t.gql<{ retractReport: { position: string } }>(`mutation { retractReport(input: { reportId: "status-extra", requestId: "status-extra-withdraw", reason: "Entered twice" }) { position } }`, undefined, moi);
    expect(retracted.errors).toBeUndefined();
    last = retracted.data!.retractReport.position;

    const q = `query ($f: ReportFilterInput, $first: Int, $after: String, $p: String) { reports(filter: $f, first: $first, after: $after, atLeastPosition: $p) {
      totalCount pageInfo { hasNextPage endCursor } edges { node { measureCode agencyId reportId eventType occurredOn details status corrections } } } }`;
    type Page = { reports: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string }; edges: Array<{ node: Record<string, unknown> }> } };
    const coord = await t.gql<Page>(q, { f: { measureCode: 'II.1.3' }, p: last }, coordinator);
    expect(coord.errors).toBeUndefined();
    expect(coord.data!.reports.edges.map((e) => e.node)).toEqual([
      expect.objectContaining({ reportId: 'status-4', occurredOn: '2023-02-14', status: 'ACTIVE', corrections: 1, details: { title: 'Victim identification at border controls', participants: 22, days: 2 } }),
      expect.objectContaining({ reportId: 'status-5', status: 'ACTIVE', corrections: 0 }),
      expect.objectContaining({ reportId: 'status-extra', status: 'RETRACTED', corrections: 0 }),
    ]);
    const active = await t.gql<Page>(q, { f: { status: 'ACTIVE', occurredFrom: '2023-01-01', occurredTo: '2023-03-31', eventType: 'TrainingDelivered' }, p: last }, auditor);
    expect(active.data!.reports.edges.map((e) => e.node.reportId)).toEqual(['status-4']);
    // Pages in recording order.
    const one = await t.gql<Page>(q, { first: 10, p: last }, coordinator);
    expect(one.data!.reports).toMatchObject({ totalCount: REPORTS.length + 1, pageInfo: { hasNextPage: true } });
    const two = await t.gql<Page>(q, { first: 10, after: one.data!.reports.pageInfo.endCursor }, coordinator);
    expect(two.data!.reports.edges.map((e) => e.node.reportId)).toEqual(['status-11', 'status-12', 'status-13', 'status-14', 'status-extra']);
    // An agency: its own reports only, through the same query.
    const own = await t.gql<Page>(q, { p: last }, agencyKeys.get(PMO));
    expect(new Set(own.data!.reports.edges.map((e) => e.node.agencyId))).toEqual(new Set([PMO]));
    expect(own.data!.reports.totalCount).toBe(REPORTS.filter((r) => r.agency === PMO).length);
    const others = await t.gql(q, { f: { agencyId: MOI } }, agencyKeys.get(PMO));
    expect(others.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', rule: 'agency-reads-own-reports-only' });
    const badCursor = await t.gql(q, { after: 'nope' }, coordinator);
    expect(badCursor.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });
});
