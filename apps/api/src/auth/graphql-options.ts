import type { ApolloDriverConfig } from '@nestjs/apollo';
import type { AppConfig } from '@app/config';
import { loadSecurityConfig } from './security-config.js';

/**
 * The hardening part of the GraphQLModule configuration (spread into it in AppModule):
 * introspection and GraphiQL only where configured (development by default), no "Did you mean"
 * suggestions outside development, no HTTP batching, a token limit on query documents.
 * Depth, alias and cost limits, authentication and rate limiting run in GatekeeperPlugin.
 */
export function graphqlSecurityOptions(
  config: Pick<AppConfig, 'nodeEnv'>,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Pick<ApolloDriverConfig, 'introspection' | 'hideSchemaDetailsFromClientErrors' | 'allowBatchedHttpRequests' | 'parseOptions' | 'graphiql'> {
  const security = loadSecurityConfig(config, env);
  return {
    introspection: security.introspection,
    // The in-browser IDE is useless without introspection.
    graphiql: security.introspection,
    hideSchemaDetailsFromClientErrors: !security.suggestions,
    // One operation per request: a batch would multiply every per-request limit.
    allowBatchedHttpRequests: false,
    parseOptions: { maxTokens: security.maxTokens },
  };
}
