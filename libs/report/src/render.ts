import { stringify } from 'csv-stringify/sync';
import type { Paragraph as DocxParagraph, Table as DocxTable } from 'docx';
import { MEASURE_STATUSES } from '@app/projections';
import type { ImplementationReport, MeasureReport, PillarReport } from './report-model.js';
import { ReportInputError } from './report-errors.js';

/** The formats the report is rendered in. */
export const REPORT_FORMATS = ['xlsx', 'csv', 'docx'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export const REPORT_CONTENT_TYPES: Readonly<Record<ReportFormat, string>> = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv; charset=utf-8',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
};

export function parseFormat(value: string | undefined, field = 'format'): ReportFormat {
  const format = (value ?? '').toLowerCase();
  if (!(REPORT_FORMATS as readonly string[]).includes(format)) {
    throw new ReportInputError(field, `must be one of ${REPORT_FORMATS.join(', ')} (got "${value ?? ''}")`);
  }
  return format as ReportFormat;
}

/** `implementation-report_<plan>_<from>_<to>.<ext>` */
export function reportFileName(report: ImplementationReport, format: ReportFormat): string {
  return `implementation-report_${report.plan.id}_${report.range.from}_${report.range.to}.${format}`;
}

/**
 * The footer every rendering carries: the ledger position and chain head the report was
 * computed from, and the command that checks the log still holds them.
 */
export function footerText(report: ImplementationReport): string {
  const { position, chainHead, sequence } = report.ledger;
  return (
    `Computed from the ledger at position ${position} (chain head ${chainHead}, ${sequence} events). ` +
    `Check with: ledger verify --head ${chainHead}@${position}; reproduce with: ledger report --plan ${report.plan.id} ` +
    `--from ${report.range.from} --to ${report.range.to} --at-position ${position}`
  );
}

export async function renderReport(report: ImplementationReport, format: ReportFormat): Promise<Buffer> {
  switch (format) {
    case 'xlsx':
      return renderXlsx(report);
    case 'csv':
      return Buffer.from(renderCsv(report), 'utf8');
    case 'docx':
      return renderDocx(report);
    default: {
      const _: never = format;
      throw new Error(`Unknown format ${String(_)}`);
    }
  }
}

/** A bigint as a spreadsheet number when a double holds it exactly, else as its decimal text. */
function cellNumber(value: bigint): number | string {
  return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
}

/** Said for an allocation the plan gives without an amount (`amountHuf: unstated`): unknown, never 0. */
export const NOT_STATED = 'not stated';

/** An allocation as text: its stated amount, "not stated", or both when only part of it is stated. */
function allocationText(allocated: bigint, unstated: boolean, format: (v: bigint) => string = (v) => v.toString()): string {
  if (!unstated) return format(allocated);
  return allocated === 0n ? NOT_STATED : `${format(allocated)} + ${NOT_STATED}`;
}

/** An allocation as a spreadsheet cell: a number when fully stated, else text saying what is not. */
function allocationCell(allocated: bigint, unstated: boolean): number | string {
  return unstated ? allocationText(allocated, true) : cellNumber(allocated);
}

const names = (agencies: readonly { readonly name: string }[]) => agencies.map((a) => a.name).join('; ');

function* measuresOf(report: ImplementationReport): Generator<{ pillar: PillarReport; objectiveCode: string; measure: MeasureReport }> {
  for (const pillar of report.pillars) for (const objective of pillar.objectives) for (const measure of objective.measures) yield { pillar, objectiveCode: objective.code, measure };
}

/** The CSV columns, in order: one row per measure × indicator (a measure without indicators has one row). */
export const CSV_COLUMNS = [
  'planId',
  'from',
  'to',
  'asOf',
  'pillar',
  'objective',
  'measure',
  'measureTitle',
  'responsible',
  'partners',
  'deadline',
  'status',
  'statusReason',
  'progress',
  'assessmentLevel',
  'assessmentAsOf',
  'assessmentNarrative',
  'indicatorKey',
  'indicatorLabel',
  'target',
  'valueInRange',
  'valueToDate',
  'indicatorProgress',
  'achieved',
  'reportsInRange',
  'allocatedHuf',
  'allocationUnstatedYears',
  'disbursedHuf',
  'ledgerPosition',
  'chainHead',
] as const;

