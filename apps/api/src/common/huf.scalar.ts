import { type CustomScalar, Scalar } from '@nestjs/graphql';
import { GraphQLError, Kind, type ValueNode } from 'graphql';

const INTEGER = /^-?\d+$/;

/** Canonical decimal text of an integer: no leading zeros, no "-0". */
function canonical(text: string): string {
  return BigInt(text).toString();
}

function invalid(message: string, node?: ValueNode): GraphQLError {
  // The node lets the gate name the field of a literal (input-errors.ts).
  return new GraphQLError(message, { nodes: node, extensions: { code: 'BAD_USER_INPUT', reason: message } });
}

const WHOLE = 'Huf must be a whole number of forints, as a string of digits';

/**
 * `Huf`: an amount of Hungarian forints, a whole number of any size. Sent as a decimal string
 * ("341000000"), because a GraphQL Float loses exactness above 2^53 and an Int stops at 2^31.
 * Accepted as a string of digits (optionally signed) or as an integer literal/variable; inside
 * the server the value is the canonical decimal string. Use it as `@Field(() => HufScalar)`.
 */
@Scalar('Huf')
export class HufScalar implements CustomScalar<string, string> {
  description =
    'Integer Hungarian forints as a decimal string, e.g. "341000000" (exact at any size). ' +
    'Input accepts such a string or an integer.';

  parseValue(value: unknown): string {
    if (typeof value === 'string' && INTEGER.test(value.trim())) return canonical(value.trim());
    if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
    if (typeof value === 'bigint') return value.toString();
    if (typeof value === 'number' && Number.isInteger(value)) {
      // JSON.parse has already rounded it: quoting it would quote a number the client never sent.
      throw invalid(`${WHOLE}: money is a string; a JSON number above 2^53 (9007199254740991) loses digits, send it as a string such as "9007199254740993"`);
    }
    if (typeof value === 'string' || typeof value === 'number') throw invalid(`${WHOLE} or an integer (got ${JSON.stringify(String(value))})`);
    throw invalid(`${WHOLE} or an integer (got ${value === null ? 'null' : typeof value})`);
  }

  serialize(value: unknown): string {
    if (typeof value === 'bigint') return value.toString();
    if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
    if (typeof value === 'string' && INTEGER.test(value)) return canonical(value);
    // A wrong value in our own data is a server bug, not the client's problem.
    throw new Error(`Cannot serialise ${JSON.stringify(String(value))} as Huf`);
  }

  parseLiteral(ast: ValueNode): string {
    // An integer literal keeps its source text, so even a huge one is exact.
    if (ast.kind === Kind.INT) return canonical(ast.value);
    if (ast.kind === Kind.STRING && INTEGER.test(ast.value.trim())) return canonical(ast.value.trim());
    throw invalid(`${WHOLE} or an integer`, ast);
  }
}
