/**
 * The floor of bulk ingest (issue 18): the CPU per report of the steps the required stack makes
 * mandatory for each report of a `recordReports` request, each measured on its own in this process,
 * beside the bench's raw better-sqlite3 row (512 events per transaction) in the same run:
 *
 * 1. the request's JSON parsed (10,000 reports in one body);
 * 2. GraphQL coercion of the variables — the `@oneOf` ReportInput list — as execution does it
 *    (graphql-js coerceInputValue, on the schema the api serves: schema.gql);
 * 3. class-validator on the row's input class (the generated RecordTrainingDeliveredInput), as
 *    the bulk service does it (toInputInstance + validateSync);
 * 4. the report decider's decide on a new stream (no fold);
 * 5. one append with its chain link: SqliteEventStore.appendMany of one-event parts, 5,000 per
 *    call, no subscriber (the projections and the chain follower are the log's consumers, not
 *    the write's).
 *
 * `node --import @swc-node/register/esm-register bench/bulk-floor.ts [--rounds N]`; prints a
 * Markdown table. The sum is what a report costs the api's one JavaScript thread at the least,
 * before Apollo, Nest, the summary and the log consumers running in the same process.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import 'reflect-metadata';
import { validateSync } from 'class-validator';
import { buildSchema, coerceInputValue, type GraphQLInputType } from 'graphql';
import { type ReportCommand, decideReport } from '@app/domain';
import { NO_STREAM, SqliteEventStore } from '@app/event-store';
import { BULK_MEMBER_BY_NAME } from '../apps/api/src/reporting/bulk/bulk-inputs.js';
import { toInputInstance } from '../apps/api/src/reporting/bulk/input-instance.js';
import { rememberRuleLookups } from '../apps/api/src/common/validation.js';
import { machineInfo } from './support/machine.js';
import { rawSqliteAppends, trainingEvent } from './support/raw-store.js';

const { values: args } = parseArgs({ options: { rounds: { type: 'string', default: '5' } } });
const ROUNDS = Number(args.rounds);
const ROWS = 10_000;

/** CPU µs per item of `run` over `items` items, the best of ROUNDS rounds after one warm-up. */
function cpuPerItem(items: number, run: (round: number) => void): number {
  let best = Number.POSITIVE_INFINITY;
  for (let round = -1; round < ROUNDS; round++) {
    const before = process.cpuUsage();
    run(round);
    const used = process.cpuUsage(before);
    if (round >= 0) best = Math.min(best, (used.user + used.system) / items);
  }
  return best;
}

const report = (tag: string, i: number) => ({
  trainingDelivered: { measureCode: 'II.1.3', reportId: `floor-${tag}-${i}`, occurredOn: '2023-05-02', title: 'Border control course', participants: 12 + (i % 20), days: 1 },
});

