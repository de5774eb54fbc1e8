import { Readable } from 'node:stream';
import { parse as parseCsv } from 'csv-parse';
import ExcelJS from 'exceljs';
import yauzl from 'yauzl';
import { type ActivityEventType, EVENT_CATALOGUE, type EventTypeSpec, type FieldSpec } from '@app/domain';
import { DATE_NUMBER_FORMAT, calendarDayOf } from '@app/report';
import { enumName } from '../dto/report-inputs.js';
import { suggestionList } from 'graphql/jsutils/suggestionList.js';
import { BULK_MEMBER_BY_NAME, type BulkMember } from './bulk-inputs.js';
import type { BulkRow } from './bulk-report.service.js';
import type { ImportError } from './import-summary.model.js';

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
 * The optional last column: why a row changes (or retracts) the report stored under its reportId,
 * for an upload with importStrategy CREATE_AND_UPDATE or DELETE (the upload's own `reason` serves
 * rows that leave it empty).
 * Not a field of the report; an upload of CREATE changes no report and does not read it.
 */
const REASON_COLUMN = 'reason';
/** The longest reason a cell may give: the correct<Type> input's limit. */
const MAX_REASON = 2000;
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

/** A file row's place in the request (its summary row's `index`), for errors that have no cell. */
const rowPath = (index: number) => `rows[${index}]`;

/** A sheet name as an A1 reference writes it: quoted when it is not a plain name (`'my reports.csv'`). */
const sheetRef = (sheet: string): string => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(sheet) ? sheet : `'${sheet.replace(/'/g, "''")}'`);

/**
 * Where a file error points, as the user finds it in the sheet rather than by the row's index in
 * the whole file: `field` is the A1 reference of the cell (`TrainingDelivered!F5`, which a
 * spreadsheet's Go To box takes) — of the row (`TrainingDelivered!5:5`) when the refusal names no
 * column the sheet has —, `row` the number the sheet shows (the header is row 1), `column` the
 * letter and its header (`F (participants)`; a field the sheet has no column for: `planId (no such column)`).
 */
export function cellAt(sheet: string, row: number, letter: string | undefined, name: string | undefined): Pick<ImportError, 'field' | 'sheet' | 'row' | 'column'> {
  return {
    field: letter ? `${sheetRef(sheet)}!${letter}${row}` : `${sheetRef(sheet)}!${row}:${row}`,
    sheet,
    row,
    column: letter ? `${letter} (${name})` : name ? `${name} (no such column)` : undefined,
  };
}

/** Column letters as spreadsheets show them: 1 → A, 27 → AA. */
export function columnLetter(n: number): string {
  let s = '';
  for (let i = n; i > 0; i = Math.floor((i - 1) / 26)) s = String.fromCharCode(65 + ((i - 1) % 26)) + s;
  return s;
}

const SPECS = new Map<string, EventTypeSpec<ActivityEventType>>(EVENT_CATALOGUE.map((s) => [s.type, s]));
/**
 * A name as people write it in a header, a `type` cell or a sheet name: any case, words run
 * together or joined by spaces, hyphens or underscores (`Training Delivered`, `training_delivered`,
 * `Measure code`). Catalogue types are PascalCase and fields camelCase, so no two share a key
 * (checked below, at load).
 */
const nameKey = (name: string): string => name.trim().toUpperCase().replace(/[\s_-]+/g, '');
/** The one entry of `names` each key stands for; throws at load if two names share a key. */
function byNameKey<T>(entries: Iterable<readonly [string, T]>): Map<string, T> {
  const out = new Map<string, T>();
  for (const [name, value] of entries) {
    if (out.has(nameKey(name))) throw new Error(`Two names read alike in a spreadsheet: ${name}`);
    out.set(nameKey(name), value);
  }
  return out;
}
/** An event type as a cell or sheet name gives it: `trainingdelivered`, ` Training Delivered `, `training_delivered`. */
const SPECS_BY_KEY = byNameKey(EVENT_CATALOGUE.map((s) => [s.type, s] as const));
const specNamed = (name: string | undefined): EventTypeSpec<ActivityEventType> | undefined => (name === undefined ? undefined : SPECS_BY_KEY.get(nameKey(name)));
const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);
const recordMemberOf = (type: string): BulkMember | undefined => BULK_MEMBER_BY_NAME.get(lowerFirst(type));

function columnsOf(spec: EventTypeSpec): string[] {
  return [...COMMON_COLUMNS, ...spec.fields.map((f) => f.name), REASON_COLUMN];
}

