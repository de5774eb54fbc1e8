import { isAbsolute, resolve } from 'node:path';

/**
 * The process configuration, read from environment variables (see .env.example).
 * A bad value stops the start with a message that names the variable and what it expects.
 */
export interface AppConfig {
  readonly nodeEnv: 'development' | 'production' | 'test';
  readonly port: number;
  /** Where the embedded event store and the read models live. */
  readonly dataDir: string;
  /** Set: use EventStoreDB; unset: the embedded SQLite store in dataDir. */
  readonly eventStoreConnectionString?: string;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly variable: string, readonly reason: string) {
    super(`Invalid configuration: ${variable} ${reason}`);
  }
}

type Env = Readonly<Record<string, string | undefined>>;

function oneOf<T extends string>(env: Env, name: string, values: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!(values as readonly string[]).includes(raw)) {
    throw new ConfigError(name, `must be one of ${values.join(', ')} (got "${raw}")`);
  }
  return raw as T;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigError(name, `must be a whole number from ${min} to ${max} (got "${raw}")`);
  }
  return Number(raw);
}

export function loadConfig(env: Env = process.env): AppConfig {
  const connection = env.EVENTSTORE_CONNECTION_STRING?.trim();
  if (connection && !/^(esdb|esdb\+discover|kurrentdb|kurrentdb\+discover|kdb|kdb\+discover):\/\//.test(connection)) {
    throw new ConfigError(
      'EVENTSTORE_CONNECTION_STRING',
      `must be an EventStoreDB connection string such as esdb://localhost:2113?tls=false (got "${connection}")`,
    );
  }
  const dataDir = env.DATA_DIR?.trim() || './data';
  return {
    nodeEnv: oneOf(env, 'NODE_ENV', ['development', 'production', 'test'], 'development'),
    // 0 asks the OS for a free port (tests, benchmarks).
    port: integer(env, 'PORT', 3000, 0, 65535),
    dataDir: isAbsolute(dataDir) ? dataDir : resolve(dataDir),
    eventStoreConnectionString: connection || undefined,
    logLevel: oneOf(env, 'LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace'], 'info'),
  };
}
