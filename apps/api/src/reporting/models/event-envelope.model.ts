import { Field, ID, ObjectType } from '@nestjs/graphql';
import { JsonObjectScalar } from '../../common/json.scalar.js';

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

  @Field({ description: 'When the store committed it.' })
  recordedAt: Date;
}

@ObjectType({ description: "One report's stream: the activity, then its corrections and retraction." })
export class ReportHistory {
  @Field()
  agencyId: string;

  @Field()
  reportId: string;

  @Field({ description: 'ACTIVE, or RETRACTED once withdrawn.' })
  status: string;

  @Field(() => [EventEnvelope])
  events: EventEnvelope[];
}