async function main(): Promise<void> {
  const rawCpu0 = process.cpuUsage();
  const raw = await rawSqliteAppends(512, 3, 500_000);
  const rawCpu = process.cpuUsage(rawCpu0);
  const rawPerEvent = (rawCpu.user + rawCpu.system) / raw.events;

  const body = JSON.stringify({ query: 'mutation ($input: RecordReportsInput!) { recordReports(input: $input) { status } }', variables: { input: { reports: Array.from({ length: ROWS }, (_, i) => report('json', i)) } } });
  const parse = cpuPerItem(ROWS, () => void JSON.parse(body));

  const schema = buildSchema(readFileSync('schema.gql', 'utf8'));
  const inputType = schema.getType('RecordReportsInput') as GraphQLInputType;
  const variables = (JSON.parse(body) as { variables: { input: unknown } }).variables.input;
  let coercionErrors = 0;
  const coerce = cpuPerItem(ROWS, () => void coerceInputValue(variables, inputType, () => coercionErrors++));
  if (coercionErrors > 0) throw new Error(`${coercionErrors} coercion errors`);

  rememberRuleLookups();
  const member = BULK_MEMBER_BY_NAME.get('trainingDelivered')!;
  const inputs = Array.from({ length: ROWS }, (_, i) => report('cv', i).trainingDelivered);
  let violations = 0;
  const validate = cpuPerItem(ROWS, () => {
    for (const input of inputs) violations += validateSync(toInputInstance(member.InputClass as new () => object, input), { forbidUnknownValues: true }).length;
  });
  if (violations > 0) throw new Error(`${violations} violations`);

  const ctx = {
    today: '2026-11-30',
    measure: { planId: 'hu-2022-2023', measureCode: 'II.1.3', period: { from: '2022-01-01', to: '2023-12-31' }, countedTypes: ['TrainingDelivered'], hasFunding: false },
    period: () => undefined,
  };
  const commands: ReportCommand[] = inputs.map((input) => ({
    kind: 'record',
    type: 'TrainingDelivered',
    agencyId: 'ministry-of-interior',
    reportId: input.reportId,
    occurredOn: input.occurredOn,
    details: { title: input.title, participants: input.participants, days: input.days },
  }));
  const decide = cpuPerItem(ROWS, () => {
    for (const command of commands) decideReport(command, { status: 'absent' }, ctx);
  });

  const appendOnly = await measureAppendOnly();

  const steps: Array<[string, number]> = [
    ['request JSON parsed (10,000 reports per body)', parse],
    ['GraphQL coercion of the `@oneOf` ReportInput (graphql-js coerceInputValue)', coerce],
    ['class-validator on RecordTrainingDeliveredInput (toInputInstance + validateSync)', validate],
    ['decide on a new stream (decideReport)', decide],
    ['one append with its chain link (SqliteEventStore.appendMany, 5,000 one-event parts per call)', appendOnly],
  ];
  const floor = steps.reduce((sum, [, us]) => sum + us, 0);
  const lines = [
    `## Bulk ingest floor — ${new Date().toISOString().slice(0, 16)} UTC, \`bench/bulk-floor.ts\``,
    '',
    `Machine: ${JSON.stringify(machineInfo())}. Load average at the end: ${loadavg().map((l) => l.toFixed(2)).join(' / ')}. CPU µs per report, best of ${ROUNDS} rounds.`,
    '',
    '| step | CPU per report |',
    '| --- | --- |',
    ...steps.map(([name, us]) => `| ${name} | ${us.toFixed(1)} µs |`),
    `| **floor: the sum** | **${floor.toFixed(1)} µs** → at most ${Math.round(1e6 / floor).toLocaleString('en-US')} reports/s on one thread |`,
    `| raw better-sqlite3, 512 events per transaction | ${rawPerEvent.toFixed(1)} µs per event (${Math.round(raw.rate).toLocaleString('en-US')} events/s) |`,
    `| 0.5× the raw row | ${(2 * rawPerEvent).toFixed(1)} µs per report; the floor is ${(floor / rawPerEvent).toFixed(2)}× raw's per event, so at best ${(rawPerEvent / floor).toFixed(2)}× raw |`,
    '',
  ];
  process.stdout.write(lines.join('\n'));
}

/** The append alone: parts made before the clock starts, CPU of appendMany only. */
async function measureAppendOnly(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'apl-bench-floor-'));
  const store = SqliteEventStore.open(join(dir, 'events.db'));
  const PER_CALL = 5_000;
  let best = Number.POSITIVE_INFINITY;
  try {
    for (let round = -1; round < ROUNDS; round++) {
      const parts = Array.from({ length: PER_CALL }, (_, i) => {
        const { stream, event } = trainingEvent(`floor-${round}-${i}`);
        return { stream, expected: NO_STREAM, events: [event] };
      });
      const before = process.cpuUsage();
      await store.appendMany(parts);
      const used = process.cpuUsage(before);
      if (round >= 0) best = Math.min(best, (used.user + used.system) / PER_CALL);
    }
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return best;
}

await main();
