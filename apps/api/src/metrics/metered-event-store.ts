import {
  type AllSubscription,
  type AppendResult,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type StreamAppend,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type SubscribeAllOptions,
  WrongExpectedRevisionError,
} from '@app/event-store';
import type { LedgerMetrics } from './ledger-metrics.js';

/**
 * The EventStore the api uses: the configured adapter, measured in one place. Appends are counted
 * per event type and outcome (ok / conflict / error) and timed; any other failing operation
 * counts as a store error. Behaviour is the adapter's, unchanged.
 */
export class MeteredEventStore implements EventStore {
  constructor(
    private readonly inner: EventStore,
    private readonly metrics: LedgerMetrics,
  ) {}

  get kind(): string {
    return this.inner.kind;
  }

  get chainLinked(): boolean | undefined {
    return this.inner.chainLinked;
  }

  get atomicAppendMany(): boolean {
    return this.inner.atomicAppendMany;
  }

  /** Measured as one append: a bulk batch is one call of the store (its events are counted each). */
  appendMany(appends: readonly StreamAppend[]): Promise<AppendResult[]> {
    return this.measuredAppend(
      () => this.inner.appendMany(appends),
      appends.flatMap((part) => part.events),
    );
  }

  append(stream: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    return this.measuredAppend(() => this.inner.append(stream, events, expected), events);
  }

  /** Times one append call and counts its events by type and outcome (ok, conflict, error). */
  private async measuredAppend<T>(call: () => Promise<T>, events: readonly NewEvent[]): Promise<T> {
    const done = this.metrics.appendDuration.startTimer();
    let outcome: 'ok' | 'conflict' | 'error' = 'error';
    try {
      const result = await call();
      outcome = 'ok';
      return result;
    } catch (error) {
      if (error instanceof WrongExpectedRevisionError) outcome = 'conflict';
      else this.metrics.storeErrors.inc({ operation: 'append' });
      throw error;
    } finally {
      done({ outcome });
      for (const event of events) this.metrics.eventsAppended.inc({ event_type: event.type, outcome });
    }
  }

  readStream(stream: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    return this.measured('readStream', () => this.inner.readStream(stream, options));
  }

  readAll(options?: ReadAllOptions): AsyncIterable<RecordedEvent> {
    return this.iterate('readAll', this.inner.readAll(options));
  }

  subscribeAll(options?: SubscribeAllOptions): AllSubscription {
    const subscription = this.inner.subscribeAll(options);
    const iterate = (): AsyncIterator<RecordedEvent> => this.iterate('subscribeAll', subscription)[Symbol.asyncIterator]();
    return { close: () => subscription.close(), [Symbol.asyncIterator]: iterate };
  }

  headPosition(): Promise<bigint> {
    return this.measured('headPosition', () => this.inner.headPosition());
  }

  close(): Promise<void> {
    return this.measured('close', () => this.inner.close());
  }

  private async measured<T>(operation: string, action: () => Promise<T>): Promise<T> {
    try {
      return await action();
    } catch (error) {
      this.metrics.storeErrors.inc({ operation });
      throw error;
    }
  }

  /**
   * Passes the events through (early exits reach the source); a failure counts once. A plain
   * iterator over the source's, not an async generator: a generator delegating with `yield*`
   * adds its own promises and turns of the microtask queue to every event, and each log consumer
   * reads every commit through here (issue 24).
   */
  private iterate(operation: string, source: AsyncIterable<RecordedEvent>): AsyncIterable<RecordedEvent> {
    const metrics = this.metrics;
    return {
      [Symbol.asyncIterator](): AsyncIterator<RecordedEvent> {
        const events = source[Symbol.asyncIterator]();
        let failed = false;
        const count = (error: unknown): never => {
          if (!failed) metrics.storeErrors.inc({ operation });
          failed = true;
          throw error;
        };
        return {
          next: () => {
            try {
              return events.next().then(undefined, count);
            } catch (error) {
              // A source that throws instead of rejecting still fails as a rejected next().
              return Promise.resolve().then(() => count(error));
            }
          },
          return: (value?: unknown) => (events.return ? events.return(value) : Promise.resolve({ done: true as const, value: undefined })),
          throw: (error?: unknown) => (events.throw ? events.throw(error) : Promise.reject(error)),
        };
      },
    };
  }
}
