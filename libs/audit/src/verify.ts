import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { EventStore, RecordedEvent } from '@app/event-store';
import type { ChainStore, StoredLink } from './chain-store.js';
import { ChainBuilder, type ChainHead, type ExpectedHead } from './hash-chain.js';

/** Why verification stopped at a position. */
export type MismatchReason =
  /** The event's recomputed link differs from the link stored when it was first linked: it was edited in place. */
  | 'EDITED'
  /** A link is stored for a position where the store has no event any more: deleted (or the log was cut). */
  | 'MISSING'
  /**
   * The store keeps each event's link in its row (EventStore.chainLinked) and this event has
   * none: it was written into the store around its append (a row inserted into the file).
   */
  | 'NOT_APPENDED'
  /** The recomputed link at the given head's position differs from the given hash. */
  | 'HEAD_MISMATCH'
  /** The given head's position is not an event of this log (or lies beyond its end). */
  | 'HEAD_NOT_FOUND';

export interface Mismatch {
  readonly reason: MismatchReason;
  /** The first position where the recomputed chain and the stored links (or the given head) part. */
  readonly position: bigint;
  /** Its sequence number in the recomputed chain (for MISSING: the stored one). */
  readonly sequence: bigint;
  /** What the stored link (or the given head) says. */
  readonly expected?: string;
  /** What the store's events give now. */
  readonly actual?: string;
  /** The event found there, when there is one. */
  readonly event?: Pick<RecordedEvent, 'stream' | 'revision' | 'type' | 'id'>;
  readonly message: string;
}

export interface Verification {
  readonly ok: boolean;
  /**
   * The recomputed chain's head: its last event that verified. After an EDITED or NOT_APPENDED
   * mismatch that is the event before the one found changed, never the changed one (whose link
   * proves nothing); after a HEAD_MISMATCH, the event at the given head's position (its link
   * agrees with the stored links, the log is just not the one that head was taken of).
   */
  readonly head: ChainHead;
  /** Events read and hashed. */
  readonly events: number;
  /** Stored links compared. */
  readonly linksCompared: number;
  /** The given head, when one was given, and where the recomputed chain has that hash. */
  readonly expectedHead?: ExpectedHead & { readonly foundAt?: bigint; readonly foundSequence?: bigint };
  readonly mismatch?: Mismatch;
  readonly durationMs: number;
}

export interface VerifyOptions {
  readonly store: EventStore;
  /** The links stored as the log grew; without them only the recomputed head (and `head`) can be checked. */
  readonly chain?: ChainStore;
  /**
   * A head recorded earlier (`hash@position`, or a bare hash): the recomputed chain must have
   * that hash at that position — or, for a bare hash, at some position (an earlier head of the
   * same log, or the head of the log this one was imported from).
   */
  readonly head?: ExpectedHead;
  /** Called every few thousand events: events done, and the position reached. */
  readonly onProgress?: (events: number, position: bigint, headPosition: bigint) => void;
  readonly progressEvery?: number;
  /**
   * A head verified earlier (by a run that found no mismatch): only the events after it are read
   * and hashed, the chain continuing from its hash, and only the links after it compared. The
   * caller answers for the part up to it; `head.position`, when given, must be after it.
   */
  readonly from?: ChainHead;
}

const LINK_PAGE = 5_000;

/**
 * Recomputes the hash chain from the store, event by event from the first, and compares it with
 * the links stored when each event was first linked and with a head given by the caller. Stops at
 * the first difference: every later link depends on it. Only events up to the store's head when
 * verification starts are checked, against the links stored by then (appends meanwhile are left
 * for the next run).
 *
 * Cost: one read of the log and one sha256 per event (about a second per 100k events on the
 * embedded store), constant memory; with `from`, only of the events after it.
 */
