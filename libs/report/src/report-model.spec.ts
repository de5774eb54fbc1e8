import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { verifyChain } from '@app/audit';
import { SqliteEventStore, embeddedStoreFile } from '@app/event-store';
import { type Plan } from '@app/plan';
import {
  ACTIVITY_PROJECTION,
  ASSESSMENTS,
  ASSESSMENTS_PROJECTION,
  type AssessmentEntry,
  KeyedState,
  MeasureFigures,
  PLANS_PROJECTION,
  ProjectionSnapshot,
  allPlans,
  assessmentsOf,
  latestAssessment,
  measureKey,
} from '@app/projections';
import { generateHistory } from '../../../test/support/history-generator.js';
import { type ImplementationReport, buildImplementationReport, parseRange, tipYear } from './report-model.js';
import { type ReportSource, readReportSource } from './report-source.js';
import { CSV_COLUMNS, renderCsv, renderXlsx } from './render.js';
import { ReportInputError } from './report-errors.js';

const PLAN = 'hu-2022-2023';

const measuresOf = (report: ImplementationReport) => report.pillars.flatMap((p) => p.objectives.flatMap((o) => o.measures));

describe('parseRange', () => {
  it.each([
    [undefined, '2023-01-01', 'from', /required/],
    ['2023-01-01', '', 'to', /required/],
    ['2023-02-29', '2023-03-01', 'from', /calendar date/],
    ['2023-01-01', '2023-13-01', 'to', /calendar date/],
    ['2023-1-1', '2023-03-01', 'from', /calendar date/],
    ['2023-03-02', '2023-03-01', 'to', /not be before from/],
  ])('refuses %p – %p naming %s', (from, to, field, reason) => {
    let error: unknown;
    try {
      parseRange(from, to);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ReportInputError);
    expect((error as ReportInputError).field).toBe(field);
    expect((error as ReportInputError).reason).toMatch(reason);
  });

  it('accepts any range of calendar days, leap days and one day included', () => {
    expect(parseRange('2024-02-29', '2024-02-29')).toEqual({ from: '2024-02-29', to: '2024-02-29' });
    expect(tipYear(2023)).toEqual({ from: '2022-04-01', to: '2023-03-31' });
  });
});

