import { createReadStream, createWriteStream, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { ImportError, auditChainFile, formatHead, importLog } from '@app/audit';
import { readModelsFile } from '@app/projections';
import { type CliContext, CliError, EXIT } from '../cli-context.js';
import { importedEventCheck } from '../imported-events.js';
import type { CommandGroup } from './command.js';

/**
 * `ledger import <file|->`: loads an export into the configured store, which must be empty — the
 * embedded one in DATA_DIR, or EventStoreDB when EVENTSTORE_CONNECTION_STRING is set (the
 * migration path, docs/audit.md). Ids, streams, revisions, order, data and metadata are kept;
 * positions and commit times are the new store's. Prints the chain head, which equals the head
 * `ledger export` printed. Every event is checked (importedEventCheck) before anything is written:
 * a refusal names the line, the field and the reason (exit 65) and the store stays empty. Standard
 * input is first copied to a temporary file, since the check and the import each read it.
 */
export async function importCommand(ctx: CliContext, path: string, stdin: Readable = process.stdin, options: { create?: boolean } = {}): Promise<number> {
  if (path !== '-' && !existsSync(path)) throw new CliError(`Export file not found: ${path}`, EXIT.NO_INPUT);
  const store = await ctx.eventStore({ create: options.create });
  let spool: string | undefined;
  let result;
  try {
    let file = path;
    if (path === '-') {
      spool = mkdtempSync(join(tmpdir(), 'ledger-import-'));
      file = join(spool, 'stdin.ndjson');
      await pipeline(stdin, createWriteStream(file));
    }
    const size = statSync(file).size;
    let bytes = 0;
    // The second read (the import) reports progress in bytes of the file.
    const open = () => {
      const input = createReadStream(file);
      input.on('data', (chunk: Buffer | string) => (bytes += chunk.length));
      return input;
    };
    result = await importLog({ store, input: open, check: importedEventCheck, onProgress: () => ctx.progress(Math.max(0, bytes - size), size, 'import') });
  } catch (error) {
    if (error instanceof ImportError) throw new CliError(`Import refused: ${error.message}`, error.line === undefined ? EXIT.FAILED : EXIT.DATA);
    throw error;
  } finally {
    if (spool) rmSync(spool, { recursive: true, force: true });
  }
  const dataDir = ctx.config.dataDir;
  const stale = store.kind === 'sqlite' ? [] : [readModelsFile(dataDir), auditChainFile(dataDir)].filter((f) => existsSync(f));
  ctx.result(
    { file: path, store: store.kind, events: result.events, head: formatHead(result.head), headHash: result.head.hash, sequence: result.head.sequence, durationMs: result.durationMs, staleFiles: stale },
    [
      `Imported ${result.events} events into the ${store.kind} store; chain head ${formatHead(result.head)}`,
      `Check it against the export's head: ledger verify --head ${result.head.hash}`,
      ...stale.map((f) => `Before starting the api on this store, remove ${f}: it describes the old store's positions.`),
    ].join('\n'),
  );
  return EXIT.OK;
}

export const importCommands: CommandGroup = {
  register(program: Command, run) {
    program
      .command('import')
      .argument('<file>', 'an NDJSON export (ledger export), or - for stdin')
      .option('--create', 'create the embedded store in DATA_DIR when it does not exist yet (else exit 69)')
      .description('Load an export into the configured store, which must be empty (keeps ids, streams, revisions, order and metadata)')
      .action((file: string, options: { create?: boolean }) => run((ctx) => importCommand(ctx, file, process.stdin, options)));
  },
};
