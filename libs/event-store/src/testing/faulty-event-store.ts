import type {
  AllSubscription,
  AppendResult,
  EventStore,
  ExpectedRevision,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  StreamAppend,
  SubscribeAllOptions,
} from '../event-store.port.js';

/** Which reads a fault hits: the catch-up reads (`readAll`), subscriptions, or both. */
export type FaultTarget = 'readAll' | 'subscribeAll' | 'any';

/**
 * An EventStore that fails on demand, over a real one: for testing what log consumers do
 * when the store fails. A fault is armed with {@link failNext} (the next `times` reads throw
 * at once, a transient failure) or {@link failAlways} (every read throws until {@link heal});
 * {@link dropSubscriptions} makes every open subscription throw at its next event (a dropped
 * connection). Appends and stream reads pass through untouched.
 */
export class FaultyEventStore implements EventStore {
  readonly kind: string;
  readonly chainLinked?: boolean;
  private pending: { target: FaultTarget; times: number; error: () => Error }[] = [];
  private always: { target: FaultTarget; error: () => Error } | undefined;
  private readonly live = new Set<{ drop: (error: Error) => void }>();
  /** Reads that failed because of a fault armed here. */
  failures = 0;

  constructor(private readonly inner: EventStore) {
    this.kind = inner.kind;
    this.chainLinked = inner.chainLinked;
  }

  failNext(times = 1, error: () => Error = () => new Error('connection reset (injected)'), target: FaultTarget = 'any'): void {
    this.pending.push({ target, times, error });
  }

  failAlways(error: () => Error, target: FaultTarget = 'any'): void {
    this.always = { target, error };
  }

  heal(): void {
    this.pending = [];
    this.always = undefined;
  }

  dropSubscriptions(error: () => Error = () => new Error('subscription dropped (injected)')): void {
    for (const subscription of this.live) subscription.drop(error());
  }

  get atomicAppendMany(): boolean {
    return this.inner.atomicAppendMany;
  }

  append(stream: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    return this.inner.append(stream, events, expected);
  }

  appendMany(appends: readonly StreamAppend[]): Promise<AppendResult[]> {
    return this.inner.appendMany(appends);
  }

  readStream(stream: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    return this.inner.readStream(stream, options);
  }

  readAll(options?: ReadAllOptions): AsyncIterable<RecordedEvent> {
    const fault = this.take('readAll');
    if (fault) {
      return {
        [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(fault) }),
      };
    }
    return this.inner.readAll(options);
  }

  subscribeAll(options?: SubscribeAllOptions): AllSubscription {
    const fault = this.take('subscribeAll');
    const inner = this.inner.subscribeAll(options);
    let dropped: Error | undefined = fault;
    let wake: (() => void) | undefined;
    const entry = {
      drop: (error: Error) => {
        dropped ??= error;
        wake?.();
      },
    };
    this.live.add(entry);
    const iterator = inner[Symbol.asyncIterator]();
    const close = async () => {
      this.live.delete(entry);
      await inner.close();
    };
    async function* iterate(): AsyncGenerator<RecordedEvent> {
      try {
        for (;;) {
          if (dropped) throw dropped;
          const woken = new Promise<'dropped'>((resolve) => (wake = () => resolve('dropped')));
          const next = await Promise.race([iterator.next(), woken]);
          if (next === 'dropped') throw dropped!;
          if (next.done) return;
          yield next.value;
        }
      } finally {
        wake = undefined;
        await close();
      }
    }
    const generator = iterate();
    return {
      [Symbol.asyncIterator]: () => generator,
      close: async () => {
        await close();
        await generator.return(undefined);
      },
    };
  }

  headPosition(): Promise<bigint> {
    return this.inner.headPosition();
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  private take(kind: 'readAll' | 'subscribeAll'): Error | undefined {
    if (this.always && (this.always.target === 'any' || this.always.target === kind)) {
      this.failures += 1;
      return this.always.error();
    }
    const index = this.pending.findIndex((p) => p.target === 'any' || p.target === kind);
    if (index < 0) return undefined;
    const fault = this.pending[index];
    if (--fault.times <= 0) this.pending.splice(index, 1);
    this.failures += 1;
    return fault.error();
  }
}
