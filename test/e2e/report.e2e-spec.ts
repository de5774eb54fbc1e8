/**
 * The implementation report over HTTP: a season seeded through the GraphQL API (reports, a
 * correction, a retraction), then GET /reports/implementation in every format, read back (the
 * XLSX with exceljs, the CSV with csv-parse, the DOCX unzipped with jszip) and its figures
 * compared with what GraphQL answers for the same ledger: indicator values to date and by
 * month, statuses and their reasons, the assessment in force, money (an allocation without a
 * stated amount says "not stated"), the chain head (verifyLedger) and a point in time (`at`).
 */
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { parse } from 'csv-parse/sync';
import { FUNDING_SOURCE_LABEL, LEVEL_LABEL, STATUS_LABEL, STATUS_REASON_LABEL } from '@app/projections';
import { authHeader, issueTestKey } from './support/auth.js';
import { PLAN, MOI, NPH, PMO, MHC, MIT, MOJ, type Input, type Report, recordReport, reportBuilders } from './support/season.js';
import { type TestApp, startTestApp } from './support/test-app.js';

const { r, training, capacity, funds } = reportBuilders('rep');

/** Before the point in time the auditor asks about. */
const FIRST: Report[] = [
  training(MOI, '2023-02-14', 24),
  training(MOI, '2023-03-21', 18), // corrected to 20 below
  training(MOI, '2023-05-09', 30),
  training(NPH, '2023-05-30', 15),
  capacity(PMO, 'II.3.9', '2023-03-01', 'Budapest', 1, 4),
  capacity(PMO, 'II.3.9', '2023-06-01', 'Miskolc', 1, 4),
  funds(PMO, 'II.3.9', '2023-04-10', '12000000'),
  r(MHC, 'StudyCompleted', 'II.3.3', '2022-11-30', { title: 'Feasibility study on therapeutic care' }),
  funds(MHC, 'II.3.3', '2023-03-15', '132000000'),
  capacity(MHC, 'II.3.8', '2023-02-01', 'Pécs', 0, 5),
  capacity(MHC, 'II.3.8', '2023-04-01', 'Győr', 0, 5),
  capacity(MHC, 'II.3.8', '2023-05-01', 'Pécs', 0, 5), // retracted below
];
/** After it. */
const SECOND: Report[] = [
  r(MIT, 'InspectionConducted', 'III.2.2', '2023-01-20', { inspectionKind: 'labour inspection', joint: true }),
  r(MIT, 'InspectionConducted', 'III.2.2', '2022-07-20', { inspectionKind: 'labour inspection', joint: false }),
  r(MIT, 'InspectionConducted', 'III.2.2', '2023-04-20', { inspectionKind: 'labour inspection', joint: true }),
  r(MOJ, 'MeetingHeld', 'I.3.2', '2022-10-05', { title: 'Online advertising working group', meetingKind: 'WORKING_GROUP' }),
  training(MOI, '2022-04-01', 7), // the first day of the US TIP year 2023
  training(MOI, '2022-03-31', 9), // the day before it
];

/** The US Trafficking in Persons reporting year ending 31 March 2023. */
const TIP = { from: '2022-04-01', to: '2023-03-31' };

/** An exceljs cell value as text (numbers and strings are all the report writes). */
const text = (value: unknown): string => (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : '');
/** The calendar day of a date cell (UTC midnight, as the report writes it); anything but a Date fails. */
const day = (value: unknown): string => {
  if (!(value instanceof Date)) throw new Error(`not a date cell: ${JSON.stringify(value)}`);
  return value.toISOString().slice(0, 10);
};

interface Row {
  [column: string]: string;
}

