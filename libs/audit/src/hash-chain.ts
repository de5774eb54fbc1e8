import type { RecordedEvent } from '@app/event-store';
import { type ChainedEvent, GENESIS_LINK, canonicalEvent, nextLink } from '@app/event-store';

/**
 * The tamper-evidence chain over the global log (docs/audit.md, "The hash chain"); the link
 * formula is libs/event-store's (chain/chain-link.ts), which the embedded store also applies in
 * each append.
 *
 * Why the sequence number and not the store's position: positions belong to an adapter (row ids
 * in SQLite, commit positions in EventStoreDB), so an exported log imported into another store
 * gets other positions. Everything the chain covers survives `ledger export` / `ledger import`
 * unchanged, so the chain head of the imported store equals the original's. The commit time
 * (`created`) is not covered for the same reason; metadata.recordedAt (the api's clock) is.
 */
export { type ChainedEvent, GENESIS_LINK, canonicalEvent, nextLink };

/** Where a chain stands: the last link, the event it covers, and how many events it covers. */
export interface ChainHead {
  /** link_n (GENESIS_LINK for an empty log). */
  readonly hash: string;
  /** Position of event n in this store (0n for an empty log). */
  readonly position: bigint;
  /** n: events covered. */
  readonly sequence: bigint;
}

export const EMPTY_HEAD: ChainHead = { hash: GENESIS_LINK, position: 0n, sequence: 0n };

/** `hash@position`: how heads are printed and given back to `verify --head`. */
export function formatHead(head: Pick<ChainHead, 'hash' | 'position'>): string {
  return `${head.hash}@${head.position}`;
}

/** A head to check: the hash, and the position it must be at when one is given. */
export interface ExpectedHead {
  readonly hash: string;
  readonly position?: bigint;
}

const HEAD = /^([0-9a-f]{64})(?:@(\d{1,20}))?$/;

/** Parses `hash@position` or a bare `hash` (64 hex digits); undefined when malformed. */
export function parseHead(text: string): ExpectedHead | undefined {
  const match = HEAD.exec(text.trim().toLowerCase());
  if (!match) return undefined;
  return match[2] === undefined ? { hash: match[1] } : { hash: match[1], position: BigInt(match[2]) };
}

/**
 * Folds events into the chain, in global order: feed it every event from the first (or from a
 * known head), read `head` at the end.
 */
export class ChainBuilder {
  private current: ChainHead;

  constructor(from: ChainHead = EMPTY_HEAD) {
    this.current = from;
  }

  /** Adds the next event; returns its link and sequence number. */
  add(event: ChainedEvent & Pick<RecordedEvent, 'position'>): { readonly link: string; readonly sequence: bigint } {
    const sequence = this.current.sequence + 1n;
    const link = nextLink(this.current.hash, event, sequence);
    this.current = { hash: link, position: event.position, sequence };
    return { link, sequence };
  }

  /**
   * Moves on by an event whose link is already known to be nextLink(head, event, n) — the chain
   * follower's case for events this process's store linked in its append (ChainFollower.link).
   * Nothing is checked here: verification always hashes (add).
   */
  advance(event: Pick<RecordedEvent, 'position'>, link: string): { readonly link: string; readonly sequence: bigint } {
    const sequence = this.current.sequence + 1n;
    this.current = { hash: link, position: event.position, sequence };
    return { link, sequence };
  }

  get head(): ChainHead {
    return this.current;
  }
}
