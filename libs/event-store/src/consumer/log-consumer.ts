import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { AllSubscription, EventStore, ReadAllFilter, RecordedEvent } from '../event-store.port.js';
import { ConsumerHandlerError, isPermanentConsumerError } from './consumer-errors.js';
import { InterruptibleDelay } from './interruptible-delay.js';
import { PositionWaiters } from './position-waiters.js';

/**
 * Where a consumer is:
 * - `created`: not started;
 * - `catching-up`: reading what the store already holds (`readAll`);
 * - `live`: following new events (`subscribeAll`);
 * - `retrying`: reading failed with a transient error; it reads again after a back-off pause;
 * - `failed`: it met an error it cannot get past (an event its handler cannot apply, a
 *   permanent store error) and stays at `position` until restarted — readiness fails;
 * - `stopped`: stopped on purpose, or the store ended the subscription (closed).
 */
export type ConsumerState = 'created' | 'catching-up' | 'live' | 'retrying' | 'failed' | 'stopped';

/** What health and metrics show about one consumer. */
export interface ConsumerStatus {
  readonly name: string;
  readonly state: ConsumerState;
  /** Global position of the last event applied; 0n before the first. */
  readonly position: bigint;
  /** Position of the last event whose effects the handler committed (its checkpoint). */
  readonly checkpoint: bigint;
  /** Why it is retrying, failed or stopped (absent when catching up or live). */
  readonly reason?: string;
  /** Failed attempts since the consumer started (transient ones included). */
  readonly failures: number;
}

/** Anything that can tell its status: a LogConsumer, or a component built on one. */
export interface ConsumerStatusSource {
  status(): ConsumerStatus;
}

/** Where a consumer reports what it does; Nest's Logger fits. */
export interface ConsumerLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/**
 * What a consumer does with the log. Only `apply` is required.
 *
 * Errors thrown by the handler are permanent (the consumer fails at that event, wrapped in a
 * {@link ConsumerHandlerError} naming the position): a handler that cannot apply an event must
 * throw before changing anything (validate first, or apply in a transaction that rolls back),
 * so the consumer never holds half of an event.
 */
export interface LogHandler {
  /**
   * Exclusive start: the position after which the next read starts (undefined = the start of
   * the log). Asked at start and after every retry or restart: return the checkpoint.
   */
  from(): bigint | undefined;
  /** Applies one event (in commit order, each once: the consumer skips positions ≤ the last applied). */
  apply(event: RecordedEvent): void | Promise<void>;
  /**
   * Stores what was applied since the last call (with its checkpoint): after `batchSize`
   * events, `batchIntervalMs` after the first uncommitted one, at the end of a catch-up, and
   * before a retry, restart or stop.
   */
  commit?(): void | Promise<void>;
  /** Asked after each commit: true makes the consumer {@link LogConsumer.restart} (e.g. a stale projection). */
  restartNeeded?(): boolean;
  /** Runs before the consumer reads again after a restart (e.g. drops a projection to rebuild it). */
  reset?(): void | Promise<void>;
}

export interface LogConsumerOptions {
  /** For logs, health and metrics: short, stable (`projections`, `plan-catalog`, …). */
  readonly name: string;
  readonly store: EventStore;
  readonly handler: LogHandler;
  /** Only these events are read (the store filters them). */
  readonly filter?: ReadAllFilter;
  /**
   * `catch-up` (default): read the stored log with readAll (state catching-up), then follow it
   * (live). `follow`: subscribe at once (live from the start).
   */
  readonly mode?: 'catch-up' | 'follow';
  /** Commit after this many applied events (default 1000)… */
  readonly batchSize?: number;
  /** …or this long after the first uncommitted one (default 100 ms), whichever first. */
  readonly batchIntervalMs?: number;
  /**
   * What {@link LogConsumer.waitForPosition} waits for: the event applied (default; the
   * handler's memory is what readers see) or committed (what readers see is the stored state).
   */
  readonly visibleAt?: 'apply' | 'commit';
  /** Back-off after a transient failure: doubling from `minMs` (500) up to `maxMs` (30 000). */
  readonly retry?: { readonly minMs?: number; readonly maxMs?: number };
  /** Permanent vs transient; default {@link isPermanentConsumerError}. */
  readonly isPermanent?: (error: unknown) => boolean;
  /** The timeout error of waitForPosition (default PositionTimeoutError). */
  readonly timeoutError?: (position: bigint, reached: bigint, timeoutMs: number) => Error;
  /** The error of a wait cut short by stop() (default ConsumerStoppedError). */
  readonly stoppedError?: () => Error;
  readonly logger?: ConsumerLogger;
  /** Where the consumer registers itself for readiness and metrics. */
  readonly board?: LogConsumerBoard;
}

