import { ConsumerStoppedError, PositionTimeoutError } from './consumer-errors.js';

interface Waiter {
  readonly position: bigint;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/**
 * "Wait until position N", written once for every log consumer. A wait resolves once
 * `reached()` is at least N, and rejects otherwise: {@link PositionTimeoutError} (or what
 * `timeoutError` makes) after `timeoutMs`, the consumer's failure on {@link fail}, a
 * {@link ConsumerStoppedError} on {@link stop}. The owner calls {@link notify} whenever
 * `reached()` moves; a notify costs one comparison while nobody waits for that far.
 */
export class PositionWaiters {
  private readonly waiters = new Set<Waiter>();
  /** Smallest position a waiter waits for: most events need no look at the waiters. */
  private nextWaited: bigint | undefined;
  private settled: Error | undefined;

  constructor(
    private readonly options: {
      /** The consumer's name, for ConsumerStoppedError. */
      readonly name: string;
      /** Where the consumer is (what a wait compares with). */
      readonly reached: () => bigint;
      /** The timeout error; default PositionTimeoutError. */
      readonly timeoutError?: (position: bigint, reached: bigint, timeoutMs: number) => Error;
    },
  ) {}

  /** Resolves once `position` is reached; rejects as the class comment says. */
  wait(position: bigint, timeoutMs: number): Promise<void> {
    if (this.options.reached() >= position) return Promise.resolve();
    if (this.settled) return Promise.reject(this.settled);
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        position,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.remove(waiter);
          const reached = this.options.reached();
          reject(this.options.timeoutError?.(position, reached, timeoutMs) ?? new PositionTimeoutError(position, reached, timeoutMs));
        }, timeoutMs),
      };
      this.waiters.add(waiter);
      if (this.nextWaited === undefined || position < this.nextWaited) this.nextWaited = position;
    });
  }

  /** The consumer moved: resolves the waits it reached. */
  notify(): void {
    if (this.nextWaited === undefined) return;
    const reached = this.options.reached();
    if (reached < this.nextWaited) return;
    let next: bigint | undefined;
    for (const waiter of this.waiters) {
      if (waiter.position <= reached) {
        clearTimeout(waiter.timer);
        this.waiters.delete(waiter);
        waiter.resolve();
      } else if (next === undefined || waiter.position < next) {
        next = waiter.position;
      }
    }
    this.nextWaited = next;
  }

  /** The consumer failed: pending and later waits (beyond what it reached) reject with `error`. */
  fail(error: Error): void {
    this.settle(error);
  }

  /** The consumer stopped: pending and later waits reject with ConsumerStoppedError (or `error`). */
  stop(error: Error = new ConsumerStoppedError(this.options.name)): void {
    this.settle(error);
  }

  /** The consumer runs again (restarted after stop): waits are accepted again. */
  reopen(): void {
    this.settled = undefined;
  }

  get pending(): number {
    return this.waiters.size;
  }

  private settle(error: Error): void {
    // A failure is the more useful answer than a later stop.
    if (!this.settled || !(error instanceof ConsumerStoppedError)) this.settled = error;
    for (const waiter of this.waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(this.settled);
    }
    this.waiters.clear();
    this.nextWaited = undefined;
  }

  private remove(waiter: Waiter): void {
    clearTimeout(waiter.timer);
    this.waiters.delete(waiter);
    let next: bigint | undefined;
    for (const w of this.waiters) if (next === undefined || w.position < next) next = w.position;
    this.nextWaited = next;
  }
}
