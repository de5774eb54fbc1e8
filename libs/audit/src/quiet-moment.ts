import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

export interface QuietMomentOptions {
  /** Busiest the event loop may be (0–1, share of wall time spent running callbacks) for background work to go on. */
  readonly maxUtilization?: number;
  /** Length of one look at the event loop, in ms. */
  readonly sampleMs?: number;
  /** Background work goes on after waiting this long whatever the load, so that it is never starved. */
  readonly maxWaitMs?: number;
  /** The event loop's utilization over the next `ms` (default: perf_hooks' eventLoopUtilization over a sleep). */
  readonly measure?: (ms: number) => Promise<number>;
  /** Stops waiting (at the end of the current look) once aborted. */
  readonly signal?: AbortSignal;
}

export const QUIET_UTILIZATION = 0.5;
export const QUIET_SAMPLE_MS = 25;
export const QUIET_MAX_WAIT_MS = 10_000;

async function loopUtilization(ms: number): Promise<number> {
  const before = performance.eventLoopUtilization();
  await sleep(ms);
  return performance.eventLoopUtilization(before).utilization;
}

/**
 * Resolves at a moment when the process is not busy serving requests: after a look at the
 * event loop (`sampleMs`) during which it ran callbacks at most `maxUtilization` of the time,
 * or after `maxWaitMs` in any case. Background work that can wait (building point-in-time
 * snapshots) calls it between slices, so that it fills the lulls instead of queueing requests
 * behind it when the server is loaded. The look measures only others' work: the caller does
 * nothing meanwhile. Resolves with the number of looks it took (at once when `signal` is aborted).
 */
export async function quietMoment(options: QuietMomentOptions = {}): Promise<number> {
  const max = options.maxUtilization ?? QUIET_UTILIZATION;
  const sampleMs = options.sampleMs ?? QUIET_SAMPLE_MS;
  const maxWaitMs = options.maxWaitMs ?? QUIET_MAX_WAIT_MS;
  const measure = options.measure ?? loopUtilization;
  let waited = 0;
  for (let looks = 1; ; looks++) {
    if (options.signal?.aborted) return looks - 1;
    if ((await measure(sampleMs)) <= max || options.signal?.aborted) return looks;
    waited += sampleMs;
    if (waited >= maxWaitMs) return looks;
  }
}
