import type { Browser, Locator, Page } from 'playwright-core';
import { authHeader, issueTestKey } from './support/auth.js';
import { buildDashboard, eventually, launchBrowser, openSignedIn, screenshotPath } from './support/browser.js';
import { type GraphQLResponse, type TestApp, startTestApp } from './support/test-app.js';

/**
 * Signing off a quarter from the dashboard's Reporting periods page (headless Chromium against a
 * started api): the agency submits 2023-Q1, the coordinator returns it (an empty or too short
 * comment refused in the api's words), the agency resubmits (an answer lost on the way: sent again,
 * the api answers the first receipt), the coordinator approves it after a confirmation (a report
 * dated in Q1 is then refused period-locked) and reopens it with a reason. Each status is checked
 * on the page and through GraphQL, and the stored events are counted. Screenshots go to
 * test-output/dashboard-periods/.
 */
const BROWSER_TIMEOUT = 240_000;
const PLAN = 'hu-2022-2023';
const MOI = 'ministry-of-interior';
const Q1_STREAM = `period-${PLAN}/${MOI}/2023-Q1`;
const RETURN_COMMENT = 'The March course lacks its participant list';
const REOPEN_REASON = 'An invoice of March arrived late';
const PHONE = { width: 390, height: 844 };

type Errors = NonNullable<GraphQLResponse['errors']>;

