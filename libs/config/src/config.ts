import { createPublicKey } from 'node:crypto';
import { isIP } from 'node:net';
import { isAbsolute, resolve } from 'node:path';

export const NODE_ENVS = ['development', 'production', 'test'] as const;
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;
export const LOG_FORMATS = ['json', 'pretty'] as const;

export type NodeEnv = (typeof NODE_ENVS)[number];
export type LogLevel = (typeof LOG_LEVELS)[number];
export type LogFormat = (typeof LOG_FORMATS)[number];

/**
 * Optional JWT bearer tokens from an identity provider (AUTH_JWT_*): issuer, and either the
 * provider's JWKS endpoint or one PEM (SPKI) public key; audience optional.
 */
export interface JwtConfig {
  readonly issuer: string;
  readonly audience?: string;
  /** The provider's JWKS endpoint (keys fetched and cached by jose). */
  readonly jwksUrl?: string;
  /** Or one PEM (SPKI) public key. */
  readonly publicKeyPem?: string;
}

/** GraphQL limits (refused before execution) and introspection. */
export interface GraphqlLimits {
  /** Deepest field nesting a query may have (GRAPHQL_MAX_DEPTH). */
  readonly maxDepth: number;
  /** Highest estimated cost a query may have (GRAPHQL_MAX_COST); lists multiply. */
  readonly maxCost: number;
  /** Most aliased fields an operation may hold (GRAPHQL_MAX_ALIASES). */
  readonly maxAliases: number;
  /** Most tokens a query document may hold (GRAPHQL_MAX_TOKENS). */
  readonly maxTokens: number;
  /** Schema introspection (GRAPHQL_INTROSPECTION; default: on only in development). */
  readonly introspection: boolean;
}

/**
 * Point-in-time queries (`at`): snapshots of the read models every `interval` events, kept in
 * memory. A query folds at most `interval` events onto the snapshot before its position, so
 * latency grows and memory shrinks linearly with the interval (docs/audit.md, "Point in time").
 */
export interface PointInTimeConfig {
  /** Events between two snapshots (POINT_IN_TIME_SNAPSHOT_INTERVAL). */
  readonly interval: number;
  /** Snapshots kept at most, the least recently used dropped first (POINT_IN_TIME_MAX_SNAPSHOTS). */
  readonly maxSnapshots: number;
  /** Seconds between background builds of the snapshots up to the head; 0 = only when queried (POINT_IN_TIME_WARM_SECONDS). */
  readonly warmSeconds: number;
}

/**
 * The process configuration: every environment variable the api and the cli read, validated
 * in one place (see CONFIG_VARIABLES and .env.example). A bad value stops the start with a
 * message that names the variable and what it expects.
 */
export interface AppConfig {
  readonly nodeEnv: NodeEnv;
  readonly port: number;
  /**
   * The address the api listens on (HOST): 127.0.0.1 unless set, so a development start is
   * not reachable from the network; a container sets 0.0.0.0 (the Dockerfile does).
   */
  readonly host: string;
  /** Where the embedded event store and the read models live (absolute). */
  readonly dataDir: string;
  /** Set: use EventStoreDB; unset: the embedded SQLite store in dataDir. */
  readonly eventStoreConnectionString?: string;
  readonly logLevel: LogLevel;
  /** `pretty` (human, development default) or `json` (one object a line, otherwise). */
  readonly logFormat: LogFormat;
  /**
   * PLAN_FILES as given (paths relative to the working directory): undefined when unset (the
   * shipped plan), empty for `none`.
   */
  readonly planFiles?: readonly string[];
  /** How long a query waits for the projections to reach its atLeastPosition (ms). */
  readonly readYourWritesTimeoutMs: number;
  /** GET /health/ready fails while the projections are more than this many events behind. */
  readonly readinessMaxLag: number;
  readonly pointInTime: PointInTimeConfig;
  readonly graphql: GraphqlLimits;
  /** Requests per minute per principal, or per client address without one; 0 = off. */
  readonly rateLimitPerMinute: number;
  /**
   * Largest JSON request body, an Express size such as "5mb": HTTP_BODY_LIMIT, or derived from
   * BULK_MAX_ROWS (a full recordReports batch at BULK_REPORT_BYTES a report, at least 1mb).
   */
  readonly httpBodyLimit: string;
  readonly bulk: BulkLimits;
  /** ADMIN_API_KEY: an ADMIN key registered at start when absent. */
  readonly adminApiKey?: string;
  /** Set when AUTH_JWT_ISSUER is. */
  readonly jwt?: JwtConfig;
}

