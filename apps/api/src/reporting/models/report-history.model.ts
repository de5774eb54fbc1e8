import { Field, ObjectType } from '@nestjs/graphql';
import { EventEnvelope } from '../../common/models/event-envelope.model.js';

@ObjectType({ description: "One report's stream: the activity, then its corrections and retraction." })
export class ReportHistory {
  @Field()
  agencyId: string;

  @Field()
  reportId: string;

  @Field({ description: 'ACTIVE, or RETRACTED once withdrawn.' })
  status: string;

  @Field({ description: 'The stream the report lives on.' })
  stream: string;

  @Field({ description: 'The revision of its last event (bigint as a string): a correction or retraction may name it as expectedRevision.' })
  revision: string;

  @Field(() => [EventEnvelope])
  events: EventEnvelope[];
}
