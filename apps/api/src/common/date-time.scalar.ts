import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';
import { RFC3339_REASON as REASON, parseRfc3339 } from '@app/domain';

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
