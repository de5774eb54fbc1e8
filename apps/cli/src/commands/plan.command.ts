import { relative } from 'node:path';
import type { Command } from 'commander';
import {
  type PlanFile,
  PlanFileError,
  PlanLoadConflictError,
  describePlanChange,
  formatPlanError,
  loadPlan,
  loadPlanFile,
  planStats,
} from '@app/plan';
import { type CliContext, CliError, EXIT } from '../cli-context.js';
import type { CommandGroup } from './command.js';

/** Reads a plan file; a file that cannot be read at all is EX_NOINPUT (66). */
async function readPlanFile(path: string): Promise<PlanFile> {
  try {
    return await loadPlanFile(path);
  } catch (error) {
    if (error instanceof PlanFileError) throw new CliError(error.message, EXIT.NO_INPUT);
    throw error;
  }
}

function summary(file: PlanFile & { plan: NonNullable<PlanFile['plan']> }): string {
  const s = planStats(file.plan);
  return `${file.plan.id}, ${s.pillars} pillars, ${s.objectives} objectives, ${s.measures} measures, ${s.indicators} indicators`;
}

function invalid(ctx: CliContext, path: string, file: PlanFile): number {
  const count = `${file.errors.length} error${file.errors.length === 1 ? '' : 's'}`;
  ctx.result(
    { valid: false, file: path, sha256: file.sha256, errors: file.errors },
    [...file.errors.map(formatPlanError), `INVALID: ${path}: ${count}`].join('\n'),
  );
  return EXIT.FAILED;
}

/** `ledger plan validate <file>`: 0 when valid, 1 with every error when not, 66 when unreadable. */
export async function validatePlanCommand(ctx: CliContext, path: string): Promise<number> {
  const file = await readPlanFile(path);
  if (!file.plan) return invalid(ctx, path, file);
  ctx.result(
    { valid: true, file: path, sha256: file.sha256, planId: file.plan.id, stats: planStats(file.plan) },
    `OK: ${summary({ ...file, plan: file.plan })}`,
  );
  return EXIT.OK;
}

/**
 * `ledger plan load <file>`: validates, then makes the configured store's plan equal to the
 * file — adopted (new plan), amended (one event with exactly the differences) or unchanged.
 */
export async function loadPlanCommand(ctx: CliContext, path: string, options: { principal?: string; create?: boolean } = {}): Promise<number> {
  const file = await readPlanFile(path);
  if (!file.plan) return invalid(ctx, path, file);
  const store = await ctx.eventStore({ create: options.create });
  // The file name as the operator gave it, relative to where they ran the command.
  const sourceFile = relative(process.cwd(), file.file) || file.file;
  let result;
  try {
    result = await loadPlan(store, file.plan, { principal: options.principal ?? 'cli', sourceFile, sha256: file.sha256 });
  } catch (error) {
    if (error instanceof PlanLoadConflictError) throw new CliError(error.message, EXIT.FAILED);
    throw error;
  }
  const at = result.position === undefined ? '' : ` at position ${result.position}`;
  let human: string;
  switch (result.outcome) {
    case 'adopted':
      human = `Adopted plan ${summary({ ...file, plan: file.plan })}${at}`;
      break;
    case 'amended':
      human = [
        `Amended plan ${result.planId}${at}: ${result.changes.length} change${result.changes.length === 1 ? '' : 's'}`,
        ...result.changes.map((change) => `  ${describePlanChange(change)}`),
      ].join('\n');
      break;
    case 'unchanged':
      human = `Unchanged: the store already holds this version of plan ${result.planId}`;
      break;
    default: {
      const _: never = result.outcome;
      human = _;
    }
  }
  ctx.result({ file: path, sha256: file.sha256, ...result }, human);
  return EXIT.OK;
}

export const planCommands: CommandGroup = {
  register(program: Command, run) {
    const plan = program.command('plan').description('Validate plan files and load them into the event store (docs/plan-format.md)');
    plan
      .command('validate')
      .argument('<file>', 'the plan file (YAML)')
      .description('Check a plan file; prints a summary, or every error with its location (exit 1)')
      .action((file: string) => run((ctx) => validatePlanCommand(ctx, file)));
    plan
      .command('load')
      .argument('<file>', 'the plan file (YAML)')
      .option('--principal <id>', 'who is recorded as loading it', 'cli')
      .option('--create', 'create the embedded store in DATA_DIR when it does not exist yet (else exit 69)')
      .description('Validate a plan file, then adopt it, or record one amendment with exactly what changed; loading it again changes nothing')
      .action((file: string, options: { principal: string; create?: boolean }) => run((ctx) => loadPlanCommand(ctx, file, options)));
  },
};
