import 'reflect-metadata';
import { Command, CommanderError } from 'commander';
import { APP_VERSION, ConfigError } from '@app/config';
import { CliContext, CliError, EXIT } from './cli-context.js';
import { COMMAND_GROUPS } from './commands/index.js';

/**
 * `ledger`: operator commands for Action Plan Ledger. Every command prints human output by
 * default and JSON with --json, and exits 0 on success (see EXIT for the other codes).
 */
export async function runCli(argv: readonly string[]): Promise<number> {
  const program = new Command('ledger')
    .description('Action Plan Ledger operator commands. Configuration comes from the environment (see .env.example).')
    .version(APP_VERSION)
    .option('--json', 'print machine-readable JSON')
    .showHelpAfterError()
    .exitOverride();

  let exitCode: number = EXIT.OK;
  const run = async (action: (ctx: CliContext) => Promise<number>) => {
    const ctx = new CliContext(Boolean(program.opts().json));
    try {
      exitCode = await action(ctx);
    } catch (error) {
      if (error instanceof CliError) {
        ctx.error(error.message);
        exitCode = error.exitCode;
      } else if (error instanceof ConfigError) {
        ctx.error(error.message);
        exitCode = EXIT.CONFIG;
      } else {
        throw error;
      }
    } finally {
      await ctx.close();
    }
  };
  for (const group of COMMAND_GROUPS) group.register(program, run);

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help'
        ? EXIT.OK
        : EXIT.USAGE;
    }
    throw error;
  }
  return exitCode;
}

process.exitCode = await runCli(process.argv.slice(2));
