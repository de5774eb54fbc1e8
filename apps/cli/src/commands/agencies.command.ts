import type { Command } from 'commander';
import { PlanCatalog } from '@app/plan';
import { type CliContext, EXIT } from '../cli-context.js';
import type { CommandGroup } from './command.js';
import { table } from './keys.command.js';

/**
 * `ledger agencies`: the agency register of the plans in the store — the ids `keys issue --agency`
 * and the api accept, with names and kinds. Groups (e.g. "NGOs") are listed with their members;
 * keys are issued to the members.
 */
export async function agenciesCommand(ctx: CliContext): Promise<number> {
  const store = await ctx.eventStore();
  const catalog = new PlanCatalog(store);
  await catalog.start();
  try {
    const agencies = [...catalog.agencies()].sort((a, b) => a.id.localeCompare(b.id));
    ctx.result(
      agencies,
      agencies.length === 0
        ? 'No agencies: the store holds no plan yet (ledger plan load <file>).'
        : table(
            ['AGENCY ID', 'KIND', 'NAME'],
            agencies.map((a) => [a.id, a.kind, a.members?.length ? `${a.name} (group of ${a.members.join(', ')})` : a.name]),
          ),
    );
    return EXIT.OK;
  } finally {
    await catalog.stop();
  }
}

export const agenciesCommands: CommandGroup = {
  register(program: Command, run) {
    program
      .command('agencies')
      .description('List the agencies of the plan register: the ids keys and reports name, with their names')
      .action(() => run((ctx) => agenciesCommand(ctx)));
  },
};