/** The format a file claims (content type, then file name), checked against its first bytes. */
export function detectFormat(body: Buffer, contentType: string | undefined, fileName: string | undefined): SpreadsheetFormat {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  const claimed: SpreadsheetFormat | undefined =
    type === XLSX_CONTENT_TYPE || /\.xlsx$/i.test(fileName ?? '') ? 'xlsx' : type === 'text/csv' || /\.csv$/i.test(fileName ?? '') ? 'csv' : undefined;
  if (!claimed) throw new SpreadsheetError(`must be sent as text/csv or ${XLSX_CONTENT_TYPE} (or with an X-File-Name header ending .csv / .xlsx); got "${type || 'no content type'}"`);
  if (body.length === 0) throw new SpreadsheetError('the file is empty');
  const zip = body.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]));
  if (claimed === 'xlsx' && !zip) throw new SpreadsheetError('is not an XLSX workbook (an XLSX file is a ZIP archive; this one does not start like one)');
  // A CSV's errors name the file as their sheet (as readSpreadsheet's do), whatever step found them.
  const csvSheet = fileName ?? 'upload.csv';
  if (claimed === 'csv' && !zip && isUtf16(body)) {
    throw new SpreadsheetError('is UTF-16 text (as Excel\'s "Unicode Text" saves): save it as "CSV UTF-8 (Comma delimited)"', csvSheet, 1);
  }
  if (claimed === 'csv' && (zip || body.subarray(0, 8192).includes(0))) throw new SpreadsheetError('is not a CSV text file (it holds binary data)', csvSheet);
  if (claimed === 'csv') refuseOtherEncoding(body, csvSheet);
  return claimed;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * UTF-16 text: a UTF-16 byte order mark, or (without one) a zero byte beside every character of
 * the first line, as ASCII text in UTF-16 has. Told apart from binary data so the user is told
 * how to save it instead of that it is not text.
 */
function isUtf16(body: Buffer): boolean {
  if (body.length >= 2 && ((body[0] === 0xff && body[1] === 0xfe) || (body[0] === 0xfe && body[1] === 0xff))) return true;
  const head = body.subarray(0, Math.min(body.length, 256) & ~1);
  if (head.length < 4) return false;
  const zerosAt = (parity: number) => {
    for (let i = parity; i < head.length; i += 2) if (head[i] !== 0) return false;
    return true;
  };
  const textAt = (parity: number) => {
    for (let i = parity; i < head.length; i += 2) if (head[i] === 0) return false;
    return true;
  };
  return (zerosAt(1) && textAt(0)) || (zerosAt(0) && textAt(1));
}

/**
 * A CSV must be UTF-8 (with or without a BOM): a file saved in a legacy code page (Excel's plain
 * "CSV (Comma delimited)" in Hungarian Windows writes Windows-1250) would otherwise be stored with
 * its accented letters replaced, in an append-only log. Refused at the line of its first byte that
 * is not UTF-8.
 */
function refuseOtherEncoding(body: Buffer, sheet: string): void {
  try {
    UTF8.decode(body);
  } catch {
    // The first offset at which the bytes stop being UTF-8 (the file is valid up to there).
    let valid = 0;
    let bad = body.length;
    while (valid < bad) {
      const mid = (valid + bad + 1) >> 1;
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(body.subarray(0, mid), { stream: true });
        valid = mid;
      } catch {
        bad = mid - 1;
      }
    }
    let line = 1;
    for (let i = 0; i < valid; i++) if (body[i] === 0x0a) line++;
    throw new SpreadsheetError('is not UTF-8 text: save it as "CSV UTF-8 (Comma delimited)" (a legacy code page such as Windows-1250 would change its accented letters)', sheet, line);
  }
}

export interface ReadOptions {
  /** Most reports the file may hold (BULK_MAX_ROWS): reading stops at the first row past it. */
  readonly maxRows?: number;
  /** XLSX: most bytes its parts may unpack to, all together (the api: 10 × BULK_MAX_FILE_BYTES). */
  readonly maxUnpackedBytes?: number;
}

/**
 * The most a part of a workbook may unpack to per byte it takes in the file, for parts over
 * {@link RATIO_FROM_BYTES}. Sheets written by Excel or exceljs unpack 3–15× (a 100,000-row sheet
 * of one report repeated: 14×); a "zip bomb" (one cell of 100 million characters in 150 KB)
 * hundreds of times.
 */
