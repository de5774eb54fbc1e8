import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';
import { shownValue } from '@app/domain';

/**
 * RFC 3339 `date-time` (section 5.6) with its explicit offset: `2026-11-25T12:00:00Z`,
 * `2026-11-25T13:00:00.250+01:00`. The `T` and `Z` may be lower case. Fractions beyond the
 * millisecond are dropped (instants are milliseconds here).
 */
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

const REASON = 'must be an RFC 3339 date-time with an explicit offset, such as 2026-11-25T12:00:00Z or 2026-11-25T13:00:00+01:00';

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * The instant an RFC 3339 text names, or a reason why it names none. Never reads the server's
 * time zone: a text without an offset is refused, not read as local time.
 */
export function parseRfc3339(text: string): Date | { readonly reason: string } {
  const m = RFC3339.exec(text);
  // The text as given, as every date refusal says it (wire-rules' shownValue), so the sender sees what was read.
  if (!m) return { reason: `${REASON} (got ${shownValue(text)})` };
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return { reason: `${REASON}: ${m[1]}-${m[2]}-${m[3]} is not a calendar date` };
  // 60 is a leap second in RFC 3339; JavaScript instants cannot hold one.
  if (hour > 23 || minute > 59 || second > 59) return { reason: `${REASON}: ${m[4]}:${m[5]}:${m[6]} is not a time of day` };
  const offsetHours = m[9] ? Number(m[10]) : 0;
  const offsetMinutes = m[9] ? Number(m[11]) : 0;
  if (offsetHours > 23 || offsetMinutes > 59) return { reason: `${REASON}: ${m[9]}${m[10]}:${m[11]} is not an offset` };
  const millis = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
  const sign = m[9] === '-' ? -1 : 1;
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, millis) - sign * (offsetHours * 60 + offsetMinutes) * 60_000;
  // Date.UTC maps years 0–99 to 1900–1999; setUTCFullYear puts them back.
  const date = new Date(utc);
  if (year < 100) date.setUTCFullYear(date.getUTCFullYear() - 1900);
  return date;
}

function invalid(reason: string, node?: ValueNode): GraphQLError {
  // The node lets the gate name the field of a literal (input-errors.ts).
  return new GraphQLError(`DateTime ${reason}`, { nodes: node, extensions: { code: 'BAD_USER_INPUT', reason } });
}

function parse(value: unknown, node?: ValueNode): Date {
  if (typeof value !== 'string') throw invalid(`${REASON} (got ${value === null ? 'null' : typeof value})`, node);
  const parsed = parseRfc3339(value);
  if (parsed instanceof Date) return parsed;
  throw invalid(parsed.reason, node);
}

/**
 * `DateTime`: an instant. Input: RFC 3339 with an explicit offset only (anything else is
 * BAD_USER_INPUT naming the field: no bare dates, no instants without an offset, no numbers).
 * Output: ISO 8601 at UTC with milliseconds. Replaces @nestjs/graphql's GraphQLISODateTime,
 * which reads an instant without an offset in the server's time zone and accepts "1" or
 * "12/31/2026". Mapped to every `Date` field (GraphQLModule buildSchemaOptions.scalarsMap).
 */
export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  description: 'An instant, RFC 3339 with an explicit offset, such as 2026-11-25T12:00:00Z or 2026-11-25T13:00:00+01:00. Answers are at UTC.',
  specifiedByURL: 'https://datatracker.ietf.org/doc/html/rfc3339#section-5.6',
  serialize(value: unknown): string {
    const date = value instanceof Date ? value : typeof value === 'string' || typeof value === 'number' ? new Date(value) : undefined;
    // A wrong value in our own data is a server bug, not the client's problem.
    if (!date || Number.isNaN(date.getTime())) throw new Error(`Cannot serialise ${JSON.stringify(String(value))} as DateTime`);
    return date.toISOString();
  },
  parseValue: (value) => parse(value),
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw invalid(`${REASON} (got a ${ast.kind === Kind.INT || ast.kind === Kind.FLOAT ? 'number' : 'non-string'} literal)`, ast);
    return parse(ast.value, ast);
  },
});
