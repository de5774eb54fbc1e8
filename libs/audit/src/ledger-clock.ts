import type { EventStore } from '@app/event-store';
import type { ChainStore } from './chain-store.js';
import { indexedFieldsOf } from './indexed-fields.js';

/**
 * Turns an instant into a position of the log: the last position the ledger had reached at that
 * instant, i.e. the largest position p such that every event at or before p was recorded at or
 * before it. An event's recording time is metadata.recordedAt (else its commit time, see
 * indexed-fields.ts). Taking the running maximum makes the answer a prefix of the log even when
 * two appends recorded in one order commit in the other.
 *
 * With the audit index the lookup is one indexed query; events the ChainFollower has not
 * indexed yet (its lag, normally under a second) are read from the store. Without an index the
 * whole log up to the instant is read: O(position).
 */
export class LedgerClock {
  constructor(
    private readonly store: EventStore,
    private readonly chain?: ChainStore,
  ) {}

  /** The last position at or before `instant`; undefined when the first event came later (or there is none). */
  async positionAt(instant: Date): Promise<bigint | undefined> {
    const ms = instant.getTime();
    let found: bigint | undefined;
    let from: bigint | undefined;
    let runningMax = Number.NEGATIVE_INFINITY;
    const head = this.chain?.head();
    if (head) {
      if (head.recordedMaxMs > ms) return this.chain!.positionAt(ms);
      // Every indexed event was recorded by then: continue with what is not indexed yet.
      found = head.position;
      from = head.position;
      runningMax = head.recordedMaxMs;
    }
    for await (const event of this.store.readAll({ from })) {
      runningMax = Math.max(runningMax, indexedFieldsOf(event).recordedAtMs);
      if (runningMax > ms) break;
      found = event.position;
    }
    return found;
  }
}