describe('buildImplementationReport over a generated history', () => {
  let dir: string;
  let source: ReportSource;
  let plan: Plan;
  let head: { hash: string; position: bigint };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'apl-report-'));
    const store = SqliteEventStore.open(embeddedStoreFile(dir));
    try {
      await generateHistory(store, { events: 3000, seed: 21, correctionRate: 0.05, retractionRate: 0.02 });
      source = await readReportSource(store);
      const verified = await verifyChain({ store });
      head = { hash: verified.head.hash, position: verified.head.position };
    } finally {
      await store.close();
    }
    plan = allPlans(source.plans).find((p) => p.id === PLAN)!;
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const build = (from: string, to: string, today = '2026-01-01') => buildImplementationReport(source, { planId: PLAN, range: { from, to }, today });

  it('names the chain head the audit verification computes over the same log', () => {
    const report = build(plan.period.from, plan.period.to);
    expect(report.ledger).toEqual({ position: head.position, chainHead: head.hash, sequence: 3000n });
  });

  it('over the whole period gives the indicator read model’s own values (corrections and retractions applied)', () => {
    const report = build(plan.period.from, plan.period.to);
    let checked = 0;
    for (const measure of measuresOf(report)) {
      const figures = new MeasureFigures(source.activity, PLAN, measure.code);
      const definition = plan.pillars.flatMap((p) => p.objectives.flatMap((o) => o.measures)).find((m) => m.code === measure.code)!;
      for (const line of measure.indicators) {
        const indicator = definition.indicators.find((i) => i.key === line.key)!;
        expect({ key: `${measure.code}/${line.key}`, inRange: line.inRange, toDate: line.toDate }).toEqual({
          key: `${measure.code}/${line.key}`,
          inRange: figures.value(indicator),
          toDate: figures.value(indicator),
        });
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(50);
    expect(report.summary.reportsInRange).toBe(measuresOf(report).reduce((n, m) => n + m.reports.length, 0));
    expect(report.summary.measures).toBe(46);
  });

  it('is exact to the day: counts and sums over two adjoining ranges add up to the range they make', () => {
    const whole = build('2022-05-17', '2023-02-09');
    const first = build('2022-05-17', '2022-10-03');
    const second = build('2022-10-04', '2023-02-09');
    const byKey = (report: ImplementationReport) => new Map<string, bigint>(measuresOf(report).flatMap((m) => m.indicators.map((i) => [`${m.code}/${i.key}`, i.inRange] as const)));
    const [a, b, c] = [byKey(whole), byKey(first), byKey(second)];
    const additive = plan.pillars.flatMap((p) => p.objectives.flatMap((o) => o.measures.flatMap((m) => m.indicators.filter((i) => i.aggregate === 'count' || i.aggregate === 'sum').map((i) => `${m.code}/${i.key}`))));
    expect(additive.length).toBeGreaterThan(20);
    for (const key of additive) expect({ key, sum: b.get(key)! + c.get(key)! }).toEqual({ key, sum: a.get(key)! });
    // The split cuts a month that has reports on both sides: monthly figures could not answer it.
    const inOctober = (r: ImplementationReport) => measuresOf(r).some((m) => m.reports.some((line) => line.occurredOn.startsWith('2022-10')));
    expect([inOctober(first), inOctober(second)]).toEqual([true, true]);
    expect(whole.summary.reportsInRange).toBe(first.summary.reportsInRange + second.summary.reportsInRange);
  });

  it('evaluates status at the end of the range (or today, when earlier) with the figures to then', () => {
    const early = build(plan.period.from, '2022-06-30');
    const late = build(plan.period.from, plan.period.to);
    expect(early.asOf).toBe('2022-06-30');
    expect(build(plan.period.from, plan.period.to, '2023-01-10').asOf).toBe('2023-01-10');
    const sum = (r: ImplementationReport) => measuresOf(r).reduce((n, m) => n + m.indicators.reduce((s, i) => s + i.toDate, 0n), 0n);
    expect(sum(early)).toBeLessThan(sum(late));
    const pastDeadline = measuresOf(early).filter((m) => m.deadline < '2022-06-30' && m.status !== 'ACHIEVED');
    expect(pastDeadline.length).toBeGreaterThan(0);
    // Past the deadline: late when the plan gives a finish line, else awaiting a coordinator's judgement.
    for (const m of pastDeadline) expect(m.status).toBe(m.indicators.some((i) => i.target !== undefined || i.achieved !== undefined) ? 'OVERDUE' : 'AWAITING_ASSESSMENT');
  });

  it('gives each measure the status and reason of the status model, with the plan period and the assessment in force', () => {
    const withAssessments = (entries: Array<{ code: string; id: string; level: AssessmentEntry['level']; asOf: string }>): ReportSource => {
      const assessments = new KeyedState();
      for (const [i, e] of entries.entries()) {
        const value: AssessmentEntry = {
          assessmentId: e.id, level: e.level, asOf: e.asOf, narrative: `Narrative ${e.id}`, evidence: ['BM/1'], indicatorComments: [], corrections: 0,
          recordedAt: `2024-01-0${i + 1}T00:00:00Z`, recordedBy: 'nacs', updatedAt: `2024-01-0${i + 1}T00:00:00Z`, position: String(i), stream: `assessment-${e.id}`,
        };
        assessments.apply({ table: ASSESSMENTS.name, group: measureKey(PLAN, e.code), key: e.id, value });
      }
      return { ...source, assessments };
    };
    const seeded = withAssessments([
      { code: 'II.1.3', id: 'a1', level: 'SUBSTANTIAL', asOf: '2023-03-01' },
      { code: 'II.1.3', id: 'a2', level: 'COMPLETE', asOf: '2023-12-31' },
      { code: 'I.1.1', id: 'a3', level: 'WITHDRAWN', asOf: '2022-02-01' },
    ]);
    // The api's read path over the same read models: GraphQL's status(asOf) is this.
    const views = new Map([
      [PLANS_PROJECTION, seeded.plans],
      [ACTIVITY_PROJECTION, seeded.activity],
      [ASSESSMENTS_PROJECTION, seeded.assessments],
    ]);
    const api = new ProjectionSnapshot({ view: (name) => views.get(name)!, position: seeded.position });
    // The whole period, evaluated on several days (today): only the reports dated by then count.
    let fewer = 0;
    for (const asOf of ['2022-06-30', '2022-06-14', '2023-02-28', '2023-03-31', '2023-12-31', '2024-01-15']) {
      const report = buildImplementationReport(seeded, { planId: PLAN, range: { from: plan.period.from, to: plan.period.to }, today: asOf });
      expect(report.asOf).toBe(asOf < plan.period.to ? asOf : plan.period.to);
      for (const measure of measuresOf(report)) {
        const assessment = latestAssessment(assessmentsOf(seeded.assessments, PLAN, measure.code), report.asOf);
        const expected = api.evaluate(PLAN, measure.code, report.asOf)!;
        expect([measure.code, measure.status, measure.statusReason, measure.progress, measure.latestAssessment?.assessmentId, measure.indicators.map((i) => i.toDate)]).toEqual([
          measure.code,
          expected.status,
          expected.reason,
          expected.progress,
          assessment?.assessmentId,
          expected.indicators.map((i) => i.value),
        ]);
        // Never a report dated after asOf.
        const all = new MeasureFigures(source.activity, PLAN, measure.code);
        expect(expected.reports).toBeLessThanOrEqual(all.reports);
        if (expected.reports < all.reports) fewer += 1;
      }
    }
    expect(fewer).toBeGreaterThan(20);
    const at = (to: string) => measuresOf(buildImplementationReport(seeded, { planId: PLAN, range: { from: '2022-01-01', to }, today: '2026-01-01' }));
    expect(at('2023-02-28').find((m) => m.code === 'II.1.3')).not.toHaveProperty('latestAssessment');
    expect(at('2023-03-31').find((m) => m.code === 'II.1.3')).toMatchObject({ latestAssessment: { level: 'SUBSTANTIAL', asOf: '2023-03-01', narrative: 'Narrative a1', evidence: ['BM/1'] }, statusReason: 'ASSESSED_SUBSTANTIAL' });
    expect(at('2023-12-31').find((m) => m.code === 'II.1.3')).toMatchObject({ status: 'ACHIEVED', statusReason: 'ASSESSED_COMPLETE', latestAssessment: { level: 'COMPLETE' } });
    expect(at('2023-12-31').find((m) => m.code === 'I.1.1')).toMatchObject({ status: 'WITHDRAWN', statusReason: 'ASSESSED_WITHDRAWN' });
    // I.1.2: the decree's deadline precedes the plan's first day.
    expect(at('2022-06-30').find((m) => m.code === 'I.1.2')?.statusReason).toBe('DEADLINE_BEFORE_PLAN_START');
    const report = buildImplementationReport(seeded, { planId: PLAN, range: { from: '2022-01-01', to: '2023-12-31' }, today: '2026-01-01' });
    expect(Object.values(report.summary.byReason).reduce((a, b) => a + b, 0)).toBe(report.summary.measures);
    const csv = parse(renderCsv(report), { columns: true }) as Array<Record<string, string>>;
    expect(csv.find((row) => row.measure === 'II.1.3')).toMatchObject({ status: 'ACHIEVED', statusReason: 'ASSESSED_COMPLETE', assessmentLevel: 'COMPLETE', assessmentAsOf: '2023-12-31', assessmentNarrative: 'Narrative a2' });
    expect(csv.filter((row) => row.statusReason === '')).toEqual([]);
  });

  it('says "not stated" for an allocation the plan gives without an amount, never 0', () => {
    // II.3.3: the 2022 feasibility study is funded from a budget with no amount stated; 2023's 132 M + 88 M are stated.
    const only2022 = measuresOf(build('2022-01-01', '2022-12-31')).find((m) => m.code === 'II.3.3')!;
    expect(only2022.funding).toMatchObject({ allocated: 0n, unstatedYears: [2022], overDisbursed: false });
    expect(only2022.funding.lines.find((l) => l.source === 'national')).toMatchObject({ year: 2022, allocationUnstated: true });
    const both = measuresOf(build('2022-01-01', '2023-12-31')).find((m) => m.code === 'II.3.3')!;
    expect(both.funding).toMatchObject({ allocated: 220_000_000n, unstatedYears: [2022] });
    expect(both.funding.lines.find((l) => l.year === 2023 && l.source === 'national')).toMatchObject({ allocationUnstated: false });
    const rows = (r: ImplementationReport) => parse(renderCsv(r), { columns: true }) as Array<Record<string, string>>;
    expect(rows(build('2022-01-01', '2022-12-31')).find((row) => row.measure === 'II.3.3')).toMatchObject({ allocatedHuf: 'not stated', allocationUnstatedYears: '2022' });
    expect(rows(build('2022-01-01', '2023-12-31')).find((row) => row.measure === 'II.3.3')).toMatchObject({ allocatedHuf: '220000000 + not stated' });
    expect(rows(build('2023-01-01', '2023-12-31')).find((row) => row.measure === 'II.3.3')).toMatchObject({ allocatedHuf: '220000000', allocationUnstatedYears: '' });
  });

  it('renders one CSV row per measure × indicator and an XLSX with a sheet per pillar', async () => {
    const report = build('2022-04-01', '2023-03-31');
    const rows = parse(renderCsv(report), { columns: true }) as Array<Record<string, string>>;
    expect(Object.keys(rows[0])).toEqual([...CSV_COLUMNS]);
    expect(rows.length).toBe(measuresOf(report).reduce((n, m) => n + Math.max(1, m.indicators.length), 0));
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await renderXlsx(report)) as unknown as ArrayBuffer);
    expect(workbook.worksheets.map((s) => s.name)).toEqual(['Summary', ...plan.pillars.map((p) => `Pillar ${p.code}`), 'Reports', 'Funding']);
    let reportRows = 0;
    workbook.getWorksheet('Reports')!.eachRow((row, i) => {
      if (i > 1 && /^[IV]+\./.test(String((row.values as unknown[])[1]))) reportRows += 1;
    });
    expect(reportRows).toBe(report.summary.reportsInRange);
  }, 60_000);

  it('refuses a position beyond the end of the log and an unknown plan', async () => {
    const store = SqliteEventStore.open(embeddedStoreFile(dir));
    try {
      await expect(readReportSource(store, { position: 3001n })).rejects.toMatchObject({ field: 'atPosition' });
      const empty = await readReportSource(store, { position: -1n });
      expect(() => buildImplementationReport(empty, { planId: PLAN, range: tipYear(2023), today: '2026-01-01' })).toThrow(/not adopted/);
    } finally {
      await store.close();
    }
  });
});
