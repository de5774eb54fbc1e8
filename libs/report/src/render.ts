import { stringify } from 'csv-stringify/sync';
import type { Paragraph as DocxParagraph, Table as DocxTable } from 'docx';
import type { Worksheet } from 'exceljs';
import { MEASURE_STATUSES, activityTypeWords } from '@app/projections';
import type { AllocationStated, FundingLine, ImplementationReport, MeasureFundingReport, MeasureReport, PillarReport } from './report-model.js';
import { ReportInputError } from './report-errors.js';
import { HUF_NUMBER_FORMAT, formatHuf, levelWords, reasonWords, sourceName, statusWords } from './words.js';
import { DATE_NUMBER_FORMAT, spreadsheetDate } from './spreadsheet-dates.js';

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

/** Said for an allocation the plan gives without an amount (`amountHuf: unstated`, or sources only): unknown, never 0. */
export const NOT_STATED = 'not stated';

/** An allocation as text: its stated amount, "not stated", or both when only part of it is stated. */
function allocationText(allocated: bigint, allocation: AllocationStated, format: (v: bigint) => string = (v) => v.toString()): string {
  if (allocation === 'stated') return format(allocated);
  return allocation === 'not stated' ? NOT_STATED : `${format(allocated)} + ${NOT_STATED}`;
}

/** A funding line's allocation: its source and year either states the amount or does not. */
const lineAllocation = (line: FundingLine): AllocationStated => (!line.allocationUnstated ? 'stated' : line.allocated === 0n ? 'not stated' : 'partly stated');

/**
 * An allocation in a spreadsheet: the number when any amount is stated (empty when none is, never
 * 0), and the note that says what is not stated.
 */
function allocationCells(allocated: bigint, allocation: AllocationStated): { value: number | string | null; note: string } {
  if (allocation === 'stated') return { value: cellNumber(allocated), note: '' };
  if (allocation === 'not stated') return { value: null, note: 'Allocation not stated in the plan' };
  return { value: cellNumber(allocated), note: `Stated amounts only; part of the allocation is ${NOT_STATED}` };
}

/** The budget years as words: `2023`, `2022–2023`. */
export function budgetYearsText(report: ImplementationReport): string {
  const { from, to } = report.budgetYears;
  return from === to ? String(from) : `${from}–${to}`;
}

/** What the document says when the range reaches beyond the plan's period (nothing when it does not). */
export function coverageNote(report: ImplementationReport): string | undefined {
  const { range, coverage, plan } = report;
  if (range.from === coverage.from && range.to === coverage.to) return undefined;
  return (
    `The range asked (${range.from} – ${range.to}) reaches beyond the plan's period (${plan.period.from} – ${plan.period.to}). ` +
    `Reports can only be dated in the plan's period, so the reports and money are those of ${coverage.from} – ${coverage.to}; statuses are as of ${report.asOf}.`
  );
}

/** Why the budget-year money differs from the period's: said wherever both stand. */
function budgetYearsNote(report: ImplementationReport): string {
  return (
    `The plan allocates money per calendar (budget) year: allocated and disbursed for the budget year(s) ${budgetYearsText(report)} are whole calendar years, ` +
    `to compare with each other; "disbursed in the period" counts the payments dated ${report.coverage.from} – ${report.coverage.to}.`
  );
}

/** Over-disbursement of a measure as words: `2023: HUF 227,000,000 disbursed against HUF 220,000,000 allocated`. */
export function overDisbursedText(funding: MeasureFundingReport): string {
  return funding.overDisbursedYears.map((y) => `${y.year}: ${formatHuf(y.disbursed)} disbursed against ${formatHuf(y.allocated)} allocated`).join('; ');
}

/**
 * What a document says beside a measure due on the day its statuses are taken (report.asOf):
 * the deadline day itself has not passed (docs/status.md), so "In progress" there is not "on time".
 */
export function deadlineNote(report: ImplementationReport, measure: MeasureReport): string {
  if (!measure.dueOnAsOf) return '';
  return report.asOf === report.range.to
    ? 'due on the last day of this report: statuses are taken that day, before the deadline has passed'
    : `due today (${report.asOf}), the day statuses are taken: the deadline has not passed yet`;
}

