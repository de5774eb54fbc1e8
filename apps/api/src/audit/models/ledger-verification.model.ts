import { Field, Float, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import type { MismatchReason as MismatchReasonValue } from '@app/audit';

export enum MismatchReason {
  EDITED = 'EDITED',
  MISSING = 'MISSING',
  NOT_APPENDED = 'NOT_APPENDED',
  HEAD_MISMATCH = 'HEAD_MISMATCH',
  HEAD_NOT_FOUND = 'HEAD_NOT_FOUND',
}
const _sameReasons: [MismatchReasonValue, `${MismatchReason}`] extends [`${MismatchReason}`, MismatchReasonValue] ? true : never = true;
void _sameReasons;
registerEnumType(MismatchReason, {
  name: 'MismatchReason',
  description: 'Where the recomputed hash chain parts from the stored links or the given head.',
  valuesMap: {
    EDITED: { description: 'The event no longer gives the link stored when it was recorded: it was changed in place.' },
    MISSING: { description: 'A link is stored for a position where the store has no event any more.' },
    NOT_APPENDED: { description: "The event carries no chain link from the store's append (embedded store): it was written into the store directly." },
    HEAD_MISMATCH: { description: 'At the given head\'s position the chain has another hash.' },
    HEAD_NOT_FOUND: { description: 'The given head\'s position is not an event of this log, or no event brings the chain to the given hash.' },
  },
});

@ObjectType({ description: 'The first position where the recomputed chain differs.' })
export class LedgerMismatch {
  @Field(() => MismatchReason)
  reason: MismatchReason;

  @Field({ description: 'Global position (bigint as a string).' })
  position: string;

  @Field({ description: 'Sequence number in the chain (bigint as a string).' })
  sequence: string;

  @Field(() => String, { nullable: true, description: 'The stored link, or the given head hash.' })
  expected: string | null;

  @Field(() => String, { nullable: true, description: 'The link the stored event gives now.' })
  actual: string | null;

  @Field(() => String, { nullable: true })
  stream: string | null;

  @Field(() => String, { nullable: true })
  revision: string | null;

  @Field(() => String, { nullable: true })
  type: string | null;

  @Field(() => String, { nullable: true })
  eventId: string | null;

  @Field()
  message: string;
}

@ObjectType({ description: 'The hash chain recomputed from the store and compared (docs/audit.md).' })
export class LedgerVerification {
  @Field({ description: 'True when every stored link (and the given head) matched.' })
  ok: boolean;

  @Field({ description: 'hash@position of the recomputed chain: its last event that verified (on an EDITED or NOT_APPENDED mismatch, the event before the changed one). Record it to check later.' })
  head: string;

  @Field()
  headHash: string;

  @Field({ description: 'bigint as a string.' })
  headPosition: string;

  @Field({ description: 'Events the chain covers up to the head (bigint as a string).' })
  sequence: string;

  @Field(() => Int, { description: 'Events read and hashed by this run.' })
  events: number;

  @Field(() => Int, { description: 'Stored links compared.' })
  linksCompared: number;

  @Field(() => String, { nullable: true, description: 'Where the recomputed chain has the given head hash (when a head was given and found).' })
  givenHeadFoundAt: string | null;

  @Field(() => LedgerMismatch, { nullable: true })
  mismatch: LedgerMismatch | null;

  @Field({ description: 'Last position the chain follower of this instance has linked (bigint as a string).' })
  linkedPosition: string;

  @Field({ description: 'This run hashed the events after this position (bigint as a string); "0" means the whole log.' })
  verifiedFrom: string;

  @Field(() => String, { nullable: true, description: 'When a run over the whole log last found no mismatch (ISO 8601); null when none has yet.' })
  wholeLogVerifiedAt: string | null;

  @Field(() => Float)
  durationMs: number;
}
