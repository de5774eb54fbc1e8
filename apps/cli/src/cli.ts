import { Command, CommanderError } from 'commander';
import { APP_VERSION, ConfigError } from '@app/config';
import { CliContext, CliError, EXIT } from './cli-context.js';
import { COMMAND_GROUPS } from './commands/index.js';
import type { CommandGroup } from './commands/command.js';

/** Where the CLI writes: stdout and stderr unless a test says otherwise. */
export interface CliIo {
  readonly out: NodeJS.WritableStream;
  readonly err: NodeJS.WritableStream;
}

const EXIT_HELP = [
  '',
  'Output: human-readable by default; --json prints one JSON document on stdout (for scripts).',
  'Configuration: environment variables, or ./.env (see .env.example).',
  '',
  'Exit codes:',
  `  ${EXIT.OK}   success`,
  `  ${EXIT.FAILED}   the command ran and found a problem (invalid plan, refused change, …)`,
  `  ${EXIT.USAGE}  usage error: unknown command or option, missing or bad argument`,
  `  ${EXIT.DATA}  bad input data`,
  `  ${EXIT.NO_INPUT}  an input file does not exist or cannot be read`,
  `  ${EXIT.UNAVAILABLE}  the event store is unavailable`,
  `  ${EXIT.CONFIG}  invalid configuration (the message names the variable)`,
].join('\n');

/**
 * The `ledger` program: every group of COMMAND_GROUPS (or `groups`) registered on one commander
 * program with --json, --version, help on every command and subcommand (-h, --help), and the
 * exit codes in `ledger --help`. `run` wraps each action (output context, errors → exit code).
 */
export function buildProgram(
  run: (action: (ctx: CliContext) => Promise<number>) => Promise<void>,
  io: CliIo,
  groups: readonly CommandGroup[] = COMMAND_GROUPS,
): Command {
  const program = new Command('ledger')
    .description('Action Plan Ledger operator commands. Configuration comes from the environment (see .env.example).')
    .version(APP_VERSION)
    .option('--json', 'print machine-readable JSON')
    .configureOutput({ writeOut: (text) => io.out.write(text), writeErr: (text) => io.err.write(text) })
    // Subcommands inherit these: --json shows in their help too; a usage error prints the help.
    .configureHelp({ showGlobalOptions: true, sortSubcommands: false })
    .showHelpAfterError()
    .exitOverride()
    .addHelpText('after', EXIT_HELP);
  for (const group of groups) group.register(program, run);
  return program;
}

/**
 * `ledger`: operator commands for Action Plan Ledger. Every command prints human output by
 * default and JSON with --json, and returns its exit code (see EXIT).
 */
export async function runCli(argv: readonly string[], io: CliIo = { out: process.stdout, err: process.stderr }): Promise<number> {
  let exitCode: number = EXIT.OK;
  let program: Command | undefined;
  const run = async (action: (ctx: CliContext) => Promise<number>) => {
    const ctx = new CliContext(Boolean(program?.opts().json), io.out, io.err);
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
  program = buildProgram(run, io);

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    // --help and --version exit 0; unknown commands or options, missing arguments: usage.
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    throw error;
  }
  return exitCode;
}
