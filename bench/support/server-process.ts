import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';

/** A bench server running in a child process (bench/server.ts), reachable on 127.0.0.1. */
export interface BenchServer {
  readonly url: string;
  readonly port: number;
  readonly adminKey: string;
  readonly child: ChildProcess;
  /** Startup time until the port was reported, in ms. */
  readonly startupMs: number;
  /** Posts a GraphQL operation; throws on transport or GraphQL errors. */
  gql<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, key?: string): Promise<T>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process has exited. */
  stop(graceMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Everything the server wrote on stderr so far (warnings, errors). */
  stderr(): string;
}

export interface StartOptions {
  readonly dataDir: string;
  /** Adds the bench-only noopMutation (bench/noop.module.ts). */
  readonly noop?: boolean;
  /** Extra node flags, e.g. ['--cpu-prof', '--cpu-prof-dir=…']. */
  readonly nodeFlags?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly startTimeoutMs?: number;
  /** The source tree to run (its bench/server.ts and code); default the current directory. */
  readonly cwd?: string;
}

/** A fresh admin key in the api's format (apl_<keyId>_<secret>). */
export function newAdminKey(): string {
  return `apl_benchadm${randomBytes(4).toString('hex')}_${randomBytes(32).toString('base64url')}`;
}

/** The V8 flags the api runs with (package.json start, Dockerfile): the benchmarks measure what ships. */
export const SERVER_NODE_FLAGS = ['--max-semi-space-size=64'];

export async function startServer(options: StartOptions): Promise<BenchServer> {
  const adminKey = newAdminKey();
  const started = performance.now();
  const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, ...(options.nodeFlags ?? []), '--import', '@swc-node/register/esm-register', 'bench/server.ts'], {
    cwd: options.cwd ?? process.cwd(),
    env: {
      ...process.env,
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      RATE_LIMIT_PER_MINUTE: '0',
      PORT: '0',
      DATA_DIR: options.dataDir,
      ADMIN_API_KEY: adminKey,
      BENCH_NOOP: options.noop ? '1' : '0',
      SWC_NODE_PROJECT: 'tsconfig.json',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    // Bounded: keep the last 64 kB.
    stderr = (stderr + chunk.toString()).slice(-65_536);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`bench server did not start within ${options.startTimeoutMs ?? 120_000} ms:\n${stderr}`));
    }, options.startTimeoutMs ?? 120_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const match = /^BENCH_LISTENING (\d+)$/.exec(line);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`bench server exited (code ${code}, signal ${signal}) before listening:\n${stderr}`));
    });
  });
  const url = `http://127.0.0.1:${port}/graphql`;
  const startupMs = performance.now() - started;
  return {
    url,
    port,
    adminKey,
    child,
    startupMs,
    async gql<T>(query: string, variables: Record<string, unknown> = {}, key = adminKey): Promise<T> {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(60_000),
      });
      const body = (await res.json()) as { data?: T; errors?: Array<{ message: string }> };
      if (body.errors?.length) throw new Error(`GraphQL error: ${body.errors.map((e) => e.message).join('; ')}`);
      return body.data as T;
    },
    async stop(graceMs = 15_000) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        const result = await exited;
        clearTimeout(timer);
        return result;
      }
      return exited;
    },
    stderr: () => stderr,
  };
}

/** Issues an AGENCY key through the api (issueApiKey) and returns it. */
export async function issueAgencyKey(server: BenchServer, agencyId: string): Promise<string> {
  const data = await server.gql<{ issueApiKey: { key: string } }>(
    'mutation ($input: IssueApiKeyInput!) { issueApiKey(input: $input) { key } }',
    { input: { role: 'AGENCY', agencyId, label: 'bench' } },
  );
  return data.issueApiKey.key;
}

/** Issues a COORDINATOR key (reads projections). */
export async function issueCoordinatorKey(server: BenchServer): Promise<string> {
  const data = await server.gql<{ issueApiKey: { key: string } }>(
    'mutation ($input: IssueApiKeyInput!) { issueApiKey(input: $input) { key } }',
    { input: { role: 'COORDINATOR', label: 'bench coordinator' } },
  );
  return data.issueApiKey.key;
}

/** Issues an AUDITOR key (reads projections, and may REPLAY: point-in-time `at`). */
export async function issueAuditorKey(server: BenchServer): Promise<string> {
  const data = await server.gql<{ issueApiKey: { key: string } }>(
    'mutation ($input: IssueApiKeyInput!) { issueApiKey(input: $input) { key } }',
    { input: { role: 'AUDITOR', label: 'bench auditor' } },
  );
  return data.issueApiKey.key;
}
