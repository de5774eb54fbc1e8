import type { Browser, Page } from 'playwright-core';
import { authHeader, issueTestKey } from './support/auth.js';
import { buildDashboard, eventually, goToHash, launchBrowser, openSignedIn, screenshotPath } from './support/browser.js';
import { type GraphQLResponse, type TestApp, startTestApp } from './support/test-app.js';

/**
 * What a fresh tester found on the dashboard, in a real browser (headless Chromium) against a
 * started api: money on a status date is the money paid by then (as the api's fundingSummary /
 * fundingStatus with asOf answer), a point before the plan's adoption is one sentence, the History
 * is written in the documents' words, instants name their zone and keep the milliseconds that
 * land on the same position, no page scrolls sideways at 390 px, and the agencies page says its
 * counts do not follow the status date. Screenshots go to test-output/dashboard-as-of/.
 */
const BROWSER_TIMEOUT = 240_000;
const PLAN = 'hu-2022-2023';
const MHC = 'ministry-of-human-capacities';
const MOI = 'ministry-of-interior';
const PHONE = { width: 390, height: 844 };

describe('dashboard on a status date and at a past point (e2e)', () => {
  let t: TestApp;
  let origin: string;
  let browser: Browser;
  let coordinator: string;
  let auditor: string;
  let moiKey: string;
  let adoptedAt: string;

  function stored<T>(result: GraphQLResponse<T>): T {
    if (result.errors || !result.data) throw new Error(`seeding failed: ${JSON.stringify(result.errors)}`);
    return result.data;
  }
  const api = async <T>(query: string, key = auditor): Promise<T> => stored(await t.gql<T>(query, {}, authHeader(key)));
  const funds = (reportId: string, occurredOn: string, amount: string) =>
    t.gql(
      'mutation ($input: RecordFundsDisbursedInput!) { recordFundsDisbursed(input: $input) { position } }',
      { input: { measureCode: 'II.3.3', reportId, occurredOn, amount, source: 'NATIONAL', purpose: 'Shelter construction' } },
      authHeader(mhcKey),
    );
  let mhcKey: string;

  /** Sets the picker's status date (and, for an auditor, a position) and applies it. */
  async function pick(page: Page, point: { asOf?: string; position?: string }) {
    if (point.position) await page.locator('#tt-position').fill(point.position);
    await page.getByLabel('Status on').fill(point.asOf ?? '');
    await page.getByRole('button', { name: 'Apply' }).click();
  }
  const scrollWidth = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth);

  beforeAll(async () => {
    buildDashboard();
    t = await startTestApp();
    origin = new URL(t.url).origin;
    coordinator = await issueTestKey(t, { role: 'COORDINATOR' });
    auditor = await issueTestKey(t, { role: 'AUDITOR' });
    mhcKey = await issueTestKey(t, { role: 'AGENCY', agencyId: MHC });
    moiKey = await issueTestKey(t, { role: 'AGENCY', agencyId: MOI });
    stored(await funds('fd-1', '2023-03-10', '132000000'));
    stored(await funds('fd-2', '2023-06-30', '95000000'));
    // A correction: the History writes it in the same words as the report it corrects.
    stored(
      await t.gql(
        'mutation ($input: CorrectFundsDisbursedInput!) { correctFundsDisbursed(input: $input) { position } }',
        { input: { reportId: 'fd-1', requestId: 'fd-1-fix-1', amount: '130000000', source: 'NATIONAL', purpose: 'Shelter construction', reason: 'Bank statement' } },
        authHeader(mhcKey),
      ),
    );
    for (const [reportId, occurredOn, participants] of [['moi-1', '2023-02-10', 10], ['moi-2', '2023-05-10', 24]] as const) {
      stored(
        await t.gql(
          'mutation ($input: RecordTrainingDeliveredInput!) { recordTrainingDelivered(input: $input) { position } }',
          { input: { measureCode: 'II.1.3', reportId, occurredOn, title: 'Border control course', participants, days: 1 } },
          authHeader(moiKey),
        ),
      );
    }
    const adoption = await api<{ events: { edges: Array<{ node: { position: string } }> } }>(
      `{ events(first: 1, filter: { stream: "plan-${PLAN}" }) { edges { node { position } } } }`,
    );
    adoptedAt = adoption.events.edges[0].node.position;
    browser = await launchBrowser();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close({ removeData: true });
  }, BROWSER_TIMEOUT);

  it('counts money on the status date as the api does, and flags over-disbursement only once it happened', async () => {
    const money = (asOf: string | null) =>
      api<{ fundingSummary: { disbursed: string; overDisbursedMeasures: string[] }; measure: { fundingStatus: { disbursed: string; overDisbursed: boolean } } }>(
        `{ fundingSummary(planId: "${PLAN}"${asOf ? `, asOf: "${asOf}"` : ''}) { disbursed overDisbursedMeasures }
           measure(code: "II.3.3", planId: "${PLAN}") { fundingStatus${asOf ? `(asOf: "${asOf}")` : ''} { disbursed overDisbursed } } }`,
        coordinator,
      );
    const june15 = await money('2023-06-15');
    const now = await money(null);
    expect(june15.fundingSummary).toEqual({ disbursed: '130000000', overDisbursedMeasures: [] });
    expect(now.fundingSummary).toEqual({ disbursed: '225000000', overDisbursedMeasures: ['II.3.3'] });

    const page = await openSignedIn(browser, origin, coordinator);
    const kpi = async () => (await page.getByTestId('kpi-disbursed').innerText()).replace(/\s+/g, ' ').trim();
    expect(await eventually(kpi, 'Disbursed (HUF) 225,000,000')).toBe('Disbursed (HUF) 225,000,000');
    await page.getByText('Disbursed more than allocated').waitFor();
    await pick(page, { asOf: '2023-06-15' });
    expect(await eventually(kpi, 'Disbursed by 2023-06-15 (HUF) 130,000,000')).toBe('Disbursed by 2023-06-15 (HUF) 130,000,000');
    expect(await page.locator('main').innerText()).not.toContain('Disbursed more than allocated');
    await page.screenshot({ path: screenshotPath('dashboard-as-of', '1-overview-money-on-2023-06-15-1366'), fullPage: true });

    await goToHash(page, '#/measures/II.3.3');
    const text = async () => (await page.getByTestId('measure-money').innerText()).trim();
    const expected = 'disbursed by 2023-06-15 HUF 130,000,000.';
    expect(await eventually(async () => (await text()).includes(expected), true)).toBe(true);
    expect(await text()).not.toContain('more than allocated');
    // The reports list beside it agrees: fd-2 is not counted on that day.
    expect(await page.locator('tr[data-report="fd-2"] [data-testid="report-counted"]').innerText()).toContain('Not counted on 2023-06-15');
    await page.screenshot({ path: screenshotPath('dashboard-as-of', '2-measure-money-on-2023-06-15-1366'), fullPage: true });
    // On the payment's day it is over-disbursed, as the api says.
    await pick(page, { asOf: '2023-06-30' });
    expect(await eventually(async () => (await text()).includes('disbursed by 2023-06-30 HUF 225,000,000 — more than allocated'), true)).toBe(true);
    await page.close();
  }, BROWSER_TIMEOUT);

  it('at a point before the plan was adopted says so in one sentence on every page of figures', async () => {
    const page = await openSignedIn(browser, origin, auditor);
    // The position just before the adoption (0, the empty ledger, when the plan's event came first).
    const before = String(BigInt(adoptedAt) - 1n);
    await pick(page, { position: before });
    const sentence = new RegExp(`^At position ${before} the ledger held no plan yet: .+ was adopted at position ${adoptedAt} \\(recorded .+\\)\\.`);
    for (const [hash, name] of [['#/', 'overview'], ['#/measures', 'measures'], ['#/agencies', 'agencies'], ['#/measures/II.3.3', 'measure']] as const) {
      await goToHash(page, hash);
      const said = page.getByTestId('before-plan');
      await said.waitFor();
      expect(await said.innerText()).toMatch(sentence);
      const main = await page.locator('main').innerText();
      expect(main).not.toMatch(/NOT_FOUND|No plan|No measure|No agency/);
      await page.screenshot({ path: screenshotPath('dashboard-as-of', `3-before-plan-${name}-1366`), fullPage: true });
    }
    // The events log still shows the ledger up to that point.
    await goToHash(page, '#/events');
    await page.getByTestId('events').waitFor();
    expect(await page.getByTestId('before-plan').count()).toBe(0);
    // At the adoption itself the pages are back.
    await pick(page, { position: adoptedAt });
    await goToHash(page, '#/');
    await page.getByTestId('kpi-measures').waitFor();
    expect(await page.getByTestId('before-plan').count()).toBe(0);
    await page.close();
  }, BROWSER_TIMEOUT);

  it('writes the History in the words of the documents, corrections as their reports', async () => {
    const page = await openSignedIn(browser, origin, auditor, { hash: '#/measures/II.3.3' });
    const rows = page.getByTestId('history').locator('tbody tr');
    await rows.first().waitFor();
    const lines = (await rows.allInnerTexts()).map((l) => l.replace(/\s+/g, ' '));
    const corrected = lines.find((l) => l.includes('Report corrected'))!;
    expect(corrected).toBeDefined();
    expect(corrected).toContain('amount: HUF 130,000,000');
    expect(corrected).toContain('source: National budget');
    expect(corrected).toContain('report: Funds disbursed');
    expect(corrected).toContain('request id: fd-1-fix-1');
    const recorded = lines.filter((l) => l.includes('Funds disbursed') && !l.includes('Report corrected'));
    expect(recorded).toHaveLength(2);
    for (const line of lines) {
      // No code of the api's: no camelCase name, no PascalCase event type, no bare amount.
      expect(line).not.toMatch(/\b[a-z]+[A-Z][a-zA-Z]*\b|\b(FundsDisbursed|ReportCorrected)\b|\b\d{7,}\b/);
    }
    await page.screenshot({ path: screenshotPath('dashboard-as-of', '4-history-in-words-1366'), fullPage: true });
    await page.close();
  }, BROWSER_TIMEOUT);

  it('names the zone of every instant and keeps the milliseconds: the banner\'s instant typed back lands on the same position', async () => {
    const page = await openSignedIn(browser, origin, auditor, { hash: '#/measures/II.3.3', timezoneId: 'Europe/Budapest' });
    const cell = page.getByTestId('history').locator('tbody tr').first().locator('td').nth(1);
    await cell.waitFor();
    const shown = (await cell.innerText()).trim();
    expect(shown).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} UTC\+0[12]:00$/);
    // The correction's instant: the api's recordedAt, in Budapest time.
    const log = await api<{ events: { edges: Array<{ node: { position: string; recordedAt: string } }> } }>('{ events(last: 3) { edges { node { position recordedAt } } } }');
    const target = log.events.edges[0].node;
    await goToHash(page, '#/');
    await page.getByRole('radio', { name: 'Instant' }).check();
    const local = new Date(target.recordedAt).toLocaleString('sv-SE', { timeZone: 'Europe/Budapest', hour12: false }).replace(' ', 'T');
    await page.locator('#tt-instant').fill(`${local}.${target.recordedAt.slice(20, 23)}`);
    await page.getByRole('button', { name: 'Apply' }).click();
    const banner = page.getByTestId('standing');
    const expected = `as recorded by ${local.replace('T', ' ')}.${target.recordedAt.slice(20, 23)} UTC+01:00`;
    expect(await eventually(async () => (await banner.innerText()).includes(expected), true)).toBe(true);
    const position = async () => /ledger position (\d+)/.exec(await page.locator('main').innerText())?.[1];
    expect(await eventually(position, target.position)).toBe(target.position);
    // Typed back exactly as the banner says it: the same position.
    const again = /as recorded by (\S+) (\S+) UTC/.exec(await banner.innerText())!;
    await page.getByRole('button', { name: 'Back to now' }).click();
    await page.getByRole('radio', { name: 'Instant' }).check();
    await page.locator('#tt-instant').fill(`${again[1]}T${again[2]}`);
    await page.getByRole('button', { name: 'Apply' }).click();
    expect(await eventually(async () => (await banner.innerText()).includes(expected), true)).toBe(true);
    expect(await eventually(position, target.position)).toBe(target.position);
    await page.screenshot({ path: screenshotPath('dashboard-as-of', '5-instant-banner-1366'), fullPage: true });
    await page.close();
  }, BROWSER_TIMEOUT);

  it('says on the agencies page that its counts do not follow the status date', async () => {
    const page = await openSignedIn(browser, origin, coordinator, { hash: '#/agencies' });
    await page.locator('tr[data-agency="ministry-of-interior"]').waitFor();
    expect(await page.getByTestId('agencies-all-dates').count()).toBe(0);
    await pick(page, { asOf: '2023-03-31' });
    const note = page.getByTestId('agencies-all-dates');
    await note.waitFor();
    expect(await note.innerText()).toContain('do not follow the status date 2023-03-31');
    expect(await page.getByTestId('agencies').locator('thead').innerText()).toContain('Reports (all dates)');
    await page.screenshot({ path: screenshotPath('dashboard-as-of', '6-agencies-on-a-date-1366'), fullPage: true });
    await page.close();
  }, BROWSER_TIMEOUT);

  it('never scrolls the page sideways at 390 px, for any page and role; the agency keeps progress and reports on screen', async () => {
    const pages = ['#/', '#/measures', '#/measures/II.3.3', '#/measures/II.1.3', '#/agencies', '#/periods', '#/events'];
    const wide: string[] = [];
    for (const [role, key] of [['coordinator', coordinator], ['auditor', auditor], ['agency', moiKey]] as const) {
      const page = await openSignedIn(browser, origin, key, { viewport: PHONE });
      if (role === 'auditor') await pick(page, { position: String(Number(adoptedAt) + 3), asOf: '2023-06-15' });
      else if (role === 'coordinator') await pick(page, { asOf: '2023-06-15' });
      for (const hash of pages) {
        await goToHash(page, hash);
        await page.locator('main h1, main [data-testid="before-plan"], main p').first().waitFor();
        // Settled: what the page fetched is on screen (a loading line is short, the answer is wide).
        await page.waitForLoadState('networkidle');
        const width = await scrollWidth(page);
        if (width > PHONE.width) wide.push(`${role} ${hash}: ${width}px`);
        await page.screenshot({ path: screenshotPath('dashboard-as-of', `7-390-${role}-${hash.replace(/[#/]+/g, '-').replace(/^-|-$/g, '') || 'overview'}`), fullPage: true });
      }
      if (role === 'agency') {
        await goToHash(page, '#/');
        const table = page.getByTestId('own-measures');
        await table.locator('tbody tr').first().waitFor();
        for (const name of ['Status', 'Progress', 'Reports']) {
          const box = await table.getByRole('columnheader', { name, exact: true }).boundingBox();
          expect(box).not.toBeNull();
          expect(box!.x + box!.width).toBeLessThanOrEqual(PHONE.width);
        }
      }
      await page.close();
    }
    expect(wide).toEqual([]);
  }, BROWSER_TIMEOUT);
});
