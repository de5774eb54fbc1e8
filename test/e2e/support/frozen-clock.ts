import { rateLimitClock } from '../../../apps/api/src/auth/rate-limiter.js';

/**
 * Runs `action` with the rate limiters' clock stopped: a test counting a budget (10 stored, the
 * rest RATE_LIMITED) then gets the same count however slowly a busy machine sends its requests.
 */
export async function withRateLimitClockStopped<T>(action: () => Promise<T>): Promise<T> {
  const real = rateLimitClock.now;
  const stoppedAt = real();
  rateLimitClock.now = () => stoppedAt;
  try {
    return await action();
  } finally {
    rateLimitClock.now = real;
  }
}
