import type { Command } from 'commander';
import { APP_VERSION } from '@app/config';
import { embeddedStoreFile } from '@app/event-store';
import { type CliContext, CliError, EXIT } from '../cli-context.js';
import type { CommandGroup } from './command.js';

/** A connection string without its password (esdb://user:secret@host → esdb://user:***@host). */
export function withoutPassword(connection: string): string {
  return connection.replace(/^([a-z+]+:\/\/[^:/@]+:)[^@]*@/i, '$1***@');
}

/** `ledger status`: which store the configuration points at, and whether it answers. */
export async function statusCommand(ctx: CliContext): Promise<number> {
  const config = ctx.config;
  const location = config.eventStoreConnectionString ? withoutPassword(config.eventStoreConnectionString) : embeddedStoreFile(config.dataDir);
  let store;
  try {
    store = await ctx.eventStore();
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`The event store at ${location} is unavailable: ${(error as Error).message}`, EXIT.UNAVAILABLE);
  }
  let head: bigint;
  try {
    head = await store.headPosition();
  } catch (error) {
    throw new CliError(`The event store at ${location} does not answer: ${(error as Error).message}`, EXIT.UNAVAILABLE);
  }
  ctx.result(
    { version: APP_VERSION, nodeEnv: config.nodeEnv, dataDir: config.dataDir, store: { kind: store.kind, location, headPosition: head } },
    [
      `Action Plan Ledger ${APP_VERSION} (${config.nodeEnv})`,
      `store: ${store.kind} at ${location}`,
      `head position: ${head}`,
      `data directory: ${config.dataDir}`,
    ].join('\n'),
  );
  return EXIT.OK;
}

export const statusCommands: CommandGroup = {
  register(program: Command, run) {
    program
      .command('status')
      .description('Show the configured event store (kind, location) and its head position; exit 69 when it does not answer')
      .action(() => run((ctx) => statusCommand(ctx)));
  },
};
