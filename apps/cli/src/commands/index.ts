import type { CommandGroup } from './command.js';

/** Every command group of the CLI, in the order `--help` lists them. */
export const COMMAND_GROUPS: CommandGroup[] = [];
