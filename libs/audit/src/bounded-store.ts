import {
  type AllSubscription,
  type AppendResult,
  type EventStore,
  EventStoreError,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
} from '@app/event-store';

/**
 * A read-only view of a store that ends at `until`: the log as it stood once that position was
 * written. `ledger replay` rebuilds through it so that what a projection reads of "the future"
 * before replaying (the indicators' tracked fields, from the plan streams) is what the live
 * projection could have read then, and so that the rebuild stops exactly where the live read
 * models are. `onRead` sees every event read forwards without a filter (progress).
 */
export function boundedStore(store: EventStore, until: bigint, onRead?: (event: RecordedEvent) => void): EventStore {
  return {
    kind: store.kind,
    atomicAppendMany: store.atomicAppendMany,
    append(): Promise<AppendResult> {
      return Promise.reject(new EventStoreError('This view of the store is read-only'));
    },
    appendMany(): Promise<AppendResult[]> {
      return Promise.reject(new EventStoreError('This view of the store is read-only'));
    },
    async readStream(stream: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
      return (await store.readStream(stream, options)).filter((e) => e.position <= until);
    },
    async *readAll(options: ReadAllOptions = {}): AsyncGenerator<RecordedEvent> {
      const forwards = options.direction !== 'backwards';
      for await (const event of store.readAll(options)) {
        if (event.position > until) {
          if (forwards) return;
          continue;
        }
        if (forwards && !options.filter) onRead?.(event);
        yield event;
      }
    },
    subscribeAll(): AllSubscription {
      throw new EventStoreError('A bounded view of the store cannot be followed');
    },
    async headPosition(): Promise<bigint> {
      const head = await store.headPosition();
      return head < until ? head : until;
    },
    // The view owns nothing: the caller closes the store.
    close: () => Promise.resolve(),
  };
}
