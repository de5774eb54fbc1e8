import type { ApolloDriverConfig } from '@nestjs/apollo';
import type { SecurityConfig } from './security-config.js';

/**
 * The hardening part of the GraphQLModule configuration (spread into it in AppModule):
 * introspection and GraphiQL only where configured (development by default), no "Did you mean"
 * suggestions outside development, no HTTP batching, a token limit on query documents.
 * Depth, alias and cost limits, authentication and rate limiting run in GatekeeperPlugin.
 */
export function graphqlSecurityOptions(
  security: SecurityConfig,
): Pick<ApolloDriverConfig, 'introspection' | 'hideSchemaDetailsFromClientErrors' | 'allowBatchedHttpRequests' | 'parseOptions' | 'graphiql'> {
  return {
    introspection: security.introspection,
    // Never Nest's GraphiQL page: it loads its scripts from a CDN. DashboardModule serves a
    // bundled one at GET /graphql, and only when introspection is on (useless without it).
    graphiql: false,
    hideSchemaDetailsFromClientErrors: !security.suggestions,
    // One operation per request: a batch would multiply every per-request limit.
    allowBatchedHttpRequests: false,
    parseOptions: { maxTokens: security.maxTokens },
  };
}
