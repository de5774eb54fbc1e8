import type { Principal } from '@app/auth';
import type { Authenticator } from '@app/auth';
import type { GraphQLWsSubscriptionsConfig } from '@nestjs/graphql';

interface WsExtra {
  principal?: Principal;
}

/**
 * Subscriptions arrive over graphql-ws, not through the HTTP request path where the
 * GatekeeperPlugin authenticates: the credential comes in the connection params
 * ({"authorization": "Bearer <key>"}) and a connection without a valid one is refused.
 * The AccessGuard then checks each subscription's @Allow like any operation.
 */
export function subscriptionOptions(authenticator: Authenticator): GraphQLWsSubscriptionsConfig {
  return {
    path: '/graphql',
    onConnect: async (ctx) => {
      const raw = ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization;
      const result = await authenticator.authenticate(typeof raw === 'string' ? raw : undefined);
      if (result.status !== 'authenticated') return false;
      (ctx.extra as WsExtra).principal = result.principal;
      return true;
    },
  };
}

/**
 * The GraphQL context: HTTP operations get the request (the gatekeeper adds the principal);
 * subscriptions get the principal of their connection and are marked live, so projection
 * reads take fresh figures for each event.
 */
export function graphqlContext(input: { req?: unknown; res?: unknown; extra?: WsExtra }): Record<string, unknown> {
  if (input.extra) return { principal: input.extra.principal, live: true, req: { headers: {} } };
  return { req: input.req, res: input.res };
}
