/**
 * The `$all` catch-up subscription of the EventStoreDB adapter: a bounded queue over the client's
 * subscription stream, with resubscription after transient failures.
 */
import type { Logger } from '@nestjs/common';
import {
  type AllStreamResolvedEvent,
  type AllStreamSubscription,
  type KurrentDBClient,
  type Position,
  START,
} from '@kurrent/kurrentdb-client';
import {
  type AllSubscription,
  type RecordedEvent,
  type SubscribeAllOptions,
  SubscriptionFailedError,
  matchesFilter,
} from '../event-store.port.js';
import { isTransient } from './eventstoredb-errors.js';
import {
  comparePositions,
  describeError,
  isSystemEvent,
  knownPosition,
  reconnectDelay,
  serverFilterFor,
  toClientPosition,
  toRecordedEvent,
  withTimeout,
} from './eventstoredb-mapping.js';

/** A subscription pauses the client stream at this many undelivered events … */
export const SUBSCRIPTION_HIGH_WATER = 1024;
/** … and resumes it once the consumer has brought the queue down to this many. */
export const SUBSCRIPTION_LOW_WATER = 256;
const UNSUBSCRIBE_TIMEOUT_MS = 2_000;

/**
 * A catch-up subscription to `$all` with an internal bounded queue. The client stream runs in
 * flowing mode into the queue and is paused at {@link SUBSCRIPTION_HIGH_WATER} undelivered
 * events, resumed at {@link SUBSCRIPTION_LOW_WATER}. When the server drops the subscription
 * with a transient failure (unavailable, not leader, deadline, an end we did not ask for) it
 * resubscribes from the last event or filter checkpoint received, after 100 ms doubling up to
 * 5 s; events at or before the last event received are dropped, so nothing is delivered twice or
 * skipped. A permanent failure (access denied, invalid argument or position, an unmappable event)
 * ends it: `next()` rejects with {@link SubscriptionFailedError} after the queued events.
 */
export class EventStoreDbAllSubscription implements AllSubscription {
  private readonly queue: RecordedEvent[] = [];
  private readonly waiters: Array<{
    resolve: (result: IteratorResult<RecordedEvent>) => void;
    reject: (error: unknown) => void;
  }> = [];
  private current: AllStreamSubscription | undefined;
  /** Bumped on every (re)subscribe and on close: events of older client streams are ignored. */
  private generation = 0;
  private paused = false;
  private closed = false;
  private closing: Promise<void> | undefined;
  private failure: unknown;
  private attempt = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  /** Last event position received from the server (delivered, queued or filtered out). */
  private cursor: Position | undefined;
  /** Last filter checkpoint: how far the server has searched; resubscribing starts there when ahead. */
  private checkpoint: Position | undefined;

  constructor(
    private readonly client: KurrentDBClient,
    private readonly options: SubscribeAllOptions,
    private readonly logger: Logger,
    private readonly onClosed: (subscription: EventStoreDbAllSubscription) => void,
  ) {
    this.cursor = options.from === undefined ? undefined : toClientPosition(options.from);
    this.subscribe();
  }

  [Symbol.asyncIterator](): AsyncIterator<RecordedEvent> {
    return {
      next: () => this.next(),
      return: async () => {
        await this.close();
        return { value: undefined, done: true };
      },
    };
  }

  close(): Promise<void> {
    return this.shutdown(false);
  }

  /** Stops the client stream; `keepQueued` lets the consumer still take what is queued. */
  private shutdown(keepQueued: boolean): Promise<void> {
    if (this.closing) return this.closing;
    this.closed = true;
    this.generation++;
    clearTimeout(this.reconnectTimer);
    if (!keepQueued) this.queue.length = 0;
    for (const waiter of this.waiters.splice(0)) waiter.resolve({ value: undefined, done: true });
    this.onClosed(this);
    const stream = this.current;
    this.current = undefined;
    this.closing = stream ? release(stream) : Promise.resolve();
    return this.closing;
  }