/**
 * The summary's word on the measures due on the day statuses are taken: a year-end report whose
 * range ends on the plan's last deadline would otherwise read "In progress" as "on time".
 */
export function dueOnAsOfNote(report: ImplementationReport): string | undefined {
  const due = report.summary.dueOnAsOf;
  if (due.length === 0) return undefined;
  const day = report.asOf === report.range.to ? `${report.asOf}, the last day of this report` : `${report.asOf}, today`;
  const after = nextDay(report.asOf);
  return (
    `${due.length === 1 ? '1 measure neither achieved nor withdrawn is' : `${due.length} measures neither achieved nor withdrawn are`} due on ${day} (${due.join(', ')}). Statuses are taken on that day, when the deadline has not yet passed: ` +
    `for these measures "In progress" or "Not started" means not finished by then, not on time. ` +
    `From ${after} a measure neither achieved nor withdrawn counts as Overdue, or Awaiting assessment where only a coordinator can judge completion.`
  );
}

/** "1 measure", "42 measures". */
const measureCount = (n: number): string => (n === 1 ? '1 measure' : `${n} measures`);

/** The calendar day after an ISO date. */
function nextDay(date: string): string {
  const day = new Date(`${date}T00:00:00Z`);
  day.setUTCDate(day.getUTCDate() + 1);
  return day.toISOString().slice(0, 10);
}

/**
 * The coordinator's comments for one row of a measure (its indicator's, '' when none; undefined:
 * the row of a measure without indicators). A comment on an indicator the plan no longer gives the
 * measure has no row of its own, so it stands on every row of the measure, named.
 */
function indicatorComment(measure: MeasureReport, indicatorKey: string | undefined): string {
  const comments = measure.latestAssessment?.indicatorComments ?? [];
  const own = comments.find((c) => c.indicatorKey === indicatorKey)?.comment;
  const orphans = comments.filter((c) => !measure.indicators.some((i) => i.key === c.indicatorKey)).map((c) => `${c.indicatorLabel}: ${c.comment}`);
  return [...(own === undefined ? [] : [own]), ...orphans].join('; ');
}

/** An activity type's name in words: FundsDisbursed → Funds disbursed (the dashboard's words too). */
const typeWords = activityTypeWords;

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
  'dueOnAsOf',
  'status',
  'statusReason',
  'progress',
  'assessmentLevel',
  'assessmentAsOf',
  'assessmentNarrative',
  'assessmentEvidence',
  'assessmentCorrections',
  'assessmentIndicatorComment',
  'indicatorKey',
  'indicatorLabel',
  'target',
  'valueInRange',
  'valueToDate',
  'indicatorProgress',
  'achieved',
  'reportsInRange',
  'disbursedInRangeHuf',
  'budgetYears',
  'allocatedHuf',
  'allocationUnstatedYears',
  'disbursedHuf',
  'overDisbursedYears',
  'ledgerPosition',
  'chainHead',
] as const;

/**
 * RFC 4180 CSV (csv-stringify), UTF-8, header row first; values exact (bigints as decimal text).
 * For machines: statuses, reasons, levels and funding sources are the api's codes.
 * `dueOnAsOf` is `true` when the deadline is asOf, the day statuses are taken (not yet passed on it),
 * and the measure is neither achieved nor withdrawn.
 * The assessment in force: `assessmentEvidence` its references, one per line of the cell (a
 * reference is one line: the assessment decider refuses a line break in one),
 * `assessmentCorrections` the corrections applied to it, `assessmentIndicatorComment` the
 * coordinator's comment on the row's indicator.
 * `disbursedInRangeHuf` is paid in the range; `allocatedHuf` and `disbursedHuf` are the budget
 * years' (`budgetYears`, e.g. `2023` or `2022-2023`, whole calendar years). `allocatedHuf` is the
 * stated amount, "not stated" when no amount is stated, or "<amount> + not stated" when part is;
 * `allocationUnstatedYears` lists the years of an unstated allocation (`;`-separated);
 * `overDisbursedYears` the budget years paid beyond a stated allocation.
 */
