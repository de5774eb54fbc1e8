import { shownValue } from './wire-rules.js';

/**
 * RFC 3339 `date-time` (section 5.6) with its explicit offset: `2026-11-25T12:00:00Z`,
 * `2026-11-25T13:00:00.250+01:00`. The `T` and `Z` may be lower case. Fractions beyond the
 * millisecond are dropped (instants are milliseconds here).
 */
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

export const RFC3339_REASON = 'must be an RFC 3339 date-time with an explicit offset, such as 2026-11-25T12:00:00Z or 2026-11-25T13:00:00+01:00';

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * The instant an RFC 3339 text names, or a reason why it names none. Never reads the server's
 * time zone: a text without an offset is refused, not read as local time (docs/security.md: no
 * answer depends on the server's time zone). The one reading of an instant for GraphQL's
 * DateTime, GET /reports/implementation's atInstant and the cli's --at-instant.
 */
export function parseRfc3339(text: string): Date | { readonly reason: string } {
  const m = RFC3339.exec(text);
  // The text as given, as every date refusal says it (wire-rules' shownValue), so the sender sees what was read.
  if (!m) return { reason: `${RFC3339_REASON} (got ${shownValue(text)})` };
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return { reason: `${RFC3339_REASON}: ${m[1]}-${m[2]}-${m[3]} is not a calendar date` };
  // 60 is a leap second in RFC 3339; JavaScript instants cannot hold one.
  if (hour > 23 || minute > 59 || second > 59) return { reason: `${RFC3339_REASON}: ${m[4]}:${m[5]}:${m[6]} is not a time of day` };
  const offsetHours = m[9] ? Number(m[10]) : 0;
  const offsetMinutes = m[9] ? Number(m[11]) : 0;
  if (offsetHours > 23 || offsetMinutes > 59) return { reason: `${RFC3339_REASON}: ${m[9]}${m[10]}:${m[11]} is not an offset` };
  const millis = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
  const sign = m[9] === '-' ? -1 : 1;
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, millis) - sign * (offsetHours * 60 + offsetMinutes) * 60_000;
  // Date.UTC maps years 0–99 to 1900–1999; setUTCFullYear puts them back.
  const date = new Date(utc);
  if (year < 100) date.setUTCFullYear(date.getUTCFullYear() - 1900);
  return date;
}
