import { Field, ID, ObjectType } from '@nestjs/graphql';
import { JsonObjectScalar } from '../json.scalar.js';

/** Shared by every feature that shows stored events (a report's history, the audit log). */
@ObjectType({ description: 'A stored event with everything the store knows of it.' })
export class EventEnvelope {
  @Field(() => ID)
  id: string;

  @Field()
  type: string;

  @Field()
  stream: string;

  @Field({ description: 'Revision in its stream (bigint as a string).' })
  revision: string;

  @Field({ description: 'Global position (bigint as a string).' })
  position: string;

  @Field(() => JsonObjectScalar)
  data: Record<string, unknown>;

  @Field(() => JsonObjectScalar)
  metadata: Record<string, unknown>;

  @Field({
    description:
      'When it was recorded: the api\'s clock when it decided the event (metadata.recordedAt, covered by the hash chain and kept by `ledger export` / `ledger import`), else the commit time. The time the events filter (recordedFrom/recordedTo) and `at: { recordedAt }` go by.',
  })
  recordedAt: Date;

  @Field({ description: 'When this store committed it: after `ledger import`, the time of the import (recordedAt keeps the original).' })
  committedAt: Date;
}

/** A stored event (as read, upcast) as the GraphQL EventEnvelope: bigints as strings. */
export function toEnvelope(e: {
  id: string;
  type: string;
  stream: string;
  revision: bigint;
  position: bigint;
  data: unknown;
  metadata: Record<string, unknown>;
  created: Date;
}): EventEnvelope {
  return {
    id: e.id,
    type: e.type,
    stream: e.stream,
    revision: e.revision.toString(),
    position: e.position.toString(),
    data: e.data as Record<string, unknown>,
    metadata: e.metadata,
    recordedAt: recordedAtOf(e.metadata, e.created),
    committedAt: e.created,
  };
}

/** metadata.recordedAt when it is a valid instant (what the api writes), else the commit time: the recording time audit.md defines. */
function recordedAtOf(metadata: Record<string, unknown>, created: Date): Date {
  const at = metadata.recordedAt;
  if (typeof at !== 'string') return created;
  const parsed = new Date(at);
  return Number.isNaN(parsed.getTime()) ? created : parsed;
}