export function renderCsv(report: ImplementationReport): string {
  const rows: Array<Record<(typeof CSV_COLUMNS)[number], string | number>> = [];
  const { from: firstYear, to: lastYear } = report.budgetYears;
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
      dueOnAsOf: String(measure.dueOnAsOf),
      status: measure.status,
      statusReason: measure.statusReason ?? '',
      progress: measure.progress ?? '',
      assessmentLevel: measure.latestAssessment?.level ?? '',
      assessmentAsOf: measure.latestAssessment?.asOf ?? '',
      assessmentNarrative: measure.latestAssessment?.narrative ?? '',
      assessmentEvidence: measure.latestAssessment?.evidence.join('\n') ?? '',
      assessmentCorrections: measure.latestAssessment?.corrections ?? '',
      assessmentIndicatorComment: indicatorComment(measure, undefined),
      reportsInRange: measure.reports.length,
      disbursedInRangeHuf: measure.funding.disbursedInRange.toString(),
      budgetYears: firstYear === lastYear ? String(firstYear) : `${firstYear}-${lastYear}`,
      allocatedHuf: allocationText(measure.funding.allocated, measure.funding.allocation),
      allocationUnstatedYears: measure.funding.unstatedYears.join(';'),
      disbursedHuf: measure.funding.disbursed.toString(),
      overDisbursedYears: measure.funding.overDisbursedYears.map((y) => y.year).join(';'),
      ledgerPosition: report.ledger.position.toString(),
      chainHead: report.ledger.chainHead,
    };
    const empty = { indicatorKey: '', indicatorLabel: '', target: '', valueInRange: '', valueToDate: '', indicatorProgress: '', achieved: '' };
    if (measure.indicators.length === 0) rows.push({ ...base, ...empty });
    for (const indicator of measure.indicators) {
      rows.push({
        ...base,
        assessmentIndicatorComment: indicatorComment(measure, indicator.key),
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
function pillarColumns(years: string) {
  return [
    { header: 'Objective', key: 'objective', width: 10 },
    { header: 'Measure', key: 'measure', width: 10 },
    { header: 'Title', key: 'title', width: 50 },
    { header: 'Responsible', key: 'responsible', width: 30 },
    { header: 'Partners', key: 'partners', width: 30 },
    { header: 'Deadline', key: 'deadline', width: 12, style: { numFmt: DATE_NUMBER_FORMAT } },
    { header: 'Deadline note', key: 'deadlineNote', width: 30 },
    { header: 'Status', key: 'status', width: 16 },
    { header: 'Status reason', key: 'statusReason', width: 36 },
    { header: 'Progress %', key: 'progress', width: 10 },
    { header: 'Assessment', key: 'assessment', width: 14 },
    { header: 'Assessed as of', key: 'assessmentAsOf', width: 12, style: { numFmt: DATE_NUMBER_FORMAT } },
    { header: 'Narrative', key: 'narrative', width: 40 },
    { header: 'Evidence', key: 'evidence', width: 24 },
    { header: 'Assessment corrections', key: 'corrections', width: 12 },
    { header: 'Comment on the indicator', key: 'indicatorComment', width: 30 },
    { header: 'Indicator', key: 'indicator', width: 30 },
    { header: 'Indicator key', key: 'indicatorKey', width: 14 },
    { header: 'Target', key: 'target', width: 10 },
    { header: 'In range', key: 'inRange', width: 12 },
    { header: 'To date', key: 'toDate', width: 12 },
    { header: 'Indicator progress %', key: 'indicatorProgress', width: 12 },
    { header: 'Reports in range', key: 'reports', width: 10 },
    { header: 'Disbursed in the period', key: 'disbursedInRange', width: 18, style: { numFmt: HUF_NUMBER_FORMAT } },
    { header: `Allocated, budget year ${years}`, key: 'allocated', width: 18, style: { numFmt: HUF_NUMBER_FORMAT } },
    { header: 'Allocation note', key: 'allocationNote', width: 24 },
    { header: `Disbursed, budget year ${years}`, key: 'disbursed', width: 18, style: { numFmt: HUF_NUMBER_FORMAT } },
    { header: 'Over-disbursed', key: 'overDisbursed', width: 40 },
  ];
}

/** A sheet that is one table: the header bold, frozen and filterable. */
function tableHeader(sheet: Worksheet): void {
  sheet.getRow(1).font = { bold: true };
  sheet.views = [{ state: 'frozen', ySplit: 1 }];
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: sheet.columnCount } };
}

/**
 * XLSX (exceljs): a Summary sheet (plan, range, statuses, money, one row per pillar), one sheet
 * per pillar (a row per measure × indicator, with the assessment in force as the DOCX gives it:
 * level, date, narrative, evidence, corrections, and the coordinator's comment on the row's
 * indicator; a deadline on the status day noted beside it), a Reports sheet and a Funding sheet
 * (by budget year and source). Statuses, reasons, levels and sources in words; money cells are
 * numbers shown as `HUF 132,000,000`, an allocation not stated is empty with a note, never 0. Dates
 * (deadline, assessed as of, report date, status as of) are date cells shown `yyyy-mm-dd` in every
 * locale, so they sort and filter as dates; written as UTC midnight, no time zone moves them
 * (spreadsheet-dates.ts). Every sheet ends with the ledger footer, also set as the printed page footer.
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
  const years = budgetYearsText(report);
  const money = { numFmt: HUF_NUMBER_FORMAT };

  const summary = workbook.addWorksheet('Summary');
  summary.columns = [
    { header: 'Pillar', key: 'pillar', width: 10 },
    { header: 'Title', key: 'title', width: 50 },
    { header: 'Measures', key: 'measures', width: 10 },
    ...MEASURE_STATUSES.map((status) => ({ header: statusWords(status), key: status, width: 13 })),
    { header: 'Reports in range', key: 'reports', width: 10 },
    { header: 'Disbursed in the period', key: 'disbursedInRange', width: 18, style: money },
    { header: `Allocated (stated), budget year ${years}`, key: 'allocated', width: 18, style: money },
    { header: `Disbursed, budget year ${years}`, key: 'disbursed', width: 18, style: money },
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
      disbursedInRange: cellNumber(measures.reduce((n, m) => n + m.funding.disbursedInRange, 0n)),
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
    disbursedInRange: cellNumber(s.disbursedInRange),
    allocated: cellNumber(s.allocated),
    disbursed: cellNumber(s.disbursed),
  }).font = { bold: true };
  summary.addRow([]);
  summary.addRow(['Status reason', 'Measures']).font = { bold: true };
  for (const [reason, n] of Object.entries(s.byReason)) summary.addRow([reasonWords(reason), n]);
  summary.addRow([]);
  summary.addRow([budgetYearsNote(report)]);
  if (s.measuresWithUnstatedAllocation > 0) {
    summary.addRow([`Allocated counts stated amounts only: the allocation of ${measureCount(s.measuresWithUnstatedAllocation)} is ${NOT_STATED} (in full or in part) in the plan`]);
  }
  if (s.overDisbursedMeasures.length > 0) {
    summary.addRow([`Disbursed more than allocated: ${s.overDisbursedMeasures.join(', ')}`]).font = { bold: true, color: { argb: 'FFB42318' } };
  }
  const due = dueOnAsOfNote(report);
  if (due) summary.addRow([due]).font = { bold: true };
  const coverage = coverageNote(report);
  if (coverage) summary.addRow([coverage]).font = { bold: true };
  summary.addRow([]);
  summary.addRow(['Plan', `${report.plan.title} (${report.plan.decision})`]);
  summary.addRow(['Plan period', `${report.plan.period.from} – ${report.plan.period.to}`]);
  summary.addRow(['Range', `${report.range.from} – ${report.range.to}`]);
  summary.addRow(['Budget years', years]);
  summary.addRow(['Status as of', spreadsheetDate(report.asOf)]).getCell(2).numFmt = DATE_NUMBER_FORMAT;
  summary.addRow(['Ledger position', report.ledger.position.toString()]);
  summary.addRow(['Chain head', report.ledger.chainHead]);
  summary.addRow([footer]);
  summary.headerFooter.oddFooter = `&L${footer.slice(0, 200)}`;

  for (const pillar of report.pillars) {
    const sheet = workbook.addWorksheet(sheetName(`Pillar ${pillar.code}`));
    sheet.columns = pillarColumns(years);
    tableHeader(sheet);
    for (const objective of pillar.objectives) {
      for (const measure of objective.measures) {
        const allocation = allocationCells(measure.funding.allocated, measure.funding.allocation);
        const base = {
          objective: objective.code,
          measure: measure.code,
          title: measure.title,
          responsible: names(measure.responsible),
          partners: measure.partnersText ?? names(measure.partners),
          deadline: spreadsheetDate(measure.deadline),
          deadlineNote: deadlineNote(report, measure),
          status: statusWords(measure.status),
          statusReason: reasonWords(measure.statusReason),
          progress: measure.progress ?? '',
          assessment: measure.latestAssessment ? levelWords(measure.latestAssessment.level) : '',
          // Empty, not '', when there is none: a text cell would sit among the dates of the column.
          assessmentAsOf: measure.latestAssessment ? spreadsheetDate(measure.latestAssessment.asOf) : null,
          narrative: measure.latestAssessment?.narrative ?? '',
          evidence: measure.latestAssessment?.evidence.join('; ') ?? '',
          corrections: measure.latestAssessment?.corrections ?? '',
          indicatorComment: indicatorComment(measure, undefined),
          reports: measure.reports.length,
          disbursedInRange: cellNumber(measure.funding.disbursedInRange),
          allocated: allocation.value,
          allocationNote: allocation.note,
          disbursed: cellNumber(measure.funding.disbursed),
          overDisbursed: overDisbursedText(measure.funding),
        };
        if (measure.indicators.length === 0) sheet.addRow(base);
        for (const indicator of measure.indicators) {
          sheet.addRow({
            ...base,
            indicatorComment: indicatorComment(measure, indicator.key),
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
    { header: 'Date', key: 'date', width: 12, style: { numFmt: DATE_NUMBER_FORMAT } },
    { header: 'Agency', key: 'agency', width: 30 },
    { header: 'Report id', key: 'reportId', width: 20 },
    { header: 'Type', key: 'type', width: 22 },
    // A report's title, or (FundsDisbursed, CapacityCreated, …) its first text field: not always a title.
    { header: 'Description', key: 'title', width: 50 },
    { header: 'Key figures', key: 'keyFigures', width: 40 },
  ];
  tableHeader(reports);
  for (const { measure } of measuresOf(report)) {
    for (const line of measure.reports) {
      reports.addRow({ measure: measure.code, date: spreadsheetDate(line.occurredOn), agency: line.agency.name, reportId: line.reportId, type: typeWords(line.type), title: line.title, keyFigures: line.keyFigures });
    }
  }
  reports.addRow([]);
  reports.addRow([footer]);
  reports.headerFooter.oddFooter = `&L${footer.slice(0, 200)}`;

  const funding = workbook.addWorksheet('Funding');
  funding.columns = [
    { header: 'Measure', key: 'measure', width: 10 },
    { header: 'Budget year', key: 'year', width: 8 },
    { header: 'Source', key: 'source', width: 24 },
    { header: 'Allocated', key: 'allocated', width: 18, style: money },
    { header: 'Allocation note', key: 'allocationNote', width: 24 },
    { header: 'Disbursed in the year', key: 'disbursed', width: 18, style: money },
    { header: 'Over-disbursed', key: 'overDisbursed', width: 40 },
  ];
  tableHeader(funding);
  for (const { measure } of measuresOf(report)) {
    const over = new Map(measure.funding.overDisbursedYears.map((y) => [y.year, y]));
    for (const line of measure.funding.lines) {
      const allocation = allocationCells(line.allocated, lineAllocation(line));
      funding.addRow({
        measure: measure.code,
        year: line.year,
        source: sourceName(line.source),
        allocated: allocation.value,
        allocationNote: allocation.note,
        disbursed: cellNumber(line.disbursed),
        overDisbursed: ((y) => (y ? `yes: ${formatHuf(y.disbursed)} against ${formatHuf(y.allocated)} in ${y.year}, all sources` : ''))(over.get(line.year)),
      });
    }
  }
  funding.addRow([]);
  funding.addRow([budgetYearsNote(report)]);
  funding.addRow([footer]);
  funding.headerFooter.oddFooter = `&L${footer.slice(0, 200)}`;

  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/**
 * An editable DOCX (the `docx` package): headings per pillar, objective and measure, so a
 * ministry can edit the text before sending it; tables of indicators, reports and money; the
 * ledger footer and "Page X of Y" on every page. Each measure's responsible bodies, deadline,
 * status and status reason stand as label | value rows (the labels are the XLSX column headers).
 * Statuses, reasons, levels and sources in words; money as
 * `HUF 132,000,000` throughout.
 */
export async function renderDocx(report: ImplementationReport): Promise<Buffer> {
  // Loaded on demand, like exceljs.
  const { AlignmentType, Document, Footer, HeadingLevel, Packer, PageNumber, Paragraph, Table, TableCell, TableRow, TextRun, WidthType } = await import('docx');
  const cell = (text: string, bold = false) => new TableCell({ children: [new Paragraph({ children: [new TextRun({ text, bold })] })] });
  const table = (header: readonly string[], rows: readonly (readonly string[])[]) =>
    new Table({
      width: { size: 100, type: WidthType.PERCENTAGE },
      rows: [new TableRow({ tableHeader: true, children: header.map((h) => cell(h, true)) }), ...rows.map((r) => new TableRow({ children: r.map((v) => cell(v)) }))],
    });
  // A measure's facts as label | value rows: the labels are the XLSX pillar sheets' column headers,
  // and a value such as the reason "Assessed: complete" stands in its own cell, not after a colon.
  const facts = (rows: readonly (readonly [string, string])[]) =>
    new Table({
      width: { size: 100, type: WidthType.PERCENTAGE },
      columnWidths: [2400, 6600],
      rows: rows.map(([label, value]) => new TableRow({ children: [cell(label, true), cell(value)] })),
    });
  const field = (label: string, value: string) => new Paragraph({ children: [new TextRun({ text: `${label}: `, bold: true }), new TextRun(value)] });
  const warning = (label: string, value: string) =>
    new Paragraph({ children: [new TextRun({ text: `${label}: `, bold: true, color: 'B42318' }), new TextRun({ text: value, color: 'B42318' })] });
  const s = report.summary;
  const years = budgetYearsText(report);
  const children: Array<DocxParagraph | DocxTable> = [
    new Paragraph({ heading: HeadingLevel.TITLE, children: [new TextRun(`Implementation report: ${report.plan.title}`)] }),
    field('Legal basis', report.plan.decision),
    field('Period of the report', `${report.range.from} – ${report.range.to}`),
    field('Status as of', report.asOf),
  ];
  const coverage = coverageNote(report);
  if (coverage) children.push(warning('Note', coverage));
  children.push(
    new Paragraph({ heading: HeadingLevel.HEADING_1, children: [new TextRun('Summary')] }),
    table(['Measures', ...MEASURE_STATUSES.map(statusWords), 'Reports in range'], [[String(s.measures), ...MEASURE_STATUSES.map((status) => String(s.byStatus[status])), String(s.reportsInRange)]]),
    table(['Status reason', 'Measures'], Object.entries(s.byReason).map(([reason, n]) => [reasonWords(reason), String(n)])),
    new Paragraph({ heading: HeadingLevel.HEADING_2, children: [new TextRun('Money')] }),
    table(
      ['Disbursed in the period', `Allocated (stated), budget year ${years}`, `Disbursed, budget year ${years}`],
      [[formatHuf(s.disbursedInRange), formatHuf(s.allocated), formatHuf(s.disbursed)]],
    ),
    new Paragraph(budgetYearsNote(report)),
  );
  if (s.measuresWithUnstatedAllocation > 0) {
    children.push(new Paragraph(`Allocated money counts stated amounts only: the allocation of ${measureCount(s.measuresWithUnstatedAllocation)} is ${NOT_STATED} (in full or in part) in the plan.`));
  }
  if (s.overDisbursedMeasures.length > 0) children.push(warning('Disbursed more than allocated', s.overDisbursedMeasures.join(', ')));
  const due = dueOnAsOfNote(report);
  if (due) children.push(field('Due on the day statuses are taken', due));
  for (const pillar of report.pillars) {
    children.push(new Paragraph({ heading: HeadingLevel.HEADING_1, children: [new TextRun(`${pillar.code}. ${pillar.title}`)] }));
    for (const objective of pillar.objectives) {
      children.push(new Paragraph({ heading: HeadingLevel.HEADING_2, children: [new TextRun(`${objective.code} ${objective.title}`)] }));
      for (const measure of objective.measures) {
        children.push(new Paragraph({ heading: HeadingLevel.HEADING_3, children: [new TextRun(`${measure.code} ${measure.title}`)] }));
        const note = deadlineNote(report, measure);
        children.push(
          facts([
            ['Responsible', names(measure.responsible)],
            ['Partners', measure.partnersText ?? (names(measure.partners) || '–')],
            ['Deadline', note ? `${measure.deadline} — ${note}` : measure.deadline],
            ['Status', statusWords(measure.status)],
            ['Status reason', reasonWords(measure.statusReason)],
            ...(measure.progress === undefined ? [] : [['Progress', `${measure.progress}%`] as const]),
          ]),
        );
        if (measure.latestAssessment) {
          const a = measure.latestAssessment;
          children.push(field('Assessment', `${levelWords(a.level)} as of ${a.asOf}${a.corrections > 0 ? ` (corrected ${a.corrections}×)` : ''}`));
          children.push(new Paragraph(a.narrative));
          if (a.evidence.length > 0) children.push(field('Evidence', a.evidence.join('; ')));
          for (const c of a.indicatorComments) children.push(field(`Comment on ${c.indicatorLabel}`, c.comment));
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
          children.push(table(['Date', 'Agency', 'Type', 'Description', 'Key figures'], measure.reports.map((r) => [r.occurredOn, r.agency.name, typeWords(r.type), r.title, r.keyFigures])));
        }
        const f = measure.funding;
        children.push(field('Funding', f.fundingText));
        if (f.sources.length > 0) children.push(field('Sources', f.sources.map(sourceName).join('; ')));
        children.push(field('Disbursed in the period', formatHuf(f.disbursedInRange)));
        children.push(field(`Budget year ${years}`, `allocated ${allocationText(f.allocated, f.allocation, formatHuf)}, disbursed ${formatHuf(f.disbursed)}`));
        if (f.overDisbursed) children.push(warning('Disbursed more than allocated', overDisbursedText(f)));
        if (f.lines.length > 0) {
          children.push(
            table(
              ['Budget year', 'Source', 'Allocated', 'Disbursed in the year'],
              f.lines.map((l) => [String(l.year), sourceName(l.source), allocationText(l.allocated, lineAllocation(l), formatHuf), formatHuf(l.disbursed)]),
            ),
          );
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
        footers: {
          default: new Footer({
            children: [
              new Paragraph({ alignment: AlignmentType.LEFT, children: [new TextRun({ text: footer, size: 14 })] }),
              new Paragraph({ alignment: AlignmentType.RIGHT, children: [new TextRun({ children: ['Page ', PageNumber.CURRENT, ' of ', PageNumber.TOTAL_PAGES], size: 18 })] }),
            ],
          }),
        },
        children,
      },
    ],
  });
  return Packer.toBuffer(document);
}
