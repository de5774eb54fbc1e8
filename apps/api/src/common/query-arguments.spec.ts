import { DomainError } from '@app/domain';
import type { Plan } from '@app/plan';
import { checkedAsOf, checkedYear, givenId, heldPlan } from './query-arguments.js';
import { refusalOf } from '../../../../test/support/refusal.js';

const refusal = (fn: () => unknown): DomainError => refusalOf(DomainError, fn);

describe('the query arguments every feature shares', () => {
  it('refuses an empty or malformed asOf as a malformed date, and lets an omitted one be today', () => {
    expect(checkedAsOf(undefined)).toBeUndefined();
    expect(checkedAsOf(null)).toBeUndefined();
    expect(checkedAsOf('2023-06-30')).toBe('2023-06-30');
    for (const bad of ['', ' ', '2023-02-30', '2023-6-30', '2023-06-30T00:00:00Z']) {
      expect(refusal(() => checkedAsOf(bad))).toMatchObject({ code: 'BAD_USER_INPUT', extra: { field: 'asOf', reason: `must be a real calendar date written YYYY-MM-DD (got ${JSON.stringify(bad)})` } });
    }
  });

  it('refuses an empty id instead of reading it as "every plan"', () => {
    expect(givenId(undefined, 'planId', 'every plan')).toBeUndefined();
    expect(givenId('hu-2022-2023', 'planId', 'every plan')).toBe('hu-2022-2023');
    expect(refusal(() => givenId('', 'planId', 'every plan'))).toMatchObject({ extra: { field: 'planId', reason: 'must not be empty: leave it out for every plan' } });
    expect(refusal(() => givenId('  ', 'agencyId', 'every agency'))).toMatchObject({ extra: { field: 'agencyId' } });
  });

  it('holds every year argument to one range', () => {
    expect(checkedYear(undefined)).toBeUndefined();
    expect([1900, 2023, 2200].map((y) => checkedYear(y))).toEqual([1900, 2023, 2200]);
    for (const bad of [-1, 0, 1899, 2201]) expect(refusal(() => checkedYear(bad))).toMatchObject({ extra: { field: 'year', reason: `must be a year between 1900 and 2200 (got ${bad})` } });
  });

  describe('a plan the read models do not hold', () => {
    const plan = { id: 'hu-2022-2023' } as Plan;
    const snapshot = (held: boolean, position = 1n) => ({ position, plan: (id: string) => (held && id === plan.id ? plan : undefined) });

    it('is the plan when held', () => {
      expect(heldPlan(snapshot(true), 'hu-2022-2023', undefined, true)).toBe(plan);
    });

    it('names planId, and no position, when no plan has that id', () => {
      const live = refusal(() => heldPlan(snapshot(false), 'nope', undefined, false));
      expect(live).toMatchObject({ code: 'NOT_FOUND', extra: { field: 'planId', reason: 'is not an adopted plan' } });
      expect(live.message).not.toMatch(/position/);
      expect(refusal(() => heldPlan(snapshot(false), 'nope', { position: '1' }, false))).toMatchObject({ extra: { field: 'planId' } });
    });

    it('names `at` and says the ledger did not hold it yet, for a point before its adoption', () => {
      const early = refusal(() => heldPlan(snapshot(false, 1n), 'hu-2022-2023', { position: '1' }, true));
      expect(early).toMatchObject({ code: 'NOT_FOUND', message: 'No plan hu-2022-2023 at position 1: the ledger then did not hold it yet', extra: { field: 'at' } });
      expect(refusal(() => heldPlan(snapshot(false, 0n), 'hu-2022-2023', { recordedAt: new Date(0) }, true)).message).toMatch(/held no events$/);
    });
  });
});
