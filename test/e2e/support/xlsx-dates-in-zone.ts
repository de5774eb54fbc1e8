// Run by test/e2e/xlsx-dates.e2e-spec.ts in a child process with its own TZ (a process reads its
// zone at start): writes the given days into the report template as date cells, as Excel's own
// serial days and as ISO text, reads the file back as an upload, and prints what it read as JSON.
import ExcelJS from 'exceljs';
import { spreadsheetDate } from '@app/report';
import { buildTemplate, readSpreadsheet } from '../../../apps/api/src/reporting/bulk/spreadsheet.js';

const days = process.argv.slice(2);
const book = new ExcelJS.Workbook();
await book.xlsx.load((await buildTemplate('ministry-of-interior', [{ code: 'II.1.3', types: ['TrainingDelivered'] }])) as unknown as ArrayBuffer);
const sheet = book.getWorksheet('TrainingDelivered')!;
for (const day of days) {
  sheet.addRow(['II.1.3', `written ${day}`, spreadsheetDate(day), null, 'Course', 5, 1]);
  const typed = sheet.addRow(['II.1.3', `typed ${day}`, Date.parse(`${day}T00:00:00Z`) / 86_400_000 + 25_569, null, 'Course', 5, 1]);
  typed.getCell(3).numFmt = 'yyyy-mm-dd';
  sheet.addRow(['II.1.3', `text ${day}`, day, null, 'Course', 5, 1]);
}
const rows = await readSpreadsheet(Buffer.from(await book.xlsx.writeBuffer()), 'xlsx');
process.stdout.write(`${JSON.stringify({ zone: Intl.DateTimeFormat().resolvedOptions().timeZone, read: rows.map((r) => `${String(r.input?.reportId)}: ${String(r.input?.occurredOn)}`) })}\n`);
