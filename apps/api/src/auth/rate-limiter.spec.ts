import { RateLimitedError, RateLimiter, TokenBucketLimiter } from './rate-limiter.js';

describe('TokenBucketLimiter', () => {
  it('allows the budget at once, then refuses with the seconds until a token is back', () => {
    let now = 0;
    const limiter = new TokenBucketLimiter(60, () => now);
    for (let i = 0; i < 60; i++) expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    // Another principal has its own bucket.
    expect(limiter.take('b').allowed).toBe(true);
    now += 1000; // 60 per minute = one per second
    expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('a').allowed).toBe(false);
  });

  it('as a request budget, charges several units at once or none, and never more than the budget', () => {
    let now = 0;
    const limiter = new RateLimiter(60, () => now);
    const budget = limiter.asRequestBudget();
    expect(budget.charge('principal:a', 50).allowed).toBe(true);
    // 10 left: 20 is refused whole (nothing taken), with the seconds until 20 are there.
    expect(budget.charge('principal:a', 20)).toEqual({ allowed: false, retryAfterSeconds: 10 });
    expect(budget.charge('principal:a', 10).allowed).toBe(true);
    // The same bucket as the gate's: the principal has nothing left for its next operation.
    expect(() => limiter.charge({ id: 'a' }, 1)).toThrow(RateLimitedError);
    expect(budget.charge('principal:b', 61)).toEqual({ allowed: false, retryAfterSeconds: 0 });
    expect(budget.charge('principal:b', 60).allowed).toBe(true);
  });

  it('gives a longer retry-after for a slow budget', () => {
    let now = 0;
    const limiter = new TokenBucketLimiter(2, () => now);
    limiter.take('a');
    limiter.take('a');
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 30 });
    now += 30_000;
    expect(limiter.take('a').allowed).toBe(true);
  });

  it('never holds more than the budget', () => {
    let now = 0;
    const limiter = new TokenBucketLimiter(3, () => now);
    now += 3_600_000;
    let allowed = 0;
    while (limiter.take('a').allowed) allowed += 1;
    expect(allowed).toBe(3);
  });

  it('is off at 0', () => {
    const limiter = new TokenBucketLimiter(0);
    for (let i = 0; i < 1000; i++) expect(limiter.take('a').allowed).toBe(true);
  });

  it('drops idle buckets when full', () => {
    let now = 0;
    const limiter = new TokenBucketLimiter(10, () => now, 2);
    limiter.take('a');
    limiter.take('b');
    now += 60_000;
    limiter.take('c');
    expect((limiter as unknown as { buckets: Map<string, unknown> }).buckets.size).toBe(1);
  });
});

describe('units', () => {
  it('takes several tokens at once, all or none', () => {
    let now = 0;
    const limiter = new TokenBucketLimiter(10, () => now);
    expect(limiter.take('a', 7).allowed).toBe(true);
    // 3 left: 4 are refused and none is taken.
    expect(limiter.take('a', 4)).toEqual({ allowed: false, retryAfterSeconds: 6 });
    expect(limiter.take('a', 3).allowed).toBe(true);
    expect(limiter.take('a').allowed).toBe(false);
    // More than a minute's budget: refused, with the time until the bucket is full.
    now += 60_000;
    expect(limiter.take('a', 11)).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(limiter.take('a', 10).allowed).toBe(true);
  });

  it('RateLimiter.charge throws RATE_LIMITED with retryAfter, per principal', () => {
    let now = 0;
    const limiter = new RateLimiter(5, () => now);
    limiter.charge({ id: 'k1' }, 5);
    let error: unknown;
    try {
      limiter.charge({ id: 'k1' }, 2);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).extensions).toMatchObject({ code: 'RATE_LIMITED', limit: 5, retryAfter: 24 });
    expect((error as RateLimitedError).message).toMatch(/this one counts 2/);
    expect(() => limiter.charge({ id: 'k2' }, 5)).not.toThrow();
    now += 12_000;
    expect(() => limiter.charge({ id: 'k1' }, 1)).not.toThrow();
  });

  it('is off at 0', () => {
    const limiter = new RateLimiter(0);
    expect(() => {
      for (let i = 0; i < 100; i++) limiter.charge({ id: 'k' }, 1000);
    }).not.toThrow();
  });
});
