import { Field, ObjectType } from '@nestjs/graphql';
import { EventEnvelope } from '../../common/models/event-envelope.model.js';

@ObjectType({ description: 'Relay page information.' })
export class PageInfo {
  @Field()
  hasNextPage: boolean;

  @Field()
  hasPreviousPage: boolean;

  @Field(() => String, { nullable: true })
  startCursor: string | null;

  @Field(() => String, { nullable: true })
  endCursor: string | null;
}

@ObjectType({ description: 'One event of the history and its cursor.' })
export class EventEdge {
  @Field({ description: 'Opaque: pass it as after or before.' })
  cursor: string;

  @Field(() => EventEnvelope)
  node: EventEnvelope;
}

@ObjectType({ description: 'A page of the global event log (a Relay connection).' })
export class EventConnection {
  @Field(() => [EventEdge])
  edges: EventEdge[];

  @Field(() => PageInfo)
  pageInfo: PageInfo;
}