/** Limits of bulk reporting (recordReports, POST /imports/reports). */
export interface BulkLimits {
  /** Most reports one request or file may hold (BULK_MAX_ROWS); over it, nothing is stored. */
  readonly maxRows: number;
  /** Largest spreadsheet upload in bytes (BULK_MAX_FILE_BYTES). */
  readonly maxFileBytes: number;
  /** Reports that cost one unit of the rate limit (BULK_ROWS_PER_RATE_UNIT); a request costs one more. */
  readonly rowsPerRateUnit: number;
}

/** One environment variable: its name, its default as .env.example writes it, what it means. */
export interface ConfigVariable {
  readonly name: string;
  /** The value .env.example shows; empty when the variable is unset by default. */
  readonly example: string;
  readonly meaning: string;
}

/** Every variable read anywhere in the api and the cli. A test keeps .env.example and the README in step. */
export const CONFIG_VARIABLES: readonly ConfigVariable[] = [
  { name: 'NODE_ENV', example: 'development', meaning: 'development | production | test; development turns on introspection and pretty logs' },
  { name: 'PORT', example: '3000', meaning: 'HTTP port of the api (0 = any free port)' },
  { name: 'HOST', example: '127.0.0.1', meaning: 'address the api listens on: 127.0.0.1 (this machine only), 0.0.0.0 / :: (every interface, as in a container) or one address' },
  { name: 'DATA_DIR', example: './data', meaning: 'the embedded event store (events.db) and the read models' },
  { name: 'EVENTSTORE_CONNECTION_STRING', example: '', meaning: 'use EventStoreDB / KurrentDB instead of the embedded store, e.g. esdb://localhost:2113?tls=false or kurrent://localhost:2113?tls=false' },
  { name: 'LOG_LEVEL', example: 'info', meaning: 'fatal | error | warn | info | debug | trace' },
  { name: 'LOG_FORMAT', example: '', meaning: 'json | pretty; unset: pretty in development (when pino-pretty is installed), json otherwise' },
  { name: 'PLAN_FILES', example: 'libs/plan/plans/hu-2022-2023.yaml', meaning: 'plan files adopted on first start with an empty store (comma-separated); "none" adopts nothing' },
  { name: 'ADMIN_API_KEY', example: '', meaning: 'an ADMIN key (apl_<keyId>_<secret>) registered at start; unset in development on an empty register: one is printed once' },
  { name: 'AUTH_JWT_ISSUER', example: '', meaning: 'accept JWTs from this issuer (then AUTH_JWT_JWKS_URL or AUTH_JWT_PUBLIC_KEY is required)' },
  { name: 'AUTH_JWT_JWKS_URL', example: '', meaning: "the identity provider's JWKS URL" },
  { name: 'AUTH_JWT_PUBLIC_KEY', example: '', meaning: 'or one PEM (SPKI) public key; \\n in one line is accepted' },
  { name: 'AUTH_JWT_AUDIENCE', example: '', meaning: 'the audience JWTs must name (optional)' },
  { name: 'GRAPHQL_MAX_DEPTH', example: '10', meaning: 'deepest field nesting a query may have' },
  { name: 'GRAPHQL_MAX_COST', example: '50000', meaning: 'highest estimated cost of a query (lists multiply)' },
  { name: 'GRAPHQL_MAX_ALIASES', example: '30', meaning: 'most aliased fields in one operation' },
  { name: 'GRAPHQL_MAX_TOKENS', example: '10000', meaning: 'most tokens in one query document' },
  { name: 'GRAPHQL_INTROSPECTION', example: '', meaning: 'true | false; unset: on in development only' },
  { name: 'RATE_LIMIT_PER_MINUTE', example: '600', meaning: 'GraphQL operations per minute per principal (or client address), over HTTP and WebSocket; each root field of a mutation counts; 0 = off' },
  { name: 'HTTP_BODY_LIMIT', example: '', meaning: 'the largest JSON request body or graphql-ws message (b, kb, mb); unset: BULK_MAX_ROWS × 512 bytes in whole MB, at least 1mb (5mb for 10000 rows); a smaller value than that is refused at start' },
  { name: 'BULK_MAX_ROWS', example: '10000', meaning: 'most reports in one recordReports request or one uploaded file' },
  { name: 'BULK_MAX_FILE_BYTES', example: '20000000', meaning: 'largest CSV/XLSX upload, in bytes' },
  { name: 'BULK_ROWS_PER_RATE_UNIT', example: '100', meaning: 'reports of a bulk request or file that cost one unit of RATE_LIMIT_PER_MINUTE (the request costs one more)' },
  { name: 'READ_YOUR_WRITES_TIMEOUT_MS', example: '5000', meaning: 'how long a query with atLeastPosition waits for the projections (1–60000 ms)' },
  { name: 'READINESS_MAX_LAG', example: '1000', meaning: 'GET /health/ready fails while the projections are more events than this behind the store' },
  { name: 'POINT_IN_TIME_SNAPSHOT_INTERVAL', example: '2500', meaning: 'events between two in-memory snapshots for `at` queries: larger = less memory, slower answers' },
  { name: 'POINT_IN_TIME_MAX_SNAPSHOTS', example: '400', meaning: 'snapshots kept at most (about 1 MB each for the 2022–2023 plan); the least recently used go first' },
  { name: 'POINT_IN_TIME_WARM_SECONDS', example: '30', meaning: 'seconds between background builds of snapshots up to the head; 0 = only when queried' },
];

