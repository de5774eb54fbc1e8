import * as crypto from 'node:crypto';
import { createHash } from 'node:crypto';
import type { RecordedEvent } from '../event-store.port.js';
import { canonicalJson } from './canonical-json.js';

/**
 * The link formula of the tamper-evidence chain over the global log (docs/audit.md, "The hash
 * chain"):
 *
 *   link_0 = 64 × "0"
 *   link_n = hex(sha256(link_{n-1} ‖ "\n" ‖ canonical(n, id, stream, revision, type, data, metadata)))
 *
 * where n is the event's sequence number — 1 for the first event of the log, in global order —
 * and canonical(…) is the canonical JSON (sorted keys, no whitespace) of the object
 * `{"data", "id", "metadata", "revision", "seq", "stream", "type"}` with `seq` and `revision`
 * written as decimal strings. Data and metadata are hashed as stored (not upcast).
 *
 * It lives beside the store because the embedded store writes each event's link in the
 * transaction of its append (RecordedEvent.chain); libs/audit's follower and verifier use the
 * same function, so the two can be compared.
 */
export const GENESIS_LINK = '0'.repeat(64);

/** What the chain covers of an event. */
export type ChainedEvent = Pick<RecordedEvent, 'id' | 'stream' | 'revision' | 'type' | 'data' | 'metadata'>;

/** The canonical text of one event at sequence number `seq` (what is hashed after the previous link). */
export function canonicalEvent(event: ChainedEvent, seq: bigint): string {
  const { id, stream, type, data, metadata } = event;
  if (typeof id !== 'string' || typeof stream !== 'string' || typeof type !== 'string' || data === undefined || metadata === undefined) return canonicalObject(event, seq);
  // canonicalJson of the object below, written out in its key order (data, id, metadata,
  // revision, seq, stream, type): every append and the follower build this text for each event,
  // and building the object only to sort its seven keys back into this order cost a tenth of it.
  return `{"data":${canonicalJson(data)},"id":${JSON.stringify(id)},"metadata":${canonicalJson(metadata)},"revision":"${event.revision}","seq":"${seq}","stream":${JSON.stringify(stream)},"type":${JSON.stringify(type)}}`;
}

/** The definition itself: the canonical JSON of the object the chain covers. */
export function canonicalObject(event: ChainedEvent, seq: bigint): string {
  return canonicalJson({
    seq: seq.toString(),
    id: event.id,
    stream: event.stream,
    revision: event.revision.toString(),
    type: event.type,
    data: event.data,
    metadata: event.metadata,
  });
}

/** link_n from link_{n-1}. */
export function nextLink(previous: string, event: ChainedEvent, seq: bigint): string {
  const text = canonicalEvent(event, seq);
  // Node's one-shot hash (20.12+): the same digest of the same UTF-8 bytes, without a Hash object per event.
  if (oneShot) return oneShot('sha256', `${previous}\n${text}`, 'hex');
  return createHash('sha256').update(previous).update('\n').update(text).digest('hex');
}

/**
 * The events a chain-linked store's append linked in this process, each with the link it was
 * linked after (link_{n-1}). The store hands those very objects (frozen, the stored text parsed
 * back) to its in-process subscribers, so a follower holding the same link_{n-1} would compute the
 * same link_n from the same text: it may take the event's own link instead of hashing it again.
 * Events read from the file are never in it (they are checked by hashing, as always); a WeakMap,
 * so nothing outlives its event.
 */
const linkedInThisProcess = new WeakMap<object, string>();

/** Records that `event` was linked here after `previous` (the store's append, once stored). */
export function rememberLinkedHere(event: object, previous: string): void {
  linkedInThisProcess.set(event, previous);
}

/**
 * link_{n-1} of an event this process's store linked in its append, or undefined for any other
 * event object (read from the file, built elsewhere): the event's `chain.link` is then
 * nextLink(that, event, chain.sequence), computed from this same object.
 */
export function linkedHereAfter(event: object): string | undefined {
  return linkedInThisProcess.get(event);
}

const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;
