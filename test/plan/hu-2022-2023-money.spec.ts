/**
 * Proves that the money in libs/plan/plans/hu-2022-2023.yaml reconciles with Government Decision
 * 1228/2022 (IV. 14.): point 3 of the decision commits
 *   a) HUF 341 million in 2023, in the chapter of the Ministry of Human Capacities, and
 *   b) HUF 12 million a year from 2023, built into the Prime Minister's Office chapter,
 * and the measures of Appendix 1 that are paid from "additional funding … allocated by the
 * Government Decision adopting the new Action Plan" must add up to exactly that. Amounts are
 * compared as BigInt: HUF amounts are integers of any size, stored as decimal strings.
 *
 * Also proves the numeric targets the indicators state (places, facilities, locations).
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { FundingAllocation, Measure, Plan } from '@app/plan';
import { normalizeWhitespace, parseActionPlanSource } from './source-parser.js';

const SOURCE_TEXT = readFileSync(new URL('../fixtures/action-plan-2022-2023.txt', import.meta.url), 'utf8');
const source = parseActionPlanSource(SOURCE_TEXT);
const plan = parse(readFileSync(new URL('../../libs/plan/plans/hu-2022-2023.yaml', import.meta.url), 'utf8')) as Plan;

const measures: Measure[] = plan.pillars.flatMap((p) => p.objectives.flatMap((o) => o.measures));
const measure = (code: string): Measure => {
  const found = measures.find((m) => m.code === code);
  if (!found) throw new Error(`measure ${code} is not in the plan file`);
  return found;
};
/** As the file writes it: `amountHuf: unstated` where the plan funds a purpose without an amount. */
type FileAllocation = Omit<FundingAllocation, 'amountHuf'> & { readonly amountHuf: string };
const UNSTATED = 'unstated';
const everyAllocation: { code: string; allocation: FileAllocation }[] = measures.flatMap((m) =>
  ((m.funding.allocations ?? []) as FileAllocation[]).map((allocation) => ({ code: m.code, allocation })),
);
/** The allocations that state an amount. */
const allocations = everyAllocation.filter(({ allocation }) => allocation.amountHuf !== UNSTATED);
const budgetPoint = (id: string) => {
  const found = plan.budgetPoints.find((b) => b.id === id);
  if (!found) throw new Error(`budget point ${id} is not in the plan file`);
  return found;
};
const agencyName = (id: string | undefined) => plan.agencies.find((a) => a.id === id)?.name;
const sum = (amounts: readonly string[]) => amounts.reduce((total, a) => total + BigInt(a), 0n);
const MILLION = 1_000_000n;

/** "HUF 70 million" → 70000000n, "HUF 132 000 000" → 132000000n: every amount a text states. */
function hufAmounts(text: string): bigint[] {
  return [...text.matchAll(/HUF (\d{1,3}(?: \d{3})*|\d+)( million)?/g)].map(
    ([, digits, million]) => BigInt(digits.replace(/ /g, '')) * (million ? MILLION : 1n),
  );
}

/** Point 3 a) and b) of the decision, as the fixture states them. */
const decision = (() => {
  const text = normalizeWhitespace(source.decisionText);
  const a = /a\) in the amount of HUF (\d+) million in (\d{4}), in the chapter of the (.+?) of the \d{4} central budget/.exec(text);
  const b = /b\) from the year (\d{4}) onwards, in the amount of HUF (\d+) million per year, as a built-in amount, under the (.+?) chapter/.exec(
    text,
  );
  if (!a || !b) throw new Error('point 3 a) and b) of the decision were not found');
  return {
    a: { amount: BigInt(a[1]) * MILLION, year: Number(a[2]), chapter: a[3] },
    b: { amount: BigInt(b[2]) * MILLION, year: Number(b[1]), chapter: b[3] },
  };
})();

