import { createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import type { Writable } from 'node:stream';
import type { Command } from 'commander';
import { DestinationClosedError, exportLog, formatHead } from '@app/audit';
import { type CliContext, CliError, EXIT, bigintReplacer } from '../cli-context.js';
import type { CommandGroup } from './command.js';

/**
 * `ledger export [--out file|-]`: the whole log as NDJSON (docs/audit.md, "Export format"), one
 * event per line, streamed. To stdout by default (the summary then goes to stderr, so the data
 * stays clean for a pipe). The summary gives the chain head to check the import against.
 */
export async function exportCommand(ctx: CliContext, options: { out?: string } = {}, stdout: Writable = process.stdout): Promise<number> {
  const toStdout = options.out === undefined || options.out === '-';
  const store = await ctx.eventStore();
  let out: Writable = stdout;
  if (!toStdout) {
    const file = createWriteStream(options.out!, { flags: 'wx' });
    try {
      await new Promise<void>((resolve, reject) => {
        file.once('open', () => resolve());
        file.once('error', reject);
      });
    } catch (error) {
      throw new CliError(`Cannot write ${options.out}: ${(error as Error).message}`, EXIT.NO_INPUT);
    }
    out = file;
  }
  let result;
  try {
    result = await exportLog({ store, out, onProgress: (_events, position, head) => ctx.progress(Number(position), Number(head), 'export') });
  } catch (error) {
    // The reader went away (`ledger export | head`): what was written is all it gets.
    if ((error as NodeJS.ErrnoException).code === 'EPIPE' || error instanceof DestinationClosedError) throw new CliError('export stopped: the output was closed before the end of the log', EXIT.FAILED);
    throw error;
  }
  if (!toStdout) {
    out.end();
    await finished(out);
  }
  const summary = { file: toStdout ? '-' : options.out, events: result.events, head: formatHead(result.head), headHash: result.head.hash, sequence: result.head.sequence, durationMs: result.durationMs };
  const human = `Exported ${result.events} events${toStdout ? '' : ` to ${options.out}`}; chain head ${summary.head}. After importing, check with: ledger verify --head ${result.head.hash}`;
  if (toStdout) ctx.error(ctx.json ? JSON.stringify(summary, bigintReplacer) : human);
  else ctx.result(summary, human);
  return EXIT.OK;
}

export const exportCommands: CommandGroup = {
  register(program: Command, run) {
    program
      .command('export')
      .option('--out <file>', 'the file to write (must not exist), or - for stdout', '-')
      .description('Write the whole event log as NDJSON, one event per line (id, type, stream, revision, position, data, metadata, created)')
      .action((options: { out?: string }) => run((ctx) => exportCommand(ctx, options)));
  },
};
