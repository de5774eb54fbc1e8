/**
 * How long {@link waitUntil} waits by default: far beyond what any condition of a unit test
 * takes on a quiet machine (milliseconds), so a busy one (two suites on two cores) never fails
 * a test by waiting, yet under jest's 30 s test timeout, so a condition that never holds fails
 * with this helper's message rather than jest's.
 */
export const WAIT_UNTIL_MS = 25_000;

/**
 * Polls `condition` every few milliseconds until it holds: how a test waits for something
 * asynchronous (a follower going live, a batch committed) instead of sleeping a fixed time.
 * Rejects with `condition not met in time: <what>` after `timeoutMs`.
 */
export async function waitUntil(condition: () => boolean, what = 'condition', timeoutMs = WAIT_UNTIL_MS): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error(`condition not met in time: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
