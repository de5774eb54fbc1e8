import { DomainError, isIsoDate, isoDateRefusal } from '@app/domain';
import type { Plan } from '@app/plan';
import { pointInTimeChoiceRefusal } from '@app/audit';
import { POSITION_PATTERN, POSITION_RULE, type PointInTimeInput } from './dto/point-in-time.input.js';

/**
 * Checks of the optional arguments the query features share (asOf, planId, year, `at`), so that
 * every query and field refuses the same value alike (README, "Errors"). A value given is never
 * read as if it were absent: an empty string is refused naming the argument, not answered as
 * "today", "every plan" or "the head" — an auditor's tool sending an unset field would otherwise
 * get another answer than the one it asked for, without a word.
 */

/** `asOf` checked (BAD_USER_INPUT naming it, "" too), or undefined when omitted. */
export function checkedAsOf(asOf: string | null | undefined, field = 'asOf'): string | undefined {
  if (asOf === undefined || asOf === null) return undefined;
  if (!isIsoDate(asOf)) throw DomainError.badInput(field, isoDateRefusal(asOf));
  return asOf;
}

/** An optional id argument (planId, agencyId): undefined when omitted; "" (or only spaces) refused, naming it. */
export function givenId(value: string | null | undefined, field: string, whenOmitted: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (value.trim() === '') throw DomainError.badInput(field, `must not be empty: leave it out for ${whenOmitted}`);
  return value;
}

/** The years a `year` argument may name (fundingSummary, Measure.fundingStatus): one rule for both. */
export const YEAR_RANGE = { min: 1900, max: 2200 } as const;

/** A `year` argument checked (BAD_USER_INPUT naming it), or undefined when omitted. */
export function checkedYear(year: number | null | undefined, field = 'year'): number | undefined {
  if (year === undefined || year === null) return undefined;
  if (!Number.isInteger(year) || year < YEAR_RANGE.min || year > YEAR_RANGE.max) throw DomainError.badInput(field, `must be a year between ${YEAR_RANGE.min} and ${YEAR_RANGE.max} (got ${year})`);
  return year;
}

/** Whether a point in time was given: an `at` object (even `{}`, which PointInTime.resolve refuses). */
export function pointInTimeGiven(at: PointInTimeInput | null | undefined): at is PointInTimeInput {
  return at !== undefined && at !== null;
}

/**
 * A plan the read models answering a query hold, or NOT_FOUND. With `at` before the plan was
 * adopted (`adoptedNow`: the ledger holds it today), the refusal names `at` and says the ledger
 * did not hold the plan yet at that position, as a Measure field says of a measure; otherwise it
 * names `planId` (no adopted plan has that id).
 */
export function heldPlan(snapshot: { readonly position: bigint; plan(planId: string): Plan | undefined }, planId: string, at: PointInTimeInput | null | undefined, adoptedNow: boolean): Plan {
  const plan = snapshot.plan(planId);
  if (plan) return plan;
  if (pointInTimeGiven(at) && adoptedNow) {
    const position = snapshot.position;
    return notHeldAt(`plan ${planId}`, position, `is position ${position}, before plan ${planId} was adopted`);
  }
  throw new DomainError('NOT_FOUND', `No plan ${planId} is adopted in the ledger`, { field: 'planId', reason: 'is not an adopted plan' });
}

/** NOT_FOUND naming `at`: what was asked about was not in the ledger yet at that position. */
export function notHeldAt(what: string, position: bigint, reason: string): never {
  throw new DomainError('NOT_FOUND', `No ${what} at position ${position}: the ledger then ${position === 0n ? 'held no events' : 'did not hold it yet'}`, { field: 'at', reason });
}

/** A refusal of a value: the path below the argument (`[]`: the argument itself; `['position']`) and the reason. */
export interface ValueRefusal {
  readonly path: readonly string[];
  readonly reason: string;
}

/** The refusal a check above throws, or undefined. */
function refusalOf(check: () => unknown): ValueRefusal | undefined {
  try {
    check();
    return undefined;
  } catch (error) {
    if (error instanceof DomainError && error.extra.reason !== undefined) return { path: [], reason: error.extra.reason };
    throw error;
  }
}

/**
 * The checks of shared arguments that need nothing but the value, by argument name and GraphQL
 * type (the named type): the resolvers apply them (above, and PointInTimeInput's rules, and
 * PointInTime.resolve's choice), and the gate applies the same functions to a subscription's
 * literal arguments when it subscribes (LiteralArgumentsRule), so a value that can never be valid
 * is refused then, not with the first update. The value is the literal as GraphQL coerced it.
 */
export const VALUE_ONLY_CHECKS: ReadonlyArray<{ readonly argument: string; readonly type: string; readonly check: (value: unknown) => ValueRefusal | undefined }> = [
  { argument: 'asOf', type: 'String', check: (value) => refusalOf(() => checkedAsOf(value as string)) },
  { argument: 'year', type: 'Int', check: (value) => refusalOf(() => checkedYear(value as number)) },
  {
    argument: 'at',
    type: 'PointInTimeInput',
    check: (value) => {
      const at = value as { readonly position?: unknown; readonly recordedAt?: unknown };
      const choice = pointInTimeChoiceRefusal(at);
      if (choice !== undefined) return { path: [], reason: choice };
      if (typeof at.position === 'string' && !POSITION_PATTERN.test(at.position)) return { path: ['position'], reason: POSITION_RULE };
      return undefined;
    },
  },
];