describe('signing off reporting periods on the dashboard, in a browser (e2e)', () => {
  let t: TestApp;
  let origin: string;
  let browser: Browser;
  let coordinatorKey: string;
  let auditorKey: string;
  let moiKey: string;
  let moi: Record<string, string>;
  let coordinator: Record<string, string>;
  let auditor: Record<string, string>;
  let moiName: string;
  /** The position of the first report, before any sign-off: the auditor's past point. */
  let beforeSignOff: string;
  /** Every GraphQL request body a page sent that takes a period step, with its requestId. */
  const steps: Array<{ mutation: string; requestId: string }> = [];

  function stored<T>(result: GraphQLResponse<T>): T {
    if (result.errors || !result.data) throw new Error(`request failed: ${JSON.stringify(result.errors)}`);
    return result.data;
  }
  const training = (reportId: string, occurredOn: string) =>
    t.gql<{ recordTrainingDelivered: { position: string } | null }>(
      'mutation ($input: RecordTrainingDeliveredInput!) { recordTrainingDelivered(input: $input) { position } }',
      { input: { measureCode: 'II.1.3', reportId, occurredOn, title: 'Border control course', participants: 12, days: 1 } },
      moi,
    );
  const step = (name: 'submitPeriod' | 'approvePeriod' | 'returnPeriod' | 'reopenPeriod', input: Record<string, unknown>, who: Record<string, string>) =>
    t.gql<Record<string, { status: string } | null>>(
      `mutation ($input: ${name.charAt(0).toUpperCase()}${name.slice(1)}Input!) { ${name}(input: $input) { status } }`,
      { input: { planId: PLAN, ...input } },
      who,
    );
  /** The agency's status of a period through GraphQL (the same for each of its measures). */
  const apiStatus = async (periodId: string): Promise<string[]> => {
    const rows = stored(
      await t.gql<{ periodApprovals: Array<{ status: string }> }>(
        `{ periodApprovals(planId: "${PLAN}", agencyId: "${MOI}", periodId: "${periodId}") { status } }`,
        undefined,
        auditor,
      ),
    ).periodApprovals;
    return [...new Set(rows.map((r) => r.status))];
  };
  /** How many events of `type` the period stream holds (the auditor's event history). */
  const countEvents = async (type: string, stream = Q1_STREAM): Promise<number> =>
    stored(
      await t.gql<{ events: { edges: unknown[] } }>(
        'query ($filter: EventFilter) { events(first: 100, filter: $filter, order: OLDEST_FIRST) { edges { cursor } } }',
        { filter: { eventType: type, stream } },
        auditor,
      ),
    ).events.edges.length;

  const open = (key: string, viewport?: { width: number; height: number }): Promise<Page> =>
    openSignedIn(browser, origin, key, {
      hash: '#/periods',
      viewport,
      watch: (page) =>
        page.on('request', (request) => {
          const body = request.postData() ?? '';
          const match = /(submitPeriod|approvePeriod|returnPeriod|reopenPeriod)\(/.exec(body);
          if (match) steps.push({ mutation: match[1], requestId: (JSON.parse(body) as { variables: { input: { requestId: string } } }).variables.input.requestId });
        }),
    });
  /** A coordinator's periods page with the ministry chosen. */
  const openAsCoordinator = async (viewport?: { width: number; height: number }): Promise<Page> => {
    const page = await open(coordinatorKey, viewport);
    await page.getByLabel('Agency').selectOption(MOI);
    await page.getByTestId('periods').waitFor();
    return page;
  };
  const row = (page: Page, periodId: string): Locator => page.getByTestId('periods').locator(`tr[data-period="${periodId}"]`);
  const statusOnPage = (page: Page, periodId: string) => row(page, periodId).getAttribute('data-status');
  const buttonNames = (page: Page, periodId: string) =>
    row(page, periodId).getByRole('button').evaluateAll((all) => all.map((b) => (b.textContent ?? '').replace(/\s+/g, ' ').trim()));
  /** No sideways scrolling of the page (a phone's width). */
  const overflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

  beforeAll(async () => {
    buildDashboard();
    t = await startTestApp();
    origin = new URL(t.url).origin;
    coordinatorKey = await issueTestKey(t, { role: 'COORDINATOR' });
    auditorKey = await issueTestKey(t, { role: 'AUDITOR' });
    moiKey = await issueTestKey(t, { role: 'AGENCY', agencyId: MOI });
    moi = authHeader(moiKey);
    coordinator = authHeader(coordinatorKey);
    auditor = authHeader(auditorKey);
    moiName = stored(await t.gql<{ agencies: Array<{ id: string; name: string }> }>(`{ agencies(planId: "${PLAN}") { id name } }`, undefined, auditor)).agencies.find(
      (a) => a.id === MOI,
    )!.name;
    beforeSignOff = stored(await training('moi-q1-1', '2023-02-10')).recordTrainingDelivered!.position;
    // Q2 submitted outside the page: the coordinator's page meets a colleague's approval of it.
    stored(await step('submitPeriod', { periodId: '2023-Q2', requestId: 'api-sub-q2' }, moi));
    browser = await launchBrowser();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close({ removeData: true });
  }, BROWSER_TIMEOUT);

  it('lets the agency submit its ended 2023-Q1 from the page; a double click stores one PeriodSubmitted', async () => {
    const page = await open(moiKey);
    await page.getByTestId('periods').waitFor();
    expect(await statusOnPage(page, '2023-Q1')).toBe('OPEN');
    // Its own ended periods to submit; Q2 awaits the coordinator: nothing to offer there.
    expect(await buttonNames(page, '2023-Q1')).toEqual([`Submit 2023-Q1 of ${moiName}`]);
    expect(await buttonNames(page, '2023-Q2')).toEqual([]);
    await page.getByRole('button', { name: `Submit 2023-Q1 of ${moiName}` }).click();
    const form = page.getByRole('form', { name: `Submit 2023-Q1 of ${moiName}` });
    // The comment field is labelled and takes the focus.
    const comment = form.getByLabel('Comment for the coordinator (optional)');
    expect(await comment.evaluate((el) => el === document.activeElement)).toBe(true);
    await comment.fill('All Q1 trainings are reported');
    await page.screenshot({ path: screenshotPath('dashboard-periods', '1-agency-submit-form-1366'), fullPage: true });
    await form.getByRole('button', { name: 'Send 2023-Q1 to the coordinator' }).dblclick();

    await page.getByTestId('step-done').waitFor();
    expect(await eventually(() => statusOnPage(page, '2023-Q1'), 'SUBMITTED')).toBe('SUBMITTED');
    expect(await row(page, '2023-Q1').getByTestId('period-status').textContent()).toBe("Submitted, awaiting the coordinator's approval");
    expect(await page.getByTestId('step-done').textContent()).toContain('Submit 2023-Q1');
    expect(await buttonNames(page, '2023-Q1')).toEqual([]);
    expect(await apiStatus('2023-Q1')).toEqual(['SUBMITTED']);
    expect(await countEvents('PeriodSubmitted')).toBe(1);
    const submits = steps.filter((s) => s.mutation === 'submitPeriod');
    expect(new Set(submits.map((s) => s.requestId)).size).toBe(1);
    await page.screenshot({ path: screenshotPath('dashboard-periods', '2-agency-submitted-1366'), fullPage: true });
    await page.close();
  }, BROWSER_TIMEOUT);

  it("lets the coordinator return it with a comment, an empty or too short one refused in the api's words with nothing changed", async () => {
    const page = await openAsCoordinator();
    expect(await buttonNames(page, '2023-Q1')).toEqual([`Approve 2023-Q1 of ${moiName}`, `Return 2023-Q1 of ${moiName}`]);
    // By keyboard: focus the step's button, Enter opens its form with the focus in the comment.
    await page.getByRole('button', { name: `Return 2023-Q1 of ${moiName}` }).focus();
    await page.keyboard.press('Enter');
    const form = page.getByRole('form', { name: `Return 2023-Q1 of ${moiName}` });
    const comment = form.getByLabel('What the agency must change (required, at least 3 characters)');
    expect(await comment.evaluate((el) => el === document.activeElement)).toBe(true);

    // What the api itself answers to these comments (a request that cannot be taken: nothing is stored).
    for (const text of ['', ' ok ']) {
      const refused = await step('returnPeriod', { agencyId: MOI, periodId: '2023-Q1', requestId: `api-probe-${text.length}`, comment: text }, coordinator);
      const error = (refused.errors as Errors)[0];
      expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.comment' });
      await comment.fill(text);
      await form.getByRole('button', { name: `Return 2023-Q1 to ${moiName}` }).click();
      const shown = form.getByTestId('step-refusal');
      expect(await eventually(async () => (await shown.count()) > 0 && (await shown.textContent()), `The comment ${error.extensions!.reason as string}`)).toBe(
        `The comment ${error.extensions!.reason as string}`,
      );
      expect(await comment.getAttribute('aria-invalid')).toBe('true');
      expect(await statusOnPage(page, '2023-Q1')).toBe('SUBMITTED');
    }
    await page.screenshot({ path: screenshotPath('dashboard-periods', '3-coordinator-return-refused-1366'), fullPage: true });
    expect(await apiStatus('2023-Q1')).toEqual(['SUBMITTED']);
    expect(await countEvents('PeriodReturned')).toBe(0);

    await comment.fill(RETURN_COMMENT);
    await comment.press('Tab');
    await page.keyboard.press('Enter');
    expect(await eventually(() => statusOnPage(page, '2023-Q1'), 'RETURNED')).toBe('RETURNED');
    expect(await row(page, '2023-Q1').getByTestId('period-comment').textContent()).toBe(RETURN_COMMENT);
    expect(await page.getByTestId('step-refusal').count()).toBe(0);
    expect(await apiStatus('2023-Q1')).toEqual(['RETURNED']);
    // Returned: the coordinator has nothing to do with it until the agency submits again.
    expect(await buttonNames(page, '2023-Q1')).toEqual([]);
    await page.close();
  }, BROWSER_TIMEOUT);

  it('lets the agency resubmit; an answer lost on the way is sent again as the same request and stored once', async () => {
    const page = await open(moiKey);
    await page.getByTestId('periods').waitFor();
    expect(await statusOnPage(page, '2023-Q1')).toBe('RETURNED');
    // The first answer is lost: the request reaches the api, the page never hears back.
    let lost = false;
    await page.route('**/graphql', async (route) => {
      if (!lost && (route.request().postData() ?? '').includes('submitPeriod(')) {
        lost = true;
        await route.fetch();
        return route.abort('connectionreset');
      }
      return route.fallback();
    });
    await page.getByRole('button', { name: `Submit 2023-Q1 of ${moiName}` }).click();
    const form = page.getByRole('form', { name: `Submit 2023-Q1 of ${moiName}` });
    await form.getByLabel('Comment for the coordinator (optional)').fill('Participant list added');
    const before = steps.length;
    await form.getByRole('button', { name: 'Send 2023-Q1 to the coordinator' }).click();
    await form.getByTestId('step-refusal').waitFor();
    expect(await form.getByTestId('step-refusal').textContent()).toMatch(/^The api could not be reached, or its answer was lost .*Send again: it is the same request/);
    // Stored though unanswered: the api has it; the page, not knowing, still says returned.
    expect(await apiStatus('2023-Q1')).toEqual(['SUBMITTED']);
    expect(await statusOnPage(page, '2023-Q1')).toBe('RETURNED');

    await form.getByRole('button', { name: 'Send 2023-Q1 to the coordinator' }).click();
    await page.getByTestId('step-done').waitFor();
    expect(await page.getByTestId('step-done').textContent()).toContain('already done by this same request, nothing new stored');
    expect(await eventually(() => statusOnPage(page, '2023-Q1'), 'SUBMITTED')).toBe('SUBMITTED');
    const sent = steps.slice(before);
    expect(sent.map((s) => s.mutation)).toEqual(['submitPeriod', 'submitPeriod']);
    expect(sent[0].requestId).toBe(sent[1].requestId);
    // The first submission and this one: two, not three.
    expect(await countEvents('PeriodSubmitted')).toBe(2);
    await page.close();
  }, BROWSER_TIMEOUT);

  it("shows the api's refusal of a step out of turn beside it, the rest of the page unchanged", async () => {
    const page = await openAsCoordinator();
    expect(await statusOnPage(page, '2023-Q2')).toBe('SUBMITTED');
    await page.getByRole('button', { name: `Approve 2023-Q2 of ${moiName}` }).click();
    const form = page.getByRole('form', { name: `Approve 2023-Q2 of ${moiName}` });
    // A colleague approves Q2 meanwhile.
    stored(await step('approvePeriod', { agencyId: MOI, periodId: '2023-Q2', requestId: 'api-app-q2' }, coordinator));
    const refused = await step('approvePeriod', { agencyId: MOI, periodId: '2023-Q2', requestId: 'api-app-q2-again' }, coordinator);
    const conflict = (refused.errors as Errors)[0];
    expect(conflict.extensions).toMatchObject({ code: 'CONFLICT' });
    const periodRows = () => page.getByTestId('periods').locator('tbody tr[data-period]').evaluateAll((all) => all.map((r) => (r as HTMLElement).innerText));
    const table = await periodRows();
    await form.getByRole('button', { name: `Confirm: approve 2023-Q2 of ${moiName}` }).click();
    await form.getByTestId('step-refusal').waitFor();
    expect(await form.getByTestId('step-refusal').textContent()).toBe(conflict.message);
    expect(await periodRows()).toEqual(table);
    expect(await page.getByTestId('step-done').isVisible()).toBe(false);
    await page.screenshot({ path: screenshotPath('dashboard-periods', '4-coordinator-conflict-1366'), fullPage: true });
    await form.getByRole('button', { name: 'Cancel' }).click();
    // Back to the button that opened it.
    expect(await page.evaluate(() => document.activeElement?.textContent?.replace(/\s+/g, ' ').trim())).toBe(`Approve 2023-Q2 of ${moiName}`);
    await page.close();
  }, BROWSER_TIMEOUT);

  it('lets the coordinator approve 2023-Q1 after saying it locks the figures; a report dated in it is then refused period-locked', async () => {
    const page = await openAsCoordinator();
    expect(await statusOnPage(page, '2023-Q1')).toBe('SUBMITTED');
    await page.getByRole('button', { name: `Approve 2023-Q1 of ${moiName}` }).click();
    const form = page.getByRole('form', { name: `Approve 2023-Q1 of ${moiName}` });
    expect(await form.textContent()).toContain("Approving locks the agency's reports dated in 2023-Q1 (2023-01-01 to 2023-03-31)");
    // Nothing is sent before the confirmation.
    expect(await apiStatus('2023-Q1')).toEqual(['SUBMITTED']);
    await form.getByRole('button', { name: `Confirm: approve 2023-Q1 of ${moiName}` }).click();
    expect(await eventually(() => statusOnPage(page, '2023-Q1'), 'APPROVED')).toBe('APPROVED');
    expect(await row(page, '2023-Q1').getByTestId('period-status').textContent()).toBe('Approved (locked)');
    expect(await buttonNames(page, '2023-Q1')).toEqual([`Reopen 2023-Q1 of ${moiName}`]);
    expect(await apiStatus('2023-Q1')).toEqual(['APPROVED']);
    expect(await countEvents('PeriodApproved')).toBe(1);

    const locked = await training('moi-q1-late', '2023-03-05');
    expect(locked.data?.recordTrainingDelivered ?? null).toBeNull();
    expect((locked.errors as Errors)[0].extensions).toMatchObject({ code: 'FORBIDDEN', rule: 'period-locked', period: '2023-Q1', field: 'input.occurredOn' });
    await page.screenshot({ path: screenshotPath('dashboard-periods', '5-coordinator-approved-1366'), fullPage: true });
    await page.close();
  }, BROWSER_TIMEOUT);

  it('lets the coordinator reopen it with a reason (none refused), on a phone as well: the report is then accepted', async () => {
    const page = await openAsCoordinator(PHONE);
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    await page.getByRole('button', { name: `Reopen 2023-Q1 of ${moiName}` }).click();
    const form = page.getByRole('form', { name: `Reopen 2023-Q1 of ${moiName}` });
    expect(await form.textContent()).toContain("Reopening unlocks the agency's reports dated in 2023-Q1");
    const confirm = form.getByRole('button', { name: `Confirm: reopen 2023-Q1 of ${moiName}` });
    await confirm.click();
    await form.getByTestId('step-refusal').waitFor();
    expect(await form.getByTestId('step-refusal').textContent()).toBe('The reason is required');
    expect(await statusOnPage(page, '2023-Q1')).toBe('APPROVED');
    await page.screenshot({ path: screenshotPath('dashboard-periods', '6-coordinator-reopen-refused-390'), fullPage: true });
    expect(await overflow(page)).toBeLessThanOrEqual(0);

    await form.getByLabel('Why the approved figures must change (required, at least 3 characters)').fill(REOPEN_REASON);
    await confirm.click();
    expect(await eventually(() => statusOnPage(page, '2023-Q1'), 'REOPENED')).toBe('REOPENED');
    expect(await row(page, '2023-Q1').getByTestId('period-comment').textContent()).toBe(`Reopened: ${REOPEN_REASON}`);
    expect(await buttonNames(page, '2023-Q1')).toEqual([`Approve 2023-Q1 of ${moiName}`]);
    expect(await apiStatus('2023-Q1')).toEqual(['REOPENED']);
    expect(stored(await training('moi-q1-late', '2023-03-05')).recordTrainingDelivered).not.toBeNull();
    await page.screenshot({ path: screenshotPath('dashboard-periods', '7-coordinator-reopened-390'), fullPage: true });
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    await page.close();

    // The agency on a phone: its reopened period, to submit again.
    const agency = await open(moiKey, PHONE);
    await agency.getByTestId('periods').waitFor();
    expect(await buttonNames(agency, '2023-Q1')).toEqual([`Submit 2023-Q1 of ${moiName}`]);
    await agency.getByRole('button', { name: `Submit 2023-Q1 of ${moiName}` }).click();
    await agency.getByRole('form', { name: `Submit 2023-Q1 of ${moiName}` }).waitFor();
    await agency.screenshot({ path: screenshotPath('dashboard-periods', '8-agency-submit-form-390'), fullPage: true });
    expect(await overflow(agency)).toBeLessThanOrEqual(0);
    await agency.close();
  }, BROWSER_TIMEOUT);

  it('offers the auditor no step, live or at a past point', async () => {
    const page = await open(auditorKey);
    await page.getByLabel('Agency').selectOption(MOI);
    await page.getByTestId('periods').waitFor();
    expect(await statusOnPage(page, '2023-Q1')).toBe('REOPENED');
    expect(await page.getByTestId('periods').getByRole('button').count()).toBe(0);
    expect(await page.getByRole('columnheader', { name: 'Actions' }).count()).toBe(0);
    await page.locator('#tt-position').fill(beforeSignOff);
    await page.getByRole('button', { name: 'Apply' }).click();
    expect(await eventually(() => statusOnPage(page, '2023-Q1'), 'OPEN')).toBe('OPEN');
    expect(await page.getByTestId('periods').getByRole('button').count()).toBe(0);
    expect(await page.locator('main').innerText()).toContain('no step can be taken on it');
    await page.close();
  }, BROWSER_TIMEOUT);
});