/** A bad configuration value. `variable` is the first one; the message lists every problem, one a line. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly problems: readonly { readonly variable: string; readonly reason: string }[];
  constructor(
    readonly variable: string,
    readonly reason: string,
    more: readonly { readonly variable: string; readonly reason: string }[] = [],
  ) {
    const problems = [{ variable, reason }, ...more];
    super(problems.map((p) => `Invalid configuration: ${p.variable} ${p.reason}`).join('\n'));
    this.problems = problems;
  }
}

type Env = Readonly<Record<string, string | undefined>>;

/** Reads variables, collecting every problem so one start reports them all. */
class EnvReader {
  readonly problems: { variable: string; reason: string }[] = [];

  constructor(private readonly env: Env) {}

  /** The trimmed value; undefined when unset or blank (blank means "the default"). */
  raw(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  }

  fail(name: string, reason: string): void {
    this.problems.push({ variable: name, reason });
  }

  oneOf<T extends string>(name: string, values: readonly T[], fallback: T): T {
    const raw = this.raw(name);
    if (raw === undefined) return fallback;
    if ((values as readonly string[]).includes(raw)) return raw as T;
    this.fail(name, `must be one of ${values.join(', ')} (got "${raw}")`);
    return fallback;
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const raw = this.raw(name);
    if (raw === undefined) return fallback;
    if (/^\d+$/.test(raw) && Number(raw) >= min && Number(raw) <= max) return Number(raw);
    this.fail(name, `must be a whole number from ${min} to ${max} (got "${raw}")`);
    return fallback;
  }

