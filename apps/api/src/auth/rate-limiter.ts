import type { RequestBudget } from '../common/request-budget.js';
import { GraphQLError } from 'graphql';
import { HeaderMap } from '@apollo/server';

/**
 * Per-principal operation budget: a token bucket per key (principal id, or client address for
 * anonymous callers), in memory. It holds `perMinute` tokens and refills continuously at
 * `perMinute` per minute. What takes tokens (RequestGate): one per GraphQL document received,
 * parsed or not, over any transport; one more per further root field of a mutation; and what
 * resolvers charge with {@link RateLimiter.charge} (e.g. one per row of a bulk input). Each api
 * instance counts on its own.
 */
export interface RateDecision {
  readonly allowed: boolean;
  /** When refused: whole seconds until one token is back. */
  readonly retryAfterSeconds: number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export class TokenBucketLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly refillPerMs: number;

  constructor(
    /** 0 switches the limiter off. */
    readonly perMinute: number,
    private readonly now: () => number = Date.now,
    /** Buckets kept before idle (full) ones are dropped. */
    private readonly maxBuckets = 10_000,
  ) {
    this.refillPerMs = perMinute / 60_000;
  }

  /** Takes `units` tokens, all or none: refused when fewer are left (nothing is taken then). */
  take(key: string, units = 1): RateDecision {
    if (this.perMinute <= 0 || units <= 0) return { allowed: true, retryAfterSeconds: 0 };
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.perMinute, updatedAt: now };
    bucket.tokens = Math.min(this.perMinute, bucket.tokens + (now - bucket.updatedAt) * this.refillPerMs);
    bucket.updatedAt = now;
    if (!this.buckets.has(key)) {
      if (this.buckets.size >= this.maxBuckets) this.prune(now);
      this.buckets.set(key, bucket);
    }
    if (bucket.tokens >= units) {
      bucket.tokens -= units;
      return { allowed: true, retryAfterSeconds: 0 };
    }
    // More than a whole minute's budget can never be had at once: say when the bucket is full.
    const wanted = Math.min(units, this.perMinute);
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((wanted - bucket.tokens) / this.refillPerMs / 1000)) };
  }

  /** Drops buckets that have refilled completely: they hold no information. */
  private prune(now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + (now - bucket.updatedAt) * this.refillPerMs >= this.perMinute) this.buckets.delete(key);
    }
  }
}

/** Over the operation budget: HTTP 429 with Retry-After (graphql-ws: an error message with the same extensions). */
export class RateLimitedError extends GraphQLError {
  constructor(retryAfterSeconds: number, limit: number, units = 1) {
    const headers = new HeaderMap([['retry-after', String(retryAfterSeconds)]]);
    super(
      `Rate limit of ${limit} operations per minute exceeded${units > 1 ? ` (this one counts ${units})` : ''}; retry after ${retryAfterSeconds} s`,
      { extensions: { code: 'RATE_LIMITED', retryAfter: retryAfterSeconds, limit, http: { status: 429, headers } } },
    );
  }
}

/**
 * The api's one rate limiter (RATE_LIMIT_PER_MINUTE), shared by every transport. Inject it in a
 * resolver to charge work an operation does beyond its root fields, before doing it:
 *
 *   this.rateLimiter.charge(principal, input.rows.length - 1); // the root field paid for one row
 *
 * `charge` throws RateLimitedError (RATE_LIMITED) when the principal's budget does not hold
 * `units` more, and then takes nothing.
 */
/**
 * The time (epoch ms) the api's limiters read when built without a clock of their own. Tests
 * that count a budget over HTTP freeze it, so that a loaded machine, slow between two requests,
 * refills nothing and the count they assert does not depend on timing.
 */
export const rateLimitClock: { now: () => number } = { now: () => Date.now() };

export class RateLimiter {
  private readonly buckets: TokenBucketLimiter;

  constructor(
    readonly perMinute: number,
    now: () => number = () => rateLimitClock.now(),
  ) {
    this.buckets = new TokenBucketLimiter(perMinute, now);
  }

  /** Takes `units` from `bucket` ("principal:<id>" or "address:<ip>") or throws RateLimitedError. */
  admit(bucket: string, units = 1, counted = units): void {
    const decision = this.buckets.take(bucket, units);
    // `counted`: what the refused operation counts in all (the message says it), of which `units` were still to take.
    if (!decision.allowed) throw new RateLimitedError(decision.retryAfterSeconds, this.perMinute, counted);
  }

  /**
   * The same buckets as a RequestBudget (common/request-budget.ts): a decision to act on instead
   * of a throw, for features that answer a refusal in their own words (bulk rows).
   */
  asRequestBudget(): RequestBudget {
    return {
      perMinute: this.perMinute,
      // More than a minute's budget can never be had: refused with no time to wait (send less).
      charge: (key, units) =>
        this.perMinute > 0 && units > this.perMinute ? { allowed: false, retryAfterSeconds: 0 } : this.buckets.take(key, units),
    };
  }

  /** Charges `units` operations to the principal's budget (see the class comment). */
  charge(principal: { readonly id: string }, units: number): void {
    this.admit(bucketOf(principal), units);
  }
}

/** The bucket of a principal, or of a client address for anonymous callers. */
export function bucketOf(principal: { readonly id: string } | undefined, address = 'unknown'): string {
  return principal ? `principal:${principal.id}` : `address:${address}`;
}
