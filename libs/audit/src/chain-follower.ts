import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { InterruptibleDelay } from '@app/projections';
import type { AllSubscription, EventStore, RecordedEvent } from '@app/event-store';
import type { ChainRow, ChainStore } from './chain-store.js';
import { ChainBuilder, EMPTY_HEAD, nextLink } from './hash-chain.js';
import { indexedFieldsOf } from './indexed-fields.js';

/** Where the follower reports what it does; Nest's Logger fits. */
export interface FollowerLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface ChainFollowerOptions {
  readonly store: EventStore;
  readonly chain: ChainStore;
  /** Rows per transaction at most… */
  readonly batchSize?: number;
  /** …and how long a linked event may wait for its transaction. */
  readonly batchIntervalMs?: number;
  readonly logger?: FollowerLogger;
}

export type FollowerState = 'created' | 'following' | 'stopped' | 'failed';

const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 30_000;

const silent: FollowerLogger = { log: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * Links every event of the log into the chain as it is stored, and indexes it (chain-store.ts):
 * a subscription to the global log from the last linked position, rows written in batches.
 * Like the projection runner it uses only the EventStore port, so it works over either adapter,
 * and it resumes after a restart from what the file holds.
 *
 * It links what it reads. An event edited in place *before* the follower linked it is linked as
 * edited; only a head recorded outside the system (`verify --head`) reveals that. Once linked,
 * any later edit shows in `verify`.
 */
export class ChainFollower {
  private readonly store: EventStore;
  private readonly chain: ChainStore;
  private readonly batchSize: number;
  private readonly batchIntervalMs: number;
  private readonly logger: FollowerLogger;
  private builder = new ChainBuilder();
  private recordedMaxMs = Number.NEGATIVE_INFINITY;
  private pending: ChainRow[] = [];
  private flushTimer: NodeJS.Timeout | undefined;
  private subscription: AllSubscription | undefined;
  private loop: Promise<void> | undefined;
  private stopping = false;
  private readonly retryDelay = new InterruptibleDelay();
  private runState: FollowerState = 'created';
  private failure: Error | undefined;
  private committed = 0n;
  private readonly waiters = new Set<{ position: bigint; resolve: () => void }>();

  constructor(options: ChainFollowerOptions) {
    this.store = options.store;
    this.chain = options.chain;
    this.batchSize = options.batchSize ?? 1_000;
    this.batchIntervalMs = options.batchIntervalMs ?? 100;
    this.logger = options.logger ?? silent;
  }

  get state(): FollowerState {
    return this.runState;
  }

  /** Why it stopped linking, when it failed. */
  get error(): Error | undefined {
    return this.failure;
  }

  /** Last position written to the chain file (0n before the first). */
  get position(): bigint {
    return this.committed;
  }

  /** Resumes from the chain file and follows the log in the background. */
  async start(): Promise<void> {
    const head = this.chain.head();
    if (head) {
      await this.checkFirstLink();
      if (this.failure) return;
      this.builder = new ChainBuilder(head);
      this.recordedMaxMs = head.recordedMaxMs;
      this.committed = head.position;
      this.logger.log(`Hash chain: ${head.sequence} events linked, resuming after position ${head.position}`);
    } else {
      this.builder = new ChainBuilder(EMPTY_HEAD);
    }
    this.runState = 'following';
    this.loop = this.run();
  }

  /** Links everything the store holds now, then returns (no following): tools and tests. */
  async catchUp(): Promise<void> {
    const head = this.chain.head();
    if (head) {
      this.builder = new ChainBuilder(head);
      this.recordedMaxMs = head.recordedMaxMs;
    }
    for await (const event of this.store.readAll({ from: head?.position })) this.link(event);
    this.flush();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.retryDelay.interrupt();
    await this.subscription?.close();
    await this.loop;
    this.flush();
    if (this.runState !== 'failed') this.runState = 'stopped';
    for (const waiter of this.waiters) waiter.resolve();
    this.waiters.clear();
  }

  /** Resolves once `position` is linked (or after `timeoutMs`, or when the follower stops). */
  waitFor(position: bigint, timeoutMs: number): Promise<boolean> {
    if (this.committed >= position) return Promise.resolve(true);
    if (this.runState !== 'following') return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const waiter = {
        position,
        resolve: () => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve(this.committed >= position);
        },
      };
      const timer = setTimeout(waiter.resolve, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  /** The stored chain must start where the store starts: else the file belongs to another store. */
  private async checkFirstLink(): Promise<void> {
    const first = this.chain.first();
    let event: RecordedEvent | undefined;
    for await (const e of this.store.readAll({ maxCount: 1 })) event = e;
    if (!first || !event) return;
    if (first.position !== event.position || nextLink(EMPTY_HEAD.hash, event, 1n) !== first.link) {
      this.fail(
        new Error(
          `${this.chain.file} does not start with this store's first event (another store, or the first event was altered): ` +
            'not linking. Run `ledger verify`; when the store was replaced on purpose, move the file away to start a new chain.',
        ),
      );
    }
  }

  private async run(): Promise<void> {
    let retryMs = RETRY_MIN_MS;
    while (!this.stopping && !this.failure) {
      try {
        const subscription = this.store.subscribeAll({ from: this.builder.head.sequence > 0n ? this.builder.head.position : undefined });
        this.subscription = subscription;
        if (this.stopping) await subscription.close();
        let sinceYield = 0;
        for await (const event of subscription) {
          this.link(event);
          retryMs = RETRY_MIN_MS;
          if (this.failure) break;
          // Catching up on a long log must not hold the event loop (requests wait meanwhile).
          if (++sinceYield >= this.batchSize) {
            sinceYield = 0;
            await yieldToEventLoop();
          }
        }
        this.subscription = undefined;
        // The subscription ended: stop asked for it, or the store closed.
        break;
      } catch (error) {
        this.subscription = undefined;
        this.flush();
        if (this.stopping || this.failure) break;
        this.logger.warn(`Hash chain: reading the event store failed (${(error as Error).message}); retrying in ${retryMs} ms`);
        await this.retryDelay.wait(retryMs);
        retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
      }
    }
    this.flush();
  }

  private link(event: RecordedEvent): void {
    // A subscription resumed after a failure may deliver what was already linked.
    if (this.builder.head.sequence > 0n && event.position <= this.builder.head.position) return;
    const { link, sequence } = this.builder.add(event);
    const { recordedAtMs, ...fields } = indexedFieldsOf(event);
    this.recordedMaxMs = Math.max(this.recordedMaxMs, recordedAtMs);
    this.pending.push({
      position: event.position,
      sequence,
      link,
      stream: event.stream,
      revision: event.revision,
      type: event.type,
      recordedMaxMs: this.recordedMaxMs,
      fields,
    });
    if (this.pending.length >= this.batchSize) this.flush();
    else this.flushTimer ??= setTimeout(() => this.flush(), this.batchIntervalMs);
  }

  private flush(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.pending.length === 0) return;
    const rows = this.pending;
    this.pending = [];
    try {
      this.chain.append(rows);
    } catch (error) {
      this.fail(new Error(`Hash chain: could not write ${this.chain.file}: ${(error as Error).message}`, { cause: error }));
      return;
    }
    this.committed = rows[rows.length - 1].position;
    for (const waiter of this.waiters) if (waiter.position <= this.committed) waiter.resolve();
  }

  private fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    this.runState = 'failed';
    this.logger.error(error.message);
    void this.subscription?.close();
    for (const waiter of this.waiters) waiter.resolve();
  }
}