export async function verifyChain(options: VerifyOptions): Promise<Verification> {
  const started = performance.now();
  const { store, chain, head: expected } = options;
  const progressEvery = options.progressEvery ?? 10_000;
  // Links first, then the store's head: every link stored by now is of an event stored by then,
  // so a link beyond the store's head means the log was cut, never a race with an append.
  const linkedUpTo = chain?.head()?.position ?? -1n;
  const headPosition = await store.headPosition();
  const from = options.from;
  const builder = new ChainBuilder(from);
  let events = 0;
  let linksCompared = 0;
  let foundAt: bigint | undefined;
  let foundSequence: bigint | undefined;

  // Stored links, read page by page alongside the events.
  let page: StoredLink[] = [];
  let index = 0;
  let pageAfter = from ? from.position : -1n;
  let linksDone = !chain;
  const nextStored = (): StoredLink | undefined => {
    if (linksDone) return undefined;
    if (index >= page.length) {
      page = chain!.links(pageAfter, linkedUpTo, LINK_PAGE);
      index = 0;
      if (page.length === 0) {
        linksDone = true;
        return undefined;
      }
      pageAfter = page[page.length - 1].position;
    }
    return page[index];
  };

  const finish = (mismatch?: Mismatch, head: ChainHead = builder.head): Verification => ({
    ok: mismatch === undefined,
    head,
    events,
    linksCompared,
    ...(expected && { expectedHead: { ...expected, foundAt, foundSequence } }),
    ...(mismatch && { mismatch }),
    durationMs: performance.now() - started,
  });
  const describe = (e: RecordedEvent) => ({ stream: e.stream, revision: e.revision, type: e.type, id: e.id });

  for await (const event of store.readAll(from && from.sequence > 0n ? { from: from.position } : {})) {
    if (event.position > headPosition) break;
    // A stored link before this event's position with no event of its own: the event is gone.
    const stored = nextStored();
    if (stored && stored.position < event.position) {
      return finish({
        reason: 'MISSING',
        position: stored.position,
        sequence: stored.sequence,
        expected: stored.link,
        message: `Position ${stored.position} (event ${stored.sequence} of the chain) was linked, but the store has no event there any more`,
      });
    }
    if (expected?.position !== undefined && expected.position < event.position && foundAt === undefined) {
      return finish(headNotFound(expected, builder.head));
    }
    const verified = builder.head;
    const { link, sequence } = builder.add(event);
    events += 1;
    const unappended = store.chainLinked ? notAppended(event, link, sequence) : undefined;
    if (stored && stored.position === event.position) {
      linksCompared += 1;
      index += 1;
      if (stored.link !== link || stored.sequence !== sequence) {
        return finish({
          reason: 'EDITED',
          position: event.position,
          sequence,
          expected: stored.link,
          actual: link,
          event: describe(event),
          message:
            stored.sequence !== sequence
              ? `Position ${event.position} was linked as event ${stored.sequence} of the chain, but is event ${sequence} now: events before it were removed or added`
              : `The event at position ${event.position} (${event.type} on ${event.stream}, revision ${event.revision}) no longer gives the link stored for it: it was changed after it was recorded`,
        }, verified);
      }
    }
    if (unappended) return finish(unappended, verified);
    if (expected && foundAt === undefined && link === expected.hash && (expected.position === undefined || expected.position === event.position)) {
      foundAt = event.position;
      foundSequence = sequence;
    }
    if (expected?.position === event.position && foundAt === undefined) {
      return finish({
        reason: 'HEAD_MISMATCH',
        position: event.position,
        sequence,
        expected: expected.hash,
        actual: link,
        event: describe(event),
        message: `At position ${event.position} the chain is ${link}, not the given head ${expected.hash}: the log up to there is not the one that head was taken of`,
      });
    }
    if (events % progressEvery === 0) {
      options.onProgress?.(events, event.position, headPosition);
      // In the api, a long verification leaves room for requests.
      await yieldToEventLoop();
    }
  }
  // Links stored beyond the last event: the end of the log was cut.
  const leftover = nextStored();
  if (leftover) {
    return finish({
      reason: 'MISSING',
      position: leftover.position,
      sequence: leftover.sequence,
      expected: leftover.link,
      message: `Position ${leftover.position} (event ${leftover.sequence} of the chain) was linked, but the store ends before it`,
    });
  }
  if (expected && foundAt === undefined) return finish(headNotFound(expected, builder.head));
  options.onProgress?.(events, builder.head.position, headPosition);
  return finish();
}

/**
 * Compares an event with the link its own row carries. No link: the row did not come through
 * append. Another link: the row was changed after append wrote it (the stored link then is the
 * chain's and the event is not), or made up with a link copied or invented.
 */
function notAppended(event: RecordedEvent, link: string, sequence: bigint): Mismatch | undefined {
  const own = event.chain;
  const where = `${event.type} on ${event.stream}, revision ${event.revision}`;
  const describe = { stream: event.stream, revision: event.revision, type: event.type, id: event.id };
  if (!own) {
    return {
      reason: 'NOT_APPENDED',
      position: event.position,
      sequence,
      actual: link,
      event: describe,
      message: `The event at position ${event.position} (${where}) carries no chain link from the store's append: it was written into the store directly`,
    };
  }
  if (own.link === link && own.sequence === sequence) return undefined;
  return {
    reason: 'EDITED',
    position: event.position,
    sequence,
    expected: own.link,
    actual: link,
    event: describe,
    message:
      own.sequence !== sequence
        ? `The event at position ${event.position} (${where}) was appended as event ${own.sequence} of the chain, but is event ${sequence} now: events before it were removed or written directly`
        : `The event at position ${event.position} (${where}) no longer gives the link its append wrote: it, or an event before it, was changed or written directly`,
  };
}

function headNotFound(expected: ExpectedHead, head: ChainHead): Mismatch {
  return {
    reason: 'HEAD_NOT_FOUND',
    position: expected.position ?? head.position,
    sequence: head.sequence,
    expected: expected.hash,
    message:
      expected.position === undefined
        ? `No event of this log brings the chain to ${expected.hash}: the log is not (an extension of) the one that head was taken of`
        : `Position ${expected.position} is not an event of this log (it has ${head.sequence} events, the last at ${head.position})`,
  };
}
