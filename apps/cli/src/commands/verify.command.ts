import type { Command } from 'commander';
import { ChainStore, auditChainFile, formatHead, parseHead, verifyChain } from '@app/audit';
import { type CliContext, CliError, EXIT } from '../cli-context.js';
import type { CommandGroup } from './command.js';

/**
 * `ledger verify [--head hash@position]`: recomputes the hash chain from the store and compares
 * it with the links the api stored as the log grew (DATA_DIR/audit-chain.db, when there) and
 * with a head recorded earlier. Exit 0 and the head when all agree; 1 and the first position
 * where they part (an event edited in place, a deleted event, another log) when not.
 */
export async function verifyCommand(ctx: CliContext, options: { head?: string } = {}): Promise<number> {
  const expected = options.head === undefined ? undefined : parseHead(options.head);
  if (options.head !== undefined && !expected) {
    throw new CliError(`--head must be hash@position or a hash (64 hexadecimal digits), as verify printed it (got "${options.head}")`, EXIT.USAGE);
  }
  const store = await ctx.eventStore();
  const chainFile = auditChainFile(ctx.config.dataDir);
  const chain = ChainStore.openExisting(chainFile);
  try {
    const result = await verifyChain({
      store,
      chain,
      head: expected,
      onProgress: (_events, position, head) => ctx.progress(Number(position), Number(head), 'verify'),
    });
    const head = formatHead(result.head);
    const notes = [
      chain ? `${result.linksCompared} stored links compared (${chainFile})` : `no stored links: ${chainFile} does not exist (the api writes it)`,
      ...(expected ? [result.expectedHead?.foundAt === undefined ? '' : `the given head is the chain at position ${result.expectedHead.foundAt}`] : []),
    ].filter(Boolean);
    const m = result.mismatch;
    ctx.result(
      { ...result, head, headHash: result.head.hash, chainFile: chain ? chainFile : null },
      m
        ? [`FAILED at position ${m.position} (${m.reason}): ${m.message}`, ...(m.expected ? [`  expected ${m.expected}`] : []), ...(m.actual ? [`  actual   ${m.actual}`] : []), `  chain verified up to ${head}`].join('\n')
        : [`OK: ${result.events} events, chain head ${head}`, ...notes.map((n) => `  ${n}`)].join('\n'),
    );
    return result.ok ? EXIT.OK : EXIT.FAILED;
  } finally {
    chain?.close();
  }
}

export const verifyCommands: CommandGroup = {
  register(program: Command, run) {
    program
      .command('verify')
      .option('--head <hash@position>', 'a chain head recorded earlier (or by `ledger export`): the log must still lead to it')
      .description('Recompute the hash chain over the whole log; report its head, or the first position where it differs from the stored links or the given head (exit 1)')
      .action((options: { head?: string }) => run((ctx) => verifyCommand(ctx, options)));
  },
};
