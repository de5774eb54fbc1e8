import { Field, ID, ObjectType } from '@nestjs/graphql';

@ObjectType({ description: 'What the ledger stored for an assessment request.' })
export class AssessmentReceipt {
  @Field(() => ID)
  planId: string;

  @Field()
  measureCode: string;

  @Field(() => ID)
  assessmentId: string;

  @Field({ description: 'The measure’s assessment stream: assessment-<planId>_<measureCode>.' })
  stream: string;

  @Field(() => ID)
  eventId: string;

  @Field({ description: 'MeasureAssessed or AssessmentCorrected.' })
  eventType: string;

  @Field({ description: 'Global position written (bigint as a string): pass it as atLeastPosition to read your write.' })
  position: string;

  @Field({ description: 'Revision of the assessment stream (bigint as a string).' })
  revision: string;

  @Field({ description: 'True when this request repeated an earlier identical one: nothing new was stored.' })
  duplicate: boolean;
}
