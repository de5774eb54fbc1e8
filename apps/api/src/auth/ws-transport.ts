import type { IncomingMessage } from 'node:http';
import { Logger } from '@nestjs/common';
import type { GraphQLWsSubscriptionsConfig } from '@nestjs/graphql';
import {
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLFormattedError,
  GraphQLError,
  getOperationAST,
  parse,
  specifiedRules,
  subscribe as graphqlSubscribe,
  validate,
} from 'graphql';
import { CloseCode, type Context, type ServerOptions, type SubscribePayload } from 'graphql-ws';
import { UnauthenticatedError } from '@app/auth';
import { assignRequestId } from '../common/correlation-id.js';
import { type Admission, INVALID_CREDENTIAL, type OperationRecord, RequestGate, asGraphQLError } from './request-gate.js';

/** How often a live subscription's credential is checked again: revocation or expiry ends it within this. */
export const CREDENTIAL_RECHECK_MS = 250;

interface Session {
  readonly authorization?: string;
  readonly address: string;
  /** The correlation id sent with the connection, if any (else each operation gets its own). */
  readonly correlationId?: string;
  readonly operations: Map<string, { readonly record: OperationRecord; readonly started: number; readonly correlationId: string }>;
}

interface WsExtra {
  readonly request?: IncomingMessage;
  /** The socket (graphql-ws/use/ws gives it): closed with 4401 and a reason for an invalid credential. */
  readonly socket?: { close(code: number, reason: string): void };
  session?: Session;
}

type WsContext = Context<Record<string, unknown> | undefined, WsExtra>;
type Formatter = (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function withCode(error: GraphQLError, code: string): GraphQLError {
  if (typeof error.extensions?.code === 'string') return error;
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    originalError: error.originalError ?? error,
    extensions: { ...error.extensions, code },
  });
}

/**
 * The graphql-ws side of the RequestGate (request-gate.ts), through graphql-ws's own hooks, so a
 * query, mutation or subscription over a socket passes exactly the steps an HTTP request does:
 *
 * - onConnect: the connection params' `authorization` ("Bearer …") is checked once to refuse
 *   an invalid credential early (close 4401 Unauthorized, with the reason HTTP's 401 gives); it
 *   is kept for the operations. A connection
 *   without one may ask for @Public fields only, as over HTTP.
 * - onSubscribe, per operation: admitDocument (this credential again, rate limit, document
 *   text), parse, validate with the gate's rules, admitOperation; the context gets the
 *   principal and the correlation id (`extensions.correlationId` of the operation, else the
 *   connection's `correlationId` param or its upgrade request's x-correlation-id /
 *   x-request-id header, else a new one).
 * - subscribe: every CREDENTIAL_RECHECK_MS a live subscription's credential is checked again;
 *   once revoked or expired, the subscription sends an UNAUTHENTICATED error and completes.
 * - onNext / onError: errors through the api's one formatter (codes, masking, suggestions).
 * - onComplete / onError: one log line per operation, with the fields of HTTP's request line.
 */
