import { TokenBucketLimiter } from './rate-limiter.js';

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

  it('charges several units at once or none, and never more than the budget', () => {
    let now = 0;
    const limiter = new TokenBucketLimiter(60, () => now);
    expect(limiter.charge('a', 50).allowed).toBe(true);
    // 10 left: 20 is refused whole (nothing taken), with the seconds until 20 are there.
    expect(limiter.charge('a', 20)).toEqual({ allowed: false, retryAfterSeconds: 10 });
    expect(limiter.charge('a', 10).allowed).toBe(true);
    expect(limiter.take('a').allowed).toBe(false);
    expect(limiter.charge('b', 61)).toEqual({ allowed: false, retryAfterSeconds: 0 });
    expect(limiter.charge('b', 60).allowed).toBe(true);
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
