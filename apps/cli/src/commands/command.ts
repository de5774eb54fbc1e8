import type { Command } from 'commander';
import type { CliContext } from '../cli-context.js';

/**
 * A group of CLI commands (e.g. `plan validate`, `plan load`). Each group registers its
 * subcommands on the program; an action returns the exit code.
 */
export interface CommandGroup {
  register(program: Command, run: (action: (ctx: CliContext) => Promise<number>) => Promise<void>): void;
}
