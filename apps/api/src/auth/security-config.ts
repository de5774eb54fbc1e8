import { type AppConfig, type JwtConfig, loadConfig } from '@app/config';

/**
 * The security settings of the api: a view of AppConfig, whose one schema (libs/config)
 * validates the variables (GRAPHQL_*, RATE_LIMIT_PER_MINUTE, HTTP_BODY_LIMIT, AUTH_JWT_*,
 * ADMIN_API_KEY) before Nest starts.
 */
export interface SecurityConfig {
  /** Deepest field nesting a query may have (GRAPHQL_MAX_DEPTH). */
  readonly maxDepth: number;
  /** Highest estimated cost a query may have (GRAPHQL_MAX_COST); lists multiply. */
  readonly maxCost: number;
  /** Most aliased fields an operation may hold (GRAPHQL_MAX_ALIASES). */
  readonly maxAliases: number;
  /** Most tokens a query document may hold (GRAPHQL_MAX_TOKENS); stops giant documents at parse time. */
  readonly maxTokens: number;
  /** Schema introspection (GRAPHQL_INTROSPECTION; default: on only in development). */
  readonly introspection: boolean;
  /** "Did you mean …" suggestions in validation errors: development only. */
  readonly suggestions: boolean;
  /** Requests per minute per principal, or per client address without one; 0 = off (RATE_LIMIT_PER_MINUTE). */
  readonly rateLimitPerMinute: number;
  /** Largest JSON request body, an Express size such as "1mb" (HTTP_BODY_LIMIT). */
  readonly bodyLimit: string;
  /** Set when AUTH_JWT_ISSUER is. */
  readonly jwt?: JwtConfig;
  /** ADMIN_API_KEY: an ADMIN key registered at start when absent. */
  readonly adminApiKey?: string;
}

/** A list field without a size argument (first, last, limit, …) counts as this many items. */
export const DEFAULT_LIST_SIZE = 5;

/** The security part of a validated configuration. */
export function securityConfigOf(config: AppConfig): SecurityConfig {
  return {
    ...config.graphql,
    suggestions: config.nodeEnv === 'development',
    rateLimitPerMinute: config.rateLimitPerMinute,
    bodyLimit: config.httpBodyLimit,
    jwt: config.jwt,
    adminApiKey: config.adminApiKey,
  };
}

/** Validates `env` (with `config.nodeEnv`) through the configuration schema; for tests and tools. */
export function loadSecurityConfig(
  config: Pick<AppConfig, 'nodeEnv'>,
  env: Readonly<Record<string, string | undefined>> = process.env,
): SecurityConfig {
  return securityConfigOf(loadConfig({ ...env, NODE_ENV: config.nodeEnv }));
}