const MAX_UNPACK_RATIO = 100;
/** Without a configured bound: 10 × the default BULK_MAX_FILE_BYTES. */
const DEFAULT_MAX_UNPACKED_BYTES = 200_000_000;
const RATIO_FROM_BYTES = 1_000_000;

/**
 * Refuses a workbook whose parts unpack to more than `maxBytes` together, or one part to more
 * than {@link MAX_UNPACK_RATIO} times its packed size, before exceljs builds any of it in memory:
 * BULK_MAX_FILE_BYTES bounds only the packed file, and a few hundred kilobytes can unpack to
 * gigabytes of cell text. Each part is inflated and counted (yauzl checks it against the size its
 * header declares, so a part cannot declare less than it holds); ~0.1 s for a 2.6 MB,
 * 100,000-row workbook. Inflating every part first also answers a workbook whose packed data is
 * damaged: exceljs' unzipper loses that error and its reader then waits forever.
 */
async function refuseOversizedUnpacking(body: Buffer, maxBytes: number): Promise<void> {
  const tooBig = (reason: string, part?: string) =>
    new SpreadsheetError(`unpacks to ${reason}: a workbook of reports is not that large; save it again from Excel or the template, or split it${part ? ` (part ${part})` : ''}`);
  let total = 0;
  await new Promise<void>((resolve, reject) => {
    yauzl.fromBuffer(body, { lazyEntries: true, validateEntrySizes: true }, (openError, zip) => {
      if (openError) return reject(unreadable(openError));
      const fail = (error: Error) => {
        zip.close();
        reject(error);
      };
      zip.on('error', (error: Error) => fail(error instanceof SpreadsheetError ? error : unreadable(error)));
      zip.on('end', () => resolve());
      zip.on('entry', (entry: yauzl.Entry) => {
        const declared = entry.uncompressedSize;
        if (total + declared > maxBytes) return fail(tooBig(`more than ${megabytes(maxBytes)}`, entry.fileName));
        if (declared > RATIO_FROM_BYTES && declared > MAX_UNPACK_RATIO * Math.max(1, entry.compressedSize)) {
          return fail(tooBig(`${megabytes(declared)} from ${megabytes(entry.compressedSize)}, more than ${MAX_UNPACK_RATIO} times its size in the file`, entry.fileName));
        }
        if (entry.fileName.endsWith('/')) return zip.readEntry();
        zip.openReadStream(entry, (streamError, stream) => {
          if (streamError) return fail(unreadable(streamError));
          stream.on('data', (chunk: Buffer) => {
            total += chunk.length;
            if (total > maxBytes) {
              stream.destroy();
              fail(tooBig(`more than ${megabytes(maxBytes)}`, entry.fileName));
            }
          });
          stream.on('error', (error: Error) => fail(unreadable(error)));
          stream.on('end', () => zip.readEntry());
        });
      });
      zip.readEntry();
    });
  });
}

/** A workbook the zip reader or exceljs could not read: the file refused as a whole, the reader's words kept. */
const unreadable = (error: unknown): SpreadsheetError => new SpreadsheetError(`is not a readable XLSX workbook (${error instanceof Error ? error.message : String(error)})`);

const megabytes = (bytes: number): string => `${(bytes / 1_000_000).toFixed(bytes < 10_000_000 ? 1 : 0)} MB`;

/**
 * Reads a file into bulk rows, streaming: exceljs' WorkbookReader for XLSX (row by row, never a
 * workbook model in memory) and csv-parse's stream for CSV. Throws {@link SpreadsheetError} for a
 * file that cannot be read as a whole, at the first row that shows it.
 */
export async function readSpreadsheet(body: Buffer, format: SpreadsheetFormat, fileName = 'upload', options: ReadOptions = {}): Promise<BulkRow[]> {
  const maxRows = options.maxRows ?? Number.POSITIVE_INFINITY;
  if (format === 'xlsx') {
    await refuseOversizedUnpacking(body, options.maxUnpackedBytes ?? DEFAULT_MAX_UNPACKED_BYTES);
    return readXlsx(body, maxRows);
  }
  return readCsv(body, fileName, maxRows);
}

type WorksheetStream = AsyncIterable<ExcelJS.Row> & { readonly name?: string };

