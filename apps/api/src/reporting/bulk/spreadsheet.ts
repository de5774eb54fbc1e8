import { parse as parseCsv } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { type ActivityEventType, EVENT_CATALOGUE, type EventTypeSpec, type FieldSpec } from '@app/domain';
import { BULK_MEMBER_BY_NAME, type BulkMember } from './bulk-inputs.js';
import type { BulkRow } from './bulk-report.service.js';

/**
 * Spreadsheets of reports (issue 18): an XLSX with one sheet per event type (the sheet's name is
 * the type, e.g. `TrainingDelivered`), or a CSV whose `type` column names each row's type. Row 1
 * holds the headers — the record<Type> input's field names — and each later row is one report,
 * handed to the bulk service like a row of recordReports. Parsed with exceljs and csv-parse.
 *
 * A file that cannot be read as a whole — not what it says, a missing or unknown header, a formula,
 * a row wider than its headers, no report at all — is refused with {@link SpreadsheetError} naming
 * sheet, row and column, before anything is decided or stored. A cell whose value breaks a rule is
 * refused in its own summary row, like a bad field of recordReports.
 */

export const XLSX_CONTENT_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export type SpreadsheetFormat = 'csv' | 'xlsx';

/** The common columns, before the type's own fields. */
const COMMON_COLUMNS = ['measureCode', 'reportId', 'occurredOn', 'planId'] as const;
const REQUIRED_COMMON = new Set(['measureCode', 'reportId', 'occurredOn']);
/**
 * Rows of the template that carry the validation lists. exceljs expands a validated range cell by
 * cell when it reads a workbook, so a long range slows every import of a filled template; rows
 * below it are still checked by the server, as every row is.
 */
const TEMPLATE_ROWS = 1000;
/** Most columns a sheet may have: wider files are refused before their cells are read. */
const MAX_COLUMNS = 64;

/** A file refused as a whole; nothing of it was stored. */
export class SpreadsheetError extends Error {
  override readonly name = 'SpreadsheetError';
  constructor(
    readonly reason: string,
    readonly sheet?: string,
    readonly row?: number,
    readonly column?: string,
  ) {
    super([sheet && `sheet ${sheet}`, row !== undefined && `row ${row}`, column && `column ${column}`].filter(Boolean).join(', ') + (sheet || row !== undefined || column ? ': ' : '') + reason);
  }

  /** As the HTTP error body and the CLI print it. */
  toJSON(): Record<string, unknown> {
    return { code: 'BAD_USER_INPUT', field: 'file', reason: this.reason, message: this.message, sheet: this.sheet, row: this.row, column: this.column };
  }
}

/** Column letters as spreadsheets show them: 1 → A, 27 → AA. */
export function columnLetter(n: number): string {
  let s = '';
  for (let i = n; i > 0; i = Math.floor((i - 1) / 26)) s = String.fromCharCode(65 + ((i - 1) % 26)) + s;
  return s;
}

const SPECS = new Map<string, EventTypeSpec<ActivityEventType>>(EVENT_CATALOGUE.map((s) => [s.type, s]));
const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);
const recordMemberOf = (type: string): BulkMember | undefined => BULK_MEMBER_BY_NAME.get(lowerFirst(type));

function columnsOf(spec: EventTypeSpec): string[] {
  return [...COMMON_COLUMNS, ...spec.fields.map((f) => f.name)];
}

/** The format a file claims (content type, then file name), checked against its first bytes. */
export function detectFormat(body: Buffer, contentType: string | undefined, fileName: string | undefined): SpreadsheetFormat {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  const claimed: SpreadsheetFormat | undefined =
    type === XLSX_CONTENT_TYPE || /\.xlsx$/i.test(fileName ?? '') ? 'xlsx' : type === 'text/csv' || /\.csv$/i.test(fileName ?? '') ? 'csv' : undefined;
  if (!claimed) throw new SpreadsheetError(`must be sent as text/csv or ${XLSX_CONTENT_TYPE} (or named .csv / .xlsx); got "${type || 'no content type'}"`);
  if (body.length === 0) throw new SpreadsheetError('the file is empty');
  const zip = body.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]));
  if (claimed === 'xlsx' && !zip) throw new SpreadsheetError('is not an XLSX workbook (an XLSX file is a ZIP archive; this one does not start like one)');
  if (claimed === 'csv' && (zip || body.subarray(0, 8192).includes(0))) throw new SpreadsheetError('is not a CSV text file (it holds binary data)');
  return claimed;
}

/** Reads a file into bulk rows; throws {@link SpreadsheetError} for a file that cannot be read as a whole. */
export async function readSpreadsheet(body: Buffer, format: SpreadsheetFormat, fileName = 'upload'): Promise<BulkRow[]> {
  return format === 'xlsx' ? readXlsx(body) : readCsv(body, fileName);
}

