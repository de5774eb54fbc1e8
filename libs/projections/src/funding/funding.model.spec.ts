import { type Plan, diffPlans } from '@app/plan';
import { foldProjection } from '../fold.js';
import { DEMO_PLAN_FILE, TestLog, loadTestPlan } from '../test-support.js';
import { activityProjection as fundingProjection } from '../activity/activity.projection.js';
import { fundingSummary, yearsOf } from './funding.query.js';

const plan = loadTestPlan(DEMO_PLAN_FILE);
const on = { agencyId: 'example-ministry', measureCode: 'B.1.1' };
const paid = (amount: string, source = 'national') => ({ amount, source, purpose: 'construction' });

function summary(log: TestLog, p: Plan = plan, year?: number) {
  const { state } = foldProjection(fundingProjection, log.events);
  return fundingSummary(state, p, { year });
}

describe('funding projection', () => {
  it('compares disbursements with allocations per measure, year and source; recurring allocations count every year to the period end', () => {
    const log = new TestLog();
    log.report('FundsDisbursed', { ...on, reportId: 'f1' }, '2031-03-01', paid('30000000'));
    log.report('FundsDisbursed', { ...on, reportId: 'f2' }, '2031-04-01', paid('1500000', 'eu'));
    const s = summary(log);
    const b11 = s.measures.find((m) => m.measureCode === 'B.1.1')!;
    expect(b11.hasAllocations).toBe(true);
    expect(b11.allocated).toBe(52_000_000n);
    expect(b11.disbursed).toBe(31_500_000n);
    expect(b11.disbursements).toBe(2);
    expect(b11.years).toEqual([
      {
        year: 2031,
        allocated: 52_000_000n,
        disbursed: 31_500_000n,
        hasAllocation: true,
        allocationUnstated: false,
        overDisbursed: false,
        bySource: [
          { source: 'eu', allocated: 0n, disbursed: 1_500_000n },
          { source: 'national', allocated: 50_000_000n, disbursed: 30_000_000n },
          { source: 'unspecified', allocated: 2_000_000n, disbursed: 0n },
        ],
      },
    ]);
    expect(yearsOf({ year: 2030, recurring: true }, plan)).toEqual([2030, 2031]);
    expect(s.disbursed).toBe(31_500_000n);
    expect(s.bySource.find((x) => x.source === 'national')).toEqual({ source: 'national', allocated: 50_000_000n, disbursed: 30_000_000n });
  });

  it('applies corrections (amount, source, year) and retractions', () => {
    const log = new TestLog();
    const f1 = log.report('FundsDisbursed', { ...on, reportId: 'f1' }, '2031-03-01', paid('30000000'));
    const f2 = log.report('FundsDisbursed', { ...on, reportId: 'f2' }, '2031-04-01', paid('1000'));
    log.correct(f1, '2030-12-31', paid('29000000', 'eu'));
    log.retract(f2);
    const b11 = summary(log).measures.find((m) => m.measureCode === 'B.1.1')!;
    expect(b11.disbursed).toBe(29_000_000n);
    expect(b11.disbursements).toBe(1);
    expect(b11.years.map((y) => [y.year, y.disbursed])).toEqual([
      [2030, 29_000_000n],
      [2031, 0n],
    ]);
    // Paid in 2030 when nothing was allocated for 2030: no stated allocation to exceed, shown apart.
    expect(b11.years[0]).toMatchObject({ hasAllocation: false, overDisbursed: false });
    expect(b11.unallocatedDisbursed).toBe(29_000_000n);
    expect(summary(log, plan, 2031).overDisbursedMeasures).toEqual([]);
  });

  it('flags over-disbursement per measure/year and per budget point; measures without amounts are never flagged', () => {
    const log = new TestLog();
    // 52 000 001: one forint more than both allocations of 2031 together (50 000 000 + 2 000 000).
    log.report('FundsDisbursed', { ...on, reportId: 'f1' }, '2031-03-01', paid('52000001'));
    log.report('FundsDisbursed', { agencyId: 'river-city-police', measureCode: 'A.1.1', reportId: 'f9' }, '2031-03-01', paid('999'));
    const s = summary(log);
    expect(s.overDisbursedMeasures).toEqual(['B.1.1']);
    const [p1a, p1b] = s.budgetPoints;
    expect(p1a).toMatchObject({ id: '1a', measureCodes: ['B.1.1'], overDisbursed: true });
    expect(p1a.years).toEqual([{ year: 2031, amount: 50_000_000n, allocated: 50_000_000n, disbursed: 52_000_001n, overDisbursed: true }]);
    // 1b's allocation names no source: every payment on the measure that year counts toward it.
    expect(p1b.years).toEqual([{ year: 2031, amount: 2_000_000n, allocated: 2_000_000n, disbursed: 52_000_001n, overDisbursed: true }]);
    expect(s.measures.find((m) => m.measureCode === 'B.1.1')!.years[0]).toMatchObject({ allocated: 52_000_000n, overDisbursed: true });
    const a11 = s.measures.find((m) => m.measureCode === 'A.1.1')!;
    expect(a11).toMatchObject({ hasAllocations: false, disbursed: 999n, overDisbursed: false });
  });

  it('reads allocations from the plan as amended', () => {
    const log = new TestLog();
    log.report('FundsDisbursed', { ...on, reportId: 'f1' }, '2031-03-01', paid('60000000'));
    const amended = structuredClone(plan) as Plan & { pillars: Array<{ objectives: Array<{ measures: Array<{ funding: { allocations: Array<{ amountHuf: string }> } }> }> }> };
    amended.pillars[1].objectives[0].measures[0].funding.allocations[0].amountHuf = '70000000';
    expect(diffPlans(plan, amended).length).toBeGreaterThan(0);
    expect(summary(log).overDisbursedMeasures).toEqual(['B.1.1']);
    expect(summary(log, amended).overDisbursedMeasures).toEqual([]);
  });

  it('ignores other event types and applies each position once', () => {
    const log = new TestLog();
    log.report('TrainingDelivered', { ...on, reportId: 't1' }, '2031-03-01', { title: 't', participants: 1, days: 1 });
    log.report('FundsDisbursed', { ...on, reportId: 'f1' }, '2031-03-01', paid('10'));
    const once = foldProjection(fundingProjection, log.events);
    const twice = foldProjection(fundingProjection, log.events, once);
    expect(fundingSummary(twice.state, plan).disbursed).toBe(10n);
  });

  it('an allocation that states no amount is unknown, not 0: never exceeded, shown as unstated', () => {
    const log = new TestLog();
    log.report('FundsDisbursed', { ...on, reportId: 'f1' }, '2030-06-01', paid('9500000'));
    log.report('FundsDisbursed', { ...on, reportId: 'f2' }, '2031-03-01', paid('60000000'));
    const amended = structuredClone(plan) as Plan & { pillars: Array<{ objectives: Array<{ measures: Array<{ funding: { allocations: object[] } }> }> }> };
    amended.pillars[1].objectives[0].measures[0].funding.allocations.push({ year: 2030, purpose: 'study', source: 'national' });
    const b11 = summary(log, amended).measures.find((m) => m.measureCode === 'B.1.1')!;
    expect(b11.unstatedYears).toEqual([2030]);
    expect(b11.years.map((y) => [y.year, y.allocated, y.allocationUnstated, y.overDisbursed])).toEqual([
      [2030, 0n, true, false],
      // 2031 states its amounts (52 M): 60 M exceed them.
      [2031, 52_000_000n, false, true],
    ]);
    expect(b11.unallocatedDisbursed).toBe(0n);
    expect(summary(log, amended, 2030).overDisbursedMeasures).toEqual([]);
  });

  describe('asOf: money as of a business date', () => {
    // Payments across two years, two measures, three sources, several in one month.
    const payments: Array<[reportId: string, code: string, occurredOn: string, amount: string, source: string]> = [
      ['p1', 'B.1.1', '2030-11-20', '4000000', 'national'],
      ['p2', 'B.1.1', '2031-03-01', '30000000', 'national'],
      ['p3', 'B.1.1', '2031-03-15', '1500000', 'eu'],
      ['p4', 'B.1.1', '2031-03-31', '19000000', 'national'],
      ['p5', 'B.1.1', '2031-06-30', '1', 'national'],
      ['p6', 'A.1.1', '2031-03-10', '999', 'eu'],
      ['p7', 'A.1.1', '2031-12-31', '5', 'national'],
    ];
    const logOf = (until?: string) => {
      const log = new TestLog();
      for (const [reportId, measureCode, occurredOn, amount, source] of payments) {
        if (until === undefined || occurredOn <= until) log.report('FundsDisbursed', { ...on, measureCode, reportId }, occurredOn, paid(amount, source));
      }
      return log;
    };

    it.each(['2030-11-19', '2030-11-20', '2030-12-31', '2031-03-01', '2031-03-14', '2031-03-30', '2031-03-31', '2031-06-29', '2031-06-30', '2031-12-30', '2032-01-01'])(
      'as of %s equals the ledger that held only the payments dated by then',
      (asOf) => {
        const { state } = foldProjection(fundingProjection, logOf().events);
        const dated = fundingSummary(state, plan, { asOf });
        const { asOf: said, ...rest } = dated;
        expect(said).toBe(asOf);
        expect(rest).toEqual(summary(logOf(asOf)));
        // With a year too: the same year line as the truncated ledger's.
        const { asOf: _, ...year2031 } = fundingSummary(state, plan, { asOf, year: 2031 });
        expect(year2031).toEqual(summary(logOf(asOf), plan, 2031));
      },
    );

    it('is not over-disbursed on a day before the payment that exceeded the allocation', () => {
      const log = logOf();
      log.report('FundsDisbursed', { ...on, reportId: 'big' }, '2031-07-01', paid('50000000'));
      const { state } = foldProjection(fundingProjection, log.events);
      expect(fundingSummary(state, plan).overDisbursedMeasures).toEqual(['B.1.1']);
      expect(fundingSummary(state, plan, { asOf: '2031-06-30' }).overDisbursedMeasures).toEqual([]);
      expect(fundingSummary(state, plan, { asOf: '2031-07-01' }).overDisbursedMeasures).toEqual(['B.1.1']);
      // Point 1a (national, HUF 50,000,000 in 2031): 49,000,001 paid by 30 June, 99,000,001 by 1 July.
      expect(fundingSummary(state, plan, { asOf: '2031-06-30' }).budgetPoints[0]).toMatchObject({ id: '1a', overDisbursed: false });
      expect(fundingSummary(state, plan, { asOf: '2031-07-01' }).budgetPoints[0]).toMatchObject({ id: '1a', overDisbursed: true });
    });

    it('follows corrections that move a payment across asOf, and leaves retracted ones out', () => {
      const log = new TestLog();
      const f1 = log.report('FundsDisbursed', { ...on, reportId: 'f1' }, '2031-03-01', paid('30000000'));
      const f2 = log.report('FundsDisbursed', { ...on, reportId: 'f2' }, '2031-03-02', paid('1000'));
      log.correct(f1, '2031-04-20', paid('29000000', 'eu'));
      log.retract(f2);
      const { state } = foldProjection(fundingProjection, log.events);
      const b11 = (asOf: string) => fundingSummary(state, plan, { asOf }).measures.find((m) => m.measureCode === 'B.1.1')!;
      expect([b11('2031-03-31').disbursed, b11('2031-03-31').disbursements]).toEqual([0n, 0]);
      expect([b11('2031-04-19').disbursed, b11('2031-04-20').disbursed, b11('2031-04-20').disbursements]).toEqual([0n, 29_000_000n, 1]);
      expect(b11('2031-04-20').years[0].bySource.find((s) => s.source === 'eu')?.disbursed).toBe(29_000_000n);
    });
  });
});
