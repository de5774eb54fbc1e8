/**
 * Where a rebuild's time goes, in CPU seconds of the main thread (wall clock on a shared machine
 * swings too much to compare): the adapter's read alone, read + fold (every coordinator
 * projection, nothing stored), and read + fold + store as replayProjections does it, and its state digests apart.
 *
 *   node --import @swc-node/register/esm-register bench/rebuild-phases.ts --store DIR/events.db [--runs 2]
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SqliteEventStore } from '@app/event-store';
import { COORDINATOR_PROJECTIONS, ProjectionRunner, ReadModelStore } from '@app/projections';

const { values } = parseArgs({ options: { store: { type: 'string' }, runs: { type: 'string', default: '2' } } });
if (!values.store) throw new Error('--store <events.db> is required');
const quiet = { log: () => {}, warn: () => {}, error: () => {} };
/** CPU seconds of the main thread (Linux: /proc; elsewhere the whole process, GC helpers included). */
const cpu = () => {
  try {
    const fields = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    // utime and stime, fields 14 and 15 of stat (11 and 12 after the command name), in clock ticks of 10 ms.
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  }
};
const work = mkdtempSync(join(tmpdir(), 'apl-phases-'));
const store = SqliteEventStore.open(values.store);
try {
  for (let run = 1; run <= Number(values.runs); run++) {
    let c = cpu();
    let n = 0;
    for await (const event of store.readAll()) if (event.position > 0n) n += 1;
    const read = cpu() - c;

    // Read + fold: the runner over a read-model file whose commit writes nothing.
    const readModels = ReadModelStore.open(join(work, `fold-${run}.db`), { fresh: true });
    readModels.commit = () => undefined;
    c = cpu();
    await new ProjectionRunner({ store, readModels, projections: COORDINATOR_PROJECTIONS, commitOnce: true, logger: quiet }).replay();
    const fold = cpu() - c;
    readModels.close();

    // What replayProjections does, with the digests (ledger replay's proof) timed apart.
    const stored = ReadModelStore.open(join(work, `replay-${run}.db`), { fresh: true });
    c = cpu();
    const wall = performance.now();
    const runner = new ProjectionRunner({ store, readModels: stored, projections: COORDINATOR_PROJECTIONS, commitOnce: true, logger: quiet });
    await runner.replay();
    const whole = cpu() - c;
    const wallS = (performance.now() - wall) / 1000;
    c = cpu();
    runner.digests();
    const digests = cpu() - c;
    stored.close();
    process.stdout.write(
      `run ${run}: ${n} events; CPU s: read ${read.toFixed(2)}, read+fold ${fold.toFixed(2)}, read+fold+store ${whole.toFixed(2)} (wall ${wallS.toFixed(2)}), then digests ${digests.toFixed(2)}; ` +
        `read ÷ (read+fold+store) ${(read / whole).toFixed(2)}×\n`,
    );
  }
} finally {
  await store.close();
  rmSync(work, { recursive: true, force: true });
}
