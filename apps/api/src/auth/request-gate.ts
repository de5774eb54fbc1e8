import { Inject, Injectable, Logger } from '@nestjs/common';
import { LiteralArgumentsRule } from './literal-arguments.rule.js';
import {
  type DocumentNode,
  GraphQLError,
  type GraphQLSchema,
  Kind,
  NoSchemaIntrospectionCustomRule,
  parse,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationRule,
} from 'graphql';
import { LRUCache } from 'lru-cache';
import { type AuthResult, Authenticator, ForbiddenError, type HttpRequestCharge, type Principal, UnauthenticatedError } from '@app/auth';
import { answeredCode } from '../common/format-error.js';
import { valueErrorsAsBadInput, variableErrors } from '../common/input-errors.js';
import { PublicOperations } from './public-operations.js';
import { analyzeOperation, assertDocumentText, assertExpandedSize, assertVariablesNesting, assertWithinLimits, fragmentsOf, QueryTooComplexError } from './query-limits.js';
import { bucketOf, RateLimitedError, RateLimiter } from './rate-limiter.js';
import { SECURITY_CONFIG } from './security.tokens.js';
import type { SecurityConfig } from './security-config.js';

/** Who sent an operation, over which transport: what the gate needs to know of a request or a socket. */
export interface Caller {
  readonly transport: 'http' | 'ws';
  /** The Authorization value as sent ("Bearer …"): the header, or graphql-ws connection params. */
  readonly authorization: string | undefined;
  /** Client address: the rate limit bucket of anonymous callers. */
  readonly address: string;
  readonly correlationId: string;
}

/**
 * What the request log line says of one GraphQL operation; the same fields over every transport
 * (HTTP: on pino-http's line as `graphql`; graphql-ws: its own line). Never the credential.
 */
export interface OperationRecord {
  readonly transport: 'http' | 'ws';
  operation?: string;
  type?: 'query' | 'mutation' | 'subscription';
  principal?: string;
  role?: string;
  agency?: string;
  /** Rate limit units the operation took. */
  units: number;
  /** extensions.code of each error answered, in order. */
  codes: string[];
}

/** A document let in by {@link RequestGate.admitDocument}: its caller and their principal, if any. */
export interface Admission {
  readonly caller: Caller;
  readonly principal?: Principal;
  readonly record: OperationRecord;
  /** The parsed document, when it parses (graphql-ws executes it; Apollo parses on its own). */
  readonly document?: DocumentNode;
}

/**
 * Bound of the cache of admitted documents: entries, and the summed length of their texts in
 * UTF-16 units. A parsed document takes some 20–50 times its text's memory, so 1 Mi units of
 * text is at most ≈ 50 MB; clients send a few fixed documents, so 500 entries hold them all.
 */
const ADMITTED_DOCUMENTS = { max: 500, maxSize: 1 << 20 } as const;

const ROOT_TYPE_NAMES = { query: 'Query', mutation: 'Mutation', subscription: 'Subscription' } as const;

/** What a client is told of a credential that does not authenticate (the log has the particular reason). */
export const INVALID_CREDENTIAL = 'Invalid credential: the API key or token is malformed, unknown, revoked or expired';

