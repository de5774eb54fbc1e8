import { Inject } from '@nestjs/common';
import { Plugin } from '@nestjs/apollo';
import type { ApolloServerPlugin, GraphQLRequestListener, GraphQLServerContext } from '@apollo/server';
import { type GraphQLError, Kind } from 'graphql';
import type { AuthContext } from '@app/auth';
import { correlationIdOf } from '../common/correlation-id.js';
import { answeredCode } from '../common/format-error.js';
import { type Admission, type Caller, type OperationRecord, RequestGate } from './request-gate.js';

interface RequestLike {
  readonly id?: unknown;
  readonly ip?: string;
  readonly socket?: { readonly remoteAddress?: string };
  readonly headers?: Readonly<Record<string, string | string[] | undefined>>;
  /** What pino-http writes on the request's log line (logging/logger-params.ts). */
  graphql?: OperationRecord;
}

function callerOf(request: RequestLike): Caller {
  const raw = request.headers?.authorization;
  return {
    transport: 'http',
    authorization: Array.isArray(raw) ? raw[0] : raw,
    address: request.ip ?? request.socket?.remoteAddress ?? 'unknown',
    correlationId: correlationIdOf(request),
  };
}

/** The GraphQL context of HTTP operations (see httpGraphqlContext). */
export interface GatedContext extends AuthContext {
  readonly res?: unknown;
  readonly admission?: Admission;
}

/**
 * The HTTP side of the RequestGate (request-gate.ts). Its first step runs as Apollo makes the
 * context (httpGraphqlContext, before parsing); this plugin runs the others at the matching
 * hooks — the value-error mapping when validation ends, admitOperation once the operation is
 * resolved (before execution) — so nothing of a refused request runs. Variables are coerced once,
 * by execution (which runs nothing when they do not coerce): its refusal is answered as the
 * gate's (didEncounterErrors), as graphql-ws answers it from admitOperation. Coercing them in the
 * gate as well cost a bulk request of 10,000 reports a second pass over every row (≈ 23 µs each). The admission's
 * principal is on the context for the AccessGuard and @CurrentPrincipal(); the operation's
 * record is on the request for its log line.
 */
@Plugin()
export class GatekeeperPlugin implements ApolloServerPlugin<GatedContext> {
  constructor(@Inject(RequestGate) private readonly gate: RequestGate) {}

  async serverWillStart(service: GraphQLServerContext): Promise<void> {
    // graphql-ws validates and executes against the very schema Apollo serves.
    this.gate.schema = service.schema;
  }

  async requestDidStart(): Promise<GraphQLRequestListener<GatedContext>> {
    return {
      validationDidStart: async (rc) => async (errors) => {
        // The very array Apollo answers with: value errors become BAD_USER_INPUT with field and reason.
        if (errors) {
          const list = errors as GraphQLError[];
          list.splice(0, list.length, ...this.gate.validationErrors(rc.document, list));
        }
      },
      didResolveOperation: async (rc) => {
        const admission = rc.contextValue.admission;
        if (!admission || !rc.operation) return;
        try {
          // The variables are coerced once, by execution; its refusal is rewritten below.
          this.gate.admitOperation(admission, rc.schema, rc.document, rc.operation, rc.request.variables, false);
        } catch (error) {
          admission.record.codes.push(answeredCode(error));
          throw error;
        }
      },
      didEncounterErrors: async (rc) => {
        // Variables that did not coerce: execution ran nothing. The very array Apollo answers
        // with gets the gate's refusal instead (BAD_USER_INPUT with field and reason), the same
        // error admitOperation throws over graphql-ws.
        if (rc.contextValue.admission && rc.operation && rc.errors.some(isVariableError)) {
          const refusal = this.gate.variableRefusal(rc.schema, rc.operation, rc.request.variables, rc.document);
          if (refusal) (rc.errors as GraphQLError[]).splice(0, rc.errors.length, refusal);
        }
        if (rc.contextValue.admission) this.gate.noteErrors(rc.contextValue.admission.record, rc.errors);
      },
    };
  }
}

/**
 * An error of graphql-js's variable coercion (getVariableValues): about one variable definition,
 * not about a field of the result. The gate's own refusal carries `field` already.
 */
function isVariableError(error: GraphQLError): boolean {
  return error.path === undefined && error.nodes?.length === 1 && error.nodes[0].kind === Kind.VARIABLE_DEFINITION && error.extensions?.field === undefined;
}

/**
 * The GraphQL context of an HTTP request, made before Apollo parses it: the gate's first step
 * (admitDocument) runs here, so a refused document is never parsed — Apollo answers a
 * GraphQLError thrown while making the context with its code and HTTP status. The context holds
 * the request, the admission and its principal. graphql-ws operations get theirs in
 * ws-transport.ts.
 */
export function httpGraphqlContext(gate: RequestGate): (input: { req?: unknown; res?: unknown }) => Promise<GatedContext> {
  return async ({ req, res }) => {
    const request = (req ?? {}) as RequestLike & { body?: unknown; query?: unknown };
    // A batch (an array) is refused by Apollo; a GET carries the document in the query string.
    const body = (request.body && typeof request.body === 'object' && !Array.isArray(request.body) ? request.body : request.query) as
      | { query?: unknown; variables?: unknown }
      | undefined;
    const source = typeof body?.query === 'string' ? body.query : '';
    try {
      const admission = await gate.admitDocument(source, body?.variables, callerOf(request));
      request.graphql = admission.record;
      return { req, res, admission, principal: admission.principal };
    } catch (error) {
      request.graphql = { transport: 'http', units: 0, codes: [answeredCode(error)] };
      throw error;
    }
  };
}
