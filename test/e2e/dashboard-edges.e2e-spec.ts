import { KeyService } from '@app/auth';
import type { Browser, Page } from 'playwright-core';
import { authHeader, issueTestKey } from './support/auth.js';
import { buildDashboard, eventually, goToHash, launchBrowser, openSignedIn, screenshotPath } from './support/browser.js';
import { type GraphQLResponse, type TestApp, startTestApp } from './support/test-app.js';

/**
 * The dashboard's edges in a real browser (headless Chromium) against a started api: what a page
 * shows after its route, filter or point in time changes (never the previous answer under the new
 * one), a refused point in time, a key revoked while signed in, pages of another role, the order
 * of a measure's reports after a live update, the reasons of overdue measures, money and funding
 * sources in words, and no failed request (favicon). Screenshots go to test-output/dashboard-edges/.
 */
const BROWSER_TIMEOUT = 180_000;

describe('dashboard edges in a browser (e2e)', () => {
  let t: TestApp;
  let origin: string;
  let browser: Browser;
  let coordinator: string;
  let auditor: string;
  let moi: Record<string, string>;
  let pmoKey: string;
  let pmo: Record<string, string>;
  /** The position of the last report before the disbursement (the point-in-time checks). */
  let beforeFunds: string;
  /** The positions of the first training, and of moi-3 before it was retracted (reports at a point). */
  let firstTraining: string;
  let beforeRetraction: string;
  /** Every response of 400 or more any page got, and every request that failed. */
  const failed: string[] = [];

  function stored<T>(result: GraphQLResponse<T>): T {
    if (result.errors || !result.data) throw new Error(`seeding failed: ${JSON.stringify(result.errors)}`);
    return result.data;
  }
  const training = (reportId: string, occurredOn: string, participants: number) =>
    t.gql<{ recordTrainingDelivered: { position: string } }>(
      'mutation ($input: RecordTrainingDeliveredInput!) { recordTrainingDelivered(input: $input) { position } }',
      { input: { measureCode: 'II.1.3', reportId, occurredOn, title: 'Border control course', participants, days: 1 } },
      moi,
    );
  const house = (reportId: string, occurredOn: string) =>
    t.gql<{ recordCapacityCreated: { position: string } }>(
      'mutation ($input: RecordCapacityCreatedInput!) { recordCapacityCreated(input: $input) { position } }',
      { input: { measureCode: 'II.3.9', reportId, occurredOn, facilities: 1, places: 4, facilityKind: 'halfway house', location: 'Budapest' } },
      pmo,
    );

  const open = (key: string, hash = '', viewport?: { width: number; height: number }): Promise<Page> =>
    openSignedIn(browser, origin, key, {
      hash,
      viewport,
      watch: (page) => {
        page.on('response', (response) => {
          if (response.status() >= 400) failed.push(`${response.status()} ${response.url()}`);
        });
        page.on('requestfailed', (request) => failed.push(`failed ${request.url()}`));
      },
    });
  const go = goToHash;
  const mainText = async (page: Page) => (await page.locator('main').innerText()).trim();
  const kpi = async (page: Page, id: string) => (await page.getByTestId(id).locator('.card-value').textContent())?.trim();

  beforeAll(async () => {
    buildDashboard();
    t = await startTestApp();
    origin = new URL(t.url).origin;
    coordinator = await issueTestKey(t, { role: 'COORDINATOR' });
    auditor = await issueTestKey(t, { role: 'AUDITOR' });
    moi = authHeader(await issueTestKey(t, { role: 'AGENCY', agencyId: 'ministry-of-interior' }));
    pmoKey = await issueTestKey(t, { role: 'AGENCY', agencyId: 'prime-ministers-office' });
    pmo = authHeader(pmoKey);
    firstTraining = stored(await training('moi-1', '2023-02-10', 10)).recordTrainingDelivered.position;
    stored(await training('moi-2', '2023-05-10', 24));
    // A report retracted: listed on its measure's page, marked, not counted.
    beforeRetraction = stored(await training('moi-3', '2023-08-01', 6)).recordTrainingDelivered.position;
    stored(
      await t.gql('mutation ($input: RetractReportInput!) { retractReport(input: $input) { position } }', {
        input: { reportId: 'moi-3', reason: 'Entered twice', requestId: 'retract-moi-3' },
      }, moi),
    );
    stored(await house('pmo-h1', '2023-03-15'));
    beforeFunds = stored(await house('pmo-h3', '2023-11-05')).recordCapacityCreated.position;
    stored(
      await t.gql(
        'mutation ($input: RecordFundsDisbursedInput!) { recordFundsDisbursed(input: $input) { position } }',
        { input: { measureCode: 'II.3.9', reportId: 'pmo-f1', occurredOn: '2023-04-10', amount: '12000000', source: 'NATIONAL', purpose: 'Halfway house grant' } },
        pmo,
      ),
    );
    // A coordinator's judgement after the deadline: II.1.3 is overdue because of it, not of its figures.
    stored(
      await t.gql(
        'mutation ($input: AssessMeasureInput!) { assessMeasure(input: $input) { position } }',
        { input: { measureCode: 'II.1.3', assessmentId: 'nacs-1', level: 'LIMITED', asOf: '2024-01-10', narrative: 'Two of twelve trainings held', evidence: ['BM/7/2024'] } },
        authHeader(coordinator),
      ),
    );
    // A measure withdrawn by assessment: no report is expected of its agency.
    stored(
      await t.gql(
        'mutation ($input: AssessMeasureInput!) { assessMeasure(input: $input) { position } }',
        { input: { measureCode: 'IV.2.2', assessmentId: 'nacs-2', level: 'WITHDRAWN', asOf: '2022-06-01', narrative: 'Merged into IV.2.1', evidence: [] } },
        authHeader(coordinator),
      ),
    );
    browser = await launchBrowser();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close({ removeData: true });
  }, BROWSER_TIMEOUT);

  it('shows only the new route\'s answer: an unknown measure after a known one, a refused event filter after a good one', async () => {
    const page = await open(coordinator, '#/measures/II.1.3');
    await page.getByRole('heading', { name: /^II\.1\.3 / }).waitFor();
    await go(page, '#/measures/XX.9');
    await page.getByRole('alert').waitFor();
    const unknown = await mainText(page);
    expect(await page.getByTestId('unknown-measure').textContent()).toMatch(/ has no measure XX\.9\.$/);
    // Nothing of II.1.3: no title, no facts, no indicators, no reports.
    expect(unknown).not.toContain('II.1.3');
    expect(await page.locator('main h1, main dl, main table').count()).toBe(0);
    await page.screenshot({ path: screenshotPath('dashboard-edges', '1-unknown-measure-after-known'), fullPage: true });
    // A filter in the address (the overview's links put it in the query, before the hash), then
    // another on the same page, as a link or the history's back and forward move: the new one's rows only.
    const codes = () => page.getByTestId('measures').locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-code') ?? ''));
    await go(page, '#/');
    await page.getByTestId('pillars').getByRole('link', { name: /^I Prevention/ }).click();
    expect(await eventually(async () => (await codes()).length > 0 && (await codes()).every((c) => c.startsWith('I.')), true)).toBe(true);
    await page.evaluate(() => {
      const from = window.location.href;
      window.history.pushState(null, '', '?objective=II.3#/measures');
      window.dispatchEvent(new HashChangeEvent('hashchange', { oldURL: from, newURL: window.location.href }));
    });
    expect(await eventually(async () => (await codes()).length > 0 && (await codes()).every((c) => c.startsWith('II.3.')), true)).toBe(true);
    // And back to a known one: its own page, nothing of the error.
    await go(page, '#/measures/II.3.9');
    await page.getByRole('heading', { name: /^II\.3\.9 / }).waitFor();
    expect(await page.getByRole('alert').count()).toBe(0);
    await page.close();

    const audit = await open(auditor, '#/events');
    const rows = audit.getByTestId('events').locator('tbody tr');
    await audit.getByLabel('Measure').fill('II.3.9');
    await audit.getByRole('button', { name: 'Filter' }).click();
    expect(await eventually(() => rows.count(), 3)).toBe(3);
    // A filter the api refuses (a measure code longer than 50): its error alone, none of the rows above.
    await audit.getByLabel('Measure').fill('X'.repeat(51));
    await audit.getByRole('button', { name: 'Filter' }).click();
    await audit.getByRole('alert').waitFor();
    expect(await audit.getByRole('alert').textContent()).toMatch(/measureCode/);
    expect(await rows.count()).toBe(0);
    expect(await audit.getByTestId('events').isVisible()).toBe(false);
    await audit.screenshot({ path: screenshotPath('dashboard-edges', '2-refused-event-filter'), fullPage: true });
    await audit.close();
  }, BROWSER_TIMEOUT);

  it('does not apply a point in time the api refuses: its reason, the figures and header of the point shown before', async () => {
    const page = await open(auditor);
    await page.getByTestId('key-figures').waitFor();
    expect(await kpi(page, 'kpi-disbursed')).toBe('12,000,000');
    await page.locator('#tt-position').fill(beforeFunds);
    await page.getByRole('button', { name: 'Apply' }).click();
    expect(await eventually(() => kpi(page, 'kpi-disbursed'), '0')).toBe('0');

    await page.locator('#tt-position').fill('999999');
    await page.getByRole('button', { name: 'Apply' }).click();
    const refusal = page.getByTestId('time-refusal');
    await refusal.waitFor();
    expect(await refusal.textContent()).toMatch(/^Position 999999 was not applied: .*beyond the end of the log/);
    // The header names what is shown: the point before, with its figures.
    expect(await page.getByTestId('standing').textContent()).toContain(`after position ${beforeFunds}`);
    expect(await page.getByTestId('standing').textContent()).not.toContain('999999');
    expect(await eventually(() => kpi(page, 'kpi-disbursed'), '0')).toBe('0');
    expect(await page.locator('main').getByRole('alert').count()).toBe(0);
    await page.screenshot({ path: screenshotPath('dashboard-edges', '3-refused-position'), fullPage: true });

    // Refused on another page, after "now": back to now, the agencies' figures of now.
    await page.getByRole('button', { name: 'Back to now' }).click();
    await page.getByRole('link', { name: 'Agencies' }).click();
    const activity = await t.gql<{ agencyActivity: { reports: number } }>('{ agencyActivity(agencyId: "prime-ministers-office") { reports } }', undefined, authHeader(auditor));
    const reports = String(activity.data!.agencyActivity.reports);
    const pmoRow = page.locator('tr[data-agency="prime-ministers-office"] td').first();
    expect(await eventually(async () => (await pmoRow.textContent())?.trim(), reports)).toBe(reports);
    await page.locator('#tt-position').fill('999999');
    await page.getByRole('button', { name: 'Apply' }).click();
    await refusal.waitFor();
    expect(await page.getByTestId('standing').textContent()).toBe('Showing: live');
    expect(await eventually(async () => (await pmoRow.textContent())?.trim(), reports)).toBe(reports);
    await page.close();
  }, BROWSER_TIMEOUT);

  it('returns to sign-in, the key forgotten, when the signed-in key is revoked', async () => {
    const keys = t.app.get(KeyService);
    const issued = await keys.issue({ role: 'COORDINATOR', label: 'e2e revoked while signed in' }, 'test:e2e');
    const page = await open(issued.key, '#/measures');
    await page.getByTestId('measures').locator('tbody tr').first().waitFor();
    await keys.revoke(issued.keyId, 'left the office', 'test:e2e');
    // The refusal reaches the tab by its next read (any page: a click) or through its live
    // subscription, whichever comes first; either way it must land on sign-in.
    const signIn = page.getByLabel('API key');
    await Promise.race([
      signIn.waitFor(),
      page
        .getByRole('link', { name: 'Overview' })
        .click({ timeout: 10_000 })
        .catch(() => undefined),
    ]);
    await signIn.waitFor();
    expect(await page.getByRole('alert').textContent()).toMatch(/signed out.*revoked or has expired/);
    expect(await page.getByText('UNAUTHENTICATED').count()).toBe(0);
    expect(await page.evaluate(() => window.sessionStorage.getItem('apl.dashboard.key'))).toBeNull();
    await page.screenshot({ path: screenshotPath('dashboard-edges', '4-revoked-key'), fullPage: true });
    // A reload stays signed out; another key signs in.
    await page.reload();
    await page.getByLabel('API key').fill(coordinator);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('key-figures').waitFor();
    await page.close();
  }, BROWSER_TIMEOUT);

  it('tells an agency in words that the agencies and events pages are others\', and names it as the plan does', async () => {
    const register = await t.gql<{ agencies: Array<{ id: string; name: string }> }>('{ agencies(planId: "hu-2022-2023") { id name } }', undefined, pmo);
    const name = register.data!.agencies.find((a) => a.id === 'prime-ministers-office')!.name;
    expect(name).not.toBe('prime-ministers-office');
    const page = await open(pmoKey);
    const intro = page.locator('main p').first();
    expect(await eventually(async () => (await intro.textContent())?.startsWith(`${name} is responsible for`), true)).toBe(true);
    expect(await page.getByTestId('role').textContent()).toContain(name);
    await page.screenshot({ path: screenshotPath('dashboard-edges', '5-agency-home'), fullPage: true });
    for (const [hash, text] of [['#/agencies', /agencies page is the coordinators' and auditors'/], ['#/events', /event log is the auditors'/]] as const) {
      await go(page, hash);
      await page.getByTestId('not-for-role').waitFor();
      expect(await page.getByTestId('not-for-role').textContent()).toMatch(text);
      const shown = await mainText(page);
      expect(shown).not.toMatch(/FORBIDDEN|READ_PROJECTIONS|…/);
      expect(await page.locator('main table').count()).toBe(0);
    }
    await page.screenshot({ path: screenshotPath('dashboard-edges', '6-agency-events-by-url'), fullPage: true });
    await page.close();
  }, BROWSER_TIMEOUT);

  it('keeps a measure\'s reports by date after a live update adds an earlier one', async () => {
    const page = await open(coordinator, '#/measures/II.3.9');
    const rows = page.getByTestId('reports').locator('tbody tr');
    await rows.first().waitFor();
    const dates = () => rows.locator('td:first-child').allTextContents();
    expect(await dates()).toEqual(['2023-03-15', '2023-04-10', '2023-11-05']);
    // graphql-ws may acknowledge before the subscription is registered: report again until a push shows.
    let posted = 0;
    for (const until = Date.now() + 60_000; (await rows.count()) === 3 && Date.now() < until; ) {
      posted += 1;
      stored(await house(`pmo-live-${posted}`, '2023-06-20'));
      await eventually(async () => (await rows.count()) > 3, true, 2_000);
    }
    const expected = ['2023-03-15', '2023-04-10', ...Array<string>(posted).fill('2023-06-20'), '2023-11-05'];
    expect(await eventually(dates, expected)).toEqual(expected);
    await page.screenshot({ path: screenshotPath('dashboard-edges', '7-reports-by-date-after-live'), fullPage: true });
    await page.close();
  }, BROWSER_TIMEOUT);

  it('says why each overdue measure is overdue, as the api does, in the words of the measures list', async () => {
    const api = await t.gql<{ overdueMeasures: Array<{ code: string; statusReason: string }> }>(
      '{ overdueMeasures(planId: "hu-2022-2023") { code statusReason } }',
      undefined,
      authHeader(coordinator),
    );
    const reasons = Object.fromEntries(api.data!.overdueMeasures.map((m) => [m.code, m.statusReason]));
    expect(reasons['II.1.3']).toBe('ASSESSED_LIMITED');
    expect(new Set(Object.values(reasons)).size).toBeGreaterThan(1);
    const page = await open(coordinator);
    await page.getByTestId('overdue').waitFor();
    await page.getByRole('button', { name: /Show all \d+ overdue measures/ }).click();
    const shown = await page
      .getByTestId('overdue')
      .locator('tbody tr')
      .evaluateAll((rows) => rows.map((r) => [r.getAttribute('data-code'), r.querySelector('[data-reason]')?.getAttribute('data-reason')]));
    expect(Object.fromEntries(shown)).toEqual(reasons);
    const limited = page.getByTestId('overdue').locator('tr[data-code="II.1.3"] [data-reason]');
    expect(await limited.textContent()).toBe('Assessed: limited completion');
    expect(await page.getByTestId('overdue').textContent()).not.toContain('passed, not achieved');
    // The same words as the measures list.
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Measures' }).click();
    const listed = page.locator('tr[data-code="II.1.3"] [data-reason]');
    expect(await eventually(async () => (await listed.count()) > 0 && (await listed.textContent()), 'Assessed: limited completion')).toBe('Assessed: limited completion');
    await page.close();
  }, BROWSER_TIMEOUT);

  it.each([1400, 1024])('fits every key figure in its card at %i px, and writes money and funding sources in words', async (width) => {
    const page = await open(coordinator, '', { width, height: 900 });
    await page.getByTestId('key-figures').waitFor();
    expect(await kpi(page, 'kpi-allocated')).toMatch(/^\d{1,3}(,\d{3})+$/);
    const cards = await page
      .getByTestId('key-figures')
      .locator('.card')
      .evaluateAll((all) =>
        all.map((card) => {
          const box = card.getBoundingClientRect();
          const padding = parseFloat(getComputedStyle(card).paddingRight);
          // The text itself (a range), not its element: a nowrap value overflows its own box too.
          const texts = [...card.children].map((c) => {
            const range = document.createRange();
            range.selectNodeContents(c);
            return range.getBoundingClientRect();
          });
          return { id: card.getAttribute('data-testid'), top: Math.round(box.top), inside: texts.every((r) => r.left >= box.left && r.right <= box.right - padding + 0.5) };
        }),
      );
    expect(cards.filter((c) => !c.inside)).toEqual([]);
    // The two money cards wrap together, never one alone on a row.
    const top = (id: string) => cards.find((c) => c.id === id)!.top;
    expect(top('kpi-allocated')).toBe(top('kpi-disbursed'));
    expect(cards.filter((c) => c.top === top('kpi-disbursed')).length).toBeGreaterThan(1);
    await page.screenshot({ path: screenshotPath('dashboard-edges', `8-key-figures-${width}`) });
    if (width !== 1400) return page.close();

    const sources = await page.getByTestId('chart-funding-by-source').locator('tbody th').allTextContents();
    expect(sources).toContain('National budget');
    expect(sources.filter((s) => /^[a-z-]+$/.test(s))).toEqual([]);
    await go(page, '#/measures/II.3.9');
    const funds = page.getByTestId('reports').locator('tr[data-report="pmo-f1"] .details');
    await funds.waitFor();
    expect(await funds.textContent()).toContain('amount: HUF 12,000,000 · source: National budget');
    expect(await page.getByTestId('measure-money').textContent()).not.toMatch(/Sources: .*\b(national|eu|swiss-hungarian|NATIONAL|EU|SWISS_HUNGARIAN)\b/);
    expect((await page.getByTestId('money-by-source').locator('tbody td:nth-child(2)').allTextContents()).filter((s) => /^[a-z-]+$/.test(s))).toEqual([]);
    await page.screenshot({ path: screenshotPath('dashboard-edges', '9-measure-money-in-words'), fullPage: true });
    await page.close();
  }, BROWSER_TIMEOUT);

  it('counts a measure\'s reports alike in its facts and its reports section when one is retracted', async () => {
    const page = await open(coordinator, '#/measures/II.1.3');
    await page.getByTestId('reports').waitFor();
    expect(await page.getByTestId('measure-reports').textContent()).toBe('2');
    expect(await page.getByRole('heading', { name: /^Reports \(/ }).textContent()).toBe('Reports (2 counted, 1 retracted)');
    expect(await page.getByTestId('reports').locator('tr[data-report="moi-3"]').textContent()).toContain('Retracted');
    await page.close();
  }, BROWSER_TIMEOUT);

  it('lists a measure\'s reports and each measure\'s last report as they stood at the point an auditor picks', async () => {
    const page = await open(auditor, '#/measures/II.1.3');
    const reports = page.getByTestId('reports');
    const ids = () => reports.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-report') ?? ''));
    const moi3 = async () => (await reports.locator('tr[data-report="moi-3"] [data-testid="report-counted"]').textContent())?.trim();
    expect(await eventually(ids, ['moi-1', 'moi-2', 'moi-3'])).toEqual(['moi-1', 'moi-2', 'moi-3']);
    expect(await moi3()).toBe('Retracted');
    // Before its retraction moi-3 was counted: the list and the measure's count say so alike.
    await page.locator('#tt-position').fill(beforeRetraction);
    await page.getByRole('button', { name: 'Apply' }).click();
    expect(await eventually(moi3, 'Counted')).toBe('Counted');
    expect(await eventually(async () => page.getByTestId('measure-reports').textContent(), '3')).toBe('3');
    expect(await page.getByRole('heading', { name: /^Reports/ }).textContent()).toBe('Reports (3)');
    await page.screenshot({ path: screenshotPath('dashboard-edges', '9-reports-at-position'), fullPage: true });
    // After the first training only: the others did not exist yet.
    await page.locator('#tt-position').fill(firstTraining);
    await page.getByRole('button', { name: 'Apply' }).click();
    expect(await eventually(ids, ['moi-1'])).toEqual(['moi-1']);
    // The measures list's last report at that point, and now (moi-3 retracted: moi-2's date).
    await go(page, '#/measures');
    const last = () => page.locator('tr[data-code="II.1.3"] [data-testid="last-report"]').textContent();
    expect(await eventually(last, '2023-02-10')).toBe('2023-02-10');
    await page.getByRole('button', { name: 'Back to now' }).click();
    expect(await eventually(last, '2023-05-10')).toBe('2023-05-10');
    // On a status date, the last report dated by then, as the figures beside it count (moi-2 is dated after it).
    await page.getByLabel('Status on').fill('2023-03-31');
    await page.getByRole('button', { name: 'Apply' }).click();
    expect(await eventually(last, '2023-02-10')).toBe('2023-02-10');
    await page.getByRole('button', { name: 'Back to now' }).click();
    expect(await eventually(last, '2023-05-10')).toBe('2023-05-10');
    await page.close();
  }, BROWSER_TIMEOUT);

  it('never scrolls sideways on a phone (390 px): wide tables scroll within themselves; instants written as every date is', async () => {
    const page = await open(coordinator, '', { width: 390, height: 844 });
    const sideways = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    await page.getByTestId('key-figures').waitFor();
    await page.getByTestId('chart-status-by-pillar').locator('canvas').waitFor();
    expect(await sideways()).toBeLessThanOrEqual(0);
    await page.screenshot({ path: screenshotPath('dashboard-edges', '10-overview-390') });
    await go(page, '#/measures');
    await page.getByTestId('measures').locator('tbody tr').first().waitFor();
    expect(await sideways()).toBeLessThanOrEqual(0);
    await go(page, '#/measures/II.3.9');
    await page.getByTestId('chart-money-by-year').waitFor();
    expect(await sideways()).toBeLessThanOrEqual(0);
    await page.screenshot({ path: screenshotPath('dashboard-edges', '11-measure-390'), fullPage: true });
    await go(page, '#/agencies');
    const recorded = page.locator('tr[data-agency="ministry-of-interior"] td:nth-child(4)');
    expect(await eventually(async () => /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3} UTC([+-]\d{2}:\d{2})?$/.test((await recorded.textContent()) ?? ''), true)).toBe(true);
    // A withdrawn measure is not among the measures without a report (the api leaves it out): no gap to chase.
    const gaps = page.locator('tr[data-agency="ministry-of-interior"] a.code-chip');
    expect(await eventually(async () => (await gaps.count()) > 0, true)).toBe(true);
    expect(await page.locator('tr[data-agency="ministry-of-interior"] a[href$="/measures/IV.2.2"]').count()).toBe(0);
    expect(await sideways()).toBeLessThanOrEqual(0);
    await page.close();
  }, BROWSER_TIMEOUT);

  it('declares its icon: no page asked for anything the api does not have', async () => {
    const icon = await fetch(`${origin}/dashboard/favicon.svg`);
    expect(icon.status).toBe(200);
    expect(icon.headers.get('content-type')).toContain('image/svg+xml');
    // Every page of the tests above, by every role: the refusals the tests provoked are GraphQL answers (200), not failed requests.
    expect(failed.filter((f) => !f.endsWith('/graphql'))).toEqual([]);
  });
});