/**
 * The one request pipeline of the api. Every GraphQL operation, over HTTP (GatekeeperPlugin, an
 * Apollo plugin) or graphql-ws (ws-transport.ts, graphql-ws's own hooks), passes these steps in
 * this order, and nothing of a refused operation runs:
 *
 * 1. {@link admitDocument}, before parsing: the credential is checked (this operation's, so a
 *    key revoked or a JWT expired since a socket opened is refused); the rate limit takes one
 *    unit, so documents that never parse count too; an invalid credential is UNAUTHENTICATED;
 *    the text may hold at most GRAPHQL_MAX_TOKENS tokens and nest brackets at most MAX_NESTING
 *    deep (the recursive parser never meets a deeper one), the variables likewise; parsed, its
 *    operations may expand through fragments to at most GRAPHQL_MAX_TOKENS fields.
 * 2. parse, then validate with graphql-js's rules plus {@link validationRules} (introspection
 *    off unless configured); value errors become BAD_USER_INPUT with field and reason
 *    ({@link validationErrors}).
 * 3. {@link admitOperation}: an anonymous caller may only ask for @Public root fields; depth,
 *    aliases, expanded size and cost within the limits; each further root field of a mutation
 *    takes one more unit; variables coerced, their errors BAD_USER_INPUT with field and reason.
 *
 * Errors reach clients through one formatter (common/format-error.ts: codes, masking,
 * suggestions). The AccessGuard then applies each field's access rule during execution.
 */
@Injectable()
export class RequestGate implements HttpRequestCharge {
  private readonly logger = new Logger('Access');
  readonly rateLimiter: RateLimiter;
  /** Extra validation rules, for every transport. */
  readonly validationRules: readonly ValidationRule[];
  /** The schema Apollo serves (set by GatekeeperPlugin when the server starts); graphql-ws validates against it. */
  schema?: GraphQLSchema;
  /**
   * Texts that passed the document checks of step 1, with their parsed document. The checks and
   * the parse depend on the text alone (and the fixed limits), and clients send the same few
   * documents with new variables, so a text seen before is not lexed and parsed again (a CPU
   * profile of one report at a time had them as the gate's main cost; issue 24). Apollo keeps
   * its own validated documents by the text's hash likewise (its documentStore).
   */
  private readonly admitted = new LRUCache<string, DocumentNode>({ ...ADMITTED_DOCUMENTS, sizeCalculation: (_document, source) => Math.max(1, source.length) });

  constructor(
    @Inject(Authenticator) private readonly authenticator: Authenticator,
    @Inject(PublicOperations) private readonly publicOperations: PublicOperations,
    @Inject(SECURITY_CONFIG) readonly config: SecurityConfig,
  ) {
    this.rateLimiter = new RateLimiter(config.rateLimitPerMinute);
    this.validationRules = [LiteralArgumentsRule, ...(config.introspection ? [] : [NoSchemaIntrospectionCustomRule])];
  }

  /** Options for graphql-js's parse: the token limit (checked again there, cheaply). */
  get parseOptions(): { readonly maxTokens: number } {
    return { maxTokens: this.config.maxTokens };
  }

  /** Checks a credential: a connection's, when it opens, and every operation's. */
  authenticate(authorization: string | undefined): Promise<AuthResult> {
    return this.authenticator.authenticate(authorization);
  }

  /** Step 1 (see the class comment). Throws RATE_LIMITED, UNAUTHENTICATED or QUERY_TOO_COMPLEX. */
  async admitDocument(source: string, variables: unknown, caller: Caller): Promise<Admission> {
    const record: OperationRecord = { transport: caller.transport, units: 0, codes: [] };
    const auth = await this.authenticator.authenticate(caller.authorization);
    const principal = auth.status === 'authenticated' ? auth.principal : undefined;
    if (principal) {
      record.principal = principal.id;
      record.role = principal.role;
      if (principal.agencyId) record.agency = principal.agencyId;
    }
    this.take(bucketOf(principal, caller.address), 1, record);
    if (auth.status === 'invalid') {
      this.logger.warn(
        `UNAUTHENTICATED reason="${auth.reason}"${auth.keyId ? ` keyId=${auth.keyId}` : ''} operation=${operationNameIn(source)} ` +
          `transport=${caller.transport} correlationId=${caller.correlationId}`,
      );
      throw new UnauthenticatedError(INVALID_CREDENTIAL);
    }
    const known = this.admitted.get(source);
    if (known) {
      assertVariablesNesting(variables);
      return { caller, principal, record, document: known };
    }
    assertDocumentText(source, { maxTokens: this.config.maxTokens });
    assertVariablesNesting(variables);
    // Fragments may not expand the document beyond the token limit: checked on the parsed
    // document before validation, which is slow on such documents. A document that does not
    // parse is left for the transport's own parse to report (and not remembered).
    let document: DocumentNode | undefined;
    try {
      document = parse(source, this.parseOptions);
    } catch {
      document = undefined;
    }
    if (document) {
      assertExpandedSize(document, this.config.maxTokens);
      this.admitted.set(source, document);
    }
    return { caller, principal, record, document };
  }

