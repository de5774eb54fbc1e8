// A sample implementation report from a generated season: `npm run report:sample [-- events seed outDir]`.
// Generates a reproducible history (test/support/history-generator.ts: the 2022–2023 plan, reports,
// corrections, retractions) into a fresh embedded store under outDir/data, then writes the US TIP
// year 1 April 2022 – 31 March 2023 as XLSX, CSV and DOCX into outDir with `ledger report`.
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SqliteEventStore, embeddedStoreFile } from '@app/event-store';
import { tipYear } from '@app/report';
import { generateHistory } from '../test/support/history-generator.js';
import { runCli } from '../apps/cli/src/cli.js';

const [eventsArg = '20000', seedArg = '7', outArg = 'sample-report'] = process.argv.slice(2);
const outDir = resolve(outArg);
const dataDir = join(outDir, 'data');
rmSync(outDir, { recursive: true, force: true });
mkdirSync(dataDir, { recursive: true });

const store = SqliteEventStore.open(embeddedStoreFile(dataDir));
const history = await generateHistory(store, { events: Number(eventsArg), seed: Number(seedArg) });
await store.close();
process.stdout.write(`generated ${history.events} events (${history.reports} reports) in ${dataDir}\n`);

process.env.DATA_DIR = dataDir;
const range = tipYear(2023);
for (const format of ['xlsx', 'csv', 'docx']) {
  const started = performance.now();
  const code = await runCli(['report', '--plan', 'hu-2022-2023', '--from', range.from, '--to', range.to, '--format', format, '--out', join(outDir, `tip-2023.${format}`)]);
  if (code !== 0) process.exit(code);
  process.stdout.write(`  (${format} in ${Math.round(performance.now() - started)} ms)\n`);
}
