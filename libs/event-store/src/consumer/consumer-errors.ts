import { InvalidPositionError, SubscriptionFailedError } from '../event-store.port.js';
/**
 * The errors of a log consumer (log-consumer.ts) and of waiting for a position
 * (position-waiters.ts). Every consumer's wait has the same behaviour: it resolves once the
 * position is reached and rejects otherwise — with {@link PositionTimeoutError} when the time
 * is up, with the consumer's failure when it failed, with {@link ConsumerStoppedError} when it
 * was stopped. Callers that answer clients map the timeout to their own code (the api: TIMEOUT).
 */

/** A wait for a position expired. */
export class PositionTimeoutError extends Error {
  override readonly name: string = 'PositionTimeoutError';
  constructor(
    /** The position waited for. */
    readonly position: bigint,
    /** Where the consumer was when the wait gave up. */
    readonly reached: bigint,
    readonly timeoutMs: number,
    /** Who was waited for, in words ("the projections", "the plan catalog"). */
    readonly subject = 'the log consumer',
  ) {
    super(`${capitalise(subject)} did not reach position ${position} within ${timeoutMs} ms (reached ${reached})`);
  }
}

/** The consumer was stopped while something waited for it. */
export class ConsumerStoppedError extends Error {
  override readonly name: string = 'ConsumerStoppedError';
  constructor(readonly consumer: string) {
    super(`The log consumer ${consumer} is stopped`);
  }
}

/**
 * The consumer's handler could not apply (or store) the event at `position`: the same event
 * would fail again, so the consumer stops there (state `failed`) instead of retrying or
 * skipping it. The handler's own error is the `cause`.
 */
export class ConsumerHandlerError extends Error {
  override readonly name: string = 'ConsumerHandlerError';
  constructor(
    readonly consumer: string,
    /** The event that could not be applied; for a failed checkpoint, the last one applied. */
    readonly position: bigint,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${consumer} cannot go past position ${position}: ${reason}`, options);
  }
}

/**
 * Whether a consumer's error is permanent (the consumer fails: state `failed`, readiness
 * down) rather than transient (it retries with back-off). The one place that decides it for
 * every consumer: a store adapter that can tell a permanent subscription error (access denied,
 * a deleted stream) adds its error class here. A consumer may still pass its own predicate.
 */
export function isPermanentConsumerError(error: unknown): boolean {
  return error instanceof ConsumerHandlerError || error instanceof SubscriptionFailedError || error instanceof InvalidPositionError;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
