import { Field, ID, ObjectType } from '@nestjs/graphql';

@ObjectType({ description: 'What the ledger stored for a report request.' })
export class ReportReceipt {
  @Field()
  reportId: string;

  @Field()
  agencyId: string;

  @Field(() => ID, { description: 'Id of the stored event.' })
  eventId: string;

  @Field({ description: 'Type of the stored event (the activity, ReportCorrected or ReportRetracted).' })
  eventType: string;

  @Field({ description: 'The report stream: activity-<agencyId>/<reportId> (or the legacy activity-<agencyId>-<reportId> of a report recorded before that naming).' })
  stream: string;

  @Field({ description: 'Global position written (bigint as a string): pass it as atLeastPosition to read your write.' })
  position: string;

  @Field({ description: 'Revision of the report stream (bigint as a string).' })
  revision: string;

  @Field({ description: 'True when this request repeated an earlier identical one: nothing new was stored.' })
  duplicate: boolean;
}
