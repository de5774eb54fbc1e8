import { HeaderMap } from '@apollo/server';
import { GraphQLError } from 'graphql';

/**
 * The per-principal rate budget (RATE_LIMIT_PER_MINUTE) as the features that spend more than one
 * unit per request see it: the auth feature provides the one limiter the GraphQL gate takes from,
 * so a bulk request's rows and a spreadsheet's rows draw on the same bucket as every request.
 */
export interface RequestBudget {
  /** Takes `units` from the bucket of `key` (`principal:<id>`), or nothing when it holds fewer. */
  charge(key: string, units: number): { readonly allowed: boolean; readonly retryAfterSeconds: number };
  readonly perMinute: number;
}

export const REQUEST_BUDGET = Symbol('REQUEST_BUDGET');

/** The bucket key of a principal, as the GraphQL gate names it. */
export const budgetKeyOf = (principalId: string): string => `principal:${principalId}`;

/**
 * Over the budget: the code and retry hint the GraphQL gate answers with — HTTP 429 with a
 * Retry-After header over both HTTP paths (recordReports: auth/graphql-options.ts's
 * executionStatus keeps the 429 of a refusal that ran nothing; uploads: httpRefusal).
 */
export class RowBudgetExceededError extends GraphQLError {
  /**
   * `field`: the input the rows came in (`input.reports`, or `file` for an upload). A batch larger
   * than the whole budget can never pass: its refusal has no `retryAfter` (a 0 would invite an
   * immediate retry, forever) and says to send fewer reports per request.
   */
  constructor(units: number, perMinute: number, retryAfterSeconds: number, field = 'input.reports') {
    const never = retryAfterSeconds === 0;
    const reason = never
      ? `costs ${units} units of the rate limit, more than its ${perMinute} per minute: send fewer reports per request`
      : `costs ${units} units of the rate limit; retry after ${retryAfterSeconds} s`;
    super(`${field} ${reason}`, {
      extensions: {
        code: 'RATE_LIMITED',
        field,
        reason,
        ...(never ? {} : { retryAfter: retryAfterSeconds }),
        limit: perMinute,
        http: { status: 429, headers: new HeaderMap(never ? [] : [['retry-after', String(retryAfterSeconds)]]) },
      },
    });
  }
}
