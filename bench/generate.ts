/**
 * Builds a store with a realistic history of the 2022–2023 plan (test/support/history-generator.ts).
 *
 *   node --import @swc-node/register/esm-register bench/generate.ts --events 1000000 --out /tmp/apl-1m
 *
 * Options:
 *   --events N        total events, the plan adoption included (default 1,000,000)
 *   --out DIR         the data directory; the store is DIR/events.db, which must not hold events yet
 *   --seed S          default 1
 *   --mode M          bulk (default: better-sqlite3 transactions of --batch rows) or append
 *                     (EventStore.append with --concurrency appends in flight, group commit)
 *   --concurrency C   append mode, default 512
 *   --batch B         bulk mode, default 10,000
 *
 * The api started with DATA_DIR=DIR serves that history (the plan is already adopted).
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SqliteEventStore, embeddedStoreFile } from '@app/event-store';
import { type HistoryOptions, type HistoryProgress, type HistoryResult, generateHistory, generateHistoryBulk } from '../test/support/history-generator.js';

export type GenerateMode = 'bulk' | 'append';

/** Builds the history in `dataDir` (created when absent). */
export async function generateStore(
  dataDir: string,
  options: HistoryOptions & { readonly mode?: GenerateMode },
): Promise<HistoryResult & { readonly file: string }> {
  mkdirSync(dataDir, { recursive: true });
  const file = embeddedStoreFile(dataDir);
  if ((options.mode ?? 'bulk') === 'bulk') return { ...(await generateHistoryBulk(file, options)), file };
  const store = SqliteEventStore.open(file);
  try {
    return { ...(await generateHistory(store, options)), file };
  } finally {
    await store.close();
  }
}

export function progressPrinter(label: string): (p: HistoryProgress) => void {
  return (p) => {
    const rate = p.written / (p.elapsedMs / 1000);
    process.stderr.write(`${label}: ${p.written.toLocaleString('en')}/${p.total.toLocaleString('en')} events, ${(p.elapsedMs / 1000).toFixed(1)} s, ${Math.round(rate).toLocaleString('en')} events/s\n`);
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      events: { type: 'string', default: '1000000' },
      out: { type: 'string' },
      seed: { type: 'string', default: '1' },
      mode: { type: 'string', default: 'bulk' },
      concurrency: { type: 'string', default: '512' },
      batch: { type: 'string', default: '10000' },
    },
  });
  if (!values.out) throw new Error('--out <dir> is required');
  const mode = values.mode as GenerateMode;
  if (mode !== 'bulk' && mode !== 'append') throw new Error('--mode must be bulk or append');
  const events = Number(values.events.replaceAll('_', ''));
  const result = await generateStore(resolve(values.out), {
    events,
    seed: Number(values.seed),
    mode,
    concurrency: Number(values.concurrency),
    batchSize: Number(values.batch),
    onProgress: progressPrinter(mode),
    progressEvery: Math.max(10_000, Math.round(events / 10)),
  });
  const seconds = result.elapsedMs / 1000;
  process.stdout.write(
    `${JSON.stringify(
      {
        file: result.file,
        mode,
        events: result.events,
        reports: result.reports,
        corrections: result.corrections,
        retractions: result.retractions,
        headPosition: result.headPosition.toString(),
        commits: result.commits,
        seconds: Number(seconds.toFixed(2)),
        eventsPerSecond: Math.round(result.events / seconds),
      },
      null,
      2,
    )}\n`,
  );
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('bench/generate.ts')) {
  await main();
}
