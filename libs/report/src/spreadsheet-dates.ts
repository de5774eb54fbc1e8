import { isIsoDate } from '@app/domain';

/**
 * Calendar dates in the XLSX files the ledger writes and reads (the implementation report, the
 * report template, uploads): one rule for both directions, so a date written is read back as the
 * same day.
 *
 * A date is written as a real date cell (a coordinator sorts and filters it as a date, not as
 * text) shown as ISO 8601, `yyyy-mm-dd`, whatever the reader's locale. A spreadsheet date has no
 * time zone: it is a serial day number. exceljs turns a JS Date into that serial from its UTC
 * instant, and a serial back into a Date at UTC, so the day travels as UTC midnight; the server's
 * and the reader's time zones never move it.
 */

/** The number format of a date cell: the ISO 8601 calendar date, in every locale. */
export const DATE_NUMBER_FORMAT = 'yyyy-mm-dd';

// Excel's 1900 date system starts on 1900-01-01 (and miscounts 1900-02-29): earlier days stay text.
const FIRST_SERIAL_DAY = '1900-03-01';

/**
 * The value of a date cell for a calendar date `YYYY-MM-DD`: a Date at UTC midnight of that day
 * (a whole serial day). Anything else — an empty value, text that is no ISO date, a day before
 * 1900-03-01 — is returned as it is, to be written as text.
 */
export function spreadsheetDate(iso: string): Date | string {
  if (!isIsoDate(iso) || iso < FIRST_SERIAL_DAY) return iso;
  return new Date(`${iso}T00:00:00.000Z`);
}

/**
 * The calendar day of a date cell as exceljs reads it (a Date at the UTC instant of its serial):
 * `YYYY-MM-DD`. A time of day in the cell (a serial with a fraction) does not change the day.
 */
export function calendarDayOf(cell: Date): string {
  return cell.toISOString().slice(0, 10);
}
