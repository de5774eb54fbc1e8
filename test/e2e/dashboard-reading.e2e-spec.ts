import type { Browser, Page } from 'playwright-core';
import { authHeader, issueTestKey } from './support/auth.js';
import { buildDashboard, eventually, goToHash, launchBrowser, openSignedIn, screenshotPath } from './support/browser.js';
import { type GraphQLResponse, type TestApp, startTestApp } from './support/test-app.js';

/**
 * What a reader makes of the dashboard (headless Chromium against a started api): a refused point
 * in time said once, a measure's reports counted on a status date as its figures count them,
 * activity types, fields and values in the documents' words, money the plan does not state said
 * "not stated", an agency's reporting periods and their sign-offs, and the measures list on a
 * phone. Screenshots go to test-output/dashboard-reading/.
 */
const BROWSER_TIMEOUT = 180_000;
const PLAN = 'hu-2022-2023';
const MOI = 'ministry-of-interior';
const RETURN_COMMENT = 'The March course lacks its participant list';

describe('dashboard as a reader finds it, in a browser (e2e)', () => {
  let t: TestApp;
  let origin: string;
  let browser: Browser;
  let coordinator: string;
  let auditor: string;
  let moiKey: string;
  let moi: Record<string, string>;

  function stored<T>(result: GraphQLResponse<T>): T {
    if (result.errors || !result.data) throw new Error(`seeding failed: ${JSON.stringify(result.errors)}`);
    return result.data;
  }
  const training = (reportId: string, occurredOn: string, participants: number) =>
    t.gql(
      'mutation ($input: RecordTrainingDeliveredInput!) { recordTrainingDelivered(input: $input) { position } }',
      { input: { measureCode: 'II.1.3', reportId, occurredOn, title: 'Border control course', participants, days: 1 } },
      moi,
    );
  const period = (name: 'submitPeriod' | 'approvePeriod' | 'returnPeriod', input: Record<string, unknown>, who: Record<string, string>) =>
    t.gql(`mutation ($input: ${name.charAt(0).toUpperCase()}${name.slice(1)}Input!) { ${name}(input: $input) { position } }`, { input: { planId: PLAN, ...input } }, who);

  const open = (key: string, hash = '', viewport?: { width: number; height: number }): Promise<Page> => openSignedIn(browser, origin, key, { hash, viewport });
  const go = goToHash;

  beforeAll(async () => {
    buildDashboard();
    t = await startTestApp();
    origin = new URL(t.url).origin;
    coordinator = await issueTestKey(t, { role: 'COORDINATOR' });
    auditor = await issueTestKey(t, { role: 'AUDITOR' });
    moiKey = await issueTestKey(t, { role: 'AGENCY', agencyId: MOI });
    moi = authHeader(moiKey);
    // Two trainings by 2023-03-31, two after it.
    for (const [id, on, n] of [['moi-t1', '2023-02-10', 10], ['moi-t2', '2023-03-20', 12], ['moi-t3', '2023-04-15', 20], ['moi-t4', '2023-05-05', 8]] as const) {
      stored(await training(id, on, n));
    }
    stored(
      await t.gql(
        'mutation ($input: RecordMeetingHeldInput!) { recordMeetingHeld(input: $input) { position } }',
        { input: { measureCode: 'I.3.2', reportId: 'moi-m1', occurredOn: '2023-03-01', title: 'Working group on online advertising', meetingKind: 'WORKING_GROUP', participants: 12 } },
        moi,
      ),
    );
    // Q1 submitted and returned with a comment; Q2 submitted and approved; the rest never submitted.
    const coord = authHeader(coordinator);
    stored(await period('submitPeriod', { periodId: '2023-Q1', requestId: 'sub-q1' }, moi));
    stored(await period('returnPeriod', { agencyId: MOI, periodId: '2023-Q1', requestId: 'ret-q1', comment: RETURN_COMMENT }, coord));
    stored(await period('submitPeriod', { periodId: '2023-Q2', requestId: 'sub-q2' }, moi));
    stored(await period('approvePeriod', { agencyId: MOI, periodId: '2023-Q2', requestId: 'app-q2' }, coord));
    browser = await launchBrowser();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close({ removeData: true });
  }, BROWSER_TIMEOUT);

  it('says the reason a point in time is refused once, however many figures the api refused', async () => {
    const page = await open(auditor);
    await page.getByTestId('key-figures').waitFor();
    await page.locator('#tt-position').fill('9999');
    await page.getByRole('button', { name: 'Apply' }).click();
    const refusal = page.getByTestId('time-refusal');
    await refusal.waitFor();
    const text = (await refusal.textContent()) ?? '';
    expect(text).toMatch(/^Position 9999 was not applied: at\.position is beyond the end of the log \(its last position is \d+\)\.$/);
    expect(text.match(/beyond the end of the log/g)).toHaveLength(1);
    await page.screenshot({ path: screenshotPath('dashboard-reading', '1-refused-position-once') });
    // Refused again on another page (a measure's, with its own figures): still one sentence.
    await page.getByRole('button', { name: 'Back to now' }).click();
    await go(page, '#/measures/II.1.3');
    await page.getByTestId('measure-status').waitFor();
    await page.locator('#tt-position').fill('123456');
    await page.getByRole('button', { name: 'Apply' }).click();
    expect(await eventually(async () => ((await refusal.textContent()) ?? '').match(/beyond the end of the log/g)?.length, 1)).toBe(1);
    await page.close();
  }, BROWSER_TIMEOUT);

  it('counts a measure\'s reports on a status date alike in its figures and its list, marking those dated after it', async () => {
    const page = await open(coordinator, '#/measures/II.1.3');
    const rows = page.getByTestId('reports').locator('tbody tr');
    await rows.first().waitFor();
    expect(await page.getByTestId('measure-reports').textContent()).toBe('4');
    expect(await page.getByRole('heading', { name: /^Reports/ }).textContent()).toBe('Reports (4)');

    await page.locator('.as-of input[type="date"]').fill('2023-03-31');
    await page.getByRole('button', { name: 'Apply' }).click();
    expect(await eventually(async () => page.getByTestId('measure-reports').textContent(), '2')).toBe('2');
    const heading = page.getByRole('heading', { name: /^Reports/ });
    expect(await eventually(() => heading.textContent(), 'Reports (2 counted on 2023-03-31, 2 dated after it)')).toBe('Reports (2 counted on 2023-03-31, 2 dated after it)');
    const marks = Object.fromEntries(
      await rows.evaluateAll((all) => all.map((r) => [r.getAttribute('data-report'), r.querySelector('[data-testid="report-counted"]')?.textContent?.trim()])),
    );
    expect(marks).toEqual({
      'moi-t1': 'Counted on 2023-03-31',
      'moi-t2': 'Counted on 2023-03-31',
      'moi-t3': 'Not counted on 2023-03-31 (dated after it)',
      'moi-t4': 'Not counted on 2023-03-31 (dated after it)',
    });
    // The participants' figure agrees: only the two counted trainings.
    expect(await page.getByTestId('indicator-participants').getByTestId('indicator-value').textContent()).toBe('22');
    await page.screenshot({ path: screenshotPath('dashboard-reading', '2-reports-on-a-status-date'), fullPage: true });

    // Another date moves the line between counted and not: the list follows the figures.
    await page.locator('.as-of input[type="date"]').fill('2023-04-30');
    await page.getByRole('button', { name: 'Apply' }).click();
    expect(await eventually(async () => page.getByTestId('measure-reports').textContent(), '3')).toBe('3');
    expect(await eventually(() => heading.textContent(), 'Reports (3 counted on 2023-04-30, 1 dated after it)')).toBe('Reports (3 counted on 2023-04-30, 1 dated after it)');
    await page.close();
  }, BROWSER_TIMEOUT);

  it('writes report types, fields and their values in the documents\' words, on measure pages and the agencies page', async () => {
    const page = await open(coordinator, '#/measures/II.1.3');
    const types = page.getByTestId('reports').locator('tbody td:nth-child(4)');
    await types.first().waitFor();
    expect(new Set(await types.allTextContents())).toEqual(new Set(['Training delivered']));
    expect(await page.getByTestId('reports').locator('tr[data-report="moi-t1"] .details').textContent()).toBe('title: Border control course · participants: 10 · days: 1');

    await go(page, '#/measures/I.3.2');
    const meeting = page.getByTestId('reports').locator('tr[data-report="moi-m1"]');
    await meeting.waitFor();
    expect(await meeting.locator('td:nth-child(4)').textContent()).toBe('Meeting held');
    const details = (await meeting.locator('.details').textContent()) ?? '';
    expect(details).toContain('meeting kind: working group');
    expect(details).not.toMatch(/meetingKind|WORKING_GROUP/);
    await page.screenshot({ path: screenshotPath('dashboard-reading', '3-report-in-words'), fullPage: true });

    await go(page, '#/agencies');
    const byType = page.locator(`tr[data-agency="${MOI}"] td.details`);
    expect(await eventually(async () => ((await byType.textContent()) ?? '').includes('Training delivered 4'), true)).toBe(true);
    expect(await byType.textContent()).toContain('Meeting held 1');
    expect(await byType.textContent()).not.toMatch(/[a-z][A-Z]/);
    await page.close();
  }, BROWSER_TIMEOUT);

  it('says "not stated" for money the plan does not state, and 0 only for a real zero', async () => {
    const page = await open(coordinator, '#/measures/II.1.3');
    const money = page.getByTestId('measure-money');
    await money.waitFor();
    // "from national funds": a source, no amount. Nothing disbursed: a real 0.
    expect(await money.textContent()).toMatch(/^Allocated not stated \(the plan names sources, no amounts\), disbursed (0 HUF|HUF 0)\. Sources: National budget\.$/);
    await page.screenshot({ path: screenshotPath('dashboard-reading', '4-money-not-stated'), fullPage: true });
    // No funding in the plan at all ("–").
    await go(page, '#/measures/I.3.2');
    await page.getByRole('heading', { name: /^I\.3\.2 / }).waitFor();
    const none = /^Allocated not stated \(the plan states no funding\), disbursed (0 HUF|HUF 0)\. Sources: —\.$/;
    expect(await eventually(async () => none.test((await page.getByTestId('measure-money').textContent()) ?? ''), true)).toBe(true);
    // A stated allocation stays an amount.
    await go(page, '#/measures/I.1.3');
    await page.getByRole('heading', { name: /^I\.1\.3 / }).waitFor();
    const stated = await t.gql<{ measure: { fundingStatus: { allocated: string; hasAllocations: boolean; unstatedYears: number[] } } }>(
      '{ measure(code: "I.1.3", planId: "hu-2022-2023") { fundingStatus { allocated hasAllocations unstatedYears } } }',
      undefined,
      authHeader(coordinator),
    );
    const f = stored(stated).measure.fundingStatus;
    expect(f.hasAllocations && f.unstatedYears.length === 0 && f.allocated !== '0').toBe(true);
    const grouped = BigInt(f.allocated).toLocaleString('en-GB');
    expect(await eventually(async () => ((await page.getByTestId('measure-money').textContent()) ?? '').includes(grouped), true)).toBe(true);
    expect(await page.getByTestId('measure-money').textContent()).not.toContain('not stated');
    await page.close();
  }, BROWSER_TIMEOUT);

  it('shows an agency its reporting periods: what is still to submit, what was returned and why, what is approved', async () => {
    const api = stored(
      await t.gql<{ unsubmittedPeriods: Array<{ periodId: string }> }>(`{ unsubmittedPeriods(planId: "${PLAN}") { periodId } }`, undefined, moi),
    ).unsubmittedPeriods.map((p) => p.periodId);
    expect(api).toContain('2023-Q3');
    expect(api).not.toContain('2023-Q1');

    const page = await open(moiKey);
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Reporting periods' }).click();
    const table = page.getByTestId('periods');
    await table.waitFor();
    const row = (id: string) => table.locator(`tr[data-period="${id}"]`);
    expect(await row('2023-Q1').getByTestId('period-status').textContent()).toBe('Returned by the coordinator: to correct and submit again');
    expect(await row('2023-Q1').getByTestId('period-comment').textContent()).toBe(RETURN_COMMENT);
    expect(await row('2023-Q2').getByTestId('period-status').textContent()).toBe('Approved (locked)');
    expect(await row('2023-Q3').getByTestId('period-status').textContent()).toBe('To submit (ended 2023-09-30)');
    expect(await page.getByTestId('to-submit').textContent()).toBe(`To submit (ended, never submitted): ${api.join(', ')}.`);
    expect(await page.getByTestId('returned').textContent()).toBe(`Returned by the coordinator, to correct and submit again: 2023-Q1 ("${RETURN_COMMENT}").`);
    // One line per period, though the api answers once per measure the agency reports for.
    const ids = await table.locator('tbody tr').evaluateAll((all) => all.map((r) => r.getAttribute('data-period')));
    expect(new Set(ids).size).toBe(ids.length);
    await page.screenshot({ path: screenshotPath('dashboard-reading', '5-agency-periods'), fullPage: true });
    await page.close();

    // The coordinator: every agency's at a glance on the agencies page, the detail one click away.
    const coord = await open(coordinator, '#/agencies');
    const summary = coord.locator(`tr[data-agency="${MOI}"] [data-testid="agency-periods"]`);
    const expected = `${api.length} to submit · 1 returned · 1 approved`;
    expect(await eventually(async () => (await summary.textContent())?.trim(), expected)).toBe(expected);
    await coord.screenshot({ path: screenshotPath('dashboard-reading', '6-agencies-periods'), fullPage: true });
    await summary.getByRole('link').click();
    await coord.getByTestId('periods').waitFor();
    expect(await coord.getByTestId('periods').locator('tr[data-period="2023-Q1"]').getByTestId('period-comment').textContent()).toBe(RETURN_COMMENT);
    await coord.close();
  }, BROWSER_TIMEOUT);

  it('shows code, title, status and progress of every measure on a phone (390 px) without sideways scrolling', async () => {
    const page = await open(coordinator, '#/measures', { width: 390, height: 844 });
    const table = page.getByTestId('measures');
    await table.locator('tbody tr').first().waitFor();
    const layout = await table.evaluate((el) => {
      const inside = (cell: Element | null) => {
        const box = cell?.getBoundingClientRect();
        return !!box && box.width > 0 && box.left >= 0 && box.right <= window.innerWidth;
      };
      const rows = [...el.querySelectorAll('tbody tr')];
      return {
        scrolls: el.scrollWidth - el.clientWidth,
        page: document.documentElement.scrollWidth - window.innerWidth,
        shown: rows.every((r) => inside(r.querySelector('th a')) && inside(r.querySelector('.title-cell')) && inside(r.querySelector('[data-testid="status-cell"]')) && inside(r.querySelector('[data-testid="progress-cell"]'))),
      };
    });
    await page.screenshot({ path: screenshotPath('dashboard-reading', '7-measures-390') });
    expect(layout).toEqual({ scrolls: 0, page: 0, shown: true });
    await go(page, '#/periods');
    await page.getByLabel('Agency').selectOption(MOI);
    await page.getByTestId('periods').waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
    await page.close();
  }, BROWSER_TIMEOUT);
});
