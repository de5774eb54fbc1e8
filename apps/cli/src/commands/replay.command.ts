import { join } from 'node:path';
import type { Command } from 'commander';
import { type RebuildProof, rebuildWithProof } from '@app/audit';
import { readModelsFile } from '@app/projections';
import { type CliContext, EXIT } from '../cli-context.js';
import type { CommandGroup } from './command.js';

/** Where `ledger replay` rebuilds by default: next to the live read models, never over them. */
export const rebuiltReadModelsFile = (dataDir: string) => join(dataDir, 'read-models.rebuilt.db');

function describe(proof: RebuildProof, seconds: string): string {
  const lines = [`Rebuilt ${proof.projections.length} projections from position 0 in ${seconds} s (${proof.events} events) into ${proof.files.join(', ')}`];
  for (const p of proof.projections) {
    const verdict = !p.live ? 'no live read model' : p.match ? '= live' : `DIFFERS: ${p.problem}`;
    lines.push(`  ${p.name.padEnd(10)} v${p.version}  position ${p.rebuilt.position}  sha256 ${p.rebuilt.digest.slice(0, 16)}…  ${verdict}`);
    for (const [model, m] of Object.entries(p.models ?? {})) if (!m.match) lines.push(`    read model ${model} differs`);
  }
  if (!proof.compared) lines.push('No live read models to compare with (the api keeps them in DATA_DIR/read-models.db).');
  else if (proof.ok) lines.push('OK: every projection equals its live read model at the same position.');
  else lines.push(`MISMATCH: ${proof.projections.filter((p) => !p.match).map((p) => p.name).join(', ')}`);
  return lines.join('\n');
}

/**
 * `ledger replay [--out file]`: rebuilds every projection from position 0 into a fresh file, up
 * to where the live read models (DATA_DIR/read-models.db) are, and compares digests: exit 0 when
 * all are equal (or there is nothing to compare with), 1 naming each projection that differs.
 */
export async function replayCommand(ctx: CliContext, options: { out?: string } = {}): Promise<number> {
  const store = await ctx.eventStore();
  const outFile = options.out ?? rebuiltReadModelsFile(ctx.config.dataDir);
  const proof = await rebuildWithProof({
    store,
    liveFile: readModelsFile(ctx.config.dataDir),
    outFile,
    onProgress: (position, until) => ctx.progress(Number(position), Number(until < 0n ? 0n : until), 'replay'),
  });
  ctx.result(proof, describe(proof, (proof.durationMs / 1000).toFixed(1)));
  return proof.ok ? EXIT.OK : EXIT.FAILED;
}

export const replayCommands: CommandGroup = {
  register(program: Command, run) {
    program
      .command('replay')
      .option('--out <file>', 'the file to rebuild into (default DATA_DIR/read-models.rebuilt.db)')
      .description('Rebuild every projection from position 0 into a fresh file and prove it equals the live read models (digests at the same position)')
      .action((options: { out?: string }) => run((ctx) => replayCommand(ctx, options)));
  },
};