/**
 * RFC 4180 CSV (csv-stringify), UTF-8, header row first; values exact (bigints as decimal text).
 * `allocatedHuf` is the stated amount, "not stated" when no amount is stated, or
 * "<amount> + not stated" when part is; `allocationUnstatedYears` lists the years (`;`-separated).
 */
export function renderCsv(report: ImplementationReport): string {
  const rows: Array<Record<(typeof CSV_COLUMNS)[number], string | number>> = [];
  for (const { pillar, objectiveCode, measure } of measuresOf(report)) {
    const base = {
      planId: report.plan.id,
      from: report.range.from,
      to: report.range.to,
      asOf: report.asOf,
      pillar: pillar.code,
      objective: objectiveCode,
      measure: measure.code,
      measureTitle: measure.title,
      responsible: measure.responsible.map((a) => a.id).join(';'),
      partners: measure.partners.map((a) => a.id).join(';'),
      deadline: measure.deadline,
      status: measure.status,
      statusReason: measure.statusReason ?? '',
      progress: measure.progress ?? '',
      assessmentLevel: measure.latestAssessment?.level ?? '',
      assessmentAsOf: measure.latestAssessment?.asOf ?? '',
      assessmentNarrative: measure.latestAssessment?.narrative ?? '',
      reportsInRange: measure.reports.length,
      allocatedHuf: allocationText(measure.funding.allocated, measure.funding.unstatedYears.length > 0),
      allocationUnstatedYears: measure.funding.unstatedYears.join(';'),
      disbursedHuf: measure.funding.disbursed.toString(),
      ledgerPosition: report.ledger.position.toString(),
      chainHead: report.ledger.chainHead,
    };
    const empty = { indicatorKey: '', indicatorLabel: '', target: '', valueInRange: '', valueToDate: '', indicatorProgress: '', achieved: '' };
    if (measure.indicators.length === 0) rows.push({ ...base, ...empty });
    for (const indicator of measure.indicators) {
      rows.push({
        ...base,
        indicatorKey: indicator.key,
        indicatorLabel: indicator.label,
        target: indicator.target ?? '',
        valueInRange: indicator.inRange.toString(),
        valueToDate: indicator.toDate.toString(),
        indicatorProgress: indicator.progress ?? '',
        achieved: indicator.achieved === undefined ? '' : String(indicator.achieved),
      });
    }
  }
  return stringify(rows, { header: true, columns: [...CSV_COLUMNS] });
}

/** Excel's rules for sheet names: at most 31 characters, none of : \ / ? * [ ]. */
function sheetName(text: string): string {
  return text.replace(/[:\\/?*[\]]/g, ' ').slice(0, 31);
}

/** The pillar sheets' columns: one row per measure × indicator. */
const PILLAR_COLUMNS = [
  { header: 'Objective', key: 'objective', width: 10 },
  { header: 'Measure', key: 'measure', width: 10 },
  { header: 'Title', key: 'title', width: 50 },
  { header: 'Responsible', key: 'responsible', width: 30 },
  { header: 'Partners', key: 'partners', width: 30 },
  { header: 'Deadline', key: 'deadline', width: 12 },
  { header: 'Status', key: 'status', width: 13 },
  { header: 'Status reason', key: 'statusReason', width: 24 },
  { header: 'Progress %', key: 'progress', width: 10 },
  { header: 'Assessment', key: 'assessment', width: 14 },
  { header: 'Assessed as of', key: 'assessmentAsOf', width: 12 },
  { header: 'Narrative', key: 'narrative', width: 40 },
  { header: 'Indicator', key: 'indicator', width: 30 },
  { header: 'Indicator key', key: 'indicatorKey', width: 14 },
  { header: 'Target', key: 'target', width: 10 },
  { header: 'In range', key: 'inRange', width: 12 },
  { header: 'To date', key: 'toDate', width: 12 },
  { header: 'Indicator progress %', key: 'indicatorProgress', width: 12 },
  { header: 'Reports in range', key: 'reports', width: 10 },
  { header: 'Allocated HUF', key: 'allocated', width: 16 },
  { header: 'Disbursed HUF', key: 'disbursed', width: 16 },
];

