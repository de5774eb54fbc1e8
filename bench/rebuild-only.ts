/**
 * Figure 4 (rebuild) alone, on a store that already exists, repeated: for profiling and for
 * before/after pairs without regenerating the history each time.
 *
 *   node --import @swc-node/register/esm-register bench/rebuild-only.ts --store DIR/events.db [--runs 3]
 *
 * Prints each run's rebuild, adapter-read and raw-read rates and the two ratios (rebuild ÷ raw
 * is issue 24's target figure, ≥ 0.7×).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { rebuildFigures } from './support/projection-figures.js';

const { values } = parseArgs({ options: { store: { type: 'string' }, runs: { type: 'string', default: '3' } } });
if (!values.store) throw new Error('--store <events.db> is required');
const work = mkdtempSync(join(tmpdir(), 'apl-rebuild-'));
try {
  for (let i = 0; i < Number(values.runs); i++) {
    const r = await rebuildFigures(values.store, work);
    process.stdout.write(
      `run ${i + 1}: ${r.events} events; rebuild ${Math.round(r.rebuild.rate)}/s (${r.rebuild.seconds.toFixed(2)} s, then ${r.rebuild.afterSeconds.toFixed(2)} s); ` +
        `readAll ${Math.round(r.adapterRead.rate)}/s; raw ${Math.round(r.rawRead.rate)}/s; ` +
        `rebuild ÷ readAll ${(r.rebuild.rate / r.adapterRead.rate).toFixed(2)}×; rebuild ÷ raw ${(r.rebuild.rate / r.rawRead.rate).toFixed(2)}×\n`,
    );
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
