import { type CanActivate, type ExecutionContext, HttpException, Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GqlExecutionContext } from '@nestjs/graphql';
import { GraphQLError, type GraphQLResolveInfo } from 'graphql';
import { type Action, AccessPolicy } from './access-policy.js';
import { ForbiddenError, UnauthenticatedError } from './auth-errors.js';
import { Authenticator, type HasHeaders } from './authenticator.js';
import { ALLOW_METADATA, type AuthContext, AUTHENTICATED_METADATA, PUBLIC_METADATA } from './decorators.js';
import type { Principal } from './principal.js';

/** How a log line names the operation: `<operation name> (<Type.field>)`, `anonymous` when unnamed. */
function describeOperation(info: GraphQLResolveInfo | undefined): string {
  if (!info) return 'unknown operation';
  const operation = info.operation?.name?.value ?? 'anonymous';
  return `${operation} (${info.parentType.name}.${info.fieldName})`;
}

/**
 * How a refusal's message names what was refused: `<Type.field>`, and `in <operation name>` when
 * the document names its operation ("anonymous" read as if the caller were anonymous).
 */
function describeField(info: GraphQLResolveInfo | undefined): string {
  if (!info) return 'this operation';
  const name = info.operation?.name?.value;
  return `${info.parentType.name}.${info.fieldName}${name ? ` in ${name}` : ''}`;
}

/**
 * What a plain HTTP request costs before its route runs: the api's rate limiter takes one unit
 * from the bucket of the principal (or of the client address when the credential is missing or
 * invalid), as the GraphQL gate does for every document, so a refused request (401, 403) costs
 * as much as one let in. Throws a GraphQLError with `extensions.http` (RATE_LIMITED, 429).
 */
export interface HttpRequestCharge {
  chargeHttpRequest(principal: Principal | undefined, address: string): void;
}

export const HTTP_REQUEST_CHARGE = Symbol('HTTP_REQUEST_CHARGE');

/** The headers a GraphQL error's `extensions.http` carries (a Map-like HeaderMap, or a record). */
function httpHeadersOf(http: { headers?: unknown } | undefined): Array<[string, string]> {
  const headers = http?.headers;
  if (!headers) return [];
  if (headers instanceof Map) return [...(headers as Map<string, string>).entries()];
  return Object.entries(headers as Record<string, string>);
}

/**
 * A refusal of the guard as a plain HTTP route answers it: the status of `extensions.http` and the
 * ledger's error body — `code`, the extensions (`rule`, `retryAfter`, …) and `message` — as a
 * GraphQL client reads them in `extensions`, rather than Nest's `{ statusCode, error }`.
 */
export function httpRefusal(error: GraphQLError, response?: { setHeader(name: string, value: string): unknown }): HttpException {
  const { http, ...extensions } = error.extensions as { http?: { status?: number; headers?: unknown } } & Record<string, unknown>;
  for (const [name, value] of httpHeadersOf(http)) response?.setHeader(name, value);
  return new HttpException({ ...extensions, message: error.message }, http?.status ?? 400);
}

/**
 * The global guard (APP_GUARD) in front of every resolver: deny by default. A resolver passes
 * only when it is @Public(), or the request has a principal and the resolver is
 * @Authenticated() or @Allow(...) an action the principal's role has (AccessPolicy).
 * Refusals are logged with the principal and the operation, never with the credential.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  private readonly logger = new Logger('Access');

  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(Authenticator) private readonly authenticator: Authenticator,
    @Inject(AccessPolicy) private readonly policy: AccessPolicy,
    @Optional() @Inject(HTTP_REQUEST_CHARGE) private readonly charge?: HttpRequestCharge,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    try {
      return await this.check(context);
    } catch (error) {
      // Plain HTTP routes answer the same codes and fields as GraphQL, with the HTTP status of the
      // code (the @Public() health and metrics controllers never get here).
      if (context.getType<string>() === 'http' && error instanceof GraphQLError && error.extensions.http) {
        throw httpRefusal(error, context.switchToHttp().getResponse());
      }
      throw error;
    }
  }

  private async check(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_METADATA, targets)) return true;

    const { principal, operation, refused } = await this.principalOf(context);
    if (!principal) {
      this.logger.warn(`UNAUTHENTICATED operation=${operation}`);
      throw new UnauthenticatedError();
    }
    if (this.reflector.getAllAndOverride<boolean>(AUTHENTICATED_METADATA, targets)) return true;
    const actions = this.reflector.getAllAndOverride<Action[]>(ALLOW_METADATA, targets) ?? [];
    try {
      this.policy.assertAllowed(principal, actions, refused);
    } catch (error) {
      if (error instanceof ForbiddenError) {
        error.logged = true;
        this.logger.warn(
          `FORBIDDEN rule=${error.rule} principal=${principal.id} role=${principal.role}` +
            `${principal.agencyId ? ` agency=${principal.agencyId}` : ''} operation=${operation}`,
        );
      }
      throw error;
    }
    return true;
  }

  /** Reads (and caches on the context) the principal of the request. */
  private async principalOf(context: ExecutionContext): Promise<{ principal?: Principal; operation: string; refused: string }> {
    if (context.getType<string>() === 'graphql') {
      const gql = GqlExecutionContext.create(context);
      const ctx = gql.getContext<AuthContext>();
      const info = gql.getInfo<GraphQLResolveInfo>();
      const operation = describeOperation(info);
      const refused = describeField(info);
      if (ctx.principal) return { principal: ctx.principal, operation, refused };
      const result = ctx.req ? await this.authenticator.authenticateRequest(ctx.req) : { status: 'anonymous' as const };
      if (result.status === 'invalid') {
        this.logger.warn(`UNAUTHENTICATED reason="${result.reason}"${result.keyId ? ` keyId=${result.keyId}` : ''} operation=${operation}`);
        throw new UnauthenticatedError('Invalid credential');
      }
      if (result.status === 'authenticated') ctx.principal = result.principal;
      return { principal: ctx.principal, operation, refused };
    }
    const request = context.switchToHttp().getRequest<HasHeaders & { principal?: Principal; method?: string; url?: string; ip?: string; socket?: { remoteAddress?: string } }>();
    const operation = `${request.method ?? 'HTTP'} ${request.url ?? ''}`;
    if (request.principal) return { principal: request.principal, operation, refused: operation };
    const result = await this.authenticator.authenticateRequest(request);
    // Charged once the bucket is known and before any refusal: GraphQL's gate does the same.
    this.charge?.chargeHttpRequest(result.status === 'authenticated' ? result.principal : undefined, request.ip ?? request.socket?.remoteAddress ?? 'unknown');
    if (result.status === 'invalid') {
      this.logger.warn(`UNAUTHENTICATED reason="${result.reason}"${result.keyId ? ` keyId=${result.keyId}` : ''} operation=${operation}`);
      throw new UnauthenticatedError('Invalid credential');
    }
    if (result.status === 'authenticated') request.principal = result.principal;
    return { principal: request.principal, operation, refused: operation };
  }
}