/**
 * The file as the stream exceljs' WorkbookReader unzips, with one fault of its unzipper
 * (0.10, unzipper PR #346) taken out: its Parse stream emits 'end' by hand as soon as its writable
 * side finishes, while entries it has already parsed can still wait in its readable buffer (the
 * reader pauses it while it handles an entry). The reader then stops there and never sees the
 * last entries: an exceljs file ends with xl/workbook.xml, so about half the reads of a small
 * workbook failed with "Cannot read properties of undefined (reading 'sheets')". Without that
 * listener the Parse stream ends as a readable does, after its last entry has been read.
 */
function zipInput(body: Buffer): Readable {
  const input = Readable.from([body]);
  const pipe = input.pipe.bind(input);
  input.pipe = <T extends NodeJS.WritableStream>(destination: T, options?: { end?: boolean }): T => {
    for (const listener of destination.listeners('finish')) {
      if (/emit\(\s*['"]end['"]\s*\)/.test(String(listener))) destination.removeListener('finish', listener as (...args: unknown[]) => void);
    }
    return pipe(destination, options);
  };
  return input;
}

async function readXlsx(body: Buffer, maxRows: number): Promise<BulkRow[]> {
  // styles: 'cache' so that a cell formatted as a date reads as a Date, not as its serial number.
  const workbook = new ExcelJS.stream.xlsx.WorkbookReader(zipInput(body), { worksheets: 'emit', sharedStrings: 'cache', styles: 'cache', hyperlinks: 'ignore', entries: 'ignore' });
  const out: BulkRow[] = [];
  const names: string[] = [];
  try {
    for await (const worksheet of workbook as AsyncIterable<WorksheetStream>) {
      const name = worksheet.name ?? '';
      names.push(name);
      // The template's hidden lists are read through (the zip is one stream) and not imported.
      const imported = !name.startsWith('_');
      let sheet: TypedSheet | undefined;
      let spec: EventTypeSpec<ActivityEventType> | undefined;
      let header: unknown[] = [];
      for await (const row of worksheet) {
        if (!imported) continue;
        const cells: unknown[] = [];
        row.eachCell({ includeEmpty: false }, (cell, col) => {
          if (col > MAX_COLUMNS) throw new SpreadsheetError(`is beyond the ${MAX_COLUMNS} columns a sheet may have`, name, row.number, columnLetter(col));
          if (cell.type === ExcelJS.ValueType.Formula) throw new SpreadsheetError('holds a formula; enter the value itself', name, row.number, columnLetter(col));
          cells[col - 1] = cellValue(cell.value, name, row.number, col);
        });
        if (isBlankRow(cells)) continue;
        if (!spec) {
          spec = specNamed(name);
          if (!spec) {
            throw new SpreadsheetError(
              `is not an event type${didYouMean(name, SPECS.keys())} (sheets are named by type: ${[...SPECS.keys()].join(', ')}; a sheet of your own, such as notes, is left out of the import when its name starts with "_")`,
              name,
            );
          }
          if (row.number === 1) {
            header = cells;
            continue;
          }
        }
        // The headers are checked once the sheet has a report: a sheet left without rows (a type the
        // agency did not report, its columns trimmed) holds nothing to import and refuses nothing.
        sheet ??= new TypedSheet(name, spec, header);
        if (out.length >= maxRows) throw new SpreadsheetError(`is past the ${maxRows} reports one file may hold (BULK_MAX_ROWS)`, name, row.number);
        out.push(sheet.row(row.number, cells, out.length));
      }
    }
  } catch (error) {
    if (error instanceof SpreadsheetError) throw error;
    throw unreadable(error);
  }
  // A ZIP archive without worksheets (a DOCX, an ODS, any other archive) is not a workbook at all.
  if (names.length === 0) throw new SpreadsheetError('is not an XLSX workbook: a ZIP archive with no worksheet in it (an XLSX file holds xl/worksheets/…)');
  if (out.length === 0) {
    const sheets = names.filter((n) => !n.startsWith('_'));
    throw new SpreadsheetError(`the workbook has no report rows: every sheet is empty below its header row. ${TEMPLATE_HINT}`, namedIfShort(sheets), 2);
  }
  return out;
}

function cellValue(value: ExcelJS.CellValue, sheet: string, row: number, col: number): unknown {
  if (value === null || value === undefined) return undefined;
  // A date cell (the template's date columns, or any cell Excel took as a date): its calendar day,
  // as ISO text is read too. exceljs gives the serial as a UTC instant, so the day is the UTC one.
  if (value instanceof Date) return calendarDayOf(value);
  if (typeof value === 'object') {
    if ('formula' in value || 'sharedFormula' in value) throw new SpreadsheetError('holds a formula; enter the value itself', sheet, row, columnLetter(col));
    if ('richText' in value) return value.richText.map((r) => r.text).join('');
    if ('text' in value) return String(value.text);
    if ('error' in value) throw new SpreadsheetError(`holds the error ${String(value.error)}`, sheet, row, columnLetter(col));
    return undefined;
  }
  return value;
}

async function readCsv(body: Buffer, fileName: string, maxRows: number): Promise<BulkRow[]> {
  // info: each record comes with the line it ends on (the parser reads ahead of the iteration).
  const parser = Readable.from([body]).pipe(parseCsv({ bom: true, relax_column_count: true, skip_empty_lines: true, trim: true, max_record_size: 1_000_000, info: true }));
  let header: string[] | undefined;
  let typeColumn = -1;
  const out: BulkRow[] = [];
  const sheets = new Map<string, TypedSheet>();
  try {
    for await (const { record: cells, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      if (!header) {
        if (isBlankRow(cells)) continue;
        refuseOtherDelimiter(cells, fileName);
        if (cells.length > MAX_COLUMNS) throw new SpreadsheetError(`has ${cells.length} columns, more than the ${MAX_COLUMNS} a file may have`, fileName, 1, columnLetter(MAX_COLUMNS + 1));
        // Headers as written or as people retype them (`Type`, `Measure code`); an empty one heads a column that must stay empty.
        header = cells.map((h) => (h === '' ? '' : (CSV_HEADERS.get(nameKey(h)) ?? h)));
        refuseRepeatedHeader(header, fileName);
        typeColumn = header.indexOf('type');
        if (typeColumn < 0) throw new SpreadsheetError('has no "type" column: each row names its event type (MeetingHeld, …)', fileName, 1);
        header.forEach((h, c) => {
          if (h !== '' && c !== typeColumn && !ALL_FIELDS.has(h)) throw new SpreadsheetError(`"${h}" is not a report field${didYouMean(h, ALL_FIELDS)}`, fileName, 1, columnLetter(c + 1));
        });
        continue;
      }
      const number = info.lines;
      // A line of commas only (`,,,,`) is a blank row, as spreadsheets save one inside the used range.
      if (isBlankRow(cells)) continue;
      if (out.length >= maxRows) throw new SpreadsheetError(`is past the ${maxRows} reports one file may hold (BULK_MAX_ROWS)`, fileName, number);
      out.push(csvRow(header, typeColumn, cells, number, fileName, out.length, sheets));
    }
  } catch (error) {
    if (error instanceof SpreadsheetError) throw error;
    const line = (error as { lines?: number }).lines;
    throw new SpreadsheetError(`is not valid CSV (${error instanceof Error ? error.message : String(error)})`, fileName, line);
  }
  if (!header) throw new SpreadsheetError(`is empty: no header row. ${TEMPLATE_HINT}`, fileName, 1);
  if (out.length === 0) throw new SpreadsheetError(`has no report rows below its header row. ${TEMPLATE_HINT}`, fileName, 2);
  return out;
}

/** One CSV record as a bulk row of the type its `type` cell names. */
function csvRow(header: readonly string[], typeColumn: number, cells: readonly string[], number: number, fileName: string, index: number, sheets: Map<string, TypedSheet>): BulkRow {
  if (cells.length > header.length) throw new SpreadsheetError(`has ${cells.length} cells, more than the ${header.length} headers`, fileName, number, columnLetter(header.length + 1));
  const present = (c: number) => cells[c] !== undefined && cells[c] !== '';
  const type = cells[typeColumn];
  const spec = specNamed(type);
  const at = (c: number) => cellAt(fileName, number, columnLetter(c + 1), header[c]);
  const underEmptyHeader = header.findIndex((h, c) => h === '' && present(c));
  if (underEmptyHeader >= 0) throw new SpreadsheetError('has a value under an empty header', fileName, number, columnLetter(underEmptyHeader + 1));
  if (!spec) {
    const reportId = cells[header.indexOf('reportId')]?.trim();
    return {
      index,
      path: rowPath(index),
      reportId: reportId === undefined || reportId === '' ? undefined : reportId,
      errors: [{ code: 'BAD_USER_INPUT', reason: `"${type ?? ''}" is not an event type${didYouMean(type ?? '', SPECS.keys())}`, ...at(typeColumn) }],
      locate: (field) => (field === 'type' ? at(typeColumn) : cellAt(fileName, number, undefined, field)),
    };
  }
  let sheet = sheets.get(spec.type);
  if (!sheet) {
    const columns = columnsOf(spec);
    sheet = new TypedSheet(fileName, spec, header.map((h, c) => (c !== typeColumn && columns.includes(h) ? h : undefined)), true);
    sheets.set(spec.type, sheet);
  }
  const row = sheet.row(number, cells.map((c) => (c === '' ? undefined : c)), index);
  // A value under another type's column is this row's mistake, not the file's.
  const stray = header.flatMap((h, c) => (c !== typeColumn && !sheet.has(c) && present(c) ? [{ code: 'BAD_USER_INPUT', reason: `is not a field of ${spec.type}`, ...at(c) }] : []));
  return stray.length > 0 ? { ...row, errors: [...(row.errors ?? []), ...stray] } : row;
}

/**
 * A file separated by semicolons (as spreadsheets save CSV where the decimal mark is a comma) or
 * tabs reads as one column per line: said as such, rather than as a header without `type`.
 */
function refuseOtherDelimiter(header: readonly string[], fileName: string): void {
  if (header.length !== 1) return;
  const seen = OTHER_DELIMITERS.find((d) => header[0].includes(d.char));
  if (seen) {
    // Excel writes semicolons where the decimal mark is a comma (Hungarian Windows): the workbook itself is the easy way.
    throw new SpreadsheetError(`must be comma-separated; its header row is separated by ${seen.name} (${seen.shown}): upload the workbook itself (.xlsx) instead, or save it as "CSV UTF-8 (Comma delimited)"`, fileName, 1);
  }
}

const OTHER_DELIMITERS = [
  { char: ';', name: 'semicolons', shown: '";"' },
  { char: '\t', name: 'tabs', shown: '"\\t"' },
  { char: '|', name: 'vertical bars', shown: '"|"' },
] as const;

/** Where a file without report rows is told to start from. */
const TEMPLATE_HINT = 'Start from your agency\'s template: `ledger reports template` or GET /imports/reports/template.';

/** Sheet names for an error's `sheet`, when few enough to read (the template has one per event type). */
function namedIfShort(sheets: readonly string[]): string | undefined {
  const joined = sheets.join(', ');
  return sheets.length > 0 && sheets.length <= 3 && joined.length <= 80 ? joined : undefined;
}

/** A header named twice would leave which cell counts to the reader's order: the file is refused at the second. */
function refuseRepeatedHeader(header: ReadonlyArray<string | undefined>, sheet: string): void {
  const seen = new Map<string, number>();
  header.forEach((h, c) => {
    if (h === undefined || h === '') return;
    const first = seen.get(h);
    if (first !== undefined) throw new SpreadsheetError(`names the column "${h}" twice (also column ${columnLetter(first + 1)})`, sheet, 1, columnLetter(c + 1));
    seen.set(h, c);
  });
}

const ALL_FIELDS = new Set([...COMMON_COLUMNS, REASON_COLUMN, ...EVENT_CATALOGUE.flatMap((s) => s.fields.map((f) => f.name))]);
/** A CSV header cell's canonical name by its {@link nameKey}: `Type` → `type`, `Measure code` → `measureCode`. */
const CSV_HEADERS = byNameKey([...ALL_FIELDS, 'type'].map((name) => [name, name] as const));

/** A row with no value: every cell missing, empty or spaces only (a cell of spaces only is empty). */
const isBlankRow = (cells: readonly unknown[]): boolean => cells.every((c) => c === undefined || (typeof c === 'string' && c.trim() === ''));

/**
 * The rows of one event type under one header row. The header is checked once (an unknown column
 * or a missing required one refuses the file); each row then becomes a bulk row, its cells
 * converted to the record input's field kinds.
 */
class TypedSheet {
  private readonly header: ReadonlyArray<string | undefined>;
  private readonly fieldOf: ReadonlyMap<string, FieldSpec>;
  /** Column letter of each field the header has. */
  private readonly letterOfField = new Map<string, string>();
  private readonly member: BulkMember;

  constructor(
    private readonly sheet: string,
    private readonly spec: EventTypeSpec<ActivityEventType>,
    header: readonly unknown[],
    /** CSV: a column of another type is that row's mistake, not the file's. */
    private readonly partialHeader = false,
  ) {
    const columns = columnsOf(spec);
    const canonical = byNameKey(columns.map((name) => [name, name] as const));
    this.header = Array.from(header, (h) => {
      const text = typeof h === 'string' ? h.trim() || undefined : typeof h === 'number' ? String(h) : undefined;
      // As written or as people retype it (`Measure code`, `PARTICIPANTS`): the column's own name.
      return text === undefined ? undefined : (canonical.get(nameKey(text)) ?? text);
    });
    // A CSV's header is the whole file's, checked once by readCsv before any row.
    if (!partialHeader) {
      refuseRepeatedHeader(this.header, sheet);
      this.header.forEach((h, c) => {
        if (h !== undefined && !columns.includes(h)) throw new SpreadsheetError(`"${h}" is not a column of ${spec.type}${didYouMean(h, columns)} (columns: ${columns.join(', ')})`, sheet, 1, columnLetter(c + 1));
      });
    }
    const required = [...REQUIRED_COMMON, ...spec.fields.filter((f) => f.required).map((f) => f.name)];
    const missing = required.find((name) => !this.header.includes(name));
    if (missing) throw new SpreadsheetError(`has no "${missing}" column (${spec.type} requires ${required.join(', ')})`, sheet, 1);
    this.fieldOf = new Map(spec.fields.map((f) => [f.name, f]));
    this.header.forEach((name, c) => name !== undefined && this.letterOfField.set(name, columnLetter(c + 1)));
    this.member = recordMemberOf(spec.type)!;
  }

  /** Whether column `c` (0-based) is one of this type's. */
  has(c: number): boolean {
    return this.header[c] !== undefined;
  }

  row(number: number, cells: readonly unknown[], index: number): BulkRow {
    const input: Record<string, unknown> = {};
    const errors: NonNullable<BulkRow['errors']>[number][] = [];
    let reason: string | undefined;
    for (let c = 0; c < cells.length; c++) {
      const raw = cells[c];
      // A cell of spaces only is an empty cell: "is required" where the field is, not a bad value.
      if (raw === undefined || (typeof raw === 'string' && raw.trim() === '')) continue;
      const name = this.header[c];
      if (name === undefined) {
        if (this.partialHeader) continue;
        throw new SpreadsheetError('has a value under an empty header', this.sheet, number, columnLetter(c + 1));
      }
      if (name === REASON_COLUMN) {
        // Free text, as the correct<Type> input's reason; the report decider judges what it says.
        reason = typeof raw === 'string' ? raw : typeof raw === 'number' || typeof raw === 'boolean' ? String(raw) : JSON.stringify(raw);
        if (reason.length > MAX_REASON) {
          errors.push({ code: 'BAD_USER_INPUT', reason: `must be at most ${MAX_REASON} characters (got ${reason.length})`, ...cellAt(this.sheet, number, this.letterOfField.get(name), name) });
        }
        continue;
      }
      const converted = convert(raw, this.fieldOf.get(name));
      if (converted.ok) input[name] = converted.value;
      else errors.push({ code: 'BAD_USER_INPUT', reason: converted.reason, ...cellAt(this.sheet, number, this.letterOfField.get(name), name) });
    }
    const { sheet, letterOfField } = this;
    return {
      index,
      member: this.member,
      input,
      path: rowPath(index),
      errors,
      ...(reason === undefined ? {} : { reason }),
      locate: (field) => {
        const name = field?.split('.')[0];
        return cellAt(sheet, number, name === undefined ? undefined : letterOfField.get(name), name);
      },
    };
  }
}

type Converted = { ok: true; value: unknown } | { ok: false; reason: string };

/** A code or date cell as text, without the spaces a cell gathers around it (typed, pasted, quoted in a CSV). */
const trimmedText = (raw: unknown): unknown => (typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : raw);

/** A cell as the record input's field takes it; wrong kinds are refused with the reason. */
function convert(raw: unknown, field: FieldSpec | undefined): Converted {
  // The common columns (measureCode, reportId, occurredOn, planId) are codes and dates: trimmed, as enums and numbers are.
  if (!field) return { ok: true, value: trimmedText(raw) };
  switch (field.kind) {
    case 'count': {
      // `10.0` is how many exporters write a whole number of a numeric column.
      const text = String(raw).trim();
      const n = typeof raw === 'number' ? raw : /^-?\d+(\.0+)?$/.test(text) ? Number(text) : Number.NaN;
      if (Number.isInteger(n) && !Number.isSafeInteger(n)) return { ok: false, reason: `is too large for a count (got "${text}")` };
      return Number.isSafeInteger(n) ? { ok: true, value: n } : { ok: false, reason: `must be a whole number (got "${String(raw)}")` };
    }
    case 'money': {
      const text = String(raw).trim();
      if (/^-\d+$/.test(text)) return { ok: false, reason: `must be at least 1 HUF (got ${text})` };
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
      // Any case, and spaces, hyphens or underscores between words, as people type into a cell
      // ("online", "Round Table", "round-table"): the catalogue value or its GraphQL name, stored as
      // the catalogue value; only when one value alone fits. GraphQL's own enums stay exact (the spec's).
      const text = String(raw).trim();
      const key = enumKey(text);
      const fits = field.values?.filter((v) => enumKey(v) === key || enumName(v) === key) ?? [];
      return fits.length === 1
        ? { ok: true, value: fits[0] }
        : { ok: false, reason: `must be one of ${field.values?.join(', ')}, in any case, words joined by spaces, hyphens or underscores (got "${text}")` };
    }
    case 'date':
      return { ok: true, value: trimmedText(raw) };
    case 'text':
      // Free text stays as written: the domain's rules (required, length) judge it.
      return { ok: true, value: typeof raw === 'number' ? String(raw) : raw };
    default: {
      const unreachable: never = field.kind;
      return unreachable;
    }
  }
}

/**
 * `; did you mean "occurredOn"?` for a name close to known ones (GraphQL's own lexical-distance
 * suggestions, as its "Did you mean …?" errors), else nothing: a typo in a header or a sheet
 * name is answered with the name meant.
 */
function didYouMean(input: string, known: Iterable<string>): string {
  // The closest only: GraphQL's threshold lets several through for a long name, and one is the answer.
  const [closest] = suggestionList(input.trim(), [...known]);
  return closest === undefined ? '' : `; did you mean "${closest}"?`;
}

/** An enum value or cell compared without case, and with any run of spaces or hyphens read as one underscore. */
function enumKey(text: string): string {
  return text.toUpperCase().replace(/[\s-]+/g, '_');
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
      cell.note = field?.description ?? COMMON_NOTES[name as keyof typeof COMMON_NOTES];
      sheet.getColumn(c + 1).width = Math.max(14, name.length + 2);
      const range = `${columnLetter(c + 1)}2:${columnLetter(c + 1)}${TEMPLATE_ROWS + 1}`;
      const listRef = `_lists!$${columnLetter(i + 1)}$1:$${columnLetter(i + 1)}$${Math.max(1, codes.length)}`;
      if (name === 'measureCode') {
        validations(sheet).add(range, { type: 'list', allowBlank: false, formulae: [listRef], showErrorMessage: true, errorTitle: 'measureCode', error: `A measure of agency ${agencyId} that counts ${spec.type}` });
      } else if (field?.kind === 'enum') {
        validations(sheet).add(range, { type: 'list', allowBlank: !field.required, formulae: [`"${(field.values ?? []).join(',')}"`], showErrorMessage: true, errorTitle: name, error: `One of ${(field.values ?? []).join(', ')}` });
      } else if (field?.kind === 'boolean') {
        validations(sheet).add(range, { type: 'list', allowBlank: !field.required, formulae: ['"true,false"'], showErrorMessage: true });
      } else if (name === 'occurredOn' || field?.kind === 'date') {
        // Dates typed or pasted here become date cells shown as ISO, whatever the locale; an upload
        // takes a date cell and YYYY-MM-DD text alike (cellValue).
        sheet.getColumn(c + 1).numFmt = DATE_NUMBER_FORMAT;
      } else if (field?.kind === 'count') {
        validations(sheet).add(range, { type: 'whole', operator: 'greaterThanOrEqual', allowBlank: !field.required, formulae: [field.zeroAllowed ? 0 : 1], showErrorMessage: true, errorTitle: name, error: 'A whole number' });
      }
    });
  });
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

const COMMON_NOTES: Record<(typeof COMMON_COLUMNS)[number] | typeof REASON_COLUMN, string> = {
  measureCode: 'Code of the measure the activity is counted under, e.g. II.1.3 (the list holds your measures that count this type).',
  reportId: "Your system's own id for this report (letters, digits, . _ : -). Importing the same row again stores nothing twice.",
  occurredOn: 'The date the activity happened: a date cell, or the text YYYY-MM-DD.',
  planId: 'Only when several adopted plans share the measure code.',
  [REASON_COLUMN]:
    'Only when you upload with importStrategy CREATE_AND_UPDATE (or DELETE): why this row changes (or retracts) the report already stored under its reportId (at least 3 characters). Empty: the upload\'s own reason. Not read by a CREATE upload.',
};
