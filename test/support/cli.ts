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
