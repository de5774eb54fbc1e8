import { PassThrough } from 'node:stream';
import { CliContext } from '../../apps/cli/src/cli-context.js';
import { runCli } from '../../apps/cli/src/cli.js';

/** A CLI context whose output a test reads (the store is the one configured by DATA_DIR). */
export function captureContext(json = false) {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (chunk) => (stdout += chunk));
  err.on('data', (chunk) => (stderr += chunk));
  return { ctx: new CliContext(json, out, err), out, err, stdout: () => stdout, stderr: () => stderr };
}

/** Runs `ledger <argv>` in-process, exactly as bin/ledger.js does, and collects its output. */
export async function ledger(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { out, err, stdout, stderr } = captureContext();
  const code = await runCli(argv, { out, err });
  return { code, stdout: stdout(), stderr: stderr() };
}

/**
 * Runs a command's action with DATA_DIR set to `dataDir`, as `ledger` would in that
 * environment, and closes its context; the output as read after the action.
 */
export async function inDataDir<T>(dataDir: string, json: boolean, action: (ctx: CliContext) => Promise<T>): Promise<{ result: T; stdout: string; stderr: string }> {
  process.env.DATA_DIR = dataDir;
  const c = captureContext(json);
  try {
    return { result: await action(c.ctx), stdout: c.stdout(), stderr: c.stderr() };
  } finally {
    await c.ctx.close();
  }
}

/** DATA_DIR as it is now; call the function returned to put it back (an afterAll/afterEach). */
export function savedDataDir(): () => void {
  const saved = process.env.DATA_DIR;
  return () => {
    if (saved === undefined) delete process.env.DATA_DIR;
    else process.env.DATA_DIR = saved;
  };
}
