import { GraphQLError, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DomainError } from '@app/domain';
import { argumentPath, argumentsOfErrorField, withoutSuggestions } from './input-errors.js';

/**
 * The one error vocabulary of the API (docs/architecture.md, "Errors"). Clients get a code and a
 * message, never a stack trace; unexpected errors are logged with an id the client can quote.
 */
export const ERROR_CODES = [
  'BAD_USER_INPUT',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'CONFLICT',
  'NOT_FOUND',
  'TIMEOUT',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
  'BAD_REQUEST',
  'QUERY_TOO_COMPLEX',
  'RATE_LIMITED',
  'INTERNAL_SERVER_ERROR',
] as const;

const logger = new Logger('GraphQL');
const KNOWN = new Set<string>(ERROR_CODES);
/** Extensions a client may see; anything else (stacktrace, originalError, …) is dropped. */
const PUBLIC_EXTENSIONS = ['code', 'field', 'reason', 'rule', 'limit', 'errors', 'errorId', 'http', 'retryAfter', 'measureCode', 'period'];

/**
 * A DomainError that reached Apollo directly: from a field resolver (@ResolveField), where
 * Nest's exception filters and pipes do not run. Same answer as DomainErrorFilter gives.
 */
function fromDomainError(formatted: GraphQLFormattedError, error: DomainError): GraphQLFormattedError {
  const { field, reason, rule, period, violations } = error.extra;
  return {
    message: error.message,
    locations: formatted.locations,
    path: formatted.path,
    extensions: {
      code: error.code,
      ...(field && { field }),
      ...(reason && { reason }),
      ...(rule && { rule }),
      ...(period && { period }),
      ...(violations && violations.length > 1 && { errors: violations }),
    },
  };
}

/**
 * The api's one error formatter, for every transport (Apollo's formatError over HTTP, graphql-ws's
 * onNext / onError hooks): a known code and a message, BAD_USER_INPUT with `field` and `reason`,
 * "Did you mean …" hints dropped unless `suggestions` (development), and anything unexpected
 * masked as INTERNAL_SERVER_ERROR with an errorId that the log line carries with the stack.
 */
export function createErrorFormatter(
  suggestions: boolean,
  schemaOf: () => GraphQLSchema | undefined = () => undefined,
): (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError {
  const format = (formatted: GraphQLFormattedError, error: unknown) => withArgumentPaths(formatGraphQLError(formatted, error), error, schemaOf());
  if (suggestions) return format;
  return (formatted, error) => {
    const result = format(formatted, error);
    const reason = result.extensions?.reason;
    return {
      ...result,
      message: withoutSuggestions(result.message),
      ...(typeof reason === 'string' && { extensions: { ...result.extensions, reason: withoutSuggestions(reason) } }),
    };
  };
}

/**
 * The code the client is answered with for an error (what formatGraphQLError writes), from the
 * error as resolvers threw it or as it is formatted: a DomainError's own code (a field resolver's
 * DomainError reaches Apollo without one in its extensions), a known extensions.code, else
 * INTERNAL_SERVER_ERROR. The request log and the metrics count this code, so a user's typo
 * refused in a Measure field is never logged as a server error.
 */
export function answeredCode(error: unknown, extensions: Readonly<Record<string, unknown>> | undefined = (error as { extensions?: Record<string, unknown> })?.extensions): string {
  const cause = (error as { originalError?: unknown })?.originalError;
  if (cause instanceof DomainError) return cause.code;
  if (error instanceof DomainError) return error.code;
  const raw = extensions?.code;
  const code = typeof raw === 'string' ? raw : 'INTERNAL_SERVER_ERROR';
  // A value error found by validation (a literal): Apollo re-codes it GRAPHQL_VALIDATION_FAILED,
  // but it is input the caller can fix, with its field and reason (common/input-errors.ts).
  if (code === 'GRAPHQL_VALIDATION_FAILED' && typeof extensions?.field === 'string' && typeof extensions?.reason === 'string') return 'BAD_USER_INPUT';
  return KNOWN.has(code) ? code : 'INTERNAL_SERVER_ERROR';
}

/**
 * An execution error's `field` (and each of `errors`) as a path from the operation's argument
 * (input-errors.ts, argumentPath): deciders, services and guards name a field of the input they
 * were given, and this is where every transport's errors pass with the field's definition at hand.
 * The message names the field as `field` does when it starts with it ("participants must be …").
 * Errors before execution (validation, variables) name argument paths already.
 */
function withArgumentPaths(result: GraphQLFormattedError, error: unknown, schema: GraphQLSchema | undefined): GraphQLFormattedError {
  const field = result.extensions?.field;
  if (typeof field !== 'string' || !schema || !(error instanceof GraphQLError)) return result;
  const args = argumentsOfErrorField(schema, error);
  if (!args || args.length === 0) return result;
  const path = argumentPath(field, args);
  const listed = result.extensions?.errors;
  const errors = Array.isArray(listed)
    ? listed.map((entry: unknown) => {
        const named = (entry as { field?: unknown } | null)?.field;
        return typeof named === 'string' ? { ...(entry as object), field: argumentPath(named, args) } : entry;
      })
    : listed;
  if (path === field && errors === listed) return result;
  const message = result.message.startsWith(`${field} `) ? `${path}${result.message.slice(field.length)}` : result.message;
  return { ...result, message, extensions: { ...result.extensions, field: path, ...(errors !== undefined && { errors }) } };
}

/** Codes and masking (see createErrorFormatter), suggestions left as they are. */
export function formatGraphQLError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const cause = (error as { originalError?: unknown })?.originalError;
  if (cause instanceof DomainError) return fromDomainError(formatted, cause);
  const code = answeredCode(error, formatted.extensions);
  if (code === 'INTERNAL_SERVER_ERROR') {
    const errorId = randomUUID();
    const original = (error as { originalError?: unknown })?.originalError ?? error;
    logger.error(`errorId=${errorId} ${(original as Error)?.stack ?? String(original)}`);
    return {
      message: `Internal server error (errorId ${errorId})`,
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: 'INTERNAL_SERVER_ERROR', errorId },
    };
  }
  const extensions: Record<string, unknown> = {};
  for (const key of PUBLIC_EXTENSIONS) {
    if (formatted.extensions?.[key] !== undefined) extensions[key] = formatted.extensions[key];
  }
  extensions.code = code;
  return { message: formatted.message, locations: formatted.locations, path: formatted.path, extensions };
}