  /**
   * One unit for a plain HTTP request (the upload, the template, report downloads), taken by the
   * AccessGuard once it has read the credential and before it refuses anything, as step 1 takes
   * one per GraphQL document: 401s and 403s cost it too. Throws RATE_LIMITED.
   */
  chargeHttpRequest(principal: Principal | undefined, address: string): void {
    const record: OperationRecord = { transport: 'http', units: 0, codes: [], principal: principal?.id, role: principal?.role };
    this.take(bucketOf(principal, address), 1, record);
  }

  /** Step 2's error mapping: validation errors, value errors made BAD_USER_INPUT with field and reason. */
  validationErrors(document: DocumentNode, errors: readonly GraphQLError[]): GraphQLError[] {
    return valueErrorsAsBadInput(document, errors, this.config.suggestions);
  }

  /**
   * Step 3 (see the class comment). Throws UNAUTHENTICATED, QUERY_TOO_COMPLEX, RATE_LIMITED or
   * BAD_USER_INPUT. `checkVariables: false` leaves the variables to execution's own coercion,
   * for a transport that answers execution's variable errors with {@link variableRefusal}
   * (GatekeeperPlugin): the same refusal, without coercing every variable twice.
   */
  admitOperation(
    admission: Admission,
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: Readonly<Record<string, unknown>> | undefined,
    checkVariables = true,
  ): void {
    const { principal, record, caller } = admission;
    record.operation = operation.name?.value ?? 'anonymous';
    record.type = operation.operation;
    const who = `${principal ? `principal=${principal.id} role=${principal.role}` : 'principal=none'} operation=${record.operation} transport=${caller.transport}`;
    const fragments = fragmentsOf(document.definitions);
    const fields = rootFields(operation.selectionSet, fragments);
    if (!principal) {
      const closed = fields.map((f) => f.name).filter((name) => !this.publicOperations.isPublic(ROOT_TYPE_NAMES[operation.operation], name));
      if (closed.length > 0) {
        this.logger.warn(`UNAUTHENTICATED reason="no credential" ${who} fields=${closed.join(',')}`);
        throw new UnauthenticatedError();
      }
    }
    const metrics = analyzeOperation(schema, operation, fragments, variables ?? {});
    try {
      assertWithinLimits(metrics, this.config);
    } catch (error) {
      if (error instanceof QueryTooComplexError) {
        this.logger.warn(`QUERY_TOO_COMPLEX depth=${metrics.depth} cost=${metrics.cost} aliases=${metrics.aliases} size=${metrics.size} ${who}`);
      }
      throw error;
    }
    // Each root field of a mutation (each response key: fields with one key run once) is an
    // operation of its own; the document paid for one.
    const executions = new Set(fields.filter((f) => !f.name.startsWith('__')).map((f) => f.key)).size;
    if (operation.operation === 'mutation' && executions > 1) this.take(bucketOf(principal, caller.address), executions - 1, record, executions);
    if (!checkVariables) return;
    const refusal = this.variableRefusal(schema, operation, variables, document);
    if (refusal) throw refusal;
  }

