import type { CommandGroup } from './command.js';
import { planCommands } from './plan.command.js';
import { keysCommands } from './keys.command.js';
import { statusCommands } from './status.command.js';
import { replayCommands } from './replay.command.js';
import { verifyCommands } from './verify.command.js';
import { exportCommands } from './export.command.js';
import { importCommands } from './import.command.js';
import { reportCommands } from './report.command.js';
import { reportsCommands } from './reports.command.js';
import { agenciesCommands } from './agencies.command.js';

/** Every command group of the CLI, in the order `--help` lists them. */
export const COMMAND_GROUPS: CommandGroup[] = [planCommands, agenciesCommands, keysCommands, statusCommands, replayCommands, verifyCommands, exportCommands, importCommands, reportCommands, reportsCommands];
