import { Inject, Logger } from '@nestjs/common';
import { Plugin } from '@nestjs/apollo';
import {
  type ApolloServerPlugin,
  type GraphQLRequestContextDidResolveOperation,
  type GraphQLRequestListener,
  HeaderMap,
} from '@apollo/server';
import { GraphQLError, Kind, type SelectionSetNode } from 'graphql';
import { type AuthContext, Authenticator, ForbiddenError, UnauthenticatedError } from '@app/auth';
import { PublicOperations } from './public-operations.js';
import { analyzeOperation, assertWithinLimits, fragmentsOf, QueryTooComplexError } from './query-limits.js';
import { TokenBucketLimiter } from './rate-limiter.js';
import { REQUEST_BUDGET } from '../common/request-budget.js';
import { SECURITY_CONFIG } from './security.tokens.js';
import type { SecurityConfig } from './security-config.js';

interface RequestLike {
  readonly ip?: string;
  readonly socket?: { readonly remoteAddress?: string };
  readonly headers?: Readonly<Record<string, string | string[] | undefined>>;
}

/** Over the request budget: HTTP 429 with Retry-After. */
export class RateLimitedError extends GraphQLError {
  constructor(retryAfterSeconds: number, limit: number) {
    const headers = new HeaderMap([['retry-after', String(retryAfterSeconds)]]);
    super(`Rate limit of ${limit} requests per minute exceeded; retry after ${retryAfterSeconds} s`, {
      extensions: { code: 'RATE_LIMITED', retryAfter: retryAfterSeconds, limit, http: { status: 429, headers } },
    });
  }
}

const ROOT_TYPE_NAMES = { query: 'Query', mutation: 'Mutation', subscription: 'Subscription' } as const;

/**
 * Checks every operation after validation and before execution, so nothing of a refused
 * request runs: the credential (401 when it is bad, or absent while the operation asks for
 * anything not @Public), the per-principal rate limit (429), and depth / alias / cost limits
 * (400 QUERY_TOO_COMPLEX). It puts the principal on the GraphQL context for the AccessGuard and
 * @CurrentPrincipal(). Refusals are logged with the principal and the operation, never the key.
 */
@Plugin()
export class GatekeeperPlugin implements ApolloServerPlugin<AuthContext> {
  private readonly logger = new Logger('Access');
  private readonly limiter: TokenBucketLimiter;

  constructor(
    @Inject(Authenticator) private readonly authenticator: Authenticator,
    @Inject(PublicOperations) private readonly publicOperations: PublicOperations,
    @Inject(SECURITY_CONFIG) private readonly config: SecurityConfig,
    @Inject(REQUEST_BUDGET) limiter: TokenBucketLimiter,
  ) {
    this.limiter = limiter;
  }

  async requestDidStart(): Promise<GraphQLRequestListener<AuthContext>> {
    return {
      didResolveOperation: async (requestContext) => this.check(requestContext),
      // Refusals decided inside resolvers and handlers (e.g. assertCanRecord) are logged here,
      // with the principal and the operation; the guard's own are logged already.
      didEncounterErrors: async (requestContext) => {
        const principal = requestContext.contextValue.principal;
        for (const error of requestContext.errors) {
          if (error.extensions?.code !== 'FORBIDDEN') continue;
          const original = error.originalError;
          if (original instanceof ForbiddenError && original.logged) continue;
          if (original instanceof ForbiddenError) original.logged = true;
          const rule = typeof error.extensions.rule === 'string' ? error.extensions.rule : 'unspecified';
          this.logger.warn(
            `FORBIDDEN rule=${rule} ` +
              `${principal ? `principal=${principal.id} role=${principal.role}${principal.agencyId ? ` agency=${principal.agencyId}` : ''}` : 'principal=none'} ` +
              `operation=${requestContext.operationName ?? 'anonymous'}${error.path ? ` path=${error.path.join('.')}` : ''}`,
          );
        }
      },
    };
  }

  private async check(rc: GraphQLRequestContextDidResolveOperation<AuthContext>): Promise<void> {
    const context = rc.contextValue;
    const request = (context.req ?? {}) as RequestLike;
    const operationName = rc.operationName ?? 'anonymous';
    const auth = await this.authenticator.authenticateRequest(request);

    const principal = auth.status === 'authenticated' ? auth.principal : undefined;
    const bucket = principal ? `principal:${principal.id}` : `address:${request.ip ?? request.socket?.remoteAddress ?? 'unknown'}`;
    const rate = this.limiter.take(bucket);
    if (!rate.allowed) {
      this.logger.warn(
        `RATE_LIMITED ${principal ? `principal=${principal.id} role=${principal.role}` : 'principal=none'} operation=${operationName}`,
      );
      throw new RateLimitedError(rate.retryAfterSeconds, this.config.rateLimitPerMinute);
    }

    if (auth.status === 'invalid') {
      this.logger.warn(`UNAUTHENTICATED reason="${auth.reason}"${auth.keyId ? ` keyId=${auth.keyId}` : ''} operation=${operationName}`);
      throw new UnauthenticatedError('Invalid credential: the API key or token is malformed, unknown, revoked or expired');
    }
    const operation = rc.operation;
    if (!operation) return;
    if (!principal) {
      const rootType = ROOT_TYPE_NAMES[operation.operation];
      const fields = rootFields(operation.selectionSet, fragmentsOf(rc.document.definitions));
      const closed = fields.filter((field) => !this.publicOperations.isPublic(rootType, field));
      if (closed.length > 0) {
        this.logger.warn(`UNAUTHENTICATED reason="no credential" operation=${operationName} fields=${closed.join(',')}`);
        throw new UnauthenticatedError();
      }
    } else {
      context.principal = principal;
    }

    const metrics = analyzeOperation(rc.schema, operation, fragmentsOf(rc.document.definitions), rc.request.variables ?? {});
    try {
      assertWithinLimits(metrics, this.config);
    } catch (error) {
      if (error instanceof QueryTooComplexError) {
        this.logger.warn(
          `QUERY_TOO_COMPLEX depth=${metrics.depth} cost=${metrics.cost} aliases=${metrics.aliases} ` +
            `${principal ? `principal=${principal.id} role=${principal.role}` : 'principal=none'} operation=${operationName}`,
        );
      }
      throw error;
    }
  }
}

/** The root field names an operation selects, through fragments. */
function rootFields(
  selectionSet: SelectionSetNode,
  fragments: Readonly<Record<string, { readonly selectionSet: SelectionSetNode }>>,
  seen: Set<string> = new Set(),
): string[] {
  const names: string[] = [];
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) names.push(selection.name.value);
    else if (selection.kind === Kind.INLINE_FRAGMENT) names.push(...rootFields(selection.selectionSet, fragments, seen));
    else if (!seen.has(selection.name.value) && fragments[selection.name.value]) {
      seen.add(selection.name.value);
      names.push(...rootFields(fragments[selection.name.value].selectionSet, fragments, seen));
    }
  }
  return names;
}