  /**
   * The refusal of an operation's variables, if they do not coerce (graphql-js's coerceInputValue,
   * as execution does): one BAD_USER_INPUT error naming the first field and reason, the others
   * listed in its `extensions.errors`, as DomainError answers several violations.
   */
  variableRefusal(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    variables: Readonly<Record<string, unknown>> | undefined,
    document?: DocumentNode,
  ): GraphQLError | undefined {
    const [first, ...more] = variableErrors(schema, operation, variables, this.config.suggestions, document);
    if (first && more.length > 0) first.extensions.errors = [first, ...more].map((e) => ({ field: e.extensions.field, reason: e.extensions.reason }));
    return first;
  }

  /**
   * Errors an operation answered: their codes go on its record (the log line); refusals decided
   * inside resolvers and handlers (e.g. assertCanRecord) are logged with the principal — the
   * AccessGuard's own are logged already. One line per rule: an agency's `measures` refuses each
   * progress field of each measure it is not assigned (docs/status.md), a hundred errors that are
   * one refusal to whoever reads the log; the line gives the first path and how many there were.
   */
  noteErrors(record: OperationRecord, errors: readonly GraphQLError[]): void {
    const refusals = new Map<string, { first: GraphQLError; count: number }>();
    for (const error of errors) {
      const code = answeredCode(error);
      record.codes.push(code);
      if (code !== 'FORBIDDEN') continue;
      const original = error.originalError;
      if (original instanceof ForbiddenError && original.logged) continue;
      if (original instanceof ForbiddenError) original.logged = true;
      const rule = typeof error.extensions.rule === 'string' ? error.extensions.rule : 'unspecified';
      const seen = refusals.get(rule);
      if (seen) seen.count++;
      else refusals.set(rule, { first: error, count: 1 });
    }
    for (const [rule, { first, count }] of refusals) {
      this.logger.warn(
        `FORBIDDEN rule=${rule} ${record.principal ? `principal=${record.principal} role=${record.role}${record.agency ? ` agency=${record.agency}` : ''}` : 'principal=none'} ` +
          `operation=${record.operation ?? 'anonymous'} transport=${record.transport}${first.path ? ` path=${first.path.join('.')}` : ''}${count > 1 ? ` refusals=${count}` : ''}`,
      );
    }
  }

  private take(bucket: string, units: number, record: OperationRecord, counted = units): void {
    try {
      this.rateLimiter.admit(bucket, units, counted);
      record.units += units;
    } catch (error) {
      if (error instanceof RateLimitedError) {
        this.logger.warn(`RATE_LIMITED ${record.principal ? `principal=${record.principal} role=${record.role}` : `bucket=${bucket}`} units=${units} transport=${record.transport}`);
      }
      throw error;
    }
  }
}

/** The name of a document's first operation, read from its text (for logs of refusals before parsing). */
function operationNameIn(source: string): string {
  return /^\s*(?:#[^\n]*\n\s*)*(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)/.exec(source)?.[1] ?? 'anonymous';
}

/** A thrown value as a GraphQL error (anything else is a fault, which the formatter masks). */
export function asGraphQLError(thrown: unknown): GraphQLError {
  if (thrown instanceof GraphQLError) return thrown;
  return new GraphQLError(thrown instanceof Error ? thrown.message : String(thrown), { originalError: thrown instanceof Error ? thrown : undefined });
}

/** The root fields an operation selects, through fragments (each fragment once): name and response key. */
function rootFields(
  selectionSet: SelectionSetNode,
  fragments: Readonly<Record<string, { readonly selectionSet: SelectionSetNode }>>,
  seen: Set<string> = new Set(),
): Array<{ readonly name: string; readonly key: string }> {
  const fields: Array<{ name: string; key: string }> = [];
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) fields.push({ name: selection.name.value, key: selection.alias?.value ?? selection.name.value });
    else if (selection.kind === Kind.INLINE_FRAGMENT) fields.push(...rootFields(selection.selectionSet, fragments, seen));
    else if (!seen.has(selection.name.value) && fragments[selection.name.value]) {
      seen.add(selection.name.value);
      fields.push(...rootFields(fragments[selection.name.value].selectionSet, fragments, seen));
    }
  }
  return fields;
}
