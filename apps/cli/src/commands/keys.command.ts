import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { BadUserInputError, type ApiKeyInfo, KeyRegistry, KeyService, KeyUsageLog, NotFoundError, keyUsageFile } from '@app/auth';
import type { EventStore } from '@app/event-store';
import { PlanCatalog } from '@app/plan';
import { type CliContext, CliError, EXIT } from '../cli-context.js';
import type { CommandGroup } from './command.js';

/** Who the key events record as acting: `cli:<os user>` unless --principal says otherwise. */
function defaultPrincipal(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'cli';
  }
}

/** The key service over the configured store, with the plan register for agency checks. */
async function withKeys<T>(ctx: CliContext, action: (keys: KeyService, registry: KeyRegistry) => Promise<T>, create = false): Promise<T> {
  const store: EventStore = await ctx.eventStore({ create });
  const registry = new KeyRegistry(store);
  await registry.catchUp();
  const catalog = new PlanCatalog(store);
  await catalog.start();
  try {
    return await action(new KeyService(store, registry, catalog), registry);
  } catch (error) {
    if (error instanceof BadUserInputError) throw new CliError(error.message, EXIT.USAGE);
    if (error instanceof NotFoundError) throw new CliError(error.message, EXIT.FAILED);
    throw error;
  } finally {
    await catalog.stop();
  }
}

/** `ledger keys issue`: prints the key once. */
export async function issueKeyCommand(
  ctx: CliContext,
  options: { role: string; agency?: string; label: string; principal?: string; create?: boolean },
): Promise<number> {
  return withKeys(
    ctx,
    async (keys) => {
      const issued = await keys.issue(
        { role: options.role, agencyId: options.agency, label: options.label },
        options.principal ?? defaultPrincipal(),
      );
      ctx.result(
        { ...issued, position: issued.position.toString() },
        [
          `Issued ${issued.role} key ${issued.keyId}${issued.agencyId ? ` for ${issued.agencyId}` : ''} (${issued.label}):`,
          '',
          `  ${issued.key}`,
          '',
          'Store this key now: it will not be shown again (only its hash is kept).',
          'Clients send it as the header  Authorization: Bearer <key>',
        ].join('\n'),
      );
      return EXIT.OK;
    },
    options.create,
  );
}

/** `ledger keys revoke <keyId>`: in force for a running api within its polling interval. */
export async function revokeKeyCommand(ctx: CliContext, keyId: string, options: { reason: string; principal?: string }): Promise<number> {
  return withKeys(ctx, async (keys) => {
    const info = await keys.revoke(keyId, options.reason, options.principal ?? defaultPrincipal());
    ctx.result(info, `Revoked key ${info.keyId} (${info.role}${info.agencyId ? ` ${info.agencyId}` : ''}, ${info.label}): ${info.revokedReason}`);
    return EXIT.OK;
  });
}

/** A key as `keys list` shows it: the key's events, and its last use as the api recorded it. */
export type ListedKey = ApiKeyInfo & { readonly lastUsedAt: string | null };

const day = (instant: string | null | undefined) => instant?.slice(0, 10) ?? '-';

/** Rows under a header, each column as wide as its widest cell; the last column is not padded. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: readonly string[]) => cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ');
  return [header, ...rows].map(line).join('\n');
}

/**
 * `ledger keys list`: every key ever issued (never the secret or its hash), with the day it was
 * issued, its status and the day it was last used — from `<DATA_DIR>/key-usage.db`, which the api
 * writes every minute ("-" when it never recorded a use).
 */
export async function listKeysCommand(ctx: CliContext): Promise<number> {
  return withKeys(ctx, async (keys) => {
    const usage = KeyUsageLog.read(keyUsageFile(ctx.config.dataDir));
    const list: ListedKey[] = keys.list().map((key) => ({ ...key, lastUsedAt: usage.get(key.keyId) ?? null }));
    const rows = list.map((key) => [
      key.keyId,
      key.role,
      key.agencyId ?? '-',
      key.active ? 'active' : `revoked ${day(key.revokedAt)}`,
      day(key.issuedAt),
      day(key.lastUsedAt),
      key.label,
    ]);
    ctx.result(list, list.length === 0 ? 'No API keys issued yet.' : table(['KEY ID', 'ROLE', 'AGENCY', 'STATUS', 'ISSUED', 'LAST USED', 'LABEL'], rows));
    return EXIT.OK;
  });
}

export const keysCommands: CommandGroup = {
  register(program: Command, run) {
    const keys = program.command('keys').description('Issue, list and revoke API keys (docs/security.md)');
    keys
      .command('issue')
      .description('Issue an API key and print it once')
      .requiredOption('--role <role>', 'agency | coordinator | auditor | admin')
      .option('--agency <id>', 'for --role agency: the agency id of the plan register the key reports for')
      .requiredOption('--label <text>', 'whose system or person the key is for, e.g. "MoI reporting system"')
      .option('--principal <id>', 'who is recorded as issuing it (default cli:<os user>)')
      .option('--create', 'create the embedded store in DATA_DIR when it does not exist yet (else exit 69)')
      .action((options: { role: string; agency?: string; label: string; principal?: string; create?: boolean }) =>
        run((ctx) => issueKeyCommand(ctx, options)),
      );
    keys
      .command('revoke')
      .argument('<keyId>', 'the key id (the part after apl_, before the next _)')
      .requiredOption('--reason <text>', 'why it is revoked')
      .option('--principal <id>', 'who is recorded as revoking it (default cli:<os user>)')
      .description('Revoke an API key; a running api refuses it within a second')
      .action((keyId: string, options: { reason: string; principal?: string }) => run((ctx) => revokeKeyCommand(ctx, keyId, options)));
    keys
      .command('list')
      .description('List every API key ever issued, with the days it was issued and last used (never the secret or its hash)')
      .action(() => run((ctx) => listKeysCommand(ctx)));
  },
};