interface Grid {
  readonly sheet: string;
  /** Row number as the spreadsheet shows it (the header is 1), and its cells by column index (0-based). */
  readonly rows: ReadonlyArray<{ readonly number: number; readonly cells: readonly unknown[] }>;
  readonly header: readonly unknown[];
}

async function readXlsx(body: Buffer): Promise<BulkRow[]> {
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(body as unknown as ArrayBuffer);
  } catch (error) {
    throw new SpreadsheetError(`is not a readable XLSX workbook (${error instanceof Error ? error.message : String(error)})`);
  }
  const grids: Grid[] = [];
  for (const sheet of workbook.worksheets) {
    if (sheet.name.startsWith('_')) continue; // the template's hidden lists
    if (sheet.actualColumnCount > MAX_COLUMNS) {
      throw new SpreadsheetError(`has ${sheet.actualColumnCount} columns, more than the ${MAX_COLUMNS} a sheet may have`, sheet.name, undefined, columnLetter(MAX_COLUMNS + 1));
    }
    let header: unknown[] = [];
    const rows: Array<{ number: number; cells: unknown[] }> = [];
    sheet.eachRow({ includeEmpty: false }, (row, number) => {
      const cells: unknown[] = [];
      row.eachCell({ includeEmpty: false }, (cell, col) => {
        if (col > MAX_COLUMNS) throw new SpreadsheetError(`is beyond the ${MAX_COLUMNS} columns a sheet may have`, sheet.name, number, columnLetter(col));
        if (cell.type === ExcelJS.ValueType.Formula) {
          throw new SpreadsheetError('holds a formula; enter the value itself', sheet.name, number, columnLetter(col));
        }
        cells[col - 1] = cellValue(cell.value, sheet.name, number, col);
      });
      if (number === 1) header = cells;
      else rows.push({ number, cells });
    });
    grids.push({ sheet: sheet.name, header, rows });
  }
  const out: BulkRow[] = [];
  for (const grid of grids) {
    if (grid.header.length === 0 && grid.rows.length === 0) continue;
    const spec = SPECS.get(grid.sheet);
    if (!spec) throw new SpreadsheetError(`is not an event type (sheets are named by type: ${[...SPECS.keys()].join(', ')})`, grid.sheet);
    out.push(...rowsOf(grid, spec, out.length));
  }
  if (out.length === 0) throw new SpreadsheetError('holds no report: every sheet is empty below its header', grids.map((g) => g.sheet).join(', ') || undefined, 2);
  return out;
}

function cellValue(value: ExcelJS.CellValue, sheet: string, row: number, col: number): unknown {
  if (value === null || value === undefined) return undefined;
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'object') {
    if ('formula' in value || 'sharedFormula' in value) throw new SpreadsheetError('holds a formula; enter the value itself', sheet, row, columnLetter(col));
    if ('richText' in value) return value.richText.map((r) => r.text).join('');
    if ('text' in value) return String(value.text);
    if ('error' in value) throw new SpreadsheetError(`holds the error ${String(value.error)}`, sheet, row, columnLetter(col));
    return undefined;
  }
  return value;
}

function readCsv(body: Buffer, fileName: string): BulkRow[] {
  let records: string[][];
  try {
    records = parseCsv(body, { bom: true, relax_column_count: true, skip_empty_lines: true, trim: true, max_record_size: 1_000_000 }) as string[][];
  } catch (error) {
    const line = (error as { lines?: number }).lines;
    throw new SpreadsheetError(`is not valid CSV (${error instanceof Error ? error.message : String(error)})`, fileName, line);
  }
  if (records.length === 0) throw new SpreadsheetError('is empty: no header row', fileName, 1);
  const [header, ...data] = records;
  if (header.length > MAX_COLUMNS) throw new SpreadsheetError(`has ${header.length} columns, more than the ${MAX_COLUMNS} a file may have`, fileName, 1, columnLetter(MAX_COLUMNS + 1));
  const typeColumn = header.indexOf('type');
  if (typeColumn < 0) throw new SpreadsheetError('has no "type" column: each row names its event type (MeetingHeld, …)', fileName, 1);
  if (data.length === 0) throw new SpreadsheetError('holds no report below its header', fileName, 2);
  header.forEach((h, c) => {
    if (c !== typeColumn && !ALL_FIELDS.has(h)) throw new SpreadsheetError(`"${h}" is not a report field`, fileName, 1, columnLetter(c + 1));
  });
  const out: BulkRow[] = [];
  data.forEach((cells, i) => {
    const number = i + 2;
    if (cells.length > header.length) throw new SpreadsheetError(`has ${cells.length} cells, more than the ${header.length} headers`, fileName, number, columnLetter(header.length + 1));
    const present = (c: number) => cells[c] !== undefined && cells[c] !== '';
    const type = cells[typeColumn];
    const spec = SPECS.get(type);
    const at = (c: number) => ({ sheet: fileName, row: number, column: `${columnLetter(c + 1)} (${header[c]})` });
    if (!spec) {
      const path = `rows.${out.length}`;
      out.push({ index: out.length, path, errors: [{ code: 'BAD_USER_INPUT', field: `${path}.type`, reason: `"${type ?? ''}" is not an event type`, ...at(typeColumn) }] });
      return;
    }
    const columns = columnsOf(spec);
    const own = header.map((h, c) => (c !== typeColumn && columns.includes(h) ? h : undefined));
    const [row] = rowsOf({ sheet: fileName, header: own, rows: [{ number, cells: cells.map((c) => (c === '' ? undefined : c)) }] }, spec, out.length, true);
    // A value under another type's column is this row's mistake, not the file's.
    const stray = header.flatMap((h, c) => (c !== typeColumn && own[c] === undefined && present(c) ? [{ code: 'BAD_USER_INPUT', field: `${row.path}.${h}`, reason: `is not a field of ${spec.type}`, ...at(c) }] : []));
    out.push(stray.length > 0 ? { ...row, errors: [...(row.errors ?? []), ...stray] } : row);
  });
  return out;
}

