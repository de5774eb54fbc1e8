/**
 * Money as of a business date (docs/status.md, "Money as of a date"): fundingSummary and
 * Measure.fundingStatus with `asOf` count only the disbursements dated (occurredOn) on or before
 * it — the same day rule as statuses and figures — live and at a past point of the ledger (`at`),
 * so a page showing "figures on D" does not flag over-disbursement that had not happened by D.
 * Figures worked out by hand from the table below; II.3.3's 2023 allocation is HUF 220,000,000.
 */
import { authHeader, issueTestKey } from './support/auth.js';
import { MHC, PLAN, type Report, recordReport, reportBuilders } from './support/season.js';
import { type TestApp, startTestApp } from './support/test-app.js';

const { r } = reportBuilders('fao');
const paid = (on: string, amount: string, source: string) => r(MHC, 'FundsDisbursed', 'II.3.3', on, { amount, source, purpose: 'Shelter construction' });

const DEC = paid('2022-12-01', '1000', 'NATIONAL');
const MAR = paid('2023-03-10', '132000000', 'NATIONAL');
const JUNE = paid('2023-06-10', '5000000', 'SWISS_HUNGARIAN');
const LATE_JUNE = paid('2023-06-30', '95000000', 'NATIONAL');

/** asOf → [disbursed on II.3.3 (= the plan's, nothing else is paid), disbursements, over-disbursed]. */
const BY_HAND: ReadonlyArray<[string, string, number, boolean]> = [
  ['2022-11-30', '0', 0, false],
  ['2022-12-01', '1000', 1, false],
  ['2023-03-09', '1000', 1, false],
  ['2023-03-10', '132001000', 2, false],
  ['2023-06-09', '132001000', 2, false],
  ['2023-06-15', '137001000', 3, false],
  ['2023-06-29', '137001000', 3, false],
  ['2023-06-30', '232001000', 4, true],
  ['2024-01-01', '232001000', 4, true],
];

const QUERY = `query ($asOf: String, $at: PointInTimeInput) {
  fundingSummary(planId: "${PLAN}", asOf: $asOf, at: $at) { asOf disbursed overDisbursedMeasures bySource { source disbursed } budgetPoints { id overDisbursed } }
  measure(code: "II.3.3", planId: "${PLAN}") { fundingStatus(asOf: $asOf, at: $at) { disbursed disbursements overDisbursed years { year disbursed overDisbursed bySource { source disbursed } } } }
}`;

type Answer = {
  fundingSummary: { asOf: string | null; disbursed: string; overDisbursedMeasures: string[]; bySource: unknown[]; budgetPoints: unknown[] };
  measure: { fundingStatus: { disbursed: string; disbursements: number; overDisbursed: boolean; years: Array<{ year: number; disbursed: string; bySource: Array<{ source: string; disbursed: string }> }> } };
};

describe('money as of a business date (e2e)', () => {
  let t: TestApp;
  let auditor: Record<string, string>;
  let afterJune = '';

  const ask = async (variables: Record<string, unknown>) => {
    const res = await t.gql<Answer>(QUERY, variables, auditor);
    expect(res.errors).toBeUndefined();
    return res.data!;
  };

  beforeAll(async () => {
    t = await startTestApp();
    const agency = authHeader(await issueTestKey(t, { role: 'AGENCY', agencyId: MHC }));
    auditor = authHeader(await issueTestKey(t, { role: 'AUDITOR' }));
    for (const report of [DEC, MAR, JUNE] as Report[]) afterJune = await recordReport(t, report, agency);
    const last = await recordReport(t, LATE_JUNE, agency);
    // The read models hold every payment before any answer is read.
    const res = await t.gql(`{ planProgress(planId: "${PLAN}", atLeastPosition: "${last}") { position } }`, {}, auditor);
    if (res.errors) throw new Error(`the read models did not reach ${last}: ${JSON.stringify(res.errors)}`);
  }, 120_000);
  afterAll(async () => {
    await t.close({ removeData: true });
  });

  it.each(BY_HAND)('as of %s: disbursed HUF %s in %i payments, over-disbursed %s', async (asOf, disbursed, payments, over) => {
    const live = await ask({ asOf });
    expect(live.fundingSummary).toMatchObject({ asOf, disbursed, overDisbursedMeasures: over ? ['II.3.3'] : [] });
    expect(live.measure.fundingStatus).toMatchObject({ disbursed, disbursements: payments, overDisbursed: over });
    // The auditor's replay to the head, asOf the same day: the same answer, read back from the report streams.
    const head = await ask({ asOf, at: { position: String(BigInt(afterJune) + 1n) } });
    expect(head).toEqual(live);
  });

  it('without asOf counts every payment (as before), and says no date', async () => {
    const all = await ask({});
    expect(all.fundingSummary).toMatchObject({ asOf: null, disbursed: '232001000', overDisbursedMeasures: ['II.3.3'] });
  });

  it('splits by source and year as of the day', async () => {
    const { measure } = await ask({ asOf: '2023-06-15' });
    const y2023 = measure.fundingStatus.years.find((y) => y.year === 2023)!;
    expect(y2023.disbursed).toBe('137000000');
    expect(Object.fromEntries(y2023.bySource.map((s) => [s.source, s.disbursed]))).toMatchObject({ national: '132000000', 'swiss-hungarian': '5000000' });
  });

  it('at a past position (before the late-June payment was recorded), asOf after its date still counts only what was recorded then', async () => {
    const past = await ask({ asOf: '2023-06-30', at: { position: afterJune } });
    expect(past.fundingSummary.disbursed).toBe('137001000');
    expect(past.measure.fundingStatus).toMatchObject({ disbursed: '137001000', overDisbursed: false });
  });

  it.each(['2023-02-30', '2023-6-15', 'yesterday'])('refuses asOf %s naming the field', async (asOf) => {
    for (const query of [
      `{ fundingSummary(planId: "${PLAN}", asOf: "${asOf}") { disbursed } }`,
      `{ measure(code: "II.3.3", planId: "${PLAN}") { fundingStatus(asOf: "${asOf}") { disbursed } } }`,
    ]) {
      const res = await t.gql(query, {}, auditor);
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'asOf' });
    }
  });
});
