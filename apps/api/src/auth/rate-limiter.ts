/**
 * Per-principal request budget: a token bucket per key (principal id, or client address for
 * anonymous requests), in memory. It holds `perMinute` tokens and refills continuously at
 * `perMinute` per minute; each request takes one. Each api instance counts on its own.
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

  take(key: string): RateDecision {
    return this.charge(key, 1);
  }

  /**
   * Takes `units` tokens at once (a bulk request's rows), or none: refused when the bucket holds
   * fewer, with the seconds until it holds enough. More units than `perMinute` are never allowed
   * (retryAfterSeconds is then 0: waiting does not help, a smaller batch does).
   */
  charge(key: string, units: number): RateDecision {
    if (this.perMinute <= 0 || units <= 0) return { allowed: true, retryAfterSeconds: 0 };
    if (units > this.perMinute) return { allowed: false, retryAfterSeconds: 0 };
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
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((units - bucket.tokens) / this.refillPerMs / 1000)) };
  }

  /** Drops buckets that have refilled completely: they hold no information. */
  private prune(now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + (now - bucket.updatedAt) * this.refillPerMs >= this.perMinute) this.buckets.delete(key);
    }
  }
}