export function graphqlWsOptions(gate: RequestGate, formatError: Formatter): GraphQLWsSubscriptionsConfig {
  const logger = new Logger('GraphQL');
  /** Each subscription's credential, by its context object (never in the context itself, where it could be logged). */
  const credentials = new WeakMap<object, string | undefined>();

  const sessionOf = (ctx: WsContext): Session => {
    if (!ctx.extra.session) throw new UnauthenticatedError('The connection was not initialised');
    return ctx.extra.session;
  };

  const finish = (ctx: WsContext, id: string) => {
    const session = ctx.extra.session;
    const running = session?.operations.get(id);
    if (!session || !running) return;
    session.operations.delete(id);
    logger.log({
      msg: 'graphql-ws operation',
      correlationId: running.correlationId,
      remoteAddress: session.address,
      graphql: running.record,
      responseTime: Date.now() - running.started,
    });
  };

  const format = (errors: readonly GraphQLError[]): GraphQLFormattedError[] =>
    errors.map((error) => {
      // `http` (status, Retry-After) is for HTTP responses; Apollo drops it there likewise.
      const { http: _http, ...extensions } = error.extensions ?? {};
      return formatError({ ...error.toJSON(), extensions }, error);
    });

  const options: ServerOptions<Record<string, unknown> | undefined, WsExtra> = {
    onConnect: async (ctx) => {
      const params = ctx.connectionParams ?? {};
      const authorization = text(params.authorization) ?? text(params.Authorization);
      const request = ctx.extra.request;
      const result = await gate.authenticate(authorization);
      if (result.status === 'invalid') {
        logger.warn(`UNAUTHENTICATED reason="${result.reason}"${result.keyId ? ` keyId=${result.keyId}` : ''} transport=ws (connection refused)`);
        // graphql-ws's own refusal (returning false) is 4403 "Forbidden", which says the key is
        // valid but lacks a right; a credential that does not authenticate is its 4401
        // Unauthorized, with the reason HTTP's 401 gives. The close sent first is the one sent.
        ctx.extra.socket?.close(CloseCode.Unauthorized, INVALID_CREDENTIAL);
        return false;
      }
      const sent = text(params.correlationId) ?? text(params['x-correlation-id']);
      const headers = request?.headers ?? {};
      const named = sent ?? text(headers['x-correlation-id']) ?? text(headers['x-request-id']);
      ctx.extra.session = {
        authorization,
        address: request?.socket.remoteAddress ?? 'unknown',
        correlationId: named ? assignRequestId({ headers: { 'x-correlation-id': named } }) : undefined,
        operations: new Map(),
      };
      return true;
    },

    onSubscribe: async (ctx, id, payload: SubscribePayload) => {
      const session = sessionOf(ctx);
      const extensions = payload.extensions ?? {};
      const correlationId = assignRequestId({
        headers: { 'x-correlation-id': text(extensions.correlationId), 'x-request-id': session.correlationId },
      });
      const started = Date.now();
      let admission: Admission | undefined;
      try {
        admission = await gate.admitDocument(payload.query, payload.variables, {
          transport: 'ws',
          authorization: session.authorization,
          address: session.address,
          correlationId,
        });
      } catch (error) {
        session.operations.set(id, { record: { transport: 'ws', units: 0, codes: [] }, started, correlationId });
        return [asGraphQLError(error)];
      }
      session.operations.set(id, { record: admission.record, started, correlationId });
      const schema = gate.schema;
      if (!schema) return [new GraphQLError('The GraphQL schema is not ready')];
      let document = admission.document;
      try {
        document ??= parse(payload.query, gate.parseOptions);
      } catch (error) {
        return [withCode(asGraphQLError(error), 'GRAPHQL_PARSE_FAILED')];
      }
      const invalid = validate(schema, document, [...specifiedRules, ...gate.validationRules]);
      if (invalid.length > 0) return gate.validationErrors(document, invalid).map((e) => withCode(e, 'GRAPHQL_VALIDATION_FAILED'));
      const operation = getOperationAST(document, payload.operationName);
      if (!operation) {
        return [new GraphQLError('Unable to identify the operation: name one of the document with operationName', { extensions: { code: 'OPERATION_RESOLUTION_FAILURE' } })];
      }
      try {
        gate.admitOperation(admission, schema, document, operation, payload.variables ?? undefined);
      } catch (error) {
        return [asGraphQLError(error)];
      }
      // What resolvers read: the principal (AccessGuard, @CurrentPrincipal), the correlation id
      // (event metadata), `live` for subscriptions (projection reads take fresh figures).
      const contextValue = { principal: admission.principal, live: operation.operation === 'subscription', req: { id: correlationId, headers: {} } };
      credentials.set(contextValue, session.authorization);
      const args: ExecutionArgs = { schema, document, operationName: payload.operationName, variableValues: payload.variables, contextValue };
      return args;
    },

    subscribe: async (args) => {
      const result = await graphqlSubscribe(args);
      if (!(Symbol.asyncIterator in result)) return result;
      const authorization = credentials.get(args.contextValue as object);
      return endOnRevocation(result, async () => (await gate.authenticate(authorization)).status !== 'invalid');
    },

    onNext: async (ctx, id, _payload, _args, result) => {
      if (!result.errors?.length) return undefined;
      const running = ctx.extra.session?.operations.get(id);
      if (running) gate.noteErrors(running.record, result.errors as readonly GraphQLError[]);
      return { ...result, errors: format(result.errors as readonly GraphQLError[]) };
    },

    onError: async (ctx, id, _payload, errors) => {
      const formatted = format(errors);
      ctx.extra.session?.operations.get(id)?.record.codes.push(...formatted.map((e) => String(e.extensions?.code)));
      finish(ctx, id);
      return formatted;
    },

    onComplete: async (ctx, id) => finish(ctx, id),
  };
  // Nest hands every option to graphql-ws's useServer; its type names only some of them.
  return { path: '/graphql', ...options } as GraphQLWsSubscriptionsConfig;
}

