import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { verifyChain } from '@app/audit';
import { SqliteEventStore, embeddedStoreFile } from '@app/event-store';
import { type Plan } from '@app/plan';
import { MeasureFigures, allPlans } from '@app/projections';
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
    expect(pastDeadline.map((m) => m.status)).toEqual(pastDeadline.map(() => 'OVERDUE'));
  });

  it('takes status reasons and assessments from the one mapping, and leaves them out without it', () => {
    const judgements = new Map([['II.1.3', { statusReason: 'NO_FINISH_LINE', latestAssessment: { level: 'SUBSTANTIAL', narrative: 'On track.', assessedOn: '2023-01-15' } }]]);
    const report = buildImplementationReport(source, { planId: PLAN, range: tipYear(2023), today: '2026-01-01', judgements });
    const measure = measuresOf(report).find((m) => m.code === 'II.1.3')!;
    expect(measure).toMatchObject({ statusReason: 'NO_FINISH_LINE', latestAssessment: { level: 'SUBSTANTIAL' } });
    expect(measuresOf(report).find((m) => m.code === 'II.1.2')).not.toHaveProperty('statusReason');
    const csv = parse(renderCsv(report), { columns: true }) as Array<Record<string, string>>;
    expect(csv.find((row) => row.measure === 'II.1.3')).toMatchObject({ statusReason: 'NO_FINISH_LINE', assessmentLevel: 'SUBSTANTIAL', assessmentNarrative: 'On track.' });
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