describe('implementation report (e2e)', () => {
  let t: TestApp;
  const keys = new Map<string, string>();
  let coordinator: Record<string, string>;
  let auditor: Record<string, string>;
  let midpoint = '';
  let period = { from: '', to: '' };

  const get = (query: Record<string, string>, headers: Record<string, string> = coordinator) =>
    fetch(`${t.url.replace(/\/graphql$/, '')}/reports/implementation?${new URLSearchParams(query)}`, { headers });

  async function download(query: Record<string, string>, headers: Record<string, string> = coordinator): Promise<{ body: Buffer; response: Response }> {
    const response = await get(query, headers);
    const body = Buffer.from(await response.arrayBuffer());
    expect({ status: response.status, body: response.status === 200 ? '' : body.toString() }).toEqual({ status: 200, body: '' });
    return { body, response };
  }

  async function gql<T>(query: string, variables: Record<string, unknown> = {}, headers = coordinator): Promise<T> {
    const res = await t.gql<T>(query, variables, headers);
    expect(res.errors).toBeUndefined();
    return res.data!;
  }

  async function assess(mutation: 'assessMeasure' | 'correctAssessment', input: Input): Promise<string> {
    const type = mutation === 'assessMeasure' ? 'AssessMeasureInput' : 'CorrectAssessmentInput';
    const data = await gql<Record<string, { position: string }>>(`mutation ($input: ${type}!) { ${mutation}(input: $input) { position } }`, { input });
    return data[mutation].position;
  }

  const record = (report: Report): Promise<string> => recordReport(t, report, authHeader(keys.get(report.agency)!));

  /** The CSV as rows keyed by measure/indicator key. */
  function csvRows(body: Buffer): Map<string, Row> {
    const rows = parse(body.toString('utf8'), { columns: true }) as Row[];
    return new Map(rows.map((row) => [`${row.measure}/${row.indicatorKey}`, row]));
  }

  /** The pillar sheets of the XLSX as rows keyed by measure/indicator key, cell values by header. */
  async function xlsxRows(body: Buffer): Promise<{ workbook: ExcelJS.Workbook; rows: Map<string, Record<string, unknown>> }> {
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(body as unknown as ArrayBuffer);
    const rows = new Map<string, Record<string, unknown>>();
    for (const sheet of workbook.worksheets.filter((s) => s.name.startsWith('Pillar '))) {
      const headers = (sheet.getRow(1).values as unknown[]).map(text);
      sheet.eachRow((row, index) => {
        if (index === 1) return;
        const values = row.values as unknown[];
        const record = Object.fromEntries(headers.map((h, i) => [h, values[i]]).filter(([h]) => h !== ''));
        if (record.Measure) rows.set(`${String(record.Measure)}/${String(record['Indicator key'] ?? '')}`, record);
      });
    }
    return { workbook, rows };
  }

  beforeAll(async () => {
    t = await startTestApp();
    for (const agency of [MOI, NPH, PMO, MHC, MIT, MOJ]) keys.set(agency, await issueTestKey(t, { role: 'AGENCY', agencyId: agency }));
    coordinator = authHeader(await issueTestKey(t, { role: 'COORDINATOR' }));
    auditor = authHeader(await issueTestKey(t, { role: 'AUDITOR' }));
    for (const report of FIRST) await record(report);
    // Before the point in time: II.1.3 judged as of the TIP year's end; after it, corrected.
    await assess('assessMeasure', {
      measureCode: 'II.1.3', assessmentId: 'nacs-1', level: 'LIMITED', asOf: '2023-03-01', narrative: 'Four trainings of twelve', evidence: ['BM/1/2023', 'https://example.org/register'],
      indicatorComments: [{ indicatorKey: 'trainings', comment: 'Two postponed to 2024' }],
    });
    await gql(
      `mutation ($input: CorrectTrainingDeliveredInput!) { correctTrainingDelivered(input: $input) { position } }`,
      { input: { reportId: FIRST[1].input.reportId, requestId: 'correct-1', title: 'Victim identification at border controls', participants: 20, days: 1, reason: '20 attended' } },
      authHeader(keys.get(MOI)!),
    );
    const retraction = await gql<{ retractReport: { position: string } }>(
      `mutation ($input: RetractReportInput!) { retractReport(input: $input) { position } }`,
      { input: { reportId: FIRST[11].input.reportId, requestId: 'retract-1', reason: 'Reported twice' } },
      authHeader(keys.get(MHC)!),
    );
    midpoint = retraction.retractReport.position;
    for (const report of SECOND) await record(report);
    await assess('correctAssessment', {
      measureCode: 'II.1.3', assessmentId: 'nacs-1', correctionId: 'nacs-1-c1', reason: 'Counted again', level: 'SUBSTANTIAL', asOf: '2023-03-01', narrative: 'Six trainings of twelve',
    });
    // The final assessment of a measure without a finish line, and a withdrawal.
    await assess('assessMeasure', { measureCode: 'I.3.2', assessmentId: 'nacs-2', level: 'COMPLETE', asOf: '2023-12-31', narrative: 'The working group met and reported' });
    await assess('assessMeasure', { measureCode: 'III.2.4', assessmentId: 'nacs-3', level: 'WITHDRAWN', asOf: '2023-06-30', narrative: 'Superseded by the prosecution reform' });
    period = (await gql<{ plan: { period: { from: string; to: string } } }>(`{ plan(id: "${PLAN}") { period { from to } } }`)).plan.period;
  }, 120_000);
  afterAll(async () => {
    await t.close({ removeData: true });
  });

  it('gives the US TIP year exactly to the day, the same in CSV and XLSX, and in range equal to GraphQL by month', async () => {
    const csv = csvRows((await download({ planId: PLAN, ...TIP, format: 'csv' })).body);
    const { rows: xlsx } = await xlsxRows((await download({ planId: PLAN, ...TIP, format: 'xlsx' })).body);
    const values = (key: string) => [csv.get(key)?.valueInRange, csv.get(key)?.valueToDate];
    // 2022-03-31 falls outside the range, 2022-04-01 inside; the correction counts, not the first figure.
    expect(values('II.1.3/trainings')).toEqual(['3', '4']);
    expect(values('II.1.3/participants')).toEqual(['51', '60']);
    expect(values('II.3.9/halfwayHouses')).toEqual(['1', '1']);
    expect(values('II.3.3/feasibilityStudy')).toEqual(['1', '1']);
    expect(values('II.3.8/places')).toEqual(['5', '5']);
    expect(values('II.3.8/locations')).toEqual(['1', '1']);
    // The non-joint inspection is on the measure but not counted by its indicator.
    expect(values('III.2.2/jointInspections')).toEqual(['1', '1']);
    expect(values('I.3.2/meetings')).toEqual(['1', '1']);
    expect(csv.get('II.1.3/trainings')!.reportsInRange).toBe('3');
    expect(csv.get('II.1.3/trainings')!.status).toBe('IN_PROGRESS');
    expect(csv.get('II.1.3/trainings')!.asOf).toBe(TIP.to);

    // The XLSX says the same as the CSV, row for row.
    expect([...xlsx.keys()].sort()).toEqual([...csv.keys()].sort());
    for (const [key, row] of csv) {
      const cell = xlsx.get(key)!;
      // The CSV keeps the codes (for machines), the XLSX says them in words.
      expect({ key, inRange: text(cell['In range']), toDate: text(cell['To date']), status: cell.Status, reason: cell['Status reason'] }).toEqual({
        key,
        inRange: row.valueInRange,
        toDate: row.valueToDate,
        status: STATUS_LABEL[row.status as keyof typeof STATUS_LABEL],
        reason: STATUS_REASON_LABEL[row.statusReason as keyof typeof STATUS_REASON_LABEL],
      });
    }

    // In range equals GraphQL's monthly breakdown summed over the range, for every count and sum.
    const measures = await gql<{ measures: Array<{ code: string; indicators: Array<{ key: string; aggregate: string }>; indicatorValues: Array<{ key: string; byPeriod: Array<{ period: string; exactValue: string }> }> }> }>(
      `{ measures { code indicators { key aggregate } indicatorValues { key byPeriod(granularity: MONTH) { period exactValue } } } }`,
    );
    let compared = 0;
    for (const m of measures.measures) {
      for (const value of m.indicatorValues) {
        const aggregate = m.indicators.find((i) => i.key === value.key)!.aggregate;
        if (aggregate !== 'count' && aggregate !== 'sum' && aggregate !== 'COUNT' && aggregate !== 'SUM') continue;
        const sum = value.byPeriod.filter((p) => p.period >= TIP.from.slice(0, 7) && p.period <= TIP.to.slice(0, 7)).reduce((s, p) => s + BigInt(p.exactValue), 0n);
        // Months whole: 2022-04 … 2023-03 is exactly the range.
        expect({ key: `${m.code}/${value.key}`, inRange: csv.get(`${m.code}/${value.key}`)!.valueInRange }).toEqual({ key: `${m.code}/${value.key}`, inRange: sum.toString() });
        compared += 1;
      }
    }
    expect(compared).toBeGreaterThan(20);
  }, 60_000);

  /** What the report writes for an allocation: the stated amount, "not stated" (also for funding named by source only), or both. */
  const allocationText = (allocated: string, unstatedYears: number[], hasAllocations: boolean) =>
    !hasAllocations ? 'not stated' : unstatedYears.length === 0 ? allocated : allocated === '0' ? 'not stated' : `${allocated} + not stated`;

  interface MeasureAnswer {
    code: string;
    status: string;
    statusReason: string;
    assessment: { level: string; asOf: string; narrative: string; evidence: string[]; corrections: number; indicatorComments: Array<{ indicatorKey: string; comment: string }> } | null;
    indicatorValues: Array<{ key: string; exactValue: string }>;
    fundingStatus: { allocated: string; disbursed: string; unstatedYears: number[]; hasAllocations: boolean };
  }
  const MEASURE_ANSWER = `code status(asOf: $asOf, at: $at) statusReason(asOf: $asOf, at: $at) assessment(asOf: $asOf, at: $at) { level asOf narrative evidence corrections indicatorComments { indicatorKey comment } }
    indicatorValues(at: $at) { key exactValue } fundingStatus(at: $at) { allocated disbursed unstatedYears hasAllocations }`;

  /** The assessment as the CSV rows of one measure give it (the comments on the rows of their indicators), in GraphQL's shape. */
  const csvAssessment = (rows: Row[]): MeasureAnswer['assessment'] => {
    const [row] = rows;
    if (row.assessmentLevel === '') return null;
    return {
      level: row.assessmentLevel,
      asOf: row.assessmentAsOf,
      narrative: row.assessmentNarrative,
      evidence: row.assessmentEvidence === '' ? [] : row.assessmentEvidence.split('\n'),
      corrections: Number(row.assessmentCorrections),
      indicatorComments: rows.filter((r) => r.assessmentIndicatorComment !== '').map((r) => ({ indicatorKey: r.indicatorKey, comment: r.assessmentIndicatorComment })),
    };
  };
  const byKey = (a: { indicatorKey: string }, b: { indicatorKey: string }) => (a.indicatorKey < b.indicatorKey ? -1 : a.indicatorKey > b.indicatorKey ? 1 : 0);

  /** Every measure of the CSV against GraphQL's answer: status, reason, assessment (evidence, corrections, comments), money, indicator values to date. */
  function compareWithGraphql(csv: Map<string, Row>, measures: MeasureAnswer[], inRangeIsToDate: boolean): void {
    expect(measures.length).toBe(46);
    for (const m of measures) {
      const rows = [...csv.values()].filter((row) => row.measure === m.code);
      expect(rows.length).toBe(Math.max(1, m.indicatorValues.length));
      const row = rows[0];
      expect({
        code: m.code,
        status: row.status,
        statusReason: row.statusReason,
        assessment: ((a) => a && { ...a, indicatorComments: [...a.indicatorComments].sort(byKey) })(csvAssessment(rows)),
        allocated: row.allocatedHuf,
        unstatedYears: row.allocationUnstatedYears,
        disbursed: row.disbursedHuf,
        // Over the whole plan period the range's payments are every payment.
        disbursedInRange: row.disbursedInRangeHuf,
      }).toEqual({
        code: m.code,
        status: m.status,
        statusReason: m.statusReason,
        assessment: m.assessment && { ...m.assessment, indicatorComments: [...m.assessment.indicatorComments].sort(byKey) },
        allocated: allocationText(m.fundingStatus.allocated, m.fundingStatus.unstatedYears, m.fundingStatus.hasAllocations),
        unstatedYears: m.fundingStatus.unstatedYears.join(';'),
        disbursed: m.fundingStatus.disbursed,
        disbursedInRange: m.fundingStatus.disbursed,
      });
      for (const value of m.indicatorValues) {
        const line = csv.get(`${m.code}/${value.key}`)!;
        expect({ key: `${m.code}/${value.key}`, toDate: line.valueToDate, ...(inRangeIsToDate ? { inRange: line.valueInRange } : {}) }).toEqual({
          key: `${m.code}/${value.key}`,
          toDate: value.exactValue,
          ...(inRangeIsToDate ? { inRange: value.exactValue } : {}),
        });
      }
    }
  }

  it('over the whole plan period equals GraphQL: every indicator value, status and reason, assessment and funding figure', async () => {
    const csv = csvRows((await download({ planId: PLAN, ...period, format: 'csv' })).body);
    const data = await gql<{ measures: MeasureAnswer[] }>(`query ($asOf: String, $at: PointInTimeInput) { measures { ${MEASURE_ANSWER} } }`, { asOf: period.to, at: null });
    compareWithGraphql(csv, data.measures, true);
    expect(csv.get('II.3.3/feasibilityStudy')!.disbursedHuf).toBe('132000000');
    // What the seeded assessments make of the statuses (docs/status.md).
    // II.1.3's deadline (2023-12-31) has not passed on the day itself: the judgement in force decides.
    expect(['status', 'statusReason', 'assessmentLevel', 'assessmentNarrative'].map((c) => csv.get('II.1.3/trainings')![c])).toEqual([
      'IN_PROGRESS',
      'ASSESSED_SUBSTANTIAL',
      'SUBSTANTIAL',
      'Six trainings of twelve',
    ]);
    // The correction left the evidence and the comment as they were; the comment is on its indicator's row.
    expect(['assessmentEvidence', 'assessmentCorrections', 'assessmentIndicatorComment'].map((c) => csv.get('II.1.3/trainings')![c])).toEqual([
      'BM/1/2023\nhttps://example.org/register',
      '1',
      'Two postponed to 2024',
    ]);
    expect(csv.get('II.1.3/participants')!.assessmentIndicatorComment).toBe('');
    // The range ends on II.1.3's deadline: In progress on its last day, and the row says it is due that day.
    expect([csv.get('II.1.3/trainings')!.deadline, csv.get('II.1.3/trainings')!.dueOnAsOf]).toEqual(['2023-12-31', 'true']);
    expect([csv.get('I.3.2/meetings')!.status, csv.get('I.3.2/meetings')!.statusReason]).toEqual(['ACHIEVED', 'ASSESSED_COMPLETE']);
    const withdrawn = [...csv.values()].find((row) => row.measure === 'III.2.4')!;
    expect([withdrawn.status, withdrawn.statusReason]).toEqual(['WITHDRAWN', 'ASSESSED_WITHDRAWN']);
    // II.3.3's 2022 allocation states no amount: unknown, not 0.
    expect(csv.get('II.3.3/feasibilityStudy')!.allocatedHuf).toBe('220000000 + not stated');
    const year2022 = csvRows((await download({ planId: PLAN, from: '2022-01-01', to: '2022-12-31', format: 'csv' })).body);
    expect([year2022.get('II.3.3/feasibilityStudy')!.allocatedHuf, year2022.get('II.3.3/feasibilityStudy')!.allocationUnstatedYears]).toEqual(['not stated', '2022']);
    // Before the assessment's date the measure is judged by the figures alone.
    const tip = csvRows((await download({ planId: PLAN, from: '2022-04-01', to: '2023-02-28', format: 'csv' })).body);
    expect(['statusReason', 'assessmentLevel', 'assessmentIndicatorComment', 'dueOnAsOf'].map((c) => tip.get('II.1.3/trainings')![c])).toEqual(['NO_FINISH_LINE', '', '', 'false']);
    const before = await gql<{ measure: { statusReason: string } }>(`{ measure(code: "II.1.3") { statusReason(asOf: "2023-02-28") } }`);
    expect(before.measure.statusReason).toBe('NO_FINISH_LINE');
  }, 60_000);

  it('has a summary sheet and one per pillar, reports and money, and the ledger footer equal to verifyLedger', async () => {
    const { body, response } = await download({ planId: PLAN, ...period, format: 'xlsx' });
    expect(response.headers.get('content-type')).toContain('spreadsheetml');
    expect(response.headers.get('content-disposition')).toContain(`implementation-report_${PLAN}_${period.from}_${period.to}.xlsx`);
    const { workbook } = await xlsxRows(body);
    const plan = await gql<{ plan: { pillars: Array<{ code: string }> } }>(`{ plan(id: "${PLAN}") { pillars { code } } }`);
    expect(workbook.worksheets.map((s) => s.name)).toEqual(['Summary', ...plan.plan.pillars.map((p) => `Pillar ${p.code}`), 'Reports', 'Funding']);

    const progress = await gql<{
      planProgress: { byStatus: { notStarted: number; inProgress: number; achieved: number; overdue: number; awaitingAssessment: number; withdrawn: number }; byReason: Array<{ reason: string; measures: number }> };
    }>(
      `query ($asOf: String) { planProgress(planId: "${PLAN}", asOf: $asOf) { byStatus { notStarted inProgress achieved overdue awaitingAssessment withdrawn } byReason { reason measures } } }`,
      { asOf: period.to },
    );
    const summary = workbook.getWorksheet('Summary')!;
    let total: unknown[] = [];
    summary.eachRow((row) => {
      if ((row.values as unknown[])[1] === 'Total') total = row.values as unknown[];
    });
    const b = progress.planProgress.byStatus;
    // Measures, the six statuses, reports (18 recorded, 1 retracted)
    expect(total.slice(3, 11)).toEqual([46, b.notStarted, b.inProgress, b.achieved, b.overdue, b.awaitingAssessment, b.withdrawn, FIRST.length + SECOND.length - 1]);
    // Measures by status reason, as planProgress counts them.
    const reasons = new Map<string, number>();
    let inReasons = false;
    summary.eachRow((row) => {
      const v = row.values as unknown[];
      if (v[1] === 'Status reason') inReasons = true;
      else if (inReasons && typeof v[2] === 'number') reasons.set(String(v[1]), v[2]);
      else inReasons = false;
    });
    expect(Object.fromEntries(reasons)).toEqual(
      Object.fromEntries(progress.planProgress.byReason.filter((r) => r.measures > 0).map((r) => [STATUS_REASON_LABEL[r.reason as keyof typeof STATUS_REASON_LABEL], r.measures])),
    );

    // The pillar sheet says the reason and the assessment as the CSV does.
    const { rows: pillarRows } = await xlsxRows(body);
    // …and carries what the DOCX says of the assessment: evidence, corrections, the comment beside its indicator.
    const columns = ['Deadline note', 'Status', 'Status reason', 'Assessment', 'Narrative', 'Evidence', 'Assessment corrections', 'Comment on the indicator', 'Indicator'];
    expect(columns.map((h) => pillarRows.get('II.1.3/trainings')![h])).toEqual([
      'due on the last day of this report: statuses are taken that day, before the deadline has passed',
      STATUS_LABEL.IN_PROGRESS,
      STATUS_REASON_LABEL.ASSESSED_SUBSTANTIAL,
      LEVEL_LABEL.SUBSTANTIAL,
      'Six trainings of twelve',
      'BM/1/2023; https://example.org/register',
      1,
      'Two postponed to 2024',
      'Trainings delivered',
    ]);
    // Dates are date cells (sortable, filterable as dates) shown yyyy-mm-dd, each on its own day.
    expect(['Assessed as of', 'Deadline'].map((h) => day(pillarRows.get('II.1.3/trainings')![h]))).toEqual(['2023-03-01', '2023-12-31']);
    const pillarSheet = workbook.getWorksheet('Pillar II')!;
    const pillarHeaders = (pillarSheet.getRow(1).values as unknown[]).map(text);
    expect(pillarSheet.getCell(2, pillarHeaders.indexOf('Deadline')).numFmt).toBe('yyyy-mm-dd');
    let statusAsOf: ExcelJS.Cell | undefined;
    summary.eachRow((row) => {
      if ((row.values as unknown[])[1] === 'Status as of') statusAsOf = row.getCell(2);
    });
    expect([day(statusAsOf?.value), statusAsOf?.numFmt]).toEqual([period.to, 'yyyy-mm-dd']);
    expect(['Comment on the indicator', 'Indicator'].map((h) => pillarRows.get('II.1.3/participants')![h])).toEqual(['', 'Participants']);
    // Money cells are numbers shown as HUF 1,234; what is not stated is said beside, never 0.
    const ii33 = pillarRows.get('II.3.3/feasibilityStudy')!;
    expect([ii33['Allocated, budget year 2022–2023'], ii33['Allocation note'], ii33['Disbursed in the period']]).toEqual([220_000_000, 'Stated amounts only; part of the allocation is not stated', 132_000_000]);
    expect([pillarRows.get('I.1.1/actions')!['Allocated, budget year 2022–2023'], pillarRows.get('I.1.1/actions')!['Allocation note']]).toEqual([undefined, 'Allocation not stated in the plan']);

    const reports = workbook.getWorksheet('Reports')!;
    const lines: string[] = [];
    reports.eachRow((row, i) => {
      const v = row.values as unknown[];
      if (i > 1 && v[1] === 'II.1.3') lines.push(`${day(v[2])} ${String(v[3])} ${String(v[7])}`);
    });
    expect(reports.getCell(2, 2).numFmt).toBe('yyyy-mm-dd');
    expect(lines).toEqual([
      '2022-03-31 Ministry of Interior participants: 9; days: 1',
      '2022-04-01 Ministry of Interior participants: 7; days: 1',
      '2023-02-14 Ministry of Interior participants: 24; days: 1',
      '2023-03-21 Ministry of Interior participants: 20; days: 1',
      '2023-05-09 Ministry of Interior participants: 30; days: 1',
      '2023-05-30 National Police Headquarters participants: 15; days: 1',
    ]);

    const funding = await gql<{ measure: { fundingStatus: { years: Array<{ year: number; bySource: Array<{ source: string; allocated: string; disbursed: string }> }> } } }>(
      `{ measure(code: "II.3.9") { fundingStatus { years { year bySource { source allocated disbursed } } } } }`,
    );
    const sheetLines: string[] = [];
    workbook.getWorksheet('Funding')!.eachRow((row, i) => {
      const v = row.values as unknown[];
      if (i > 1 && v[1] === 'II.3.9') sheetLines.push(`${String(v[2])} ${String(v[3])} ${String(v[4])} ${String(v[6])}`);
    });
    expect(sheetLines).toEqual(
      funding.measure.fundingStatus.years.flatMap((y) => y.bySource.map((s) => `${y.year} ${FUNDING_SOURCE_LABEL[s.source as keyof typeof FUNDING_SOURCE_LABEL]} ${s.allocated} ${s.disbursed}`)),
    );

    const verified = await gql<{ verifyLedger: { ok: boolean; headHash: string; headPosition: string } }>('{ verifyLedger { ok headHash headPosition } }', {}, auditor);
    expect(verified.verifyLedger.ok).toBe(true);
    expect(response.headers.get('x-ledger-position')).toBe(verified.verifyLedger.headPosition);
    expect(response.headers.get('x-ledger-chain-head')).toBe(verified.verifyLedger.headHash);
    let footer = '';
    summary.eachRow((row) => {
      const first = text((row.values as unknown[])[1]);
      if (first.startsWith('Computed from the ledger')) footer = first;
    });
    expect(footer).toContain(`position ${verified.verifyLedger.headPosition} (chain head ${verified.verifyLedger.headHash}`);
  }, 60_000);

  it('renders an editable DOCX with the measures, reports and the ledger footer', async () => {
    const { body, response } = await download({ planId: PLAN, ...TIP, format: 'docx' });
    expect(response.headers.get('content-type')).toContain('wordprocessingml');
    const zip = await JSZip.loadAsync(body);
    const document = await zip.file('word/document.xml')!.async('string');
    const text = document.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
    expect(text).toContain('Implementation report:');
    expect(text).toContain('2022-04-01 – 2023-03-31');
    expect(text).toContain('II.1.3 ');
    expect(text).toContain('Victim identification at border controls');
    expect(text).toContain('Feasibility study on therapeutic care');
    // A report outside the range is not listed: the 2022-03-31 training.
    expect(text).not.toContain('2022-03-31');
    // The status with its reason, and the assessment in force on 2023-03-31 with its narrative.
    expect(text).toContain('Assessment: Substantial as of 2023-03-01 (corrected 1×)');
    expect(text).toContain('Six trainings of twelve');
    expect(text).toContain('Evidence: BM/1/2023; https://example.org/register Comment on Trainings delivered: Two postponed to 2024');
    // Status and reason as two labelled cells, the labels the XLSX columns'; never "Status: In progress: Assessed: …".
    expect(text).toContain('Deadline 2023-12-31 Status In progress Status reason Assessed: substantial completion');
    expect(text).not.toContain('Status: ');
    expect(text).not.toMatch(/\b(IN_PROGRESS|NO_REPORT|ASSESSED_SUBSTANTIAL|TARGET_NOT_MET)\b/);
    // Money one way: the disbursement's key figures as the funding table writes it, the source by name.
    expect(text).toContain('amount: HUF 132,000,000; source: National budget');
    expect(text).toContain('Disbursed in the period: HUF 132,000,000');
    const footers = await Promise.all(Object.keys(zip.files).filter((f) => /^word\/footer\d*\.xml$/.test(f)).map((f) => zip.file(f)!.async('string')));
    expect(footers.join('')).toContain(`chain head ${response.headers.get('x-ledger-chain-head')}`);
    // A year-end report ends on II.1.3's deadline: In progress there is said to be on the deadline's last day.
    const yearEnd = await (await JSZip.loadAsync((await download({ planId: PLAN, from: '2023-01-01', to: '2023-12-31', format: 'docx' })).body)).file('word/document.xml')!.async('string');
    const yearEndText = yearEnd.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
    expect(yearEndText).toContain('Deadline 2023-12-31 — due on the last day of this report: statuses are taken that day, before the deadline has passed Status In progress');
    expect(yearEndText).toMatch(/Due on the day statuses are taken: \d+ measures neither achieved nor withdrawn are due on 2023-12-31, the last day of this report \([^)]*II\.1\.3/);
    // I.3.2, achieved by assessment, has the same deadline but is not waiting on it: neither listed nor noted.
    expect(yearEndText.match(/are due on 2023-12-31, the last day of this report \(([^)]*)\)/)?.[1].split(', ')).not.toContain('I.3.2');
    expect(yearEndText).toContain('Deadline 2023-12-31 Status Achieved Status reason Assessed: complete');
    // Page X of Y: Word's PAGE and NUMPAGES fields.
    expect(footers.join('').replace(/<w:instrText[^>]*>\s*(\w+)\s*<\/w:instrText>/g, '{$1}').replace(/<[^>]+>/g, '')).toContain('Page {PAGE} of {NUMPAGES}');
  }, 60_000);

  it('a quarter: disbursed in it, apart from the budget year it is compared with; a range beyond the plan says so', async () => {
    const csv = csvRows((await download({ planId: PLAN, from: '2023-01-01', to: '2023-03-31', format: 'csv' })).body);
    // II.3.3: 132 M paid on 2023-03-15, in the quarter. II.3.9: 12 M paid on 2023-04-10, after it, yet in budget year 2023.
    const money = (key: string) => ['disbursedInRangeHuf', 'budgetYears', 'disbursedHuf'].map((c) => csv.get(key)![c]);
    expect(money('II.3.3/feasibilityStudy')).toEqual(['132000000', '2023', '132000000']);
    expect(money('II.3.9/halfwayHouses')).toEqual(['0', '2023', '12000000']);
    const { body } = await download({ planId: PLAN, from: '2019-01-01', to: '2030-12-31', format: 'docx' });
    const document = await (await JSZip.loadAsync(body)).file('word/document.xml')!.async('string');
    expect(document.replace(/<[^>]+>/g, '').replace(/&apos;/g, "'")).toContain("The range asked (2019-01-01 – 2030-12-31) reaches beyond the plan's period");
  }, 60_000);

  it('as the ledger stood at a position or instant (auditors), equal to GraphQL at', async () => {
    const csv = csvRows((await download({ planId: PLAN, ...period, format: 'csv', atPosition: midpoint }, auditor)).body);
    const at = await gql<{ measure: { indicatorValues: Array<{ key: string; exactValue: string }> } }>(
      `query ($at: String) { measure(code: "II.1.3") { indicatorValues(at: { position: $at }) { key exactValue } } }`,
      { at: midpoint },
      auditor,
    );
    expect(at.measure.indicatorValues.map((v) => [v.key, csv.get(`II.1.3/${v.key}`)!.valueToDate])).toEqual(at.measure.indicatorValues.map((v) => [v.key, v.exactValue]));
    expect(csv.get('II.1.3/participants')!.valueToDate).toBe('89');
    expect(csv.get('III.2.2/jointInspections')!.valueToDate).toBe('0');
    expect(csv.get('II.1.3/trainings')!.ledgerPosition).toBe(midpoint);
    // Statuses, reasons and the assessment as they stood then: before the correction and the later assessments.
    const then = await gql<{ measures: MeasureAnswer[] }>(`query ($asOf: String, $at: PointInTimeInput) { measures { ${MEASURE_ANSWER} } }`, { asOf: period.to, at: { position: midpoint } }, auditor);
    compareWithGraphql(csv, then.measures, true);
    expect([csv.get('II.1.3/trainings')!.assessmentLevel, csv.get('II.1.3/trainings')!.assessmentNarrative]).toEqual(['LIMITED', 'Four trainings of twelve']);
    expect(csv.get('I.3.2/meetings')!.statusReason).not.toBe('ASSESSED_COMPLETE');
    // The chain head it names is the log's own at that position.
    const head = csv.get('II.1.3/trainings')!.chainHead;
    const verified = await gql<{ verifyLedger: { ok: boolean; givenHeadFoundAt: string } }>(`{ verifyLedger(head: "${head}@${midpoint}") { ok givenHeadFoundAt } }`, {}, auditor);
    expect(verified.verifyLedger).toEqual({ ok: true, givenHeadFoundAt: midpoint });

    // An instant after every event: the head.
    const now = await get({ planId: PLAN, ...period, format: 'csv', atInstant: new Date(Date.now() + 60_000).toISOString() }, auditor);
    expect(now.status).toBe(200);
    expect(now.headers.get('x-ledger-position')).toBe((await gql<{ verifyLedger: { headPosition: string } }>('{ verifyLedger { headPosition } }', {}, auditor)).verifyLedger.headPosition);
  }, 60_000);

  it('applies the GraphQL credentials and access rules, and names the bad field', async () => {
    const query = { planId: PLAN, ...TIP, format: 'csv' };
    // The ledger's error shape, as GraphQL's extensions carry it (not Nest's { statusCode, error }).
    const refusal = async (res: Response) => ({ status: res.status, ...((await res.json()) as Record<string, unknown>) });
    expect(await refusal(await get(query, {}))).toMatchObject({ status: 401, code: 'UNAUTHENTICATED', message: expect.stringMatching(/Authorization: Bearer/) });
    expect(await refusal(await get(query, { authorization: 'Bearer apl_nope_nope' }))).toMatchObject({ status: 401, code: 'UNAUTHENTICATED', message: expect.stringMatching(/Invalid credential/) });
    const agency = await refusal(await get(query, authHeader(keys.get(MOI)!)));
    expect(agency).toMatchObject({ status: 403, code: 'FORBIDDEN', rule: 'role-not-permitted' });
    expect(agency).not.toHaveProperty('statusCode');
    // Point in time is for auditors, as GraphQL's `at`.
    const coordinatorAt = await refusal(await get({ ...query, atPosition: midpoint }));
    expect(coordinatorAt).toMatchObject({ status: 403, code: 'FORBIDDEN', rule: 'role-not-permitted' });

    const bad = async (q: Record<string, string>, field: string) => {
      const res = await get(q, auditor);
      const body = (await res.json()) as { code: string; field: string; reason: string };
      expect({ status: res.status, code: body.code, field: body.field }).toEqual({ status: 400, code: 'BAD_USER_INPUT', field });
      expect(body.reason.length).toBeGreaterThan(5);
    };
    await bad({ ...query, from: '2023-02-30' }, 'from');
    await bad({ ...query, from: '2023-04-01', to: '2023-03-31' }, 'to');
    await bad({ planId: PLAN, from: TIP.from, format: 'csv' }, 'to');
    await bad({ ...query, format: 'pdf' }, 'format');
    await bad({ ...query, atPosition: '-3' }, 'atPosition');
    await bad({ ...query, atPosition: '99999999' }, 'atPosition');
    await bad({ ...query, atInstant: 'yesterday' }, 'atInstant');
    // An instant without an offset would be read in the server's time zone: refused, as GraphQL's DateTime refuses it.
    await bad({ ...query, atInstant: new Date().toISOString().slice(0, 19) }, 'atInstant');
    await bad({ ...query, atPosition: midpoint, atInstant: new Date().toISOString() }, 'atPosition');
    await bad({ from: TIP.from, to: TIP.to }, 'planId');
    // A misspelt parameter is refused, never ignored: `atposition` would give today's ledger
    // under the name of a report as it stood at a point.
    const misspelt = await get({ ...query, atposition: midpoint }, auditor);
    expect({ status: misspelt.status, ...((await misspelt.json()) as Record<string, unknown>) }).toMatchObject({
      status: 400,
      code: 'BAD_USER_INPUT',
      field: 'atposition',
      reason: expect.stringMatching(/not a parameter of this endpoint; did you mean "atPosition"\?.*planId, from, to, format, atPosition, atInstant/),
    });
    await bad({ ...query, fromDate: TIP.from }, 'fromDate');
    // A range with no day of the plan's period (2022–2023) could only say nothing.
    await bad({ ...query, from: '2019-01-01', to: '2021-12-31' }, 'to');
    await bad({ ...query, from: '2024-01-01', to: '2030-12-31' }, 'from');
    // A parameter given empty is a value, refused as any other, never read as absent (the head, xlsx).
    await bad({ ...query, atPosition: '' }, 'atPosition');
    await bad({ ...query, atInstant: '' }, 'atInstant');
    await bad({ ...query, format: '' }, 'format');
    await bad({ ...query, planId: '' }, 'planId');
    // A position of more digits than a position has is still one: beyond the end, saying where the end is.
    const huge = (await (await get({ ...query, atPosition: '99999999999999999999999' }, auditor)).json()) as { reason: string };
    expect(huge.reason).toMatch(/^is beyond the end of the log \(its last position is \d+\)$/);
    // NOT_FOUND names the parameter to change, and a position only when one was asked.
    const notFound = async (q: Record<string, string>) => {
      const res = await get(q, auditor);
      return { status: res.status, ...((await res.json()) as Record<string, unknown>) };
    };
    expect(await notFound({ ...query, planId: 'no-such-plan' })).toMatchObject({ status: 404, code: 'NOT_FOUND', field: 'planId', message: 'Plan no-such-plan is not adopted in the ledger' });
    expect(await notFound({ ...query, planId: 'no-such-plan', atPosition: midpoint })).toMatchObject({ status: 404, field: 'planId', message: `Plan no-such-plan was not adopted in the ledger at position ${midpoint}` });
    expect(await notFound({ ...query, atInstant: '2000-01-01T00:00:00Z' })).toMatchObject({ status: 404, field: 'atInstant', reason: `is position 0, before plan ${PLAN} was adopted` });
  }, 60_000);
});