const DEFAULT_BATCH_SIZE = 1_000;
const DEFAULT_BATCH_INTERVAL_MS = 100;
const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 30_000;
const DEADLINE = Symbol('deadline');

type Outcome = 'done' | 'restart' | 'stopped' | 'ended';

const silent: ConsumerLogger = { log: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * The one way anything in this system follows the event log (ARCHITECTURE.md, "Request
 * path"): the projection runner, the plan catalog, the key registry, the hash-chain follower
 * and live updates each give it a {@link LogHandler}. It reads from the handler's checkpoint,
 * applies each event once in commit order, commits in batches, retries a transient store
 * failure with a doubling back-off, and stops visibly — state `failed`, a log line with the
 * position and the reason, readiness and metrics through a {@link LogConsumerBoard} — at an
 * error it cannot get past. It never stops in silence.
 *
 * It uses only the EventStore port, so it runs over any adapter; it is never fed by the
 * in-process EventBus, so every api instance sees every stored event.
 */
export class LogConsumer implements ConsumerStatusSource {
  readonly name: string;
  private readonly store: EventStore;
  private readonly handler: LogHandler;
  private readonly filter: ReadAllFilter | undefined;
  private readonly mode: 'catch-up' | 'follow';
  private readonly batchSize: number;
  private readonly batchIntervalMs: number;
  private readonly visibleAtCommit: boolean;
  private readonly retryMinMs: number;
  private readonly retryMaxMs: number;
  private readonly isPermanent: (error: unknown) => boolean;
  private readonly logger: ConsumerLogger;
  private readonly waiters: PositionWaiters;
  private readonly stoppedError: (() => Error) | undefined;
  private readonly retryDelay = new InterruptibleDelay();

  private runState: ConsumerState = 'created';
  private reason: string | undefined;
  private failure: Error | undefined;
  private failures = 0;
  private applied = 0n;
  private committed = 0n;
  private uncommitted = 0;
  private stopping = false;
  private restartRequested = false;
  private loop: Promise<void> | undefined;
  private subscription: AllSubscription | undefined;
  private deadline: Promise<typeof DEADLINE> | undefined;
  private deadlineTimer: NodeJS.Timeout | undefined;

  constructor(options: LogConsumerOptions) {
    this.name = options.name;
    this.store = options.store;
    this.handler = options.handler;
    this.filter = options.filter;
    this.mode = options.mode ?? 'catch-up';
    this.batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    this.batchIntervalMs = options.batchIntervalMs ?? DEFAULT_BATCH_INTERVAL_MS;
    this.visibleAtCommit = options.visibleAt === 'commit';
    this.retryMinMs = options.retry?.minMs ?? RETRY_MIN_MS;
    this.retryMaxMs = options.retry?.maxMs ?? RETRY_MAX_MS;
    this.isPermanent = options.isPermanent ?? isPermanentConsumerError;
    this.logger = options.logger ?? silent;
    this.waiters = new PositionWaiters({
      name: this.name,
      reached: () => (this.visibleAtCommit ? this.committed : this.applied),
      timeoutError: options.timeoutError,
    });
    this.stoppedError = options.stoppedError;
    options.board?.register(this);
  }

  get state(): ConsumerState {
    return this.runState;
  }

  /** Why it failed, when it did. */
  get error(): Error | undefined {
    return this.failure;
  }

  /** Global position of the last event applied; 0n before the first. */
  get position(): bigint {
    return this.applied;
  }

  /** Position of the last event committed. */
  get checkpoint(): bigint {
    return this.committed;
  }

  status(): ConsumerStatus {
    return {
      name: this.name,
      state: this.runState,
      position: this.applied,
      checkpoint: this.committed,
      ...(this.reason === undefined ? {} : { reason: this.reason }),
      failures: this.failures,
    };
  }

  /** Starts reading and following the log in the background; resolves at once. */
  start(): void {
    if (this.loop) return;
    this.stopping = false;
    this.failure = undefined;
    this.waiters.reopen();
    this.setState(this.mode === 'catch-up' ? 'catching-up' : 'live');
    this.loop = this.run().finally(() => {
      this.loop = undefined;
    });
  }

  /**
   * Reads what the store holds now (up to `until`, inclusive) and commits it, in the
   * foreground, without following afterwards: start-up reads that must finish before serving,
   * and one-off tools (`ledger replay`). A failure is thrown, not retried.
   */
  async catchUp(options: { readonly until?: bigint } = {}): Promise<void> {
    if (this.loop) throw new Error(`${this.name} is running: catchUp is for a consumer that does not follow`);
    this.setState('catching-up');
    this.resetPosition();
    try {
      for (;;) {
        const outcome = await this.read(options.until);
        await this.commit();
        if (outcome !== 'restart') break;
        await this.resetForRestart();
      }
    } catch (error) {
      try {
        await this.commit();
      } catch {
        // The first error is the one to report.
      }
      if (this.isPermanent(error)) this.fail(error as Error);
      else this.setState('stopped', messageOf(error));
      throw error;
    }
    this.setState('stopped', 'read to the end of the log; not following');
  }

  /** Stops reading, commits what was applied; pending waits reject with ConsumerStoppedError. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.retryDelay.interrupt();
    await this.subscription?.close();
    await this.loop;
    this.clearDeadline();
    if (this.runState !== 'failed') this.setState('stopped', 'stopped on request');
    this.waiters.stop(this.stoppedError?.());
  }

  /**
   * Reads again from the handler's checkpoint after calling its `reset` (a projection rebuild).
   * A failed or stopped consumer calls `reset` now; a running one when its current read ends.
   */
  async restart(): Promise<void> {
    this.restartRequested = true;
    if (this.loop) {
      this.retryDelay.interrupt();
      await this.subscription?.close();
      return;
    }
    await this.resetForRestart();
  }

  /**
   * Resolves once the consumer has applied (or, with `visibleAt: 'commit'`, committed)
   * `position`. Rejects with PositionTimeoutError (or the consumer's `timeoutError`) after
   * `timeoutMs`, with the consumer's failure once it failed, with ConsumerStoppedError once
   * stopped. The one "wait until position N" of the system.
   */
  waitForPosition(position: bigint, timeoutMs: number): Promise<void> {
    if (this.runState === 'failed' && this.failure) this.waiters.fail(this.failure);
    return this.waiters.wait(position, timeoutMs);
  }

  // ---- the loop ----------------------------------------------------------------------------

  private async run(): Promise<void> {
    let retryMs = this.retryMinMs;
    try {
      while (!this.stopping) {
        let outcome: Outcome;
        try {
          if (this.restartRequested) await this.resetForRestart();
          this.resetPosition();
          if (this.mode === 'catch-up') {
            this.setState('catching-up');
            outcome = await this.read();
            await this.commit();
            if (outcome === 'restart') continue;
            if (this.stopping) break;
          }
          this.setState('live');
          retryMs = this.retryMinMs;
          outcome = await this.follow();
          await this.commit();
        } catch (readError) {
          let error = readError;
          try {
            // What was applied before the failure is good: keep it.
            await this.commit();
          } catch (commitError) {
            error = commitError;
          }
          if (this.stopping) break;
          if (this.isPermanent(error)) {
            this.fail(error as Error);
            return;
          }
          this.failures += 1;
          const reason = messageOf(error);
          this.setState('retrying', reason);
          this.logger.warn(`${this.name}: reading the event store failed after position ${this.applied} (${reason}); retrying in ${retryMs} ms`);
          await this.retryDelay.wait(retryMs);
          retryMs = Math.min(retryMs * 2, this.retryMaxMs);
          continue;
        }
        if (outcome === 'restart') continue;
        if (outcome === 'ended') {
          // The store ended the subscription without being asked (it closed): nothing to follow.
          this.setState('stopped', 'the event store ended the subscription');
          this.logger.warn(`${this.name}: the event store ended the subscription at position ${this.applied}; not following any more`);
          this.waiters.stop(this.stoppedError?.());
          return;
        }
        break;
      }
    } catch (error) {
      this.fail(error as Error);
    } finally {
      this.clearDeadline();
    }
  }

  /** Reads the stored log to its end (or `until`), committing in batches. */
  private async read(until?: bigint): Promise<Outcome> {
    const from = this.handler.from();
    for await (const event of this.store.readAll({ from, filter: this.filter })) {
      if (until !== undefined && event.position > until) break;
      const applying = this.apply(event);
      if (applying) await applying;
      if (this.uncommitted >= this.batchSize) {
        await this.commit();
        if (this.restartRequested) return 'restart';
        if (this.stopping) return 'stopped';
        // Let requests in between batches: a long catch-up otherwise runs on microtasks only.
        await yieldToEventLoop();
      }
    }
    return this.restartRequested ? 'restart' : 'done';
  }

  /** Follows the log until stopped, restarted, or the subscription ends. */
  private async follow(): Promise<Outcome> {
    const subscription = this.store.subscribeAll({ from: this.handler.from(), filter: this.filter });
    this.subscription = subscription;
    if (this.stopping || this.restartRequested) await subscription.close();
    const events = subscription[Symbol.asyncIterator]();
    try {
      for (;;) {
        const next = events.next();
        const result = this.deadline ? await Promise.race([next, this.deadline]) : await next;
        if (result === DEADLINE) {
          await this.commit();
          if (this.restartRequested) return 'restart';
          // The pending read is still the next event: wait for it without a deadline.
          const after = await next;
          if (after.done) return this.endOfSubscription();
          const applying = this.apply(after.value);
          if (applying) await applying;
          continue;
        }
        if (result.done) return this.endOfSubscription();
        const applying = this.apply(result.value);
        if (applying) await applying;
        if (this.uncommitted >= this.batchSize) {
          await this.commit();
          if (this.restartRequested) return 'restart';
          await yieldToEventLoop();
        }
      }
    } finally {
      this.subscription = undefined;
      await subscription.close();
    }
  }

  private endOfSubscription(): Outcome {
    return this.stopping ? 'stopped' : this.restartRequested ? 'restart' : 'ended';
  }

  /**
   * Applies one event; returns a promise only when the handler's apply returned one. Most
   * handlers apply synchronously: an `await` per event (two, with the caller's) would cost a
   * rebuild two microtask turns per event, and send a live follower to the back of the
   * microtask queue twice more per event than reading the subscription does.
   */
  private apply(event: RecordedEvent): Promise<void> | undefined {
    // The checkpoint guard: a read resumed after a failure may deliver what was applied.
    if (event.position <= this.applied) return undefined;
    let applying: void | Promise<void>;
    try {
      applying = this.handler.apply(event);
    } catch (error) {
      throw this.applyError(event, error);
    }
    if (applying instanceof Promise) {
      return applying.then(
        () => this.markApplied(event),
        (error: unknown) => {
          throw this.applyError(event, error);
        },
      );
    }
    this.markApplied(event);
    return undefined;
  }

  private markApplied(event: RecordedEvent): void {
    this.applied = event.position;
    if (this.uncommitted++ === 0) this.startDeadline();
    if (!this.visibleAtCommit) this.waiters.notify();
  }

  private applyError(event: RecordedEvent, error: unknown): ConsumerHandlerError {
    if (error instanceof ConsumerHandlerError) return error;
    return new ConsumerHandlerError(this.name, event.position, `cannot apply ${event.type} of ${event.stream}: ${messageOf(error)}`, { cause: error });
  }

  private async commit(): Promise<void> {
    this.clearDeadline();
    const position = this.applied;
    if (this.uncommitted > 0 || position !== this.committed) {
      this.uncommitted = 0;
      try {
        await this.handler.commit?.();
      } catch (error) {
        throw new ConsumerHandlerError(this.name, position, `cannot store what was applied: ${messageOf(error)}`, { cause: error });
      }
      this.committed = position;
      if (this.visibleAtCommit) this.waiters.notify();
    }
    if (this.handler.restartNeeded?.()) this.restartRequested = true;
  }

  private resetPosition(): void {
    const from = this.handler.from() ?? 0n;
    this.applied = this.committed = from < 0n ? 0n : from;
  }

  private async resetForRestart(): Promise<void> {
    this.restartRequested = false;
    await this.handler.reset?.();
    this.resetPosition();
  }

  /**
   * Marks the consumer failed from outside its loop: a check before starting found that it
   * cannot go on (e.g. the hash chain does not belong to this store). Logged like any failure.
   */
  fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    this.failures += 1;
    const at = error instanceof ConsumerHandlerError ? error.position : this.applied;
    const reason = error instanceof ConsumerHandlerError ? error.reason : messageOf(error);
    this.setState('failed', `at position ${at}: ${reason}`);
    const cause = error.cause instanceof Error && error.cause.stack ? `\n${error.cause.stack}` : '';
    this.logger.error(`${this.name} failed at position ${at}: ${reason}. It stops here until the cause is fixed and it is restarted.${cause}`);
    this.waiters.fail(error);
  }

  private setState(state: ConsumerState, reason?: string): void {
    this.runState = state;
    this.reason = reason;
  }

  private startDeadline(): void {
    this.deadline = new Promise((resolve) => {
      this.deadlineTimer = setTimeout(() => resolve(DEADLINE), this.batchIntervalMs);
    });
  }

  private clearDeadline(): void {
    clearTimeout(this.deadlineTimer);
    this.deadlineTimer = undefined;
    this.deadline = undefined;
  }
}

/**
 * The consumers of one process (one api instance): readiness fails while one of them has
 * failed or stopped, and metrics show each one's state, position and failures.
 */
export class LogConsumerBoard {
  private readonly sources = new Set<ConsumerStatusSource>();

  register(source: ConsumerStatusSource): () => void {
    this.sources.add(source);
    return () => this.sources.delete(source);
  }

  statuses(): ConsumerStatus[] {
    return [...this.sources].map((source) => source.status()).sort((a, b) => a.name.localeCompare(b.name));
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