  boolean(name: string, fallback: boolean): boolean {
    const raw = this.raw(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (raw === 'true') return true;
    if (raw === 'false') return false;
    this.fail(name, `must be true or false (got "${this.raw(name)}")`);
    return fallback;
  }

  /** Throws the problems, in the order of CONFIG_VARIABLES (the order of .env.example). */
  throwIfAny(): void {
    const rank = (name: string) => CONFIG_VARIABLES.findIndex((v) => v.name === name);
    const [first, ...more] = [...this.problems].sort((a, b) => rank(a.variable) - rank(b.variable));
    if (first) throw new ConfigError(first.variable, first.reason, more);
  }
}

const CONNECTION_STRING = /^(esdb|kurrentdb|kurrent|kdb)(\+discover)?:\/\//i;
/** The API key format of libs/auth (apl_<keyId>_<secret>); a spec there checks they agree. */
const API_KEY = /^apl_[A-Za-z0-9]{8,64}_[A-Za-z0-9_-]{43,}$/;
const BODY_LIMIT = /^\d{1,9}(b|kb|mb)$/i;
const PLAN_FILE = /\.ya?ml$/i;

/**
 * JSON bytes one report of a recordReports request is allowed in HTTP_BODY_LIMIT: a report with a
 * title and a short note is 150–300 bytes as GraphQL variables (`{"trainingDelivered":{…}}`), so
 * a full batch of BULK_MAX_ROWS such reports fits in BULK_MAX_ROWS × 512 bytes.
 */
export const BULK_REPORT_BYTES = 512;
/** HTTP_BODY_LIMIT's floor when derived from BULK_MAX_ROWS (what every other request was held to). */
const MIN_BODY_LIMIT = 1024 * 1024;

/** An Express size (HTTP_BODY_LIMIT: "1mb", "512kb", "100000b") in bytes, as body-parser reads it (1 kb = 1024 b). */
export function sizeInBytes(size: string): number {
  const match = /^(\d+)(b|kb|mb)$/i.exec(size.trim());
  if (!match) throw new Error(`Not a size: ${size}`);
  return Number(match[1]) * { b: 1, kb: 1024, mb: 1024 * 1024 }[match[2].toLowerCase() as 'b' | 'kb' | 'mb'];
}

/**
 * HTTP_BODY_LIMIT, or unset: enough for a full recordReports batch (BULK_MAX_ROWS ×
 * BULK_REPORT_BYTES, in whole MB, at least 1mb: 5mb for 10,000 reports). A configured limit
 * that cannot carry a full batch is refused at start, naming both variables: the docs promise
 * BULK_MAX_ROWS reports a request, and a 413 at half of them would break that promise at run time.
 */
function readBodyLimit(r: EnvReader, configured: string | undefined, maxRows: number): string {
  const needed = maxRows * BULK_REPORT_BYTES;
  if (configured === undefined) return `${Math.ceil(Math.max(needed, MIN_BODY_LIMIT) / MIN_BODY_LIMIT)}mb`;
  if (sizeInBytes(configured) < needed) {
    const mb = Math.ceil(needed / MIN_BODY_LIMIT);
    r.fail(
      'HTTP_BODY_LIMIT',
      `(${configured}) cannot carry a recordReports request of BULK_MAX_ROWS (${maxRows}) reports: at ${BULK_REPORT_BYTES} bytes a report it must be at least ${mb}mb; raise HTTP_BODY_LIMIT, lower BULK_MAX_ROWS, or leave HTTP_BODY_LIMIT unset (it then follows BULK_MAX_ROWS)`,
    );
  }
  return configured;
}

/** A host name as RFC 1123 allows it (letters, digits, hyphens; dot-separated labels). */
const HOST_NAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** HOST: an IPv4 / IPv6 address or a host name; loopback by default (safe on a laptop). */
function readHost(r: EnvReader): string {
  const raw = r.raw('HOST');
  if (raw === undefined) return '127.0.0.1';
  if (isIP(raw) !== 0 || HOST_NAME.test(raw)) return raw;
  r.fail('HOST', `must be an IP address such as 127.0.0.1 or 0.0.0.0, or a host name (got "${raw}")`);
  return '127.0.0.1';
}

function readPlanFiles(r: EnvReader): readonly string[] | undefined {
  const raw = r.raw('PLAN_FILES');
  if (raw === undefined) return undefined;
  if (raw === 'none') return [];
  const entries = raw.split(',').map((entry) => entry.trim());
  const bad = entries.find((entry) => entry === '' || !PLAN_FILE.test(entry));
  if (bad === undefined) return entries;
  r.fail(
    'PLAN_FILES',
    `must be a comma-separated list of plan files ending in .yaml or .yml, or "none" (got "${raw}"; ` +
      `${bad === '' ? 'it has an empty entry' : `"${bad}" is not a YAML file name`})`,
  );
  return undefined;
}

function readJwt(r: EnvReader): JwtConfig | undefined {
  const issuer = r.raw('AUTH_JWT_ISSUER');
  const jwksUrl = r.raw('AUTH_JWT_JWKS_URL');
  // PEM in one line with literal \n (as .env files often hold it) is accepted too.
  const publicKeyPem = r.raw('AUTH_JWT_PUBLIC_KEY')?.replace(/\\n/g, '\n');
  const audience = r.raw('AUTH_JWT_AUDIENCE');
  if (!issuer) {
    for (const name of ['AUTH_JWT_JWKS_URL', 'AUTH_JWT_PUBLIC_KEY', 'AUTH_JWT_AUDIENCE']) {
      if (r.raw(name)) {
        r.fail('AUTH_JWT_ISSUER', `is required when ${name} is set`);
        break;
      }
    }
    return undefined;
  }
  if (jwksUrl && publicKeyPem) {
    r.fail('AUTH_JWT_PUBLIC_KEY', 'must not be set together with AUTH_JWT_JWKS_URL: choose one');
  } else if (!jwksUrl && !publicKeyPem) {
    r.fail('AUTH_JWT_JWKS_URL', 'or AUTH_JWT_PUBLIC_KEY is required when AUTH_JWT_ISSUER is set');
  } else if (jwksUrl) {
    let url: URL | undefined;
    try {
      url = new URL(jwksUrl);
    } catch {
      r.fail('AUTH_JWT_JWKS_URL', `must be an absolute URL (got "${jwksUrl}")`);
    }
    if (url && url.protocol !== 'https:' && url.protocol !== 'http:') {
      r.fail('AUTH_JWT_JWKS_URL', `must be an http(s) URL (got "${jwksUrl}")`);
    }
  } else if (publicKeyPem) {
    try {
      createPublicKey(publicKeyPem);
    } catch (error) {
      r.fail('AUTH_JWT_PUBLIC_KEY', `must be a PEM public key (${(error as Error).message})`);
    }
  }
  return { issuer, audience, jwksUrl, publicKeyPem };
}

/**
 * Validates the environment into an {@link AppConfig}. Throws one {@link ConfigError} listing
 * every bad variable. Unset or blank variables take their defaults.
 */
export function loadConfig(env: Env = process.env): AppConfig {
  const r = new EnvReader(env);
  const nodeEnv = r.oneOf('NODE_ENV', NODE_ENVS, 'development');

  const connection = r.raw('EVENTSTORE_CONNECTION_STRING');
  if (connection && !CONNECTION_STRING.test(connection)) {
    r.fail(
      'EVENTSTORE_CONNECTION_STRING',
      `must be an EventStoreDB connection string such as esdb://localhost:2113?tls=false or kurrent://localhost:2113?tls=false (got "${connection}")`,
    );
  }
  const dataDir = r.raw('DATA_DIR') ?? './data';

  const adminApiKey = r.raw('ADMIN_API_KEY');
  if (adminApiKey && !API_KEY.test(adminApiKey)) {
    // The value itself is never echoed: it is a secret.
    r.fail(
      'ADMIN_API_KEY',
      'must have the form apl_<keyId>_<secret>: keyId 8–64 letters or digits, secret at least 43 base64url characters (32 bytes)',
    );
  }

  const bodyLimit = r.raw('HTTP_BODY_LIMIT');
  if (bodyLimit && !BODY_LIMIT.test(bodyLimit)) {
    r.fail('HTTP_BODY_LIMIT', `must be a size such as 1mb, 512kb or 100000b (got "${bodyLimit}")`);
  }
  const bulk: BulkLimits = {
    maxRows: r.integer('BULK_MAX_ROWS', 10_000, 1, 1_000_000),
    maxFileBytes: r.integer('BULK_MAX_FILE_BYTES', 20_000_000, 1_000, 1_000_000_000),
    rowsPerRateUnit: r.integer('BULK_ROWS_PER_RATE_UNIT', 100, 1, 1_000_000),
  };

  const config: AppConfig = {
    nodeEnv,
    // 0 asks the OS for a free port (tests, benchmarks).
    port: r.integer('PORT', 3000, 0, 65535),
    host: readHost(r),
    dataDir: isAbsolute(dataDir) ? dataDir : resolve(dataDir),
    eventStoreConnectionString: connection || undefined,
    logLevel: r.oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
    logFormat: r.oneOf('LOG_FORMAT', LOG_FORMATS, nodeEnv === 'development' ? 'pretty' : 'json'),
    planFiles: readPlanFiles(r),
    readYourWritesTimeoutMs: r.integer('READ_YOUR_WRITES_TIMEOUT_MS', 5_000, 1, 60_000),
    readinessMaxLag: r.integer('READINESS_MAX_LAG', 1_000, 0, Number.MAX_SAFE_INTEGER),
    pointInTime: {
      interval: r.integer('POINT_IN_TIME_SNAPSHOT_INTERVAL', 2_500, 100, 10_000_000),
      maxSnapshots: r.integer('POINT_IN_TIME_MAX_SNAPSHOTS', 400, 2, 1_000_000),
      warmSeconds: r.integer('POINT_IN_TIME_WARM_SECONDS', 30, 0, 86_400),
    },
    graphql: {
      maxDepth: r.integer('GRAPHQL_MAX_DEPTH', 10, 1, 100),
      // A coordinator's whole plan tree with agencies and indicators costs ~25,000: allowed.
      maxCost: r.integer('GRAPHQL_MAX_COST', 50_000, 1, 100_000_000),
      maxAliases: r.integer('GRAPHQL_MAX_ALIASES', 30, 0, 10_000),
      maxTokens: r.integer('GRAPHQL_MAX_TOKENS', 10_000, 100, 1_000_000),
      introspection: r.boolean('GRAPHQL_INTROSPECTION', nodeEnv === 'development'),
    },
    rateLimitPerMinute: r.integer('RATE_LIMIT_PER_MINUTE', 600, 0, 10_000_000),
    bulk,
    httpBodyLimit: readBodyLimit(r, bodyLimit && BODY_LIMIT.test(bodyLimit) ? bodyLimit.toLowerCase() : undefined, bulk.maxRows),
    adminApiKey,
    jwt: readJwt(r),
  };
  r.throwIfAny();
  return config;
}

/** The AUTH_JWT_* part of the configuration alone (libs/auth's loadJwtConfig). */
export function loadJwtEnv(env: Env = process.env): JwtConfig | undefined {
  const r = new EnvReader(env);
  const jwt = readJwt(r);
  r.throwIfAny();
  return jwt;
}

/** PLAN_FILES alone, as {@link AppConfig.planFiles}. */
export function loadPlanFilesEnv(value: string | undefined): readonly string[] | undefined {
  const r = new EnvReader({ PLAN_FILES: value });
  const files = readPlanFiles(r);
  r.throwIfAny();
  return files;
}
