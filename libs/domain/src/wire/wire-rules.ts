/**
 * The rules of the values that cross the wire (GraphQL inputs, stored event data, NDJSON
 * imports), each in one place. The GraphQL input classes, the domain validator and the readers
 * of stored events all test a value with these, so a value one of them accepts no other refuses.
 */

/** YYYY-MM-DD; {@link isIsoDate} adds that the day exists in the calendar. */
export const ISO_DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
export const ISO_DATE_RULE = 'must be a real calendar date written YYYY-MM-DD';

/** Characters of a refused text an error shows: enough to find it, not a whole pasted paragraph. */
const SHOWN_CHARACTERS = 40;

/** A refused value as an error message shows it: a text in quotes (cut at 40 characters with …), anything else as JSON. */
export function shownValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > SHOWN_CHARACTERS ? `${value.slice(0, SHOWN_CHARACTERS)}…` : value);
  // JSON.stringify gives undefined for undefined, functions and symbols: none reach a wire rule but undefined.
  return JSON.stringify(value) ?? 'nothing';
}

/** {@link ISO_DATE_RULE} with the value it refused, so the sender sees what was read: `… YYYY-MM-DD (got "30/02/2023")`. */
export function isoDateRefusal(value: unknown): string {
  return `${ISO_DATE_RULE} (got ${shownValue(value)})`;
}

/**
 * The refusal of a date after `latest`, the latest date accepted: the date in the time zone
 * furthest ahead (UTC+14, apps/api latestToday), so that a date that is today anywhere on Earth
 * passes. Named as such, not as "today": at 10:00 UTC that date is already tomorrow in Europe.
 */
export function futureDateRefusal(latest: string): string {
  return `is in the future: the latest date accepted is ${latest}, the date already begun in the time zone furthest ahead (UTC+14)`;
}

/**
 * Dates already found valid. The projections read every stored event through isIsoDate, and a
 * ledger holds a few thousand distinct dates: a set lookup instead of a Date per event.
 */
const knownDates = new Set<string>();

/** Whether `value` is a real calendar date written YYYY-MM-DD (2023-02-30 is not). */
export function isIsoDate(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  if (knownDates.has(value)) return true;
  const valid = isCalendarDate(value);
  if (valid && knownDates.size < 100_000) knownDates.add(value);
  return valid;
}

function isCalendarDate(value: string): boolean {
  const match = ISO_DATE_PATTERN.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  // Date.UTC maps years 0–99 to 1900–1999: setUTCFullYear keeps the year as written.
  date.setUTCFullYear(year);
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/**
 * The one wording for a text that is empty or only spaces, wherever it is refused — a GraphQL
 * input, a spreadsheet cell (an empty cell is an absent value), a stored or imported event — the
 * same as for a value not given at all: for the sender, a blank text is none.
 */
export const EMPTY_TEXT_RULE = 'is required';

/** Whether `value` is a text with something besides white space in it. */
export function isNonBlankText(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

/**
 * A client's own id for a request: a report id, a correction's or retraction's request id.
 * Letters, digits, `.`, `_`, `:` and `-`, starting with a letter or digit, at most 100. It never
 * contains `/`, which is what keeps report stream names unambiguous (report-streams.ts).
 */
export const CLIENT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/;
export const CLIENT_ID_RULE = 'must start with a letter or digit and use only letters, digits, ".", "_", ":" and "-" (at most 100)';

export function isValidClientId(value: unknown): value is string {
  return typeof value === 'string' && CLIENT_ID_PATTERN.test(value);
}

/** Report ids are client ids. */
export const REPORT_ID_PATTERN = CLIENT_ID_PATTERN;
export const isValidReportId = isValidClientId;

/** Agency ids are kebab-case (the plan register's rule): lowercase letters and digits joined by single hyphens. */
export const AGENCY_ID_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export function isValidAgencyId(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 100 && AGENCY_ID_PATTERN.test(value);
}

/** Money is integer HUF written as digits only: no sign, no decimals, no separators, no exponent. */
export const MONEY_PATTERN = /^\d+$/;

/** Money beyond this (one trillion HUF) is refused as absurd for a single report. */
export const MAX_MONEY_HUF = 1_000_000_000_000n;

/** Whether a stored or typed value is money as the ledger writes it: a decimal string of integer HUF. */
export function isMoneyText(value: unknown): value is string {
  return typeof value === 'string' && MONEY_PATTERN.test(value);
}

/** One field value of a report's own fields: counts, booleans, texts, dates; money as decimal strings. */
export type FieldValue = string | number | boolean;

/** A report's own fields, as stored in its event's `details`. */
export type Details = { readonly [field: string]: FieldValue };

/** Whether `value` has the shape of stored details (an object of strings, numbers and booleans). */
export function isDetails(value: unknown): value is Details {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  for (const key in value) {
    const v = (value as Record<string, unknown>)[key];
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') return false;
  }
  return true;
}
