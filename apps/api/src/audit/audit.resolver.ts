import { Inject } from '@nestjs/common';
import { Args, Int, Resolver } from '@nestjs/graphql';
import { MAX_PAGE_SIZE, formatHead } from '@app/audit';
import { Action, Allow } from '@app/auth';
import { toEnvelope } from '../common/models/event-envelope.model.js';
import { AuditService } from './audit.service.js';
import { EventFilter, EventOrder } from './dto/event-filter.input.js';
import { EventConnection } from './models/event-connection.model.js';
import { LedgerVerification, type MismatchReason } from './models/ledger-verification.model.js';
import { RefusableQuery } from '../common/refusable-query.js';

/** Auditors' queries: the full event history, and the integrity of the log (docs/audit.md). */
@Resolver()
export class AuditResolver {
  constructor(@Inject(AuditService) private readonly audit: AuditService) {}

  @RefusableQuery(() => EventConnection, {
    description: `The global event log, page by page (Relay: first/after forwards, last/before backwards; at most ${MAX_PAGE_SIZE} per page, default 50), each event as stored.`,
  })
  @Allow(Action.READ_HISTORY)
  async events(
    @Args('first', { type: () => Int, nullable: true }) first?: number,
    @Args('after', { nullable: true }) after?: string,
    @Args('last', { type: () => Int, nullable: true }) last?: number,
    @Args('before', { nullable: true }) before?: string,
    @Args('order', { type: () => EventOrder, defaultValue: EventOrder.OLDEST_FIRST }) order: EventOrder = EventOrder.OLDEST_FIRST,
    @Args('filter', { type: () => EventFilter, nullable: true }) filter?: EventFilter,
  ): Promise<EventConnection> {
    const page = await this.audit.events({
      first: first ?? undefined,
      after: after ?? undefined,
      last: last ?? undefined,
      before: before ?? undefined,
      order,
      filter: filter && Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined && v !== null)),
    });
    return { edges: page.edges.map((e) => ({ cursor: e.cursor, node: toEnvelope(e.node) })), pageInfo: { ...page.pageInfo } };
  }

  @RefusableQuery(() => LedgerVerification, {
    description:
      'Recomputes the hash chain and compares it with the links stored as the log grew and, when given, with a head recorded earlier (hash@position, or a bare hash). Reports the first position where they differ. ' +
      'By default only the events after the last verified head are hashed (the whole log was hashed when this instance started): fast at any size. ' +
      'full: true hashes the whole log again (seconds per 100,000 events), which also finds an old event edited in the store since; so does a bare hash.',
  })
  @Allow(Action.REPLAY)
  async verifyLedger(
    @Args('head', { nullable: true }) head?: string,
    @Args('full', { nullable: true, defaultValue: false, description: 'Hash the whole log again instead of only the events after the last verified head.' }) full?: boolean,
  ): Promise<LedgerVerification> {
    const result = await this.audit.verify(head ?? undefined, full ?? false);
    const m = result.mismatch;
    return {
      ok: result.ok,
      head: formatHead(result.head),
      headHash: result.head.hash,
      headPosition: result.head.position.toString(),
      sequence: result.head.sequence.toString(),
      events: result.events,
      linksCompared: result.linksCompared,
      givenHeadFoundAt: result.expectedHead?.foundAt?.toString() ?? null,
      mismatch: m
        ? {
            reason: m.reason as MismatchReason,
            position: m.position.toString(),
            sequence: m.sequence.toString(),
            expected: m.expected ?? null,
            actual: m.actual ?? null,
            stream: m.event?.stream ?? null,
            revision: m.event?.revision.toString() ?? null,
            type: m.event?.type ?? null,
            eventId: m.event?.id ?? null,
            message: m.message,
          }
        : null,
      linkedPosition: this.audit.follower.position.toString(),
      verifiedFrom: result.verifiedFrom.toString(),
      wholeLogVerifiedAt: result.wholeLogVerifiedAt ?? null,
      durationMs: result.durationMs,
    };
  }
}
