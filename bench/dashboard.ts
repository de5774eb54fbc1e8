/**
 * Dashboard figures on a large store: the data of the overview and of a measure page (the exact
 * documents the dashboard sends, from apps/dashboard/src/api/queries.ts) at p50/p95/p99, and the
 * overview's first paint in headless Chromium. Issue 20's targets: data p95 ≤ 100 ms on a
 * 1,000,000-event store, first paint under 1 s.
 *
 *   node --import @swc-node/register/esm-register bench/generate.ts --events 1000000 --out /tmp/apl-1m
 *   npm run build:dashboard
 *   node --import @swc-node/register/esm-register bench/dashboard.ts --data /tmp/apl-1m [--requests 200]
 *
 * Requests are sequential (one client): the latency a coordinator's page waits for, not throughput.
 * Prints a markdown summary on stdout.
 */
import { parseArgs } from 'node:util';
import { EVENTS, OVERVIEW, measureQuery } from '../apps/dashboard/src/api/queries.js';
import { launchBrowser } from '../test/e2e/support/browser.js';
import { percentiles } from './support/load.js';
import { waitForProjections } from './support/projection-figures.js';
import { issueAuditorKey, issueCoordinatorKey, startServer } from './support/server-process.js';

const { values } = parseArgs({ options: { data: { type: 'string' }, requests: { type: 'string', default: '200' }, paints: { type: 'string', default: '7' } } });
if (!values.data) throw new Error('--data DIR: a store built by bench/generate.ts');
const requests = Number(values.requests);
const PLAN = 'hu-2022-2023';

const server = await startServer({ dataDir: values.data, startTimeoutMs: 600_000 });
try {
  const coordinator = await issueCoordinatorKey(server);
  const auditor = await issueAuditorKey(server);
  const caughtUp = await waitForProjections(server, coordinator, 1_800_000);
  const head = await server.gql<{ projectionStatus: Array<{ position: string }> }>('{ projectionStatus { position } }', {}, coordinator);
  const timed = async (query: string, variables: Record<string, unknown>, key: string) => {
    for (let i = 0; i < 5; i++) await server.gql(query, variables, key);
    const latencies: number[] = [];
    for (let i = 0; i < requests; i++) {
      const started = performance.now();
      await server.gql(query, variables, key);
      latencies.push(performance.now() - started);
    }
    return percentiles(latencies);
  };
  const rows: Array<[string, ReturnType<typeof percentiles>]> = [
    ['overview (planProgress, fundingSummary, overdueMeasures)', await timed(OVERVIEW, { planId: PLAN, asOf: null, at: null }, coordinator)],
    ['measure page II.1.3 (indicators by quarter and agency, money)', await timed(measureQuery(true), { code: 'II.1.3', planId: PLAN, asOf: null, at: null, granularity: 'QUARTER' }, coordinator)],
    ['measure page history II.1.3 (auditors: 200 newest events)', await timed(EVENTS, { first: 200, order: 'NEWEST_FIRST', filter: { measureCode: 'II.1.3' } }, auditor)],
  ];

  // First paint: a signed-in tab (key in sessionStorage) opening the overview, cold each time.
  const browser = await launchBrowser();
  const paints: Array<{ fcp: number; figures: number }> = [];
  try {
    for (let i = 0; i < Number(values.paints); i++) {
      const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
      await context.addInitScript((key) => window.sessionStorage.setItem('apl.dashboard.key', key), coordinator);
      const page = await context.newPage();
      await page.goto(`${new URL(server.url).origin}/dashboard/`);
      await page.getByTestId('key-figures').waitFor({ timeout: 120_000 });
      const figures = await page.evaluate(() => performance.now());
      const fcp = await page.evaluate(() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? Number.NaN);
      paints.push({ fcp, figures });
      await context.close();
    }
  } finally {
    await browser.close();
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const ms = (x: number) => `${x.toFixed(1)} ms`;

  const out = [
    `Store: ${values.data}, head position ${head.projectionStatus[0]?.position ?? '?'}; projections caught up in ${(caughtUp / 1000).toFixed(1)} s after start.`,
    `${requests} sequential requests per row after 5 warm-ups, COORDINATOR key (history: AUDITOR).`,
    '',
    '| data of | p50 | p95 | p99 | max |',
    '| --- | --- | --- | --- | --- |',
    ...rows.map(([name, p]) => `| ${name} | ${ms(p.p50)} | ${ms(p.p95)} | ${ms(p.p99)} | ${ms(p.max)} |`),
    '',
    `Overview in headless Chromium, cold context, ${paints.length} loads (median): first contentful paint ${ms(median(paints.map((p) => p.fcp)))}, ` +
      `key figures on screen ${ms(median(paints.map((p) => p.figures)))} after navigation start (max ${ms(Math.max(...paints.map((p) => p.figures)))}).`,
  ];
  process.stdout.write(`${out.join('\n')}\n`);
} finally {
  await server.stop();
}