  private next(): Promise<IteratorResult<RecordedEvent>> {
    const value = this.queue.shift();
    if (value !== undefined) {
      if (this.paused && this.queue.length <= SUBSCRIPTION_LOW_WATER) {
        this.paused = false;
        this.current?.resume();
      }
      return Promise.resolve({ value, done: false });
    }
    if (this.failure !== undefined) {
      const failure = this.failure;
      this.failure = undefined;
      return Promise.reject(failure);
    }
    if (this.closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  private subscribe(): void {
    if (this.closed) return;
    const generation = ++this.generation;
    this.paused = false;
    let stream: AllStreamSubscription;
    try {
      stream = this.client.subscribeToAll({
        fromPosition: this.resumeAt() ?? START,
        filter: serverFilterFor(this.options.filter, (position) => this.checkpointed(generation, position)),
        resolveLinkTos: false,
      });
    } catch (error) {
      this.dropped(generation, error);
      return;
    }
    this.current = stream;
    stream.on('confirmation', () => {
      if (generation === this.generation) this.attempt = 0;
    });
    stream.on('data', (resolved: AllStreamResolvedEvent) => this.received(generation, resolved));
    // A listener for 'error' stays attached for the stream's whole life: an unheard 'error' event
    // would crash the process.
    stream.on('error', (error: Error) => this.dropped(generation, error));
    stream.on('end', () => this.dropped(generation, undefined));
    stream.on('close', () => this.dropped(generation, undefined));
    if (this.queue.length >= SUBSCRIPTION_HIGH_WATER) this.pause();
  }

  private resumeAt(): Position | undefined {
    if (!this.checkpoint) return this.cursor;
    if (!this.cursor) return this.checkpoint;
    return comparePositions(this.checkpoint, this.cursor) > 0 ? this.checkpoint : this.cursor;
  }

  private checkpointed(generation: number, position: Position): void {
    if (generation !== this.generation || this.closed) return;
    if (knownPosition(position.commit) === undefined) return;
    if (!this.checkpoint || comparePositions(position, this.checkpoint) > 0) this.checkpoint = position;
  }

  private received(generation: number, resolved: AllStreamResolvedEvent): void {
    if (generation !== this.generation || this.closed) return;
    this.attempt = 0;
    const event = resolved.event;
    if (!event) return;
    // $all events always carry their position; without one, resuming could not be exact.
    if (!event.position) {
      this.fail(new SubscriptionFailedError(`EventStoreDB sent event ${event.id} on $all without its position`));
      return;
    }
    if (this.cursor && comparePositions(event.position, this.cursor) <= 0) return;
    this.cursor = event.position;
    if (isSystemEvent(event)) return;
    let recorded: RecordedEvent;
    try {
      recorded = toRecordedEvent(event);
    } catch (error) {
      this.fail(new SubscriptionFailedError(`Subscription to $all cannot deliver event ${event.id}: ${describeError(error)}`, { cause: error }));
      return;
    }
    if (!matchesFilter(recorded, this.options.filter)) return;
    const waiter = this.waiters.shift();
    if (waiter) {
      waiter.resolve({ value: recorded, done: false });
      return;
    }
    this.queue.push(recorded);
    if (this.queue.length >= SUBSCRIPTION_HIGH_WATER) this.pause();
  }

  private pause(): void {
    if (this.paused || !this.current) return;
    this.paused = true;
    this.current.pause();
  }

  /**
   * The client stream failed or ended without close(): resubscribe after a bounded backoff when
   * the failure is transient (or the server just ended it), else end with the failure.
   */
  private dropped(generation: number, error: unknown): void {
    if (generation !== this.generation || this.closed) return;
    this.generation++;
    const stream = this.current;
    this.current = undefined;
    this.paused = false;
    if (stream) void release(stream);
    if (error !== undefined && !isTransient(error)) {
      this.fail(
        new SubscriptionFailedError(`Subscription to $all refused by EventStoreDB: ${describeError(error)}`, { cause: error }),
      );
      return;
    }
    const delay = reconnectDelay(this.attempt++);
    const resume = this.resumeAt();
    const from = resume ? `after position ${resume.commit}` : 'from the start';
    const reason = error === undefined ? 'the server ended it' : describeError(error);
    this.logger.warn(`Subscription to $all dropped (${reason}); resubscribing ${from} in ${delay} ms`);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.subscribe();
    }, delay);
  }

  /** Ends the subscription with an error for the consumer (after what is already queued). */
  private fail(error: SubscriptionFailedError): void {
    this.logger.error(`Subscription to $all failed: ${describeError(error)}`);
    const waiter = this.waiters.shift();
    if (waiter) waiter.reject(error);
    else this.failure = error;
    void this.shutdown(true);
  }
}

/** Cancels a client subscription stream and destroys it, never waiting long or throwing. */
async function release(stream: AllStreamSubscription): Promise<void> {
  try {
    await withTimeout(stream.unsubscribe(), UNSUBSCRIBE_TIMEOUT_MS, 'unsubscribe timed out');
  } catch {
    // The stream is being discarded either way.
  } finally {
    stream.destroy();
  }
}