/**
 * The subscription's events until its credential stops being valid: checked every
 * CREDENTIAL_RECHECK_MS; then one UNAUTHENTICATED error result and the end. An iterator object
 * rather than an async generator, so that `return()` (the client unsubscribing, the socket
 * closing) ends it at once even while it waits for the next event.
 */
function endOnRevocation(
  source: AsyncIterable<ExecutionResult>,
  stillValid: () => Promise<boolean>,
): AsyncGenerator<ExecutionResult, void, unknown> {
  const inner = source[Symbol.asyncIterator]();
  let done = false;
  let timer: NodeJS.Timeout | undefined;
  let revoke!: () => void;
  const revoked = new Promise<'revoked'>((resolve) => (revoke = () => resolve('revoked')));
  const check = async () => {
    if (done) return;
    if (!(await stillValid().catch(() => false))) revoke();
    else if (!done) {
      timer = setTimeout(() => void check(), CREDENTIAL_RECHECK_MS);
      timer.unref?.();
    }
  };
  timer = setTimeout(() => void check(), CREDENTIAL_RECHECK_MS);
  timer.unref?.();
  const stop = async (): Promise<IteratorReturnResult<void>> => {
    done = true;
    clearTimeout(timer);
    await inner.return?.();
    return { done: true, value: undefined };
  };
  const iterator: AsyncGenerator<ExecutionResult, void, unknown> = {
    async next() {
      if (done) return { done: true, value: undefined };
      const step = await Promise.race([inner.next(), revoked]);
      if (step === 'revoked') {
        await stop();
        const error = new UnauthenticatedError('The credential of this subscription was revoked or has expired');
        return { done: false, value: { errors: [error] } };
      }
      if (step.done) await stop();
      return step.done ? { done: true, value: undefined } : step;
    },
    return: stop,
    async throw(error: unknown) {
      await stop();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
    async [Symbol.asyncDispose]() {
      await stop();
    },
  };
  return iterator;
}

interface WebSocketServerLike {
  readonly options: { maxPayload?: number };
}

/**
 * Holds graphql-ws messages to HTTP_BODY_LIMIT, as the JSON body parser holds HTTP bodies: a
 * larger message closes the socket with 1009 (Message Too Big) before it is buffered whole
 * (ws's default is 100 MiB). Nest creates the WebSocketServer without a maxPayload option; ws
 * reads the option for every connection it upgrades, so setting it once the server exists
 * applies to every socket.
 */
export function limitWebSocketMessages(graphqlModule: unknown, bytes: number): boolean {
  const adapter = (graphqlModule as { graphQlAdapter?: { _subscriptionService?: { wss?: WebSocketServerLike } } }).graphQlAdapter;
  const wss = adapter?._subscriptionService?.wss;
  if (!wss) return false;
  wss.options.maxPayload = bytes;
  return true;
}
