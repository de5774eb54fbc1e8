import { createReadStream, existsSync, statSync } from 'node:fs';
import type { Readable } from 'node:stream';
import type { Command } from 'commander';
import { ImportError, auditChainFile, formatHead, importLog } from '@app/audit';
import { readModelsFile } from '@app/projections';
import { type CliContext, CliError, EXIT } from '../cli-context.js';
import type { CommandGroup } from './command.js';

/**
 * `ledger import <file|->`: loads an export into the configured store, which must be empty — the
 * embedded one in DATA_DIR, or EventStoreDB when EVENTSTORE_CONNECTION_STRING is set (the
 * migration path, docs/audit.md). Ids, streams, revisions, order, data and metadata are kept;
 * positions and commit times are the new store's. Prints the chain head, which equals the head
 * `ledger export` printed.
 */
export async function importCommand(ctx: CliContext, path: string, stdin: Readable = process.stdin, options: { create?: boolean } = {}): Promise<number> {
  let input: Readable = stdin;
  let size: number | undefined;
  if (path !== '-') {
    if (!existsSync(path)) throw new CliError(`Export file not found: ${path}`, EXIT.NO_INPUT);
    size = statSync(path).size;
    input = createReadStream(path);
  }
  let bytes = 0;
  if (size !== undefined) input.on('data', (chunk: Buffer | string) => (bytes += chunk.length));
  const store = await ctx.eventStore({ create: options.create });
  let result;
  try {
    result = await importLog({ store, input, onProgress: (events) => ctx.progress(size === undefined ? events : bytes, size, 'import') });
  } catch (error) {
    if (error instanceof ImportError) throw new CliError(`Import refused: ${error.message}`, error.line === undefined ? EXIT.FAILED : EXIT.DATA);
    throw error;
  } finally {
    if (path !== '-') input.destroy();
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