describe('plan hu-2022-2023: the decision’s budget points', () => {
  it('reads HUF 341 million for 2023 (point 3a) and HUF 12 million a year from 2023 (point 3b) in the decision', () => {
    expect(decision.a).toEqual({ amount: 341n * MILLION, year: 2023, chapter: 'Ministry of Human Capacities' });
    expect(decision.b).toEqual({ amount: 12n * MILLION, year: 2023, chapter: "Prime Minister's Office" });
  });

  it('records point 3a as the decision states it', () => {
    const a = budgetPoint('3a');
    expect(a.amountHuf).toMatch(/^[1-9]\d*$/);
    expect(BigInt(a.amountHuf)).toBe(decision.a.amount);
    expect(a.amountHuf).toBe('341000000');
    expect(a.year).toBe(decision.a.year);
    expect(a.recurring ?? false).toBe(false);
    expect(agencyName(a.chapter)).toBe(decision.a.chapter);
  });

  it('records point 3b as the decision states it', () => {
    const b = budgetPoint('3b');
    expect(BigInt(b.amountHuf)).toBe(decision.b.amount);
    expect(b.amountHuf).toBe('12000000');
    expect(b.year).toBe(decision.b.year);
    expect(b.recurring).toBe(true);
    expect(agencyName(b.chapter)).toBe(decision.b.chapter);
  });

  it('has no other budget points', () => {
    expect(plan.budgetPoints.map((b) => b.id).sort()).toEqual(['3a', '3b']);
  });
});