/**
 * XLSX (exceljs): a Summary sheet (plan, range, statuses, money, one row per pillar), one sheet
 * per pillar (a row per measure × indicator), a Reports sheet and a Funding sheet (by year and
 * source). Every sheet ends with the ledger footer, also set as the printed page footer.
 */
export async function renderXlsx(report: ImplementationReport): Promise<Buffer> {
  // Loaded when a workbook is asked for: exceljs takes seconds to import on a busy machine, a
  // cost every api start and every `ledger` command would pay otherwise.
  const { default: ExcelJS } = await import('exceljs');
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Action Plan Ledger';
  // From the ledger, not the clock: the same ledger position gives the same workbook content.
  workbook.created = new Date(`${report.asOf}T00:00:00Z`);
  const footer = footerText(report);

  const summary = workbook.addWorksheet('Summary');
  summary.columns = [
    { header: 'Pillar', key: 'pillar', width: 10 },
    { header: 'Title', key: 'title', width: 50 },
    { header: 'Measures', key: 'measures', width: 10 },
    ...MEASURE_STATUSES.map((status) => ({ header: status, key: status, width: 13 })),
    { header: 'Reports in range', key: 'reports', width: 10 },
    { header: 'Allocated HUF', key: 'allocated', width: 16 },
    { header: 'Disbursed HUF', key: 'disbursed', width: 16 },
  ];
  summary.getRow(1).font = { bold: true };
  for (const pillar of report.pillars) {
    const measures = pillar.objectives.flatMap((o) => o.measures);
    const count = (status: string) => measures.filter((m) => m.status === status).length;
    summary.addRow({
      pillar: pillar.code,
      title: pillar.title,
      measures: measures.length,
      ...Object.fromEntries(MEASURE_STATUSES.map((status) => [status, count(status)])),
      reports: measures.reduce((n, m) => n + m.reports.length, 0),
      allocated: cellNumber(measures.reduce((n, m) => n + m.funding.allocated, 0n)),
      disbursed: cellNumber(measures.reduce((n, m) => n + m.funding.disbursed, 0n)),
    });
  }
  const s = report.summary;
  summary.addRow({
    pillar: 'Total',
    measures: s.measures,
    ...s.byStatus,
    reports: s.reportsInRange,
    allocated: cellNumber(s.allocated),
    disbursed: cellNumber(s.disbursed),
  }).font = { bold: true };
  summary.addRow([]);
  summary.addRow(['Status reason', 'Measures']).font = { bold: true };
  for (const [reason, n] of Object.entries(s.byReason)) summary.addRow([reason, n]);
  if (s.measuresWithUnstatedAllocation > 0) {
    summary.addRow([`Allocated HUF counts stated amounts only: ${s.measuresWithUnstatedAllocation} measure(s) have an allocation with the amount ${NOT_STATED}`]);
  }
  summary.addRow([]);
  summary.addRow(['Plan', `${report.plan.title} (${report.plan.decision})`]);
  summary.addRow(['Range', `${report.range.from} – ${report.range.to}`]);
  summary.addRow(['Status as of', report.asOf]);
  summary.addRow(['Ledger position', report.ledger.position.toString()]);
  summary.addRow(['Chain head', report.ledger.chainHead]);
  summary.addRow([footer]);
  summary.headerFooter.oddFooter = `&L${footer.slice(0, 200)}`;

  for (const pillar of report.pillars) {
    const sheet = workbook.addWorksheet(sheetName(`Pillar ${pillar.code}`));
    sheet.columns = PILLAR_COLUMNS;
    sheet.getRow(1).font = { bold: true };
    sheet.views = [{ state: 'frozen', ySplit: 1 }];
    for (const objective of pillar.objectives) {
      for (const measure of objective.measures) {
        const base = {
          objective: objective.code,
          measure: measure.code,
          title: measure.title,
          responsible: names(measure.responsible),
          partners: measure.partnersText ?? names(measure.partners),
          deadline: measure.deadline,
          status: measure.status,
          statusReason: measure.statusReason ?? '',
          progress: measure.progress ?? '',
          assessment: measure.latestAssessment?.level ?? '',
          assessmentAsOf: measure.latestAssessment?.asOf ?? '',
          narrative: measure.latestAssessment?.narrative ?? '',
          reports: measure.reports.length,
          allocated: allocationCell(measure.funding.allocated, measure.funding.unstatedYears.length > 0),
          disbursed: cellNumber(measure.funding.disbursed),
        };
        if (measure.indicators.length === 0) sheet.addRow(base);
        for (const indicator of measure.indicators) {
          sheet.addRow({
            ...base,
            indicator: indicator.label,
            indicatorKey: indicator.key,
            target: indicator.target ?? '',
            inRange: cellNumber(indicator.inRange),
            toDate: cellNumber(indicator.toDate),
            indicatorProgress: indicator.progress ?? '',
          });
        }
      }
    }
    sheet.addRow([]);
    sheet.addRow([footer]);
    sheet.headerFooter.oddFooter = `&L${footer.slice(0, 200)}`;
  }

  const reports = workbook.addWorksheet('Reports');
  reports.columns = [
    { header: 'Measure', key: 'measure', width: 10 },
    { header: 'Date', key: 'date', width: 12 },
    { header: 'Agency', key: 'agency', width: 30 },
    { header: 'Report id', key: 'reportId', width: 20 },
    { header: 'Type', key: 'type', width: 22 },
    { header: 'Title', key: 'title', width: 50 },
    { header: 'Key figures', key: 'keyFigures', width: 40 },
  ];
  reports.getRow(1).font = { bold: true };
  for (const { measure } of measuresOf(report)) {
    for (const line of measure.reports) {
      reports.addRow({ measure: measure.code, date: line.occurredOn, agency: line.agency.name, reportId: line.reportId, type: line.type, title: line.title, keyFigures: line.keyFigures });
    }
  }
  reports.addRow([]);
  reports.addRow([footer]);

  const funding = workbook.addWorksheet('Funding');
  funding.columns = [
    { header: 'Measure', key: 'measure', width: 10 },
    { header: 'Year', key: 'year', width: 8 },
    { header: 'Source', key: 'source', width: 16 },
    { header: 'Allocated HUF', key: 'allocated', width: 16 },
    { header: 'Disbursed HUF', key: 'disbursed', width: 16 },
  ];
  funding.getRow(1).font = { bold: true };
  for (const { measure } of measuresOf(report)) {
    for (const line of measure.funding.lines) {
      funding.addRow({ measure: measure.code, year: line.year, source: line.source, allocated: allocationCell(line.allocated, line.allocationUnstated), disbursed: cellNumber(line.disbursed) });
    }
  }
  funding.addRow([]);
  funding.addRow([footer]);

  return Buffer.from(await workbook.xlsx.writeBuffer());
}