const ALL_FIELDS = new Set([...COMMON_COLUMNS, ...EVENT_CATALOGUE.flatMap((s) => s.fields.map((f) => f.name))]);

/** Rows of one type's grid; checks its headers first (unknown or missing ones refuse the file). */
function rowsOf(grid: Grid, spec: EventTypeSpec<ActivityEventType>, firstIndex: number, partialHeader = false): BulkRow[] {
  const columns = columnsOf(spec);
  const header = grid.header.map((h) => (typeof h === 'string' ? h.trim() || undefined : typeof h === 'number' ? String(h) : undefined));
  if (!partialHeader) {
    header.forEach((h, c) => {
      if (h === undefined) {
        if (grid.rows.some((r) => r.cells[c] !== undefined)) throw new SpreadsheetError('has values under an empty header', grid.sheet, 1, columnLetter(c + 1));
      } else if (!columns.includes(h)) {
        throw new SpreadsheetError(`"${h}" is not a column of ${spec.type} (columns: ${columns.join(', ')})`, grid.sheet, 1, columnLetter(c + 1));
      }
    });
  }
  const required = [...REQUIRED_COMMON, ...spec.fields.filter((f) => f.required).map((f) => f.name)];
  const missing = required.find((name) => !header.includes(name));
  if (missing) throw new SpreadsheetError(`has no "${missing}" column (${spec.type} requires ${required.join(', ')})`, grid.sheet, 1);
  const fieldOf = new Map(spec.fields.map((f) => [f.name, f]));
  const member = recordMemberOf(spec.type)!;
  return grid.rows.map((r, i): BulkRow => {
    const index = firstIndex + i;
    const input: Record<string, unknown> = {};
    const errors: NonNullable<BulkRow['errors']>[number][] = [];
    const columnOfField = new Map<string, string>();
    header.forEach((name, c) => {
      if (name === undefined) return;
      columnOfField.set(name, `${columnLetter(c + 1)} (${name})`);
      const raw = r.cells[c];
      if (raw === undefined || raw === '') return;
      const converted = convert(raw, fieldOf.get(name));
      if (converted.ok) input[name] = converted.value;
      else errors.push({ code: 'BAD_USER_INPUT', field: `rows.${index}.${name}`, reason: converted.reason, sheet: grid.sheet, row: r.number, column: columnOfField.get(name) });
    });
    return {
      index,
      member,
      input,
      path: `rows.${index}`,
      errors,
      locate: (field) => ({ sheet: grid.sheet, row: r.number, column: field ? columnOfField.get(field.split('.')[0]) : undefined }),
    };
  });
}

type Converted = { ok: true; value: unknown } | { ok: false; reason: string };

