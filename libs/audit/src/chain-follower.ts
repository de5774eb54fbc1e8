import {
  type ConsumerState,
  type ConsumerStatus,
  type ConsumerStatusSource,
  type EventStore,
  LogConsumer,
  type LogConsumerBoard,
  linkedHereAfter,
  type RecordedEvent,
} from '@app/event-store';
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
  /** Where its log consumer registers for readiness and metrics. */
  readonly board?: LogConsumerBoard;
}

/** The follower's state: its log consumer's (see ConsumerState). */
export type FollowerState = ConsumerState;

const silent: FollowerLogger = { log: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * Links every event of the log into the chain as it is stored, and indexes it (chain-store.ts):
 * a {@link LogConsumer} (`hash-chain`) from the last linked position, rows written in batches
 * (its commits). It uses only the EventStore port, so it works over either adapter; it resumes
 * after a restart from what the file holds, retries a failing store, and fails visibly (state,
 * readiness, metrics, a log line) when the file cannot be written or does not belong to the store.
 *
 * It links what it reads, after checking it against the link a chain-linked store (the embedded
 * one) wrote with the event in its append: a row edited or inserted around the append stops it
 * there (failed). Once linked, any later edit shows in `verify`.
 */
export class ChainFollower implements ConsumerStatusSource {
  private readonly store: EventStore;
  private readonly chain: ChainStore;
  private readonly logger: FollowerLogger;
  private readonly consumer: LogConsumer;
  private builder = new ChainBuilder();
  private recordedMaxMs = Number.NEGATIVE_INFINITY;
  private pending: ChainRow[] = [];

  constructor(options: ChainFollowerOptions) {
    this.store = options.store;
    this.chain = options.chain;
    this.logger = options.logger ?? silent;
    this.consumer = new LogConsumer({
      name: 'hash-chain',
      store: options.store,
      handler: {
        from: () => (this.builder.head.sequence > 0n ? this.builder.head.position : undefined),
        apply: (event) => this.link(event),
        commit: () => this.flush(),
      },
      batchSize: options.batchSize ?? 1_000,
      batchIntervalMs: options.batchIntervalMs ?? 100,
      // What is linked is what is in the file: history queries and verify read the file.
      visibleAt: 'commit',
      logger: this.logger,
      board: options.board,
    });
  }

  get state(): FollowerState {
    return this.consumer.state;
  }

  /** Why it stopped linking, when it failed. */
  get error(): Error | undefined {
    return this.consumer.error;
  }

  /** Last position written to the chain file (0n before the first). */
  get position(): bigint {
    return this.consumer.checkpoint;
  }

  status(): ConsumerStatus {
    return this.consumer.status();
  }

  /** Resumes from the chain file and follows the log in the background. */
  async start(): Promise<void> {
    const head = this.chain.head();
    if (head) {
      const mismatch = await this.checkFirstLink();
      if (mismatch) {
        this.consumer.fail(mismatch);
        return;
      }
      this.resume();
      this.logger.log(`Hash chain: ${head.sequence} events linked, resuming after position ${head.position}`);
    } else {
      this.builder = new ChainBuilder(EMPTY_HEAD);
    }
    this.consumer.start();
  }

  /** Links everything the store holds now, then returns (no following): tools and tests. */
  async catchUp(): Promise<void> {
    this.resume();
    await this.consumer.catchUp();
  }

  async stop(): Promise<void> {
    await this.consumer.stop();
  }

  /**
   * Resolves once `position` is linked and written; rejects like every log consumer's wait
   * (LogConsumer.waitForPosition): on timeout, on failure, once stopped.
   */
  waitForPosition(position: bigint, timeoutMs: number): Promise<void> {
    return this.consumer.waitForPosition(position, timeoutMs);
  }

  private resume(): void {
    const head = this.chain.head();
    this.builder = new ChainBuilder(head ?? EMPTY_HEAD);
    if (head) this.recordedMaxMs = head.recordedMaxMs;
  }

  /** The stored chain must start where the store starts: else the file belongs to another store. */
  private async checkFirstLink(): Promise<Error | undefined> {
    const first = this.chain.first();
    let event: RecordedEvent | undefined;
    for await (const e of this.store.readAll({ maxCount: 1 })) event = e;
    if (!first || !event) return undefined;
    if (first.position !== event.position || nextLink(EMPTY_HEAD.hash, event, 1n) !== first.link) {
      return new Error(
        `${this.chain.file} does not start with this store's first event (another store, or the first event was altered): ` +
          'not linking. Run `ledger verify`; when the store was replaced on purpose, move the file away to start a new chain.',
      );
    }
    return undefined;
  }

  private link(event: RecordedEvent): void {
    // A subscription resumed after a failure may deliver what was already linked.
    if (this.builder.head.sequence > 0n && event.position <= this.builder.head.position) return;
    // An event the store linked in this process right after our head keeps that link: it was
    // computed from this same (frozen) object after the same link, so hashing it again would give
    // it back (chain-link.ts, linkedHereAfter). Everything read from the file is hashed.
    const head = this.builder.head;
    const own = event.chain;
    const { link, sequence } =
      own !== undefined && own.sequence === head.sequence + 1n && linkedHereAfter(event) === head.hash ? this.builder.advance(event, own.link) : this.builder.add(event);
    // A row of a chain-linked store must carry the link computed here: one written around the
    // store's append is not linked into the chain (the follower fails there, naming it).
    if (this.store.chainLinked && (event.chain?.link !== link || event.chain.sequence !== sequence)) {
      throw new Error(
        event.chain
          ? `the event's own chain link (event ${event.chain.sequence}: ${event.chain.link}) is not the chain's (event ${sequence}: ${link}): it or an event before it was changed or written into the store directly; run \`ledger verify\``
          : `the event carries no chain link from the store's append: it was written into the store directly; run \`ledger verify\``,
      );
    }
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
  }

  /** Writes the linked rows in one transaction; a failure fails the follower (rows are kept out). */
  private flush(): void {
    if (this.pending.length === 0) return;
    const rows = this.pending;
    this.pending = [];
    try {
      this.chain.append(rows);
    } catch (error) {
      // Kept: they are not in the file, so nothing may count them as linked.
      this.pending = rows.concat(this.pending);
      throw new Error(`Hash chain: could not write ${this.chain.file}: ${(error as Error).message}`, { cause: error });
    }
  }
}
