import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import type { Browser, Page } from 'playwright-core';
import { authHeader, issueTestKey } from './support/auth.js';
import { buildDashboard, eventually, launchBrowser, openSignedIn, screenshotPath } from './support/browser.js';
import { type GraphQLResponse, type TestApp, startTestApp } from './support/test-app.js';

/**
 * The dashboard in a real browser (headless Chromium) against a started api: sign-in, the
 * overview's figures, a measure's chart points, the point-in-time picker, live updates, status
 * reasons, assessments and reports, the implementation report's download, an agency's own view,
 * and that nothing is fetched from anywhere but the api. Screenshots go to test-output/dashboard/.
 */
/** Each test drives a browser on a machine shared with other builds: generous. */
const BROWSER_TIMEOUT = 180_000;

describe('dashboard in a browser (e2e)', () => {
  let t: TestApp;
  let origin: string;
  let browser: Browser;
  let keys: { coordinator: string; auditor: string; agency: string };
  let moi: Record<string, string>;
  let pmo: Record<string, string>;
  /** The position after the second II.3.9 capacity report (the point-in-time checks). */
  let secondHousePosition: string;
  const foreignRequests: string[] = [];

  const training = (reportId: string, occurredOn: string, participants: number) =>
    t.gql<{ recordTrainingDelivered: { position: string } }>(
      'mutation ($input: RecordTrainingDeliveredInput!) { recordTrainingDelivered(input: $input) { position } }',
      { input: { measureCode: 'II.1.3', reportId, occurredOn, title: 'Border control course', participants, days: 1 } },
      moi,
    );
  const house = (reportId: string, occurredOn: string, facilities: number) =>
    t.gql<{ recordCapacityCreated: { position: string } }>(
      'mutation ($input: RecordCapacityCreatedInput!) { recordCapacityCreated(input: $input) { position } }',
      { input: { measureCode: 'II.3.9', reportId, occurredOn, facilities, places: 4 * facilities, facilityKind: 'halfway house', location: 'Budapest' } },
      pmo,
    );
  const funds = (reportId: string, occurredOn: string, amount: string) =>
    t.gql('mutation ($input: RecordFundsDisbursedInput!) { recordFundsDisbursed(input: $input) { position } }', {
      input: { measureCode: 'II.3.9', reportId, occurredOn, amount, source: 'NATIONAL', purpose: 'Halfway house grant' },
    }, pmo);

  /** The data of a seeding mutation; its errors stop the suite (seeding is not what is tested). */
  function stored<T>(result: GraphQLResponse<T>): T {
    if (result.errors || !result.data) throw new Error(`seeding failed: ${JSON.stringify(result.errors)}`);
    return result.data;
  }

  const signedIn = (key: string, hash = ''): Promise<Page> =>
    openSignedIn(browser, origin, key, {
      hash,
      watch: (page) =>
        page.on('request', (request) => {
          const url = request.url();
          // blob: is the page's own memory (the report download hands its file over as one).
          if (!url.startsWith(origin) && !url.startsWith(origin.replace('http', 'ws')) && !url.startsWith('data:') && !url.startsWith('blob:')) foreignRequests.push(url);
        }),
    });

  /** The rows of a chart's data table: [label, ...cells]. */
  const chartRows = (page: Page, testId: string) =>
    page.getByTestId(testId).locator('table tbody tr').evaluateAll((rows) => rows.map((r) => [...r.children].map((c) => c.textContent?.trim() ?? '')));

  beforeAll(async () => {
    buildDashboard();
    t = await startTestApp();
    origin = new URL(t.url).origin;
    keys = {
      coordinator: await issueTestKey(t, { role: 'COORDINATOR' }),
      auditor: await issueTestKey(t, { role: 'AUDITOR' }),
      agency: await issueTestKey(t, { role: 'AGENCY', agencyId: 'ministry-of-interior' }),
    };
    moi = authHeader(keys.agency);
    pmo = authHeader(await issueTestKey(t, { role: 'AGENCY', agencyId: 'prime-ministers-office' }));
    // A season of reports, through the GraphQL API as agency systems send them.
    for (const [id, on, n] of [['moi-1', '2023-02-10', 10], ['moi-2', '2023-05-10', 24], ['moi-3', '2023-08-01', 6]] as const) {
      stored(await training(id, on, n));
    }
    stored(await house('pmo-h1', '2023-03-15', 1));
    secondHousePosition = stored(await house('pmo-h2', '2023-06-20', 1)).recordCapacityCreated.position;
    stored(await funds('pmo-f1', '2023-04-10', '5000000'));
    stored(await house('pmo-h3', '2023-11-05', 1));
    // A coordinator's judgement of II.1.3 after its deadline (2023-12-31): late, and how far it got.
    stored(
      await t.gql(
        'mutation ($input: AssessMeasureInput!) { assessMeasure(input: $input) { position } }',
        { input: { measureCode: 'II.1.3', assessmentId: 'nacs-1', level: 'LIMITED', asOf: '2024-01-10', narrative: 'Three of twelve trainings held', evidence: ['BM/7/2024'] } },
        authHeader(keys.coordinator),
      ),
    );
    browser = await launchBrowser();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close({ removeData: true });
  }, BROWSER_TIMEOUT);

  it('serves the app at /dashboard/ and redirects /dashboard there', async () => {
    const bare = await fetch(`${origin}/dashboard`, { redirect: 'manual' });
    expect(bare.status).toBe(301);
    expect(bare.headers.get('location')).toBe('/dashboard/');
    const page = await fetch(`${origin}/dashboard/`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<div id="root">');
    // Every script and stylesheet is the api's own.
    expect([...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]).filter((u) => !u.startsWith('/dashboard/'))).toEqual([]);
    expect((await fetch(`${origin}/dashboard/assets/no-such-file.js`)).status).toBe(404);
  }, BROWSER_TIMEOUT);

  it('signs in with a key and shows the overview with the season\'s figures', async () => {
    const signIn = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    await signIn.goto(`${origin}/dashboard/`);
    await signIn.getByLabel('API key').fill('apl_wrong_key');
    await signIn.getByRole('button', { name: 'Sign in' }).click();
    await expect(signIn.getByRole('alert').textContent()).resolves.toMatch(/did not accept/);
    await signIn.screenshot({ path: screenshotPath('dashboard', '0-sign-in'), fullPage: true });
    await signIn.close();

    const page = await signedIn(keys.coordinator);
    await page.getByTestId('key-figures').waitFor();
    const expected = await t.gql<{ planProgress: { measures: number; byStatus: Record<string, number>; meanProgress: number | null }; fundingSummary: { disbursed: string } }>(
      '{ planProgress(planId: "hu-2022-2023") { measures meanProgress byStatus { notStarted inProgress achieved overdue } } fundingSummary(planId: "hu-2022-2023") { disbursed } }',
      undefined,
      authHeader(keys.coordinator),
    );
    const card = async (id: string) => (await page.getByTestId(id).locator('.card-value').textContent())?.trim();
    const p = expected.data!.planProgress;
    expect(await card('kpi-measures')).toBe(String(p.measures));
    expect(await card('kpi-in_progress')).toBe(String(p.byStatus.inProgress));
    expect(await card('kpi-overdue')).toBe(String(p.byStatus.overdue));
    expect(await card('kpi-achieved')).toBe(String(p.byStatus.achieved));
    expect(await card('kpi-disbursed')).toBe('5,000,000');
    // Pillar II holds both measures reported on: its row counts them as not "not started".
    const pillars = await chartRows(page, 'chart-status-by-pillar');
    expect(pillars.map((r) => r[0])).toEqual(['I', 'II', 'III', 'IV']);
    const pillarTwo = pillars.find((r) => r[0] === 'II')!;
    expect(pillarTwo.slice(1).map(Number).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    await page.screenshot({ path: screenshotPath('dashboard', '1-overview'), fullPage: true });

    // Statuses on another date: the api evaluates them, the page shows its answer.
    const then = await t.gql<{ planProgress: { byStatus: Record<string, number> } }>(
      '{ planProgress(planId: "hu-2022-2023", asOf: "2023-06-30") { byStatus { notStarted inProgress achieved overdue } } }',
      undefined,
      authHeader(keys.coordinator),
    );
    await page.getByLabel('Status on').fill('2023-06-30');
    await page.getByRole('button', { name: 'Apply' }).click();
    const inProgress = String(then.data!.planProgress.byStatus.inProgress);
    expect(await eventually(() => card('kpi-in_progress'), inProgress)).toBe(inProgress);
    expect(await card('kpi-overdue')).toBe(String(then.data!.planProgress.byStatus.overdue));
    expect(await page.locator('.meta').textContent()).toContain('Statuses on 2023-06-30');
    // The README's picture (docs/dashboard-overview.png is a copy of it).
    await page.screenshot({ path: screenshotPath('dashboard', '1-overview-2023-06-30') });
    await page.close();
  }, BROWSER_TIMEOUT);

  it('draws a measure\'s indicator by period, by agency and its money, with the right points', async () => {
    const page = await signedIn(keys.coordinator, '#/measures/II.1.3');
    await page.getByTestId('chart-period-participants').waitFor();
    expect(await chartRows(page, 'chart-period-participants')).toEqual([
      ['2023-Q1', '10'],
      ['2023-Q2', '24'],
      ['2023-Q3', '6'],
    ]);
    expect(await chartRows(page, 'chart-period-trainings')).toEqual([
      ['2023-Q1', '1'],
      ['2023-Q2', '1'],
      ['2023-Q3', '1'],
    ]);
    expect(await chartRows(page, 'chart-agency-participants')).toEqual([['Ministry of Interior', '40']]);
    // The chart itself holds the same points as its table.
    const drawn = await page.getByTestId('chart-period-participants').locator('canvas').evaluate((c) => (c as HTMLCanvasElement).width > 0);
    expect(drawn).toBe(true);
    await page.selectOption('select:near(:text("By"))', 'YEAR');
    expect(await eventually(() => chartRows(page, 'chart-period-participants'), [['2023', '40']])).toEqual([['2023', '40']]);
    await page.screenshot({ path: screenshotPath('dashboard', '3-measure'), fullPage: true });

    await page.selectOption('select:near(:text("By"))', 'QUARTER');
    await page.goto(`${origin}/dashboard/#/measures/II.3.9`);
    await page.getByTestId('chart-money-by-year').waitFor();
    await page.getByTestId('chart-period-halfwayHouses').waitFor();
    expect(await chartRows(page, 'chart-period-halfwayHouses')).toEqual([
      ['2023-Q1', '1', '3'],
      ['2023-Q2', '1', '3'],
      ['2023-Q4', '1', '3'],
    ]);
    const money = await chartRows(page, 'chart-money-by-year');
    expect(money.find((r) => r[0] === '2023')).toEqual(['2023', 'HUF 12,000,000', 'HUF 5,000,000']);
    await page.close();
  }, BROWSER_TIMEOUT);

  it('shows every page as it stood at a position, and back to now', async () => {
    const page = await signedIn(keys.auditor, '#/measures/II.3.9');
    await page.getByTestId('chart-period-halfwayHouses').waitFor();
    expect(await page.getByTestId('indicator-halfwayHouses').getByTestId('indicator-value').textContent()).toBe('3');
    await page.locator('#tt-position').fill(secondHousePosition);
    await page.getByRole('button', { name: 'Apply' }).click();
    const before = [
      ['2023-Q1', '1', '3'],
      ['2023-Q2', '1', '3'],
    ];
    expect(await eventually(() => chartRows(page, 'chart-period-halfwayHouses'), before)).toEqual(before);
    expect(await page.getByTestId('indicator-halfwayHouses').getByTestId('indicator-value').textContent()).toBe('2');
    expect(await page.getByTestId('standing').textContent()).toContain(`after position ${secondHousePosition}`);
    // The money is replayed too: the disbursement came after that position.
    expect((await chartRows(page, 'chart-money-by-year')).find((r) => r[0] === '2023')?.[2]).toBe('HUF 0');
    // The history is cut at the same point.
    const positions = await page.getByTestId('history').locator('tbody tr td:first-child').allTextContents();
    expect(positions.length).toBe(2);
    expect(positions.every((p) => BigInt(p) <= BigInt(secondHousePosition))).toBe(true);
    await page.screenshot({ path: screenshotPath('dashboard', '4-measure-at-position'), fullPage: true });

    // The picker applies to every page: the overview's disbursed money as of then.
    await page.getByRole('link', { name: 'Overview' }).click();
    await page.getByTestId('key-figures').waitFor();
    expect((await page.getByTestId('kpi-disbursed').locator('.card-value').textContent())?.trim()).toBe('0');

    await page.getByRole('button', { name: 'Back to now' }).click();
    expect(await eventually(async () => (await page.getByTestId('kpi-disbursed').locator('.card-value').textContent())?.trim(), '5,000,000')).toBe('5,000,000');
    await page.close();
  }, BROWSER_TIMEOUT);

  // An agency's page too, for a measure it is responsible for: README promises its pages update live.
  it.each(['coordinator', 'agency'] as const)('shows a report posted meanwhile without a reload (%s)', async (who) => {
    const page = await signedIn(keys[who], '#/measures/II.1.3');
    await page.getByTestId('chart-period-participants').waitFor();
    // A marker on window survives only if the page is not reloaded.
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
    const q4 = async () => Number((await chartRows(page, 'chart-period-participants')).find((r) => r[0] === '2023-Q4')?.[1] ?? 0);
    const before = await q4();
    // graphql-ws acknowledges the connection before the server has registered the subscription,
    // so a report may come before it is listening: post one more (2 participants each) until the
    // page shows a push. A later push re-reads the measure, so the page then shows them all.
    let posted = 0;
    for (const until = Date.now() + 60_000; (await q4()) === before && Date.now() < until; ) {
      posted += 1;
      expect((await training(`moi-live-${who}-${posted}`, '2023-10-02', 2)).errors).toBeUndefined();
      await eventually(async () => (await q4()) > before, true, 2_000);
    }
    const now = [
      ['2023-Q1', '10'],
      ['2023-Q2', '24'],
      ['2023-Q3', '6'],
      ['2023-Q4', String(before + 2 * posted)],
    ];
    expect(await eventually(() => chartRows(page, 'chart-period-participants'), now)).toEqual(now);
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42);
    await page.close();
  }, BROWSER_TIMEOUT);

  it('lists measures, agencies and (for auditors) events; screenshots of each page', async () => {
    const page = await signedIn(keys.auditor, '#/measures');
    await page.getByTestId('measures').locator('tbody tr').first().waitFor();
    expect(await page.getByTestId('measures').locator('tbody tr').count()).toBe(46);
    await page.getByLabel('Search').fill('halfway');
    expect(await eventually(() => page.getByTestId('measures').locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-code'))), ['II.3.9'])).toEqual(['II.3.9']);
    await page.getByLabel('Search').fill('');
    await page.screenshot({ path: screenshotPath('dashboard', '2-measures'), fullPage: true });

    await page.getByRole('link', { name: 'Agencies' }).click();
    const moiRow = page.locator('tr[data-agency="ministry-of-interior"]');
    const activity = await t.gql<{ agencyActivity: { reports: number } }>('{ agencyActivity(agencyId: "ministry-of-interior") { reports } }', undefined, authHeader(keys.auditor));
    expect(activity.data!.agencyActivity.reports).toBeGreaterThanOrEqual(4);
    const reports = String(activity.data!.agencyActivity.reports);
    expect(await eventually(async () => (await moiRow.locator('td').first().textContent())?.trim(), reports)).toBe(reports);
    await page.screenshot({ path: screenshotPath('dashboard', '5-agencies'), fullPage: true });

    await page.getByRole('link', { name: 'Events' }).click();
    await page.getByTestId('events').locator('tbody tr').first().waitFor();
    await page.getByLabel('Measure').fill('II.3.9');
    await page.getByRole('button', { name: 'Filter' }).click();
    const types = ['CapacityCreated', 'FundsDisbursed', 'CapacityCreated', 'CapacityCreated'];
    expect(await eventually(() => page.getByTestId('events').locator('tbody tr td:nth-child(3)').allTextContents(), types)).toEqual(types);
    await page.screenshot({ path: screenshotPath('dashboard', '6-events'), fullPage: true });
    // A position in the log is a point to look at every page from.
    const oldest = page.getByTestId('events').locator('tbody tr').last().locator('td').first().getByRole('button');
    const position = (await oldest.textContent())!.trim();
    await oldest.click();
    expect(await page.getByTestId('standing').textContent()).toContain(`after position ${position}`);
    expect(await page.locator('#tt-position').inputValue()).toBe(position);
    await page.getByRole('button', { name: 'Back to now' }).click();
    await page.close();

    // An agency: its own measures with their status and why, no plan roll-ups, no picker.
    const agency = await signedIn(keys.agency);
    await agency.getByRole('heading', { name: 'Your measures' }).waitFor();
    const own = agency.getByTestId('own-measures').locator('tr[data-code="II.1.3"]');
    await own.locator('[data-reason]').waitFor();
    expect(await own.locator('[data-reason]').getAttribute('data-reason')).toBe('ASSESSED_LIMITED');
    expect(await agency.getByTestId('own-measures').locator('tr[data-code="II.3.9"]').count()).toBe(0);
    expect(await agency.getByTestId('standing').count()).toBe(0);
    await agency.screenshot({ path: screenshotPath('dashboard', '7-agency-overview'), fullPage: true });
    // Its measure's figures, assessments and its own reports.
    await agency.goto(`${origin}/dashboard/#/measures/II.1.3`);
    await agency.getByTestId('chart-period-participants').waitFor();
    await agency.getByTestId('assessments').waitFor();
    expect(await agency.getByTestId('reports').locator('tbody tr[data-report="moi-1"]').count()).toBe(1);
    // Another's measure: the plan's text, no figures (the api refuses them), and no error shown as such.
    await agency.goto(`${origin}/dashboard/#/measures/II.3.9`);
    await agency.getByText('its figures are the coordinators').waitFor();
    expect(await agency.getByTestId('chart-period-halfwayHouses').count()).toBe(0);
    expect(await agency.getByRole('heading', { name: 'Indicators' }).count()).toBe(1);
    await agency.close();
  }, BROWSER_TIMEOUT);

  it('says why each measure stands where it does, shows its assessments and reports, and the last report per measure', async () => {
    const coordinator = authHeader(keys.coordinator);
    const page = await signedIn(keys.coordinator, '#/measures/II.1.3');
    await page.getByTestId('assessments').waitFor();
    const answer = await t.gql<{ measure: { status: string; statusReason: string } }>('{ measure(code: "II.1.3") { status statusReason } }', undefined, coordinator);
    expect(answer.data!.measure).toEqual({ status: 'OVERDUE', statusReason: 'ASSESSED_LIMITED' });
    const reason = page.getByTestId('measure-status').locator('[data-reason]');
    expect(await reason.getAttribute('data-reason')).toBe('ASSESSED_LIMITED');
    expect(await reason.textContent()).toBe('Assessed: limited completion');
    const assessment = page.getByTestId('assessments').locator('li[data-assessment="nacs-1"]');
    expect(await assessment.textContent()).toContain('Limited as of 2024-01-10');
    expect(await assessment.textContent()).toContain('Three of twelve trainings held');
    expect(await assessment.textContent()).toContain('BM/7/2024');
    expect(await assessment.getAttribute('aria-current')).toBe('true');
    // Before its date the assessment is not in force, and the status has another reason.
    await page.getByLabel('Status on').fill('2023-06-30');
    await page.getByRole('button', { name: 'Apply' }).click();
    const earlier = await t.gql<{ measure: { statusReason: string } }>('{ measure(code: "II.1.3") { statusReason(asOf: "2023-06-30") } }', undefined, coordinator);
    expect(await eventually(() => reason.getAttribute('data-reason'), earlier.data!.measure.statusReason)).toBe(earlier.data!.measure.statusReason);
    expect(await assessment.getAttribute('aria-current')).toBeNull();
    await page.getByRole('button', { name: 'Back to now' }).click();
    // What was done: every report on the measure, as it now stands.
    const rows = page.getByTestId('reports').locator('tbody tr');
    expect(await eventually(async () => (await rows.evaluateAll((r) => r.map((x) => x.getAttribute('data-report')))).slice(0, 3), ['moi-1', 'moi-2', 'moi-3'])).toEqual(['moi-1', 'moi-2', 'moi-3']);
    expect(await rows.first().textContent()).toContain('Border control course');
    await page.screenshot({ path: screenshotPath('dashboard', '3-measure-assessed'), fullPage: true });

    // The table: the reason beside every status (the api's), and the date of the last report.
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Measures' }).click();
    const all = await t.gql<{ measures: Array<{ code: string; statusReason: string }> }>('{ measures { code statusReason } }', undefined, coordinator);
    const shown = async () =>
      page.getByTestId('measures').locator('tbody tr').evaluateAll((r) => r.map((x) => [x.getAttribute('data-code'), x.querySelector('[data-reason]')?.getAttribute('data-reason')]));
    const expected = Object.fromEntries(all.data!.measures.map((m) => [m.code, m.statusReason]));
    expect(await eventually(async () => Object.fromEntries(await shown()), expected)).toEqual(expected);
    expect(await eventually(async () => page.locator('tr[data-code="II.3.9"] [data-testid="last-report"]').textContent(), '2023-11-05')).toBe('2023-11-05');
    expect(await page.locator('tr[data-code="I.1.1"] [data-testid="last-report"]').textContent()).toBe('—');

    // The overview counts measures by reason, as planProgress does.
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Overview' }).click();
    await page.getByTestId('reasons').waitFor();
    const progress = await t.gql<{ planProgress: { byReason: Array<{ reason: string; measures: number }> } }>(
      '{ planProgress(planId: "hu-2022-2023") { byReason { reason measures } } }',
      undefined,
      coordinator,
    );
    const byReason = await page.getByTestId('reasons').locator('tbody tr').evaluateAll((r) => r.map((x) => [x.getAttribute('data-reason'), Number(x.querySelector('td')?.textContent)]));
    expect(Object.fromEntries(byReason)).toEqual(Object.fromEntries(progress.data!.planProgress.byReason.filter((r) => r.measures > 0).map((r) => [r.reason, r.measures])));
    await page.close();
  }, BROWSER_TIMEOUT);

  it('downloads the implementation report with the signed-in key, its figures those of the api', async () => {
    const page = await signedIn(keys.coordinator);
    await page.locator('summary', { hasText: 'Implementation report' }).click();
    await page.getByLabel('Format').selectOption('csv');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download' }).click()]);
    expect(download.suggestedFilename()).toBe('implementation-report_hu-2022-2023_2022-01-01_2023-12-31.csv');
    const rows = parse(readFileSync((await download.path())!, 'utf8'), { columns: true }) as Array<Record<string, string>>;
    const trainings = rows.find((r) => r.measure === 'II.1.3' && r.indicatorKey === 'trainings')!;
    // The range ends 2023-12-31: before the assessment's date, so the status is the figures' alone.
    const then = await t.gql<{ measure: { status: string; statusReason: string } }>(
      '{ measure(code: "II.1.3") { status(asOf: "2023-12-31") statusReason(asOf: "2023-12-31") } }',
      undefined,
      authHeader(keys.coordinator),
    );
    expect([trainings.status, trainings.statusReason, trainings.assessmentLevel]).toEqual([then.data!.measure.status, then.data!.measure.statusReason, '']);
    expect(rows.find((r) => r.measure === 'II.3.9' && r.indicatorKey === 'halfwayHouses')!.valueToDate).toBe('3');
    expect(await page.getByTestId('report-download-status').textContent()).toMatch(/^Downloaded implementation-report_.*\.csv \(ledger position \d+\)\.$/);

    // A later range: the assessment in force, and an XLSX too.
    await page.getByLabel('To', { exact: true }).fill('2024-01-31');
    await page.getByLabel('Format').selectOption('xlsx');
    const [xlsx] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download' }).click()]);
    expect(xlsx.suggestedFilename()).toBe('implementation-report_hu-2022-2023_2022-01-01_2024-01-31.xlsx');
    expect(readFileSync((await xlsx.path())!).subarray(0, 2).toString()).toBe('PK');
    // A bad range: the api's reason, shown.
    await page.getByLabel('From', { exact: true }).fill('2024-03-01');
    await page.getByRole('button', { name: 'Download' }).click();
    expect(await eventually(async () => /must not be before from/.test((await page.getByTestId('report-download-status').textContent()) ?? ''), true)).toBe(true);
    await page.close();
  }, BROWSER_TIMEOUT);

  it('serves GraphiQL from its own assets at GET /graphql when introspection is on, and not otherwise', async () => {
    // This app runs with NODE_ENV=test: introspection off, so no IDE page (Apollo answers the GET).
    const off = await fetch(`${origin}/graphql`, { headers: { accept: 'text/html' } });
    expect(await off.text()).not.toContain('id="graphiql"');

    const open = await startTestApp({ env: { GRAPHQL_INTROSPECTION: 'true' } });
    try {
      const openOrigin = new URL(open.url).origin;
      const html = await (await fetch(`${openOrigin}/graphql`, { headers: { accept: 'text/html' } })).text();
      expect(html).toContain('id="graphiql"');
      // A GraphQL GET with a query still goes to Apollo (refused there: CSRF prevention).
      const get = await fetch(`${openOrigin}/graphql?query=${encodeURIComponent('{ health { status } }')}`, { headers: { accept: 'application/json' } });
      expect(get.headers.get('content-type')).toContain('json');

      const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
      const requested: string[] = [];
      page.on('request', (request) => requested.push(request.url()));
      await page.goto(`${openOrigin}/graphql`);
      await page.locator('.graphiql-container').waitFor({ timeout: 60_000 });
      await page.screenshot({ path: screenshotPath('dashboard', '8-graphiql') });
      expect(requested.filter((url) => !url.startsWith(openOrigin) && !url.startsWith('data:') && !url.startsWith('blob:'))).toEqual([]);
      await page.close();
    } finally {
      await open.close({ removeData: true });
    }
  }, BROWSER_TIMEOUT);

  it('fetched nothing from anywhere but the api', () => {
    expect(foreignRequests).toEqual([]);
  });
});
