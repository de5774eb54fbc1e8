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
  FUNDING_SOURCE_LABEL,
  KeyedState,
  LEVEL_LABEL,
  MEASURE_STATUSES,
  MeasureFigures,
  PLANS_PROJECTION,
  ProjectionSnapshot,
  STATUS_LABEL,
  STATUS_REASONS,
  STATUS_REASON_LABEL,
  allPlans,
  assessmentsOf,
  fundingSummary,
  latestAssessment,
  measureKey,
} from '@app/projections';
import JSZip from 'jszip';
import { generateHistory } from '../../../test/support/history-generator.js';
import { type ImplementationReport, buildImplementationReport, parseRange, tipYear } from './report-model.js';
import { type ReportSource, readReportSource } from './report-source.js';
import { CSV_COLUMNS, renderCsv, renderDocx, renderXlsx } from './render.js';
import { ReportInputError } from './report-errors.js';

const PLAN = 'hu-2022-2023';

/** An exceljs cell value as text: the report writes strings and numbers only. */
const cellText = (value: unknown): string => (typeof value === 'string' || typeof value === 'number' ? String(value) : '');

const measuresOf = (report: ImplementationReport) => report.pillars.flatMap((p) => p.objectives.flatMap((o) => o.measures));

/** The DOCX's body text, paragraphs on their own lines (XML entities as written). */
async function docxText(report: ImplementationReport): Promise<string> {
  const zip = await JSZip.loadAsync(await renderDocx(report));
  const xml = await zip.file('word/document.xml')!.async('string');
  return xml
    .replace(/<\/w:p>/g, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&apos;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

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

  it('says "not stated" for a measure the plan funds by source only ("from national funds"), in every format, never 0', async () => {
    const report = build('2023-01-01', '2023-12-31');
    const bySourceOnly = measuresOf(report).filter((m) => m.funding.sources.length > 0 && !plan.pillars.flatMap((p) => p.objectives.flatMap((o) => o.measures)).find((d) => d.code === m.code)!.funding?.allocations?.length);
    expect(bySourceOnly.length).toBeGreaterThan(20);
    for (const m of bySourceOnly) expect({ code: m.code, allocation: m.funding.allocation, allocated: m.funding.allocated }).toEqual({ code: m.code, allocation: 'not stated', allocated: 0n });
    const rows = parse(renderCsv(report), { columns: true }) as Array<Record<string, string>>;
    for (const m of bySourceOnly) expect({ code: m.code, csv: rows.find((row) => row.measure === m.code)!.allocatedHuf }).toEqual({ code: m.code, csv: 'not stated' });
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await renderXlsx(report)) as unknown as ArrayBuffer);
    const sheet = workbook.getWorksheet('Pillar I')!;
    const headers = Array.from(sheet.getRow(1).values as unknown[], (v) => (typeof v === 'string' ? v : ''));
    const [allocatedAt, noteAt] = [headers.findIndex((h) => h.startsWith('Allocated')), headers.indexOf('Allocation note')];
    const i11 = sheet.getRow(2);
    expect([i11.getCell(2).value, i11.getCell(allocatedAt).value, i11.getCell(noteAt).value]).toEqual(['I.1.1', null, 'Allocation not stated in the plan']);
    const stated = measuresOf(report).find((m) => m.code === 'I.1.3')!;
    expect(stated.funding).toMatchObject({ allocation: 'stated', allocated: 70_000_000n });
  }, 60_000);

  it('gives the money disbursed in the range apart from the budget years it is compared in', () => {
    const year = build('2023-01-01', '2023-12-31');
    const [h1, h2] = [build('2023-01-01', '2023-06-30'), build('2023-07-01', '2023-12-31')];
    const paid = (r: ImplementationReport) => new Map(measuresOf(r).map((m) => [m.code, m.funding.disbursedInRange]));
    const [y, a, b] = [paid(year), paid(h1), paid(h2)];
    for (const m of measuresOf(year)) {
      expect({ code: m.code, halves: a.get(m.code)! + b.get(m.code)!, year: m.funding.disbursed }).toEqual({ code: m.code, halves: y.get(m.code)!, year: y.get(m.code)! });
    }
    // A half-year is compared with the whole budget year 2023, and says so; its own figure is smaller.
    expect(h1.budgetYears).toEqual({ from: 2023, to: 2023 });
    expect(h1.summary.disbursed).toBe(year.summary.disbursed);
    expect(h1.summary.disbursedInRange + h2.summary.disbursedInRange).toBe(year.summary.disbursed);
    expect(h1.summary.disbursedInRange).toBeLessThan(h1.summary.disbursed);
    expect(h1.summary.disbursedInRange).toBeGreaterThan(0n);
    // The in-range figure is the sum of the FundsDisbursed lines the report lists.
    const listed = measuresOf(h1).flatMap((m) => m.reports.filter((r) => r.type === 'FundsDisbursed').map((r) => BigInt(/amount: HUF ([\d,]+)/.exec(r.keyFigures)![1].replaceAll(',', ''))));
    expect(listed.reduce((n, v) => n + v, 0n)).toBe(h1.summary.disbursedInRange);
  });

  it('flags over-disbursement as fundingSummary does, per budget year', () => {
    const report = build(plan.period.from, plan.period.to);
    const summary = fundingSummary(source.activity, plan);
    expect([...report.summary.overDisbursedMeasures].sort()).toEqual([...summary.overDisbursedMeasures].sort());
    for (const m of measuresOf(report)) {
      const years = summary.measures.find((f) => f.measureCode === m.code)!.years.filter((f) => f.overDisbursed);
      expect({ code: m.code, over: m.funding.overDisbursedYears }).toEqual({ code: m.code, over: years.map((f) => ({ year: f.year, allocated: f.allocated, disbursed: f.disbursed })) });
    }
  });

  it('writes report lines for people: a clean title, money as HUF 1,234, funding sources by name', () => {
    const lines = measuresOf(build(plan.period.from, plan.period.to)).flatMap((m) => m.reports);
    const funds = lines.filter((l) => l.type === 'FundsDisbursed');
    expect(funds.length).toBeGreaterThan(10);
    for (const line of funds) {
      expect(line.keyFigures).toMatch(/^amount: HUF \d{1,3}(,\d{3})*; source: (National budget|EU funds|Swiss–Hungarian Cooperation Programme)(; |$)/);
      expect(line.title).not.toMatch(/^(national|eu|swiss-hungarian)\b/);
    }
    // Counts and money grouped by thousands: no figure written as a bare run of digits.
    expect(lines.filter((l) => /(participants|amount|places|facilities|days|[a-z]+): (HUF )?\d{4,}(;|$)/.test(l.keyFigures))).toEqual([]);
  });

  it('refuses a range with no day of the plan, and says in the document when a range reaches beyond it', async () => {
    const refusal = (from: string, to: string) => {
      try {
        build(from, to);
      } catch (error) {
        return error;
      }
      return undefined;
    };
    expect(refusal('2019-01-01', '2021-12-31')).toMatchObject({ field: 'to', reason: expect.stringMatching(/before the first day of plan hu-2022-2023 \(2022-01-01\)/) });
    expect(refusal('2024-01-01', '2030-12-31')).toMatchObject({ field: 'from', reason: expect.stringMatching(/after the last day of plan hu-2022-2023 \(2023-12-31\)/) });
    expect(refusal('2019-01-01', '2022-01-01')).toBeUndefined();
    const wide = build('2019-01-01', '2030-12-31');
    const exact = build(plan.period.from, plan.period.to);
    expect(wide.coverage).toEqual(plan.period);
    expect(wide.budgetYears).toEqual({ from: 2022, to: 2023 });
    expect([wide.summary.reportsInRange, wide.summary.disbursedInRange, wide.summary.allocated]).toEqual([exact.summary.reportsInRange, exact.summary.disbursedInRange, exact.summary.allocated]);
    const text = await docxText(wide);
    expect(text).toContain("The range asked (2019-01-01 – 2030-12-31) reaches beyond the plan's period (2022-01-01 – 2023-12-31)");
    expect(await docxText(exact)).not.toContain('reaches beyond');
  }, 60_000);

  it('writes statuses, reasons and levels in words in the DOCX and XLSX, the codes in the CSV', async () => {
    const report = build(plan.period.from, plan.period.to);
    const codes = new RegExp(`\\b(${[...MEASURE_STATUSES, ...STATUS_REASONS].join('|')})\\b`);
    const text = await docxText(report);
    expect(text).not.toMatch(codes);
    // Status and reason as two labelled cells of the measure's table (the XLSX columns' headers), never "Status: X: Y".
    for (const m of measuresOf(report)) expect(text).toContain(`\nStatus\n${STATUS_LABEL[m.status]}\nStatus reason\n${STATUS_REASON_LABEL[m.statusReason]}\n`);
    expect(text.split('\n').filter((line) => line.startsWith('Status:'))).toEqual([]);
    // Funding sources by name: no table cell or Sources line gives an id.
    expect(text.split('\n').filter((line) => /^(national|eu|swiss-hungarian|unspecified)$|^Sources: .*\b(national|eu|swiss-hungarian)\b/.test(line))).toEqual([]);
    expect(text).toContain('Sources: National budget');
    // Over-disbursement is flagged in the document, in the summary and at each measure.
    expect(report.summary.overDisbursedMeasures.length).toBeGreaterThan(0);
    expect(text).toContain(`Disbursed more than allocated: ${report.summary.overDisbursedMeasures.join(', ')}`);
    for (const m of measuresOf(report).filter((x) => x.funding.overDisbursed)) {
      expect(text).toContain(`Disbursed more than allocated: ${m.funding.overDisbursedYears.map((y) => `${y.year}: HUF ${y.disbursed.toLocaleString('en-US')} disbursed against HUF ${y.allocated.toLocaleString('en-US')} allocated`).join('; ')}`);
    }
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await renderXlsx(report)) as unknown as ArrayBuffer);
    const words = new Set<string>([...Object.values(STATUS_LABEL), ...Object.values(STATUS_REASON_LABEL), ...Object.values(LEVEL_LABEL), ...Object.values(FUNDING_SOURCE_LABEL)]);
    let cells = 0;
    workbook.eachSheet((sheet) => {
      sheet.eachRow((row) => {
        row.eachCell((cell) => {
          const value = typeof cell.value === 'string' || typeof cell.value === 'number' ? String(cell.value) : '';
          expect(value).not.toMatch(codes);
          if (words.has(value)) cells += 1;
        });
      });
    });
    expect(cells).toBeGreaterThan(100);
    const flagged: string[] = [];
    workbook.getWorksheet('Summary')!.eachRow((row) => {
      const first = row.getCell(1).value;
      if (typeof first === 'string' && first.startsWith('Disbursed more than allocated: ')) flagged.push(first);
    });
    expect(flagged).toEqual([`Disbursed more than allocated: ${report.summary.overDisbursedMeasures.join(', ')}`]);
    const rows = parse(renderCsv(report), { columns: true }) as Array<Record<string, string>>;
    expect(rows.every((row) => (MEASURE_STATUSES as readonly string[]).includes(row.status) && (STATUS_REASONS as readonly string[]).includes(row.statusReason))).toBe(true);
  }, 60_000);

  it('renders one CSV row per measure × indicator and an XLSX with a sheet per pillar', async () => {
    const report = build('2022-04-01', '2023-03-31');
    const rows = parse(renderCsv(report), { columns: true }) as Array<Record<string, string>>;
    expect(Object.keys(rows[0])).toEqual([...CSV_COLUMNS]);
    expect(rows.length).toBe(measuresOf(report).reduce((n, m) => n + Math.max(1, m.indicators.length), 0));
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await renderXlsx(report)) as unknown as ArrayBuffer);
    expect(workbook.worksheets.map((s) => s.name)).toEqual(['Summary', ...plan.pillars.map((p) => `Pillar ${p.code}`), 'Reports', 'Funding']);
    // A report's description is its title or its first text field (a payment's purpose): headed so.
    expect(workbook.getWorksheet('Reports')!.getRow(1).values).toEqual([undefined, 'Measure', 'Date', 'Agency', 'Report id', 'Type', 'Description', 'Key figures']);
    let reportRows = 0;
    workbook.getWorksheet('Reports')!.eachRow((row, i) => {
      if (i > 1 && /^[IV]+\./.test(String((row.values as unknown[])[1]))) reportRows += 1;
    });
    expect(reportRows).toBe(report.summary.reportsInRange);
  }, 60_000);

  it('writes every date of the XLSX as a date cell (yyyy-mm-dd) on its own calendar day, at UTC midnight', async () => {
    const report = build('2022-04-01', '2023-03-31');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await renderXlsx(report)) as unknown as ArrayBuffer);
    const dayOf = (cell: ExcelJS.Cell): string => {
      expect([cell.type, cell.numFmt]).toEqual([ExcelJS.ValueType.Date, 'yyyy-mm-dd']);
      const date = cell.value as Date;
      // A whole day: no time of day a time zone could have added.
      expect(date.getTime() % 86_400_000).toBe(0);
      return date.toISOString().slice(0, 10);
    };
    // The Reports sheet, row for row in the report's order: each line's occurredOn.
    const sheet = workbook.getWorksheet('Reports')!;
    const written: string[] = [];
    sheet.eachRow((row, i) => {
      if (i > 1 && /^[IV]+\./.test(row.getCell(1).text)) written.push(`${row.getCell(1).text} ${dayOf(row.getCell(2))}`);
    });
    const expected = measuresOf(report).flatMap((m) => m.reports.map((line) => `${m.code} ${line.occurredOn}`));
    expect(expected.length).toBeGreaterThan(10);
    expect(written).toEqual(expected);
    // Pillar sheets, a row per measure × indicator: the plan's deadline, and the assessment's asOf or
    // an empty cell (the generated history holds none; test/e2e/report.e2e-spec.ts reads an assessed one).
    const measureRows: string[] = [];
    for (const pillar of workbook.worksheets.filter((w) => w.name.startsWith('Pillar '))) {
      const headers = Array.from(pillar.getRow(1).values as unknown[], (v) => (typeof v === 'string' ? v : ''));
      const [deadlineAt, assessedAt] = [headers.indexOf('Deadline'), headers.indexOf('Assessed as of')];
      pillar.eachRow((row, i) => {
        if (i === 1 || !/^[IV]+\./.test(row.getCell(2).text)) return;
        const assessed = row.getCell(assessedAt);
        measureRows.push(`${row.getCell(2).text} ${dayOf(row.getCell(deadlineAt))} ${assessed.value === null ? 'none' : dayOf(assessed)}`);
      });
    }
    expect(measureRows).toEqual(
      measuresOf(report).flatMap((m) => Array.from({ length: Math.max(1, m.indicators.length) }, () => `${m.code} ${m.deadline} ${m.latestAssessment?.asOf ?? 'none'}`)),
    );
    let statusAsOf: ExcelJS.Cell | undefined;
    workbook.getWorksheet('Summary')!.eachRow((row) => {
      if (row.getCell(1).value === 'Status as of') statusAsOf = row.getCell(2);
    });
    expect(dayOf(statusAsOf!)).toBe(report.asOf);
  }, 60_000);

  /** The source with these assessments in force (the assessments projection's entries). */
  const assessed = (entries: Array<Pick<AssessmentEntry, 'assessmentId' | 'level' | 'asOf' | 'narrative' | 'evidence' | 'indicatorComments' | 'corrections'> & { code: string }>): ReportSource => {
    const assessments = new KeyedState();
    for (const [i, e] of entries.entries()) {
      const { code, ...content } = e;
      const value: AssessmentEntry = {
        ...content, recordedAt: `2024-01-0${i + 1}T00:00:00Z`, recordedBy: 'nacs', updatedAt: `2024-01-0${i + 1}T00:00:00Z`, position: String(i), stream: `assessment-${e.assessmentId}`,
      };
      assessments.apply({ table: ASSESSMENTS.name, group: measureKey(PLAN, code), key: e.assessmentId, value });
    }
    return { ...source, assessments };
  };

  /** The XLSX pillar sheets' rows as header → value, keyed `measure/indicator key`. */
  async function pillarRows(report: ImplementationReport): Promise<Map<string, Record<string, unknown>>> {
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await renderXlsx(report)) as unknown as ArrayBuffer);
    const rows = new Map<string, Record<string, unknown>>();
    for (const sheet of workbook.worksheets.filter((w) => w.name.startsWith('Pillar '))) {
      const headers = Array.from(sheet.getRow(1).values as unknown[], (v) => (typeof v === 'string' ? v : ''));
      sheet.eachRow((row, i) => {
        const values = row.values as unknown[];
        const record = Object.fromEntries(headers.map((h, j) => [h, values[j]] as const).filter(([h]) => h !== ''));
        if (i > 1 && record.Measure) rows.set(`${cellText(record.Measure)}/${cellText(record['Indicator key'])}`, record);
      });
    }
    return rows;
  }

  it('carries the assessment in force whole in every format: evidence, corrections and the comments on indicators by name', async () => {
    const seeded = assessed([
      {
        code: 'II.1.3', assessmentId: 'c1', level: 'SUBSTANTIAL', asOf: '2023-06-30', narrative: 'Ten of twelve held', evidence: ['BM/1234-5/2024', 'https://example.org/minutes'], corrections: 2,
        indicatorComments: [{ indicatorKey: 'participants', comment: 'Registers of two sessions missing' }, { indicatorKey: 'trainings', comment: 'Two postponed to 2024' }],
      },
      { code: 'I.3.2', assessmentId: 'c2', level: 'LIMITED', asOf: '2023-05-01', narrative: 'One meeting of four', evidence: [], corrections: 0, indicatorComments: [] },
    ]);
    const report = buildImplementationReport(seeded, { planId: PLAN, range: { from: '2023-01-01', to: '2023-09-30' }, today: '2026-01-01' });
    const ii13 = measuresOf(report).find((m) => m.code === 'II.1.3')!;
    const labels = new Map(ii13.indicators.map((i) => [i.key, i.label]));
    expect(labels.get('trainings')).toBeDefined();
    expect(ii13.latestAssessment?.indicatorComments).toEqual([
      { indicatorKey: 'participants', indicatorLabel: labels.get('participants'), comment: 'Registers of two sessions missing' },
      { indicatorKey: 'trainings', indicatorLabel: labels.get('trainings'), comment: 'Two postponed to 2024' },
    ]);

    const csv = parse(renderCsv(report), { columns: true }) as Array<Record<string, string>>;
    const row = (key: string) => csv.find((r) => `${r.measure}/${r.indicatorKey}` === key)!;
    const assessmentColumns = ['assessmentLevel', 'assessmentEvidence', 'assessmentCorrections', 'assessmentIndicatorComment', 'indicatorLabel'];
    expect(assessmentColumns.map((c) => row('II.1.3/trainings')[c])).toEqual(['SUBSTANTIAL', 'BM/1234-5/2024\nhttps://example.org/minutes', '2', 'Two postponed to 2024', labels.get('trainings')]);
    expect(assessmentColumns.map((c) => row('II.1.3/participants')[c])).toEqual(['SUBSTANTIAL', 'BM/1234-5/2024\nhttps://example.org/minutes', '2', 'Registers of two sessions missing', labels.get('participants')]);
    // Assessed without evidence or comments: empty cells, the corrections counted (0); not assessed: all empty.
    expect(assessmentColumns.slice(0, 4).map((c) => csv.find((r) => r.measure === 'I.3.2')![c])).toEqual(['LIMITED', '', '0', '']);
    expect(assessmentColumns.slice(0, 4).map((c) => csv.find((r) => r.measure === 'II.3.3')![c])).toEqual(['', '', '', '']);

    const xlsx = await pillarRows(report);
    const cells = (key: string) => ['Assessment', 'Evidence', 'Assessment corrections', 'Comment on the indicator', 'Indicator'].map((h) => xlsx.get(key)![h]);
    expect(cells('II.1.3/trainings')).toEqual(['Substantial', 'BM/1234-5/2024; https://example.org/minutes', 2, 'Two postponed to 2024', labels.get('trainings')]);
    expect(cells('II.1.3/participants')).toEqual(['Substantial', 'BM/1234-5/2024; https://example.org/minutes', 2, 'Registers of two sessions missing', labels.get('participants')]);
    expect(cells([...xlsx.keys()].find((k) => k.startsWith('I.3.2/'))!).slice(0, 4)).toEqual(['Limited', '', 0, '']);

    const text = await docxText(report);
    expect(text).toContain(
      [
        'Assessment: Substantial as of 2023-06-30 (corrected 2×)',
        'Ten of twelve held',
        'Evidence: BM/1234-5/2024; https://example.org/minutes',
        `Comment on ${labels.get('participants')}: Registers of two sessions missing`,
        `Comment on ${labels.get('trainings')}: Two postponed to 2024`,
      ].join('\n'),
    );
    // A comment on an indicator the plan no longer gives the measure (amended away) is kept, named by its key, on the measure's rows.
    const amended = buildImplementationReport(
      assessed([{ code: 'II.1.3', assessmentId: 'c3', level: 'LIMITED', asOf: '2023-06-30', narrative: 'Half held', evidence: [], corrections: 0, indicatorComments: [{ indicatorKey: 'trainings', comment: 'Two postponed' }, { indicatorKey: 'sessions', comment: 'Counted as trainings now' }] }]),
      { planId: PLAN, range: { from: '2023-01-01', to: '2023-09-30' }, today: '2026-01-01' },
    );
    const orphan = 'sessions (not an indicator of the measure in this plan): Counted as trainings now';
    const amendedRows = (parse(renderCsv(amended), { columns: true }) as Array<Record<string, string>>).filter((r) => r.measure === 'II.1.3');
    expect(amendedRows.map((r) => [r.indicatorKey, r.assessmentIndicatorComment])).toEqual([
      ['trainings', `Two postponed; ${orphan}`],
      ['participants', orphan],
    ]);
    expect((await pillarRows(amended)).get('II.1.3/participants')!['Comment on the indicator']).toBe(orphan);
    expect(await docxText(amended)).toContain(`Comment on ${orphan}`);
    // Only the assessment in force speaks: before its date, no comment.
    const before = buildImplementationReport(seeded, { planId: PLAN, range: { from: '2023-01-01', to: '2023-06-29' }, today: '2026-01-01' });
    expect(await docxText(before)).not.toContain('Two postponed to 2024');
    expect((parse(renderCsv(before), { columns: true }) as Array<Record<string, string>>).filter((r) => r.assessmentIndicatorComment !== '')).toEqual([]);
  }, 60_000);

  it('says which measures are due on the day statuses are taken, so "In progress" there is not read as on time', async () => {
    const due = (report: ImplementationReport) => measuresOf(report).filter((m) => m.dueOnAsOf).map((m) => m.code);
    const lastDay = plan.pillars.flatMap((p) => p.objectives.flatMap((o) => o.measures)).filter((m) => m.deadline === plan.period.to).map((m) => m.code);
    expect(lastDay.length).toBeGreaterThan(30);
    // The year-end report: the range ends on the plan's last deadline day.
    const yearEnd = build('2023-01-01', '2023-12-31');
    // Those achieved or withdrawn by then are not waiting on their deadline: not "due".
    const finished = new Set(measuresOf(yearEnd).filter((m) => m.status === 'ACHIEVED' || m.status === 'WITHDRAWN').map((m) => m.code));
    expect(lastDay.filter((code) => finished.has(code)).length).toBeGreaterThan(0);
    const dueLastDay = lastDay.filter((code) => !finished.has(code));
    expect(due(yearEnd)).toEqual(dueLastDay);
    expect(yearEnd.summary.dueOnAsOf).toEqual(dueLastDay);
    // One day earlier, or one day later, no deadline is the status day.
    expect(due(build('2023-01-01', '2023-12-30'))).toEqual([]);
    expect(build('2023-01-01', '2023-12-30').summary.dueOnAsOf).toEqual([]);
    expect(due(build('2023-01-01', '2024-01-01'))).toEqual([]);
    // A range still running: statuses as of today, and a deadline today is due today.
    const running = build('2022-01-01', '2023-12-31', '2022-12-31');
    const endOf2022 = plan.pillars.flatMap((p) => p.objectives.flatMap((o) => o.measures)).filter((m) => m.deadline === '2022-12-31').map((m) => m.code);
    expect(endOf2022.length).toBeGreaterThan(0);
    expect(due(running)).toEqual(endOf2022.filter((code) => !measuresOf(running).some((m) => m.code === code && (m.status === 'ACHIEVED' || m.status === 'WITHDRAWN'))));

    const csv = parse(renderCsv(yearEnd), { columns: true }) as Array<Record<string, string>>;
    for (const row of csv) expect({ measure: row.measure, due: row.dueOnAsOf }).toEqual({ measure: row.measure, due: String(dueLastDay.includes(row.measure)) });

    const xlsx = await pillarRows(yearEnd);
    const notes = new Map([...xlsx.values()].map((r) => [cellText(r.Measure), r['Deadline note']]));
    for (const [code, note] of notes) {
      expect({ code, note }).toEqual({ code, note: dueLastDay.includes(code) ? 'due on the last day of this report: statuses are taken that day, before the deadline has passed' : '' });
    }
    const summaryNote = `${dueLastDay.length} measures neither achieved nor withdrawn are due on 2023-12-31, the last day of this report (${dueLastDay.join(', ')}).`;
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await renderXlsx(yearEnd)) as unknown as ArrayBuffer);
    const firstCells: string[] = [];
    workbook.getWorksheet('Summary')!.eachRow((r) => firstCells.push(cellText(r.getCell(1).value)));
    expect(firstCells.filter((c) => c.startsWith(summaryNote))).toHaveLength(1);
    // Every sheet prints the ledger line in its footer, the tables of reports and money too.
    const footers = workbook.worksheets.map((sheet) => [sheet.name, sheet.headerFooter?.oddFooter?.startsWith('&LComputed from the ledger at position') ?? false]);
    expect(footers.length).toBeGreaterThan(3);
    expect(footers).toEqual(workbook.worksheets.map((sheet) => [sheet.name, true]));
    expect(firstCells.find((c) => c.startsWith(summaryNote))).toContain('From 2024-01-01 a measure neither achieved nor withdrawn counts as Overdue');

    const text = await docxText(yearEnd);
    expect(text).toContain(`Due on the day statuses are taken: ${summaryNote}`);
    const ii13 = measuresOf(yearEnd).find((m) => m.code === 'II.1.3')!;
    expect(text).toContain(`${ii13.code} ${ii13.title}\nResponsible\n`);
    expect(text).toContain('\nDeadline\n2023-12-31 — due on the last day of this report: statuses are taken that day, before the deadline has passed\n');
    const i12 = measuresOf(yearEnd).find((m) => m.code === 'I.1.2')!;
    expect(text).toContain(`\nDeadline\n${i12.deadline}\nStatus\n`);
    expect(await docxText(running)).toContain('\nDeadline\n2022-12-31 — due today (2022-12-31), the day statuses are taken: the deadline has not passed yet\n');
    expect(await docxText(build('2023-01-01', '2023-12-30'))).not.toContain('Due on the day statuses are taken');
  }, 60_000);

  it('numbers the DOCX pages in the footer: "Page X of Y" as Word fields, beside the ledger line', async () => {
    const zip = await JSZip.loadAsync(await renderDocx(build('2023-01-01', '2023-03-31')));
    const footers = await Promise.all(Object.keys(zip.files).filter((f) => /^word\/footer\d*\.xml$/.test(f)).map((f) => zip.file(f)!.async('string')));
    expect(footers).toHaveLength(1);
    const [footer] = footers;
    const fields = [...footer.matchAll(/<w:instrText[^>]*>([^<]*)<\/w:instrText>/g)].map((m) => m[1].trim());
    expect(fields).toEqual(['PAGE', 'NUMPAGES']);
    expect(footer.replace(/<w:instrText[^>]*>[^<]*<\/w:instrText>/g, '{field}').replace(/<[^>]+>/g, '')).toContain('Page {field} of {field}');
    expect(footer).toContain('Computed from the ledger at position');
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
