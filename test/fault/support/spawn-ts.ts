import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/**
 * Runs a TypeScript entry in a child process through the SWC loader (it keeps decorator
 * metadata, which Nest needs), so fault tests can SIGKILL a real process without a build.
 * The child uses the embedded store of its DATA_DIR: EVENTSTORE_CONNECTION_STRING of the test
 * run is not passed on (the tests read that SQLite file); give it in `env` to mean it.
 */
export function spawnTs(entry: string, args: string[], env: Record<string, string> = {}): ChildProcess {
  const { EVENTSTORE_CONNECTION_STRING: _runWide, ...inherited } = process.env;
  return spawn(process.execPath, ['--import', '@swc-node/register/esm-register', entry, ...args], {
    cwd: process.cwd(),
    env: { ...inherited, ...env, SWC_NODE_PROJECT: 'tsconfig.json' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Calls `onLine` for every stdout line; resolves when the child exits. */
export function watchLines(child: ChildProcess, onLine: (line: string) => void): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  createInterface({ input: child.stdout! }).on('line', onLine);
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stderr })));
}