describe('plan hu-2022-2023: allocations reconcile with the decision', () => {
  it('stores every amount as an integer HUF decimal string, under a known budget point', () => {
    const points = new Set(plan.budgetPoints.map((b) => b.id));
    for (const { allocation } of allocations) {
      expect(allocation.amountHuf).toMatch(/^[1-9]\d*$/);
      expect(Number.isInteger(allocation.year)).toBe(true);
    }
    const unknownPoints = allocations.filter(({ allocation }) => allocation.budgetPoint !== undefined && !points.has(allocation.budgetPoint));
    expect(unknownPoints).toEqual([]);
  });

  it('adds up the allocations under point 3a to the 341 million of the decision', () => {
    const underA = allocations.filter(({ allocation }) => allocation.budgetPoint === '3a');
    const total = sum(underA.map(({ allocation }) => allocation.amountHuf));
    expect(total).toBe(BigInt(budgetPoint('3a').amountHuf));
    expect(total).toBe(decision.a.amount);
    expect(total).toBe(341_000_000n);
    for (const { allocation } of underA) {
      expect(allocation.year).toBe(2023);
      expect(allocation.recurring ?? false).toBe(false);
    }
    expect([...new Set(underA.map(({ code }) => code))].sort()).toEqual(['I.1.3', 'II.3.3', 'II.3.8']);
  });

  it('adds up the allocations under point 3b to the 12 million a year of the decision', () => {
    const underB = allocations.filter(({ allocation }) => allocation.budgetPoint === '3b');
    expect(underB.map(({ code }) => code)).toEqual(['II.3.9']);
    expect(sum(underB.map(({ allocation }) => allocation.amountHuf))).toBe(decision.b.amount);
    for (const { allocation } of underB) {
      expect(allocation.recurring).toBe(true);
      expect(allocation.year).toBe(decision.b.year);
    }
  });

  it('allocates I.1.3 HUF 70 million for 2023', () => {
    expect(measure('I.1.3').funding.allocations).toEqual([
      expect.objectContaining({ amountHuf: '70000000', year: 2023, budgetPoint: '3a' }),
    ]);
  });

  it('allocates II.3.3 the 2022 feasibility study with no amount stated, HUF 132 million for the 2 facilities and HUF 88 million for their operation in 2023', () => {
    expect(measure('II.3.3').fundingText).toMatch(/necessary funds for the feasibility study are available in the Ministry of Human Capacities' 2022 budget;/);
    expect(measure('II.3.3').funding.allocations).toEqual([
      expect.objectContaining({ amountHuf: UNSTATED, year: 2022, purpose: expect.stringMatching(/feasibility study/i) }),
      expect.objectContaining({ amountHuf: '132000000', year: 2023, budgetPoint: '3a', purpose: expect.stringMatching(/infrastructure/i) }),
      expect.objectContaining({ amountHuf: '88000000', year: 2023, budgetPoint: '3a', purpose: expect.stringMatching(/operation/i) }),
    ]);
  });

  it('allocates II.3.8 HUF 51 million for 2023', () => {
    expect(measure('II.3.8').funding.allocations).toEqual([
      expect.objectContaining({ amountHuf: '51000000', year: 2023, budgetPoint: '3a' }),
    ]);
  });

  it('allocates II.3.9 HUF 12 million every year from 2023 under point 3b', () => {
    const [allocation, ...rest] = measure('II.3.9').funding.allocations ?? [];
    expect(rest).toEqual([]);
    expect(allocation).toEqual(expect.objectContaining({ amountHuf: '12000000', year: 2023, recurring: true, budgetPoint: '3b' }));
    expect(allocation.amountHuf).toBe(budgetPoint('3b').amountHuf);
  });

  it('allocates exactly the HUF amounts each measure’s funding text states', () => {
    for (const m of measures) {
      const stated = hufAmounts(m.fundingText).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      const allocated = allocations
        .filter(({ code }) => code === m.code)
        .map(({ allocation }) => BigInt(allocation.amountHuf))
        .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      expect({ code: m.code, amounts: allocated }).toEqual({ code: m.code, amounts: stated });
    }
  });

  it('states no amount only where the funding text names a year’s funding without one, and never under a budget point', () => {
    const unstated = everyAllocation.filter(({ allocation }) => allocation.amountHuf === UNSTATED);
    expect(unstated.map(({ code, allocation }) => [code, allocation.year])).toEqual([['II.3.3', 2022]]);
    for (const { code, allocation } of unstated) {
      expect(allocation.budgetPoint).toBeUndefined();
      expect(measure(code).fundingText).toContain(`${allocation.year} budget`);
    }
  });

  it('counts under a budget point exactly the measures funded by the decision adopting the plan', () => {
    const fundedByDecision = measures
      .filter((m) => m.fundingText.includes('allocated by the Government Decision adopting the new Action Plan'))
      .map((m) => m.code);
    const withBudgetPoint = measures
      .filter((m) => (m.funding.allocations ?? []).some((a) => a.budgetPoint !== undefined))
      .map((m) => m.code);
    expect(withBudgetPoint).toEqual(fundedByDecision);
  });
});

describe('plan hu-2022-2023: the targets the indicators state', () => {
  it.each([
    // The last column is where the indicator text states the number.
    ['II.3.2', 'CapacityCreated', 'sum', 'places', 5, 'with 5 places'],
    ['II.3.3', 'CapacityCreated', 'sum', 'facilities', 2, 'a capacity of 2x6 persons'],
    ['II.3.3', 'CapacityCreated', 'sum', 'places', 12, 'a capacity of 2x6 persons'],
    ['II.3.8', 'CapacityCreated', 'sum', 'places', 15, 'a total of 15 designated places'],
    ['II.3.8', 'CapacityCreated', 'distinct', 'location', 3, 'in 3 locations'],
    ['II.3.9', 'CapacityCreated', 'sum', 'facilities', 3, '3 new halfway houses'],
  ])('%s: %s %s of %s, target %d', (code, event, aggregate, field, target, stated) => {
    const found = measure(code).indicators.filter((i) => i.event === event && i.aggregate === aggregate && i.field === field);
    expect(found).toEqual([expect.objectContaining({ target })]);
    expect(measure(code).indicatorText).toContain(stated);
  });

  it('counts victims placed in II.3.8 without a target', () => {
    const victims = measure('II.3.8').indicators.filter((i) => i.event === 'VictimPlaced');
    expect(victims).toEqual([expect.objectContaining({ aggregate: 'sum', field: 'victims' })]);
    expect(victims[0].target).toBeUndefined();
  });

  it('states no target where the indicator text states no number', () => {
    for (const m of measures) {
      if (/\d/.test(m.indicatorText)) continue;
      expect({ code: m.code, targets: m.indicators.filter((i) => i.target !== undefined) }).toEqual({ code: m.code, targets: [] });
    }
  });
});