/** A cell as the record input's field takes it; wrong kinds are refused with the reason. */
function convert(raw: unknown, field: FieldSpec | undefined): Converted {
  if (!field) return { ok: true, value: typeof raw === 'number' ? String(raw) : raw }; // the common text columns
  switch (field.kind) {
    case 'count': {
      const n = typeof raw === 'number' ? raw : /^-?\d+$/.test(String(raw).trim()) ? Number(String(raw).trim()) : Number.NaN;
      return Number.isSafeInteger(n) ? { ok: true, value: n } : { ok: false, reason: `must be a whole number (got "${String(raw)}")` };
    }
    case 'money': {
      const text = String(raw).trim();
      return /^\d+$/.test(text) ? { ok: true, value: text.replace(/^0+(?=\d)/, '') } : { ok: false, reason: `must be a whole number of forints (got "${text}")` };
    }
    case 'boolean': {
      if (typeof raw === 'boolean') return { ok: true, value: raw };
      const text = String(raw).trim().toLowerCase();
      if (['true', 'yes', '1'].includes(text)) return { ok: true, value: true };
      if (['false', 'no', '0'].includes(text)) return { ok: true, value: false };
      return { ok: false, reason: `must be true or false (got "${String(raw)}")` };
    }
    case 'enum': {
      const text = String(raw).trim();
      const value = field.values?.find((v) => v === text || v.toUpperCase().replace(/[^A-Z0-9]+/g, '_') === text);
      return value ? { ok: true, value } : { ok: false, reason: `must be one of ${field.values?.join(', ')} (got "${text}")` };
    }
    case 'date':
    case 'text':
      return { ok: true, value: typeof raw === 'number' ? String(raw) : raw };
    default: {
      const unreachable: never = field.kind;
      return unreachable;
    }
  }
}

/**
 * The XLSX template of an agency: one sheet per event type it may report (the types its measures'
 * indicators count, and FundsDisbursed where a measure has funding), headers in row 1 with the
 * field descriptions as notes, and data-validation lists for measure codes and enums. A hidden
 * `_lists` sheet holds the measure codes, so the list is not limited by Excel's 255-character
 * inline list.
 */
export async function buildTemplate(agencyId: string, measures: ReadonlyArray<{ code: string; types: readonly string[] }>): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Action Plan Ledger';
  const types = EVENT_CATALOGUE.filter((spec) => measures.some((m) => m.types.includes(spec.type)));
  const validations = (sheet: ExcelJS.Worksheet) => (sheet as unknown as { dataValidations: { add(range: string, rule: ExcelJS.DataValidation): void } }).dataValidations;
  const lists = workbook.addWorksheet('_lists', { state: 'veryHidden' });
  types.forEach((spec, i) => {
    const codes = measures.filter((m) => m.types.includes(spec.type)).map((m) => m.code);
    codes.forEach((code, r) => (lists.getCell(r + 1, i + 1).value = code));
    const sheet = workbook.addWorksheet(spec.type);
    const columns = columnsOf(spec);
    sheet.addRow(columns);
    sheet.getRow(1).font = { bold: true };
    sheet.views = [{ state: 'frozen', ySplit: 1 }];
    columns.forEach((name, c) => {
      const field = spec.fields.find((f) => f.name === name);
      const cell = sheet.getCell(1, c + 1);
      cell.note = field?.description ?? COMMON_NOTES[name as (typeof COMMON_COLUMNS)[number]];
      sheet.getColumn(c + 1).width = Math.max(14, name.length + 2);
      const range = `${columnLetter(c + 1)}2:${columnLetter(c + 1)}${TEMPLATE_ROWS + 1}`;
      const listRef = `_lists!$${columnLetter(i + 1)}$1:$${columnLetter(i + 1)}$${Math.max(1, codes.length)}`;
      if (name === 'measureCode') {
        validations(sheet).add(range, { type: 'list', allowBlank: false, formulae: [listRef], showErrorMessage: true, errorTitle: 'measureCode', error: `A measure of agency ${agencyId} that counts ${spec.type}` });
      } else if (field?.kind === 'enum') {
        validations(sheet).add(range, { type: 'list', allowBlank: !field.required, formulae: [`"${(field.values ?? []).join(',')}"`], showErrorMessage: true, errorTitle: name, error: `One of ${(field.values ?? []).join(', ')}` });
      } else if (field?.kind === 'boolean') {
        validations(sheet).add(range, { type: 'list', allowBlank: !field.required, formulae: ['"true,false"'], showErrorMessage: true });
      } else if (field?.kind === 'count') {
        validations(sheet).add(range, { type: 'whole', operator: 'greaterThanOrEqual', allowBlank: !field.required, formulae: [field.zeroAllowed ? 0 : 1], showErrorMessage: true, errorTitle: name, error: 'A whole number' });
      }
    });
  });
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

const COMMON_NOTES: Record<(typeof COMMON_COLUMNS)[number], string> = {
  measureCode: 'Code of the measure the activity is counted under, e.g. II.1.3 (the list holds your measures that count this type).',
  reportId: "Your system's own id for this report (letters, digits, . _ : -). Importing the same row again stores nothing twice.",
  occurredOn: 'The date the activity happened, YYYY-MM-DD.',
  planId: 'Only when several adopted plans share the measure code.',
};
