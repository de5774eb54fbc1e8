import { type AppConfig, ConfigError } from '@app/config';
import { type JwtConfig, loadJwtConfig, parseApiKey } from '@app/auth';

/**
 * The security settings of the api, read from the environment beside AppConfig. A bad value
 * stops the start with a ConfigError naming the variable.
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

type Env = Readonly<Record<string, string | undefined>>;

/** A list field without a size argument (first, last, limit, …) counts as this many items. */
export const DEFAULT_LIST_SIZE = 5;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigError(name, `must be a whole number from ${min} to ${max} (got "${raw}")`);
  }
  return Number(raw);
}

function boolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  throw new ConfigError(name, `must be true or false (got "${env[name]}")`);
}

export function loadBodyLimit(env: Env = process.env): string {
  const raw = env.HTTP_BODY_LIMIT?.trim();
  if (raw === undefined || raw === '') return '1mb';
  if (!/^\d{1,9}(b|kb|mb)$/i.test(raw)) {
    throw new ConfigError('HTTP_BODY_LIMIT', `must be a size such as 1mb, 512kb or 100000b (got "${raw}")`);
  }
  return raw.toLowerCase();
}

export function loadSecurityConfig(config: Pick<AppConfig, 'nodeEnv'>, env: Env = process.env): SecurityConfig {
  const development = config.nodeEnv === 'development';
  const adminApiKey = env.ADMIN_API_KEY?.trim() || undefined;
  if (adminApiKey && !parseApiKey(adminApiKey)) {
    // The value itself is never echoed: it is a secret.
    throw new ConfigError(
      'ADMIN_API_KEY',
      'must have the form apl_<keyId>_<secret>: keyId 8–64 letters or digits, secret at least 43 base64url characters (32 bytes)',
    );
  }
  return {
    maxDepth: integer(env, 'GRAPHQL_MAX_DEPTH', 10, 1, 100),
    // A coordinator's whole plan tree with agencies and indicators costs ~25,000: allowed.
    maxCost: integer(env, 'GRAPHQL_MAX_COST', 50_000, 1, 100_000_000),
    maxAliases: integer(env, 'GRAPHQL_MAX_ALIASES', 30, 0, 10_000),
    maxTokens: integer(env, 'GRAPHQL_MAX_TOKENS', 10_000, 100, 1_000_000),
    introspection: boolean(env, 'GRAPHQL_INTROSPECTION', development),
    suggestions: development,
    rateLimitPerMinute: integer(env, 'RATE_LIMIT_PER_MINUTE', 600, 0, 10_000_000),
    bodyLimit: loadBodyLimit(env),
    jwt: loadJwtConfig(env),
    adminApiKey,
  };
}
