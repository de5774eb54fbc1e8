import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { EVENT_CATALOGUE } from '@app/domain';
import { calendarDayOf, spreadsheetDate } from '@app/report';
import { SpreadsheetError, buildTemplate, detectFormat, readSpreadsheet } from './spreadsheet.js';

const HEADER = ['measureCode', 'reportId', 'occurredOn', 'planId', 'title', 'participants', 'days'];

async function xlsx(fill: (book: ExcelJS.Workbook) => void): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  fill(book);
  return Buffer.from(await book.xlsx.writeBuffer());
}

async function refusal(promise: Promise<unknown>): Promise<SpreadsheetError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SpreadsheetError);
  return error as SpreadsheetError;
}

describe('readSpreadsheet (streaming)', () => {
  it('reads the rows of every type sheet in order, skipping hidden lists and empty rows, with dates as YYYY-MM-DD', async () => {
    const body = await xlsx((book) => {
      book.addWorksheet('_lists').addRow(['II.1.3']);
      const training = book.addWorksheet('TrainingDelivered');
      training.addRow(HEADER);
      for (let i = 0; i < 1500; i++) training.addRow(['II.1.3', `t-${i}`, '2023-05-01', null, 'Course', 5 + (i % 3), 1]);
      training.addRow([]);
      training.addRow(['II.1.3', 't-date', new Date(Date.UTC(2023, 5, 2)), null, 'Course', '7', 1]);
      const meetings = book.addWorksheet('MeetingHeld');
      meetings.addRow(['measureCode', 'reportId', 'occurredOn', 'title', 'meetingKind']);
    });
    const rows = await readSpreadsheet(body, 'xlsx');
    expect(rows).toHaveLength(1501);
    expect(rows[0]).toMatchObject({ index: 0, path: 'rows[0]', input: { measureCode: 'II.1.3', reportId: 't-0', occurredOn: '2023-05-01', title: 'Course', participants: 5, days: 1 } });
    expect(rows[1500]).toMatchObject({ index: 1500, input: { reportId: 't-date', occurredOn: '2023-06-02', participants: 7 }, errors: [] });
    expect(rows[1500].locate?.('participants')).toEqual({ field: 'TrainingDelivered!F1503', sheet: 'TrainingDelivered', row: 1503, column: 'F (participants)' });
    // A field the sheet has no column for names the row and the header it lacks.
    expect(rows[1500].locate?.('location')).toEqual({ field: 'TrainingDelivered!1503:1503', sheet: 'TrainingDelivered', row: 1503, column: 'location (no such column)' });
  });

  it('stops at the first row past maxRows, naming it', async () => {
    const body = await xlsx((book) => {
      const sheet = book.addWorksheet('TrainingDelivered');
      sheet.addRow(HEADER);
      for (let i = 0; i < 20; i++) sheet.addRow(['II.1.3', `t-${i}`, '2023-05-01', null, 'Course', 5, 1]);
    });
    const error = await refusal(readSpreadsheet(body, 'xlsx', 'f.xlsx', { maxRows: 10 }));
    expect(error).toMatchObject({ sheet: 'TrainingDelivered', row: 12 });
    expect(error.reason).toMatch(/BULK_MAX_ROWS/);
    expect(await readSpreadsheet(body, 'xlsx', 'f.xlsx', { maxRows: 20 })).toHaveLength(20);
  });

  it.each([
    ['a formula', (s: ExcelJS.Worksheet) => (s.getCell('F3').value = { formula: '2+3', result: 5 }), { row: 3, column: 'F' }, /formula/],
    ['a value beyond the headers', (s: ExcelJS.Worksheet) => (s.getCell('K2').value = 'stray'), { row: 2, column: 'K' }, /empty header/],
    ['a column of 70', (s: ExcelJS.Worksheet) => (s.getCell(2, 70).value = 'far'), { row: 2, column: 'BR' }, /64 columns/],
    ['an unknown header', (s: ExcelJS.Worksheet) => (s.getCell('E1').value = 'titel'), { row: 1, column: 'E' }, /not a column of TrainingDelivered/],
    ['a header named twice', (s: ExcelJS.Worksheet) => (s.getCell('H1').value = 'days'), { row: 1, column: 'H' }, /"days" twice \(also column G\)/],
  ])('refuses %s naming sheet, row and column', async (_name, edit, at, reason) => {
    const body = await xlsx((book) => {
      const sheet = book.addWorksheet('TrainingDelivered');
      sheet.addRow(HEADER);
      sheet.addRow(['II.1.3', 'a', '2023-05-01', null, 'Course', 5, 1]);
      sheet.addRow(['II.1.3', 'b', '2023-05-01', null, 'Course', 5, 1]);
      edit(sheet);
    });
    const error = await refusal(readSpreadsheet(body, 'xlsx'));
    expect(error).toMatchObject({ sheet: 'TrainingDelivered', ...at });
    expect(error.reason).toMatch(reason);
  });

  it('answers a workbook whose packed data is damaged at once (exceljs\' unzipper used to wait forever on it)', async () => {
    const body = await xlsx((book) => {
      const sheet = book.addWorksheet('TrainingDelivered');
      sheet.addRow(HEADER);
      for (let i = 0; i < 2000; i++) sheet.addRow(['II.1.3', `r-${i}`, '2023-05-01', null, `Course ${i}`, 5, 1]);
    });
    for (const part of ['xl/worksheets/sheet1.xml', 'xl/sharedStrings.xml']) {
      const damaged = Buffer.from(body);
      // Into the part's packed data, past its local header (30 bytes, the name, no extra field from exceljs).
      const at = damaged.indexOf(part) + part.length + 40;
      damaged.fill(0xff, at, at + 16);
      expect(await refusal(readSpreadsheet(damaged, 'xlsx'))).toMatchObject({ reason: expect.stringMatching(/^is not a readable XLSX workbook \(/) });
    }
  }, 30_000);

  it('checks a sheet\'s headers only when it has a report: a sheet left empty, its columns trimmed, refuses nothing', async () => {
    const body = await xlsx((book) => {
      book.addWorksheet('MeetingHeld').addRow(['measureCode', 'reportId', 'occurredOn']);
      book.addWorksheet('TrainingDelivered').addRows([HEADER, ['II.1.3', 'a', '2023-05-01', null, 'Course', 5, 1]]);
    });
    expect((await readSpreadsheet(body, 'xlsx')).map((r) => [r.input?.reportId, r.errors])).toEqual([['a', []]]);
    // With a report, the same trimmed header refuses the file at its header row.
    const used = await xlsx((book) => book.addWorksheet('MeetingHeld').addRows([['measureCode', 'reportId', 'occurredOn'], ['I.1.1', 'm', '2023-05-01']]));
    expect(await refusal(readSpreadsheet(used, 'xlsx'))).toMatchObject({ sheet: 'MeetingHeld', row: 1, reason: expect.stringMatching(/^has no "title" column/) });
  });

  it('reads 10.0 as the whole number 10, and says a count too large for a number is too large', async () => {
    const csv = ['type,measureCode,reportId,occurredOn,title,participants,days', 'TrainingDelivered,II.1.3,a,2023-05-01,Course,10.0,1.00', 'TrainingDelivered,II.1.3,b,2023-05-01,Course,10.5,9007199254740993'].join('\n');
    const rows = await readSpreadsheet(Buffer.from(csv), 'csv', 'n.csv');
    expect(rows[0]).toMatchObject({ input: { participants: 10, days: 1 }, errors: [] });
    expect(rows[1].errors?.map((e) => e.reason)).toEqual(['must be a whole number (got "10.5")', 'is too large for a count (got "9007199254740993")']);
  });

  it('refuses a workbook that unpacks far beyond its size (a zip bomb) before building any of it', async () => {
    // One title cell of 20 million characters: 20 MB of shared strings in a file of tens of kilobytes.
    const bomb = await xlsx((book) => {
      const sheet = book.addWorksheet('TrainingDelivered');
      sheet.addRow(HEADER);
      sheet.addRow(['II.1.3', 'a', '2023-05-01', null, 'x'.repeat(20_000_000), 5, 1]);
    });
    expect(bomb.length).toBeLessThan(200_000);
    const before = process.memoryUsage().rss;
    const error = await refusal(readSpreadsheet(bomb, 'xlsx'));
    expect(error.reason).toMatch(/^unpacks to 20 MB from 0\.0 MB, more than 100 times its size in the file: .*\(part xl\/sharedStrings\.xml\)$/);
    expect(error.toJSON()).toMatchObject({ code: 'BAD_USER_INPUT', field: 'file' });
    // Refused from the parts' sizes: the 20 MB of text was never built into strings.
    expect(process.memoryUsage().rss - before).toBeLessThan(100_000_000);
    // All parts together are bounded too (the api: 10 × BULK_MAX_FILE_BYTES), however well they pack.
    const rows = await xlsx((book) => {
      const sheet = book.addWorksheet('TrainingDelivered');
      sheet.addRow(HEADER);
      for (let i = 0; i < 5000; i++) sheet.addRow(['II.1.3', `r-${i}`, '2023-05-01', null, `Course ${i}`, 5, 1]);
    });
    expect((await refusal(readSpreadsheet(rows, 'xlsx', 'f.xlsx', { maxUnpackedBytes: 500_000 }))).reason).toMatch(/^unpacks to more than 0\.5 MB/);
    expect(await readSpreadsheet(rows, 'xlsx', 'f.xlsx', { maxUnpackedBytes: 5_000_000 })).toHaveLength(5000);
  }, 60_000);

  it('refuses a sheet not named by an event type, and a workbook with no report', async () => {
    const other = await xlsx((book) => book.addWorksheet('Sheet1').addRow(['a']));
    expect((await refusal(readSpreadsheet(other, 'xlsx'))).reason).toMatch(/not an event type.*a sheet of your own, such as notes, is left out of the import when its name starts with "_"/);
    const empty = await xlsx((book) => book.addWorksheet('TrainingDelivered').addRow(HEADER));
    expect((await refusal(readSpreadsheet(empty, 'xlsx'))).reason).toMatch(/no report rows/);
    expect((await refusal(readSpreadsheet(Buffer.from('PK\x03\x04 not really a zip'), 'xlsx'))).reason).toMatch(/not a readable XLSX/);
  });

  it('names the name meant for a misspelt header, type or sheet name (GraphQL\'s lexical distance), and nothing when none is close', async () => {
    const header = await refusal(readSpreadsheet(Buffer.from('type,measureCode,reportId,occuredOn\nMeetingHeld,I.1.1,m-1,2023-05-01'), 'csv', 'r.csv'));
    expect(header.reason).toBe('"occuredOn" is not a report field; did you mean "occurredOn"?');
    const rows = await readSpreadsheet(Buffer.from('type,measureCode,reportId,occurredOn\nCaseFolowUpConducted,I.4.2,c-1,2023-05-01\nWorkshop,I.4.2,c-2,2023-05-01'), 'csv', 'r.csv');
    expect(rows.map((r) => r.errors?.[0]?.reason)).toEqual(['"CaseFolowUpConducted" is not an event type; did you mean "CaseFollowUpConducted"?', '"Workshop" is not an event type']);
    const sheet = await xlsx((book) => book.addWorksheet('TrainingDelivred').addRow(HEADER));
    expect((await refusal(readSpreadsheet(sheet, 'xlsx'))).reason).toMatch(/^is not an event type; did you mean "TrainingDelivered"\?/);
    const column = await xlsx((book) => {
      book.addWorksheet('TrainingDelivered').addRows([[...HEADER.slice(0, -1), 'participant'], ['II.1.3', 'a', '2023-05-01', null, 'Course', 5, 1]]);
    });
    expect((await refusal(readSpreadsheet(column, 'xlsx'))).reason).toMatch(/^"participant" is not a column of TrainingDelivered; did you mean "participants"/);
  });

  it('reads type cells, sheet names and headers as people retype them: any case, words joined or apart', async () => {
    const csv = Buffer.from(
      [
        'Type,Measure Code,report_id,OCCURRED-ON,title,Participants,days',
        ' Training Delivered ,II.1.3,t-1,2023-05-01,Course,5,1',
        'training_delivered,II.1.3,t-2,2023-05-01,Course,6,1',
        'TRAINING-DELIVERED,II.1.3,t-3,2023-05-01,Course,7,1',
      ].join('\n'),
    );
    const rows = await readSpreadsheet(csv, 'csv', 'r.csv');
    expect(rows.map((r) => [r.errors, r.input])).toEqual(
      [5, 6, 7].map((n, i) => [[], { measureCode: 'II.1.3', reportId: `t-${i + 1}`, occurredOn: '2023-05-01', title: 'Course', participants: n, days: 1 }]),
    );
    // The cell a refusal names carries the column's own name, not the header as typed.
    expect(rows[0].locate?.('participants')).toMatchObject({ field: "'r.csv'!F2", column: 'F (participants)' });
    const book = await xlsx((b) => b.addWorksheet('Training delivered').addRows([['Measure code', 'Report ID', 'Occurred on', 'Plan ID', 'Title', 'Participants', 'Days'], ['II.1.3', 'x-1', '2023-05-01', null, 'Course', 8, 2]]));
    expect((await readSpreadsheet(book, 'xlsx')).map((r) => [r.errors, r.input])).toEqual([[[], { measureCode: 'II.1.3', reportId: 'x-1', occurredOn: '2023-05-01', title: 'Course', participants: 8, days: 2 }]]);
    // Two spellings of one column are one column named twice.
    expect(await refusal(readSpreadsheet(Buffer.from('type,measureCode,Measure Code\nTrainingDelivered,II.1.3,II.1.3'), 'csv', 'r.csv'))).toMatchObject({
      row: 1,
      column: 'C',
      reason: expect.stringMatching(/"measureCode" twice \(also column B\)/),
    });
  });

  it('skips blank rows: a CSV line of commas only or of spaces, an XLSX row whose cells hold spaces only', async () => {
    const csv = Buffer.from(['type,measureCode,reportId,occurredOn,title,participants,days', 'TrainingDelivered,II.1.3,t-1,2023-05-01,Course,5,1', ',,,,,,', ' , , ,,,,', ',,', 'TrainingDelivered,II.1.3,t-2,2023-05-01,Course,6,1'].join('\r\n'));
    const rows = await readSpreadsheet(csv, 'csv', 'r.csv');
    expect(rows.map((r) => [r.input?.reportId, r.errors, r.locate?.('days')?.row])).toEqual([
      ['t-1', [], 2],
      ['t-2', [], 6],
    ]);
    const book = await xlsx((b) => {
      const sheet = b.addWorksheet('TrainingDelivered');
      sheet.addRow(HEADER);
      sheet.addRow(['II.1.3', 'a', '2023-05-01', null, 'Course', 5, 1]);
      sheet.getCell('E3').value = ' ';
      sheet.getCell('B4').value = '   ';
      sheet.getCell('C4').value = '\t';
      sheet.addRow(['II.1.3', 'b', '2023-05-01', null, 'Course', 6, 1]);
    });
    expect((await readSpreadsheet(book, 'xlsx')).map((r) => [r.input?.reportId, r.errors])).toEqual([
      ['a', []],
      ['b', []],
    ]);
  });

  it('takes an empty header over an empty column (a trailing comma on every line), and refuses a value under it naming the cell', async () => {
    const header = 'type,measureCode,reportId,occurredOn,title,participants,days,';
    const rows = await readSpreadsheet(Buffer.from(`${header}\nTrainingDelivered,II.1.3,t-1,2023-05-01,Course,5,1,\n`), 'csv', 'r.csv');
    expect(rows.map((r) => [r.input?.reportId, r.errors])).toEqual([['t-1', []]]);
    const middle = 'type,measureCode,,reportId,occurredOn,title,participants,days';
    expect((await readSpreadsheet(Buffer.from(`${middle}\nTrainingDelivered,II.1.3,,t-2,2023-05-01,Course,5,1`), 'csv', 'r.csv')).map((r) => r.errors)).toEqual([[]]);
    const error = await refusal(readSpreadsheet(Buffer.from(`${header}\nTrainingDelivered,II.1.3,t-1,2023-05-01,Course,5,1,\nTrainingDelivered,II.1.3,t-2,2023-05-01,Course,5,1,stray\n`), 'csv', 'r.csv'));
    expect(error).toMatchObject({ sheet: 'r.csv', row: 3, column: 'H', reason: 'has a value under an empty header' });
  });

  it('an empty workbook says it has no report rows and points to the template, naming its sheets only when few', async () => {
    // The template itself, unfilled: one sheet per event type the agency may report.
    const many = await buildTemplate('ministry-of-interior', [{ code: 'II.1.3', types: EVENT_CATALOGUE.map((e) => e.type) }]);
    const error = await refusal(readSpreadsheet(many, 'xlsx'));
    expect(error.reason).toMatch(/the workbook has no report rows/);
    expect(error.reason).toMatch(/`ledger reports template` or GET \/imports\/reports\/template/);
    expect(error.sheet).toBeUndefined();
    expect(error.message).not.toMatch(/MeetingHeld/);
    const one = await xlsx((book) => book.addWorksheet('TrainingDelivered').addRow(HEADER));
    expect(await refusal(readSpreadsheet(one, 'xlsx'))).toMatchObject({ sheet: 'TrainingDelivered', row: 2, reason: expect.stringMatching(/no report rows/) });
    const headerOnly = await refusal(readSpreadsheet(Buffer.from('type,measureCode,reportId,occurredOn\n'), 'csv', 'h.csv'));
    expect(headerOnly).toMatchObject({ sheet: 'h.csv', row: 2, reason: expect.stringMatching(/no report rows.*ledger reports template/) });
  });

  it('reads every entry of a workbook, its last one (xl/workbook.xml) too, on every read: unzipper used to end before it', async () => {
    // exceljs writes xl/workbook.xml last; its unzipper could end the entries before it (PR #346),
    // about one read in two of a small workbook, and the sheets then had no names.
    const noRows = await xlsx((book) => {
      for (const { type } of EVENT_CATALOGUE.slice(0, 5)) book.addWorksheet(type);
    });
    const oneRow = await xlsx((book) => {
      book.addWorksheet('MeetingHeld');
      book.addWorksheet('TrainingDelivered').addRows([HEADER, ['II.1.3', 'r-1', '2023-05-02', undefined, 'Course', 12, 1]]);
    });
    const reasons = new Set<string>();
    const read = [];
    for (let i = 0; i < 60; i++) {
      reasons.add((await refusal(readSpreadsheet(noRows, 'xlsx'))).reason);
      read.push((await readSpreadsheet(oneRow, 'xlsx')).length);
    }
    expect([...reasons]).toEqual([expect.stringMatching(/^the workbook has no report rows/)]);
    expect(new Set(read)).toEqual(new Set([1]));
  }, 60_000);

  it('a ZIP archive that is not a workbook (a DOCX, any archive) is refused as not an XLSX workbook', async () => {
    const docx = new JSZip();
    docx.file('[Content_Types].xml', '<Types/>');
    docx.file('word/document.xml', '<w:document/>');
    const archive = new JSZip();
    archive.file('reports.csv', 'type,measureCode\n');
    for (const zip of [docx, archive]) {
      const error = await refusal(readSpreadsheet(await zip.generateAsync({ type: 'nodebuffer' }), 'xlsx'));
      expect(error.reason).toMatch(/is not an XLSX workbook/);
      expect(error.reason).not.toMatch(/no report/);
    }
  });

  it.each([
    ['semicolons', ';', /separated by semicolons \(";"\)/],
    ['tabs', '\t', /separated by tabs \("\\t"\)/],
    ['vertical bars', '|', /separated by vertical bars/],
  ])('CSV separated by %s is refused as not comma-separated, naming the delimiter', async (_name, delimiter, reason) => {
    const csv = [['type', 'measureCode', 'reportId', 'occurredOn', 'title', 'participants', 'days'], ['TrainingDelivered', 'II.1.3', 's-1', '2023-05-01', 'Course', '5', '1']]
      .map((r) => r.join(delimiter))
      .join('\n');
    const error = await refusal(readSpreadsheet(Buffer.from(csv), 'csv', 's.csv'));
    expect(error).toMatchObject({ sheet: 's.csv', row: 1 });
    expect(error.reason).toMatch(/must be comma-separated/);
    expect(error.reason).toMatch(reason);
    expect(error.reason).toMatch(/: upload the workbook itself \(\.xlsx\) instead, or save it as "CSV UTF-8 \(Comma delimited\)"$/);
  });

  it('CSV: only UTF-8 text (a BOM is fine); a legacy code page is refused at its first line that is not UTF-8', () => {
    const header = 'type,measureCode,reportId,occurredOn,title,participants,days\n';
    const good = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`${header}TrainingDelivered,II.1.3,u-1,2023-04-01,Árvíztűrő,5,1\n`)]);
    expect(detectFormat(good, 'text/csv', undefined)).toBe('csv');
    // "árvíz" in Windows-1250 on line 3; line 2 is plain ASCII.
    const latin = Buffer.concat([Buffer.from(`${header}TrainingDelivered,II.1.3,u-1,2023-04-01,Course,5,1\nTrainingDelivered,II.1.3,u-2,2023-04-01,`), Buffer.from([0xe1, 0x72, 0x76, 0xed, 0x7a]), Buffer.from(',5,1\n')]);
    expect(() => detectFormat(latin, 'text/csv', undefined)).toThrow(expect.objectContaining({ sheet: 'upload.csv', row: 3, reason: expect.stringMatching(/is not UTF-8 text/) }));
    // The same shape as every other error of a CSV (a semicolon header, a bad cell): the file is its sheet.
    expect(() => detectFormat(latin, undefined, 'reports-q2.csv')).toThrow(expect.objectContaining({ sheet: 'reports-q2.csv', row: 3 }));
    expect(() => detectFormat(Buffer.from('type\0,x\n'), 'text/csv', 'b.csv')).toThrow(expect.objectContaining({ sheet: 'b.csv', reason: expect.stringMatching(/binary data/) }));
    // A character cut at the end of the file is not UTF-8 either.
    expect(() => detectFormat(Buffer.concat([Buffer.from(header), Buffer.from([0xc3])]), 'text/csv', undefined)).toThrow(expect.objectContaining({ row: 2 }));
  });

  it('CSV: UTF-16 text (Excel\'s "Unicode Text"), with or without a byte order mark, is told how to save as UTF-8, not that it is binary', () => {
    const text = 'type,measureCode,reportId,occurredOn\nTrainingDelivered,II.1.3,u-1,2023-04-01\n';
    const le = Buffer.from(text, 'utf16le');
    const be = Buffer.from(le).swap16();
    for (const body of [Buffer.concat([Buffer.from([0xff, 0xfe]), le]), le, Buffer.concat([Buffer.from([0xfe, 0xff]), be]), be]) {
      expect(() => detectFormat(body, 'text/csv', 'u.csv')).toThrow(expect.objectContaining({ sheet: 'u.csv', row: 1, reason: expect.stringMatching(/^is UTF-16 text .*save it as "CSV UTF-8/) }));
    }
    // Binary data with a zero byte here and there stays binary.
    expect(() => detectFormat(Buffer.from([0x74, 0x79, 0x00, 0x65, 0x01, 0x02, 0x00, 0x00, 0x41, 0x42]), 'text/csv', 'b.csv')).toThrow(expect.objectContaining({ reason: expect.stringMatching(/binary data/) }));
  });

  it('CSV: a semicolon inside a value of a comma-separated file is only a value', async () => {
    const csv = ['type,measureCode,reportId,occurredOn,title,participants,days', 'TrainingDelivered,II.1.3,s-2,2023-05-01,"Course; part 2",5,1'].join('\n');
    const rows = await readSpreadsheet(Buffer.from(csv), 'csv', 's.csv');
    expect(rows[0]).toMatchObject({ input: { title: 'Course; part 2' }, errors: [] });
  });

  it('CSV: a header named twice refuses the file at its second column', async () => {
    const csv = ['type,measureCode,reportId,occurredOn,title,participants,title', 'TrainingDelivered,II.1.3,c-1,2023-05-01,A,5,B'].join('\n');
    const error = await refusal(readSpreadsheet(Buffer.from(csv), 'csv', 'f.csv'));
    expect(error).toMatchObject({ sheet: 'f.csv', row: 1, column: 'G' });
    expect(error.reason).toMatch(/"title" twice \(also column E\)/);
  });

  it('CSV: one row per record of its type; a bad type or a stray cell is that row’s error; stops past maxRows', async () => {
    const csv = [
      'type,measureCode,reportId,occurredOn,title,participants,days,location',
      'TrainingDelivered,II.1.3,c-1,2023-05-01,Course,7,1,',
      'Nonsense,II.1.3,c-2,2023-05-01,,,,',
      'TrainingDelivered,II.1.3,c-3,2023-05-01,Course,x,1,Budapest',
    ].join('\n');
    const rows = await readSpreadsheet(Buffer.from(csv), 'csv', 'r.csv');
    expect(rows.map((r) => r.index)).toEqual([0, 1, 2]);
    expect(rows[0]).toMatchObject({ input: { reportId: 'c-1', participants: 7 }, errors: [] });
    expect(rows[1].errors?.[0]).toMatchObject({ field: "'r.csv'!A3", sheet: 'r.csv', row: 3, column: 'A (type)' });
    expect(rows[2].errors?.map((e) => [e.field, e.column])).toEqual([
      ["'r.csv'!F4", 'F (participants)'],
      ["'r.csv'!H4", 'H (location)'],
    ]);
    const error = await refusal(readSpreadsheet(Buffer.from(csv), 'csv', 'r.csv', { maxRows: 2 }));
    expect(error).toMatchObject({ sheet: 'r.csv', row: 4 });
  });

  it('takes enum cells and the type in any case with spaces around, storing the catalogue value; other spellings are refused naming the value', async () => {
    const csv = [
      'type,measureCode,reportId,occurredOn,amount,source,purpose',
      'FundsDisbursed,II.3.9,f-1,2023-04-10,100, Swiss-Hungarian ,Grant',
      'fundsdisbursed,II.3.9,f-2,2023-04-10,100,swiss_hungarian,Grant',
      ' FUNDSDISBURSED ,II.3.9,f-3,2023-04-10,100,eu,Grant',
      'FundsDisbursed,II.3.9,f-4,2023-04-10,100,NATIONAL,Grant',
      'FundsDisbursed,II.3.9,f-5,2023-04-10,100,Swiss  Hungarian,Grant',
      'FundsDisbursed,II.3.9,f-6,2023-04-10,100,swiss,Grant',
    ].join('\n');
    const rows = await readSpreadsheet(Buffer.from(csv), 'csv', 'f.csv');
    expect(rows.slice(0, 5).map((r) => [r.input?.source, r.errors])).toEqual([
      ['swiss-hungarian', []],
      ['swiss-hungarian', []],
      ['eu', []],
      ['national', []],
      // Words joined by spaces read as the catalogue's hyphens or underscores.
      ['swiss-hungarian', []],
    ]);
    expect(rows[5].errors?.[0]).toMatchObject({ field: "'f.csv'!F7", column: 'F (source)', reason: expect.stringMatching(/must be one of national, eu, swiss-hungarian, in any case, words joined by spaces, hyphens or underscores \(got "swiss"\)/) });
    // Money: a negative amount is a whole number, just below the least one.
    const money = await readSpreadsheet(Buffer.from('type,measureCode,reportId,occurredOn,amount,source,purpose\nFundsDisbursed,II.3.9,f-7,2023-04-10,-100,eu,Grant\nFundsDisbursed,II.3.9,f-8,2023-04-10,1.5,eu,Grant'), 'csv', 'm.csv');
    expect(money.map((r) => r.errors?.[0]?.reason)).toEqual(['must be at least 1 HUF (got -100)', 'must be a whole number of forints (got "1.5")']);

    const body = await xlsx((book) => {
      const sheet = book.addWorksheet('meetingheld');
      sheet.addRow(['measureCode', 'reportId', 'occurredOn', 'title', 'meetingKind']);
      sheet.addRow(['I.1.1', 'm-1', '2023-05-01', 'Round', 'round_table ']);
      sheet.addRow(['I.1.1', 'm-2', '2023-05-01', 'Round', 'Working_Group']);
      sheet.addRow(['I.1.1', 'm-3', '2023-05-01', 'Round', 'round-table']);
      sheet.addRow(['I.1.1', 'm-4', '2023-05-01', 'Round', 'Round Table']);
    });
    const sheetRows = await readSpreadsheet(body, 'xlsx');
    expect(sheetRows.map((r) => [r.member?.spec.type, r.input?.meetingKind, r.errors])).toEqual([
      ['MeetingHeld', 'ROUND_TABLE', []],
      ['MeetingHeld', 'WORKING_GROUP', []],
      ['MeetingHeld', 'ROUND_TABLE', []],
      ['MeetingHeld', 'ROUND_TABLE', []],
    ]);
  });

  it('drops spaces around the codes, dates and numbers of a cell, as around enums; free text stays as written', async () => {
    const body = await xlsx((book) => {
      const training = book.addWorksheet('TrainingDelivered');
      training.addRow(HEADER);
      training.addRow([' II.1.3 ', ' t-1\t', ' 2023-09-16 ', ' hu-2022-2023 ', ' Course ', ' 7 ', '  ']);
      const stats = book.addWorksheet('InvestigationStatisticsReported');
      stats.addRow(['measureCode', 'reportId', 'occurredOn', 'periodStart', 'periodEnd', 'investigationsOpened']);
      stats.addRow(['II.2.1', 's-1', '2023-04-02', '\u00a02023-01-01', '2023-03-31  ', ' 41']);
      stats.addRow(['II.2.1', 's-2', '2023-04-02', ' 2023-13-01 ', '2023-03-31', '41']);
    });
    const rows = await readSpreadsheet(body, 'xlsx');
    expect(rows[0]).toMatchObject({
      input: { measureCode: 'II.1.3', reportId: 't-1', occurredOn: '2023-09-16', planId: 'hu-2022-2023', title: ' Course ', participants: 7 },
      errors: [],
    });
    // A cell of spaces only is an empty cell.
    expect(rows[0].input).not.toHaveProperty('days');
    expect(rows[1]).toMatchObject({ input: { periodStart: '2023-01-01', periodEnd: '2023-03-31', investigationsOpened: 41 }, errors: [] });
    // Trimmed, not made valid: the date rule still judges what is left.
    expect(rows[2].input?.periodStart).toBe('2023-13-01');

    const csv = ['type,measureCode,reportId,occurredOn,title,participants,days', 'TrainingDelivered," II.1.3"," c-1 "," 2023-09-16 ",Course," 5 ",1'].join('\n');
    const [row] = await readSpreadsheet(Buffer.from(csv), 'csv', 'q.csv');
    expect(row).toMatchObject({ input: { measureCode: 'II.1.3', reportId: 'c-1', occurredOn: '2023-09-16', participants: 5 }, errors: [] });
  });

  it('reads the optional reason column apart from the report input, in XLSX and CSV; a reason over 2000 characters is refused at its cell', async () => {
    const body = await xlsx((book) => {
      const training = book.addWorksheet('TrainingDelivered');
      training.addRow([...HEADER, 'reason']);
      training.addRow(['II.1.3', 'r-1', '2023-05-01', null, 'Course', 21, 1, 'Recounted the sign-in sheet']);
      training.addRow(['II.1.3', 'r-2', '2023-05-01', null, 'Course', 5, 1, 'x'.repeat(2001)]);
      training.addRow(['II.1.3', 'r-3', '2023-05-01', null, 'Course', 5, 1]);
    });
    const [fixed, long, plain] = await readSpreadsheet(body, 'xlsx');
    expect(fixed).toMatchObject({ reason: 'Recounted the sign-in sheet', errors: [] });
    expect(fixed.input).not.toHaveProperty('reason');
    expect(long.errors).toEqual([{ code: 'BAD_USER_INPUT', reason: 'must be at most 2000 characters (got 2001)', field: 'TrainingDelivered!H3', sheet: 'TrainingDelivered', row: 3, column: 'H (reason)' }]);
    expect(plain.reason).toBeUndefined();
    expect(plain.locate?.('reason')).toEqual({ field: 'TrainingDelivered!H4', sheet: 'TrainingDelivered', row: 4, column: 'H (reason)' });
    const csv = await readSpreadsheet(Buffer.from(['type,measureCode,reportId,occurredOn,title,participants,days,reason', 'TrainingDelivered,II.1.3,c-1,2023-05-01,Course,3,1,"Typo, was 30"'].join('\n')), 'csv', 'r.csv');
    expect(csv[0]).toMatchObject({ reason: 'Typo, was 30', errors: [] });
    expect(csv[0].input).not.toHaveProperty('reason');
    // A sheet without the column: a reason refusal names the row and the column it lacks.
    const [without] = await readSpreadsheet(Buffer.from(['type,measureCode,reportId,occurredOn,title,participants,days', 'TrainingDelivered,II.1.3,c-2,2023-05-01,Course,3,1'].join('\n')), 'csv', 'r.csv');
    expect(without.locate?.('reason')).toEqual({ field: "'r.csv'!2:2", sheet: 'r.csv', row: 2, column: 'reason (no such column)' });
  });

  it('keeps the reportId of a CSV row whose type it does not know, for the row\'s summary', async () => {
    const csv = ['type,measureCode,reportId,occurredOn,title', 'Workshop,II.1.3," moi-c7 ",2023-05-01,A', 'Workshop,II.1.3,,2023-05-01,A'].join('\n');
    const rows = await readSpreadsheet(Buffer.from(csv), 'csv', 'u.csv');
    expect(rows.map((r) => [r.member, r.reportId, r.errors?.[0]?.reason])).toEqual([
      [undefined, 'moi-c7', '"Workshop" is not an event type'],
      [undefined, undefined, '"Workshop" is not an event type'],
    ]);
  });

  it('names each refused cell by its own sheet and the row that sheet shows, not by the row\'s place in the whole file', async () => {
    const body = await xlsx((book) => {
      const training = book.addWorksheet('TrainingDelivered');
      training.addRow(HEADER);
      for (let i = 0; i < 3; i++) training.addRow(['II.1.3', `t-${i}`, '2023-05-01', null, 'Course', 5, 1]);
      const funds = book.addWorksheet('FundsDisbursed');
      funds.addRow(['measureCode', 'reportId', 'occurredOn', 'amount', 'source', 'purpose']);
      funds.addRow(['II.3.9', 'f-1', '2023-04-10', '12.5', 'national', 'Grant']);
      funds.addRow(['II.3.9', 'f-2', '2023-04-10', '100', 'lottery', 'Grant']);
    });
    const rows = await readSpreadsheet(body, 'xlsx');
    // The summary's index counts data rows across sheets in file order: 3 and 4 are FundsDisbursed's rows 2 and 3.
    expect(rows.map((r) => r.index)).toEqual([0, 1, 2, 3, 4]);
    expect(rows[3].errors).toEqual([{ code: 'BAD_USER_INPUT', field: 'FundsDisbursed!D2', sheet: 'FundsDisbursed', row: 2, column: 'D (amount)', reason: expect.stringMatching(/got "12.5"/) }]);
    expect(rows[4].errors).toEqual([{ code: 'BAD_USER_INPUT', field: 'FundsDisbursed!E3', sheet: 'FundsDisbursed', row: 3, column: 'E (source)', reason: expect.stringMatching(/got "lottery"/) }]);
  });
});

describe('dates in the template and in uploads', () => {
  /** The serial day number a spreadsheet stores for a calendar date (1900 date system). */
  const serialOf = (iso: string): number => Date.parse(`${iso}T00:00:00Z`) / 86_400_000 + 25_569;
  const DAYS = ['2022-01-01', '2023-03-26', '2023-10-29', '2023-12-31', '2024-02-29'];

  it('formats the date columns of the template as yyyy-mm-dd, and no other column', async () => {
    const book = new ExcelJS.Workbook();
    await book.xlsx.load((await buildTemplate('ministry-of-interior', [{ code: 'III.4.1', types: ['TrainingDelivered', 'InvestigationStatisticsReported'] }])) as unknown as ArrayBuffer);
    const dated = (name: string) =>
      (book.getWorksheet(name)!.getRow(1).values as unknown[]).filter((h, c) => typeof h === 'string' && book.getWorksheet(name)!.getColumn(c).numFmt === 'yyyy-mm-dd');
    expect(dated('TrainingDelivered')).toEqual(['occurredOn']);
    expect(dated('InvestigationStatisticsReported')).toEqual(['occurredOn', 'periodStart', 'periodEnd']);
  });

  it('reads a date cell — written from a day, typed into Excel, with a time of day — as the same calendar day as ISO text', async () => {
    const book = new ExcelJS.Workbook();
    await book.xlsx.load((await buildTemplate('ministry-of-interior', [{ code: 'II.1.3', types: ['TrainingDelivered'] }])) as unknown as ArrayBuffer);
    const sheet = book.getWorksheet('TrainingDelivered')!;
    const expected: string[] = [];
    const add = (reportId: string, occurredOn: ExcelJS.CellValue, day: string, numFmt?: string) => {
      const row = sheet.addRow(['II.1.3', reportId, occurredOn, null, 'Course', 5, 1]);
      if (numFmt) row.getCell(3).numFmt = numFmt;
      expected.push(`${reportId} ${day}`);
    };
    for (const day of DAYS) {
      add(`written-${day}`, spreadsheetDate(day), day);
      // As Excel stores a typed date: the whole serial day, in a cell with a date format (its own or the column's).
      add(`typed-${day}`, serialOf(day), day, 'yyyy-mm-dd');
      add(`locale-${day}`, serialOf(day), day, 'dd/mm/yyyy');
      // 23:59 of that day: the day, not the next one.
      add(`late-${day}`, serialOf(day) + 0.999, day, 'yyyy-mm-dd hh:mm');
      add(`text-${day}`, day, day);
    }
    const rows = await readSpreadsheet(Buffer.from(await book.xlsx.writeBuffer()), 'xlsx');
    expect(rows.map((r) => `${String(r.input?.reportId)} ${String(r.input?.occurredOn)}`)).toEqual(expected);
    expect(rows.flatMap((r) => r.errors ?? [])).toEqual([]);
  });

  it('writes a day as a whole serial day (UTC midnight), so no time zone moves it; anything else stays text', async () => {
    const body = await xlsx((book) => {
      const sheet = book.addWorksheet('TrainingDelivered');
      sheet.addRow(HEADER);
      sheet.addRow(['II.1.3', 'a', spreadsheetDate('2023-01-01'), null, 'Course', 5, 1]);
    });
    const xml = await (await JSZip.loadAsync(body)).file('xl/worksheets/sheet1.xml')!.async('string');
    expect(xml).toMatch(/<c r="C2"[^>]*><v>44927<\/v><\/c>/);
    expect(calendarDayOf(spreadsheetDate('2024-02-29') as Date)).toBe('2024-02-29');
    for (const notADay of ['', '2023-02-31', '31/12/2023', '1899-12-31', '1900-01-15']) expect(spreadsheetDate(notADay)).toBe(notADay);
  });
});