const huf = (value: bigint) => `HUF ${value.toLocaleString('en-US')}`;

/**
 * An editable DOCX (the `docx` package): headings per pillar, objective and measure, so a
 * ministry can edit the text before sending it; tables of indicators, reports and money; the
 * ledger footer on every page.
 */
export async function renderDocx(report: ImplementationReport): Promise<Buffer> {
  // Loaded on demand, like exceljs.
  const { AlignmentType, Document, Footer, HeadingLevel, Packer, Paragraph, Table, TableCell, TableRow, TextRun, WidthType } = await import('docx');
  const cell = (text: string, bold = false) => new TableCell({ children: [new Paragraph({ children: [new TextRun({ text, bold })] })] });
  const table = (header: readonly string[], rows: readonly (readonly string[])[]) =>
    new Table({
      width: { size: 100, type: WidthType.PERCENTAGE },
      rows: [new TableRow({ tableHeader: true, children: header.map((h) => cell(h, true)) }), ...rows.map((r) => new TableRow({ children: r.map((v) => cell(v)) }))],
    });
  const field = (label: string, value: string) => new Paragraph({ children: [new TextRun({ text: `${label}: `, bold: true }), new TextRun(value)] });
  const s = report.summary;
  const children: Array<DocxParagraph | DocxTable> = [
    new Paragraph({ heading: HeadingLevel.TITLE, children: [new TextRun(`Implementation report: ${report.plan.title}`)] }),
    field('Legal basis', report.plan.decision),
    field('Period of the report', `${report.range.from} – ${report.range.to}`),
    field('Status as of', report.asOf),
    new Paragraph({ heading: HeadingLevel.HEADING_1, children: [new TextRun('Summary')] }),
    table(
      ['Measures', 'Not started', 'In progress', 'Achieved', 'Overdue', 'Awaiting assessment', 'Withdrawn', 'Reports in range', 'Allocated (stated)', 'Disbursed'],
      [[String(s.measures), ...MEASURE_STATUSES.map((status) => String(s.byStatus[status])), String(s.reportsInRange), huf(s.allocated), huf(s.disbursed)]],
    ),
    table(['Status reason', 'Measures'], Object.entries(s.byReason).map(([reason, n]) => [reason, String(n)])),
  ];
  if (s.measuresWithUnstatedAllocation > 0) {
    children.push(new Paragraph(`Allocated money counts stated amounts only: ${s.measuresWithUnstatedAllocation} measure(s) have an allocation whose amount is ${NOT_STATED}.`));
  }
  for (const pillar of report.pillars) {
    children.push(new Paragraph({ heading: HeadingLevel.HEADING_1, children: [new TextRun(`${pillar.code}. ${pillar.title}`)] }));
    for (const objective of pillar.objectives) {
      children.push(new Paragraph({ heading: HeadingLevel.HEADING_2, children: [new TextRun(`${objective.code} ${objective.title}`)] }));
      for (const measure of objective.measures) {
        children.push(new Paragraph({ heading: HeadingLevel.HEADING_3, children: [new TextRun(`${measure.code} ${measure.title}`)] }));
        children.push(field('Responsible', names(measure.responsible)));
        children.push(field('Partners', measure.partnersText ?? (names(measure.partners) || '–')));
        children.push(field('Deadline', measure.deadline));
        children.push(field('Status', `${measure.status} (${measure.statusReason})${measure.progress === undefined ? '' : `, progress ${measure.progress}%`}`));
        if (measure.latestAssessment) {
          const a = measure.latestAssessment;
          children.push(field('Assessment', `${a.level} as of ${a.asOf}${a.corrections > 0 ? ` (corrected ${a.corrections}×)` : ''}`));
          children.push(new Paragraph(a.narrative));
          if (a.evidence.length > 0) children.push(field('Evidence', a.evidence.join('; ')));
        }
        if (measure.indicators.length > 0) {
          children.push(
            table(
              ['Indicator', 'Target', 'In range', 'To date', 'Progress'],
              measure.indicators.map((i) => [i.label, i.target === undefined ? '–' : String(i.target), i.inRange.toString(), i.toDate.toString(), i.progress === undefined ? '–' : `${i.progress}%`]),
            ),
          );
        }
        children.push(field('Reports in the period', String(measure.reports.length)));
        if (measure.reports.length > 0) {
          children.push(table(['Date', 'Agency', 'Title', 'Key figures'], measure.reports.map((r) => [r.occurredOn, r.agency.name, r.title, r.keyFigures])));
        }
        children.push(field('Funding', measure.funding.fundingText));
        if (measure.funding.lines.length > 0) {
          children.push(table(['Year', 'Source', 'Allocated', 'Disbursed'], measure.funding.lines.map((l) => [String(l.year), l.source, allocationText(l.allocated, l.allocationUnstated, huf), huf(l.disbursed)])));
        }
      }
    }
  }
  const footer = footerText(report);
  children.push(new Paragraph({ children: [new TextRun({ text: footer, italics: true })] }));
  const document = new Document({
    creator: 'Action Plan Ledger',
    title: `Implementation report ${report.plan.id} ${report.range.from} – ${report.range.to}`,
    sections: [
      {
        footers: { default: new Footer({ children: [new Paragraph({ alignment: AlignmentType.LEFT, children: [new TextRun({ text: footer, size: 14 })] })] }) },
        children,
      },
    ],
  });
  return Packer.toBuffer(document);
}
