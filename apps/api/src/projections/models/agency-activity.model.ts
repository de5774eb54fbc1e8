import { Field, ID, Int, ObjectType } from '@nestjs/graphql';

@ObjectType()
export class ReportTypeCount {
  @Field({ description: 'An event type of the catalogue.' })
  type: string;

  @Field(() => Int)
  count: number;
}

@ObjectType()
export class MeasureReportCount {
  @Field(() => ID)
  planId: string;

  @Field()
  measureCode: string;

  @Field(() => Int)
  reports: number;
}

@ObjectType()
export class MeasureReference {
  @Field(() => ID)
  planId: string;

  @Field()
  measureCode: string;
}

@ObjectType({ description: 'What an agency has reported. Retracted reports do not count.' })
export class AgencyActivity {
  @Field(() => ID)
  agencyId: string;

  @Field({ description: 'The projections position the answer reflects (bigint as a string).' })
  position: string;

  @Field(() => Int)
  reports: number;

  @Field(() => [ReportTypeCount])
  reportsByType: ReportTypeCount[];

  @Field(() => [MeasureReportCount])
  measuresReported: MeasureReportCount[];

  @Field({ nullable: true, description: 'The latest business date (occurredOn) of a counted report.' })
  lastReportOn?: string;

  @Field({ nullable: true, description: 'When it last recorded a report, correction or retraction (server time, ISO).' })
  lastRecordedAt?: string;

  @Field(() => [MeasureReference], { description: 'Measures it is responsible for (directly or through a group) without a counted report of its own; measures withdrawn today (a WITHDRAWN assessment in force) are left out.' })
  responsibleWithoutReport: MeasureReference[];

  @Field(() => [MeasureReference], { description: 'The same for measures where it is a partner, not responsible.' })
  partnerWithoutReport: MeasureReference[];
}

@ObjectType({ description: 'How far a projection (read model) has followed the event store.' })
export class ProjectionStatus {
  @Field()
  name: string;

  @Field(() => Int)
  version: number;

  @Field({ description: 'Last event applied (bigint as a string): what queries see.' })
  position: string;

  @Field({ description: 'Last event whose effects are stored in the read-model file.' })
  committedPosition: string;

  @Field({
    description:
      'Events in the store after position (a whole number as a string; 0 when caught up), counted up to 10000: ' +
      '10000 means at least that many. The same on every store (positions are not event counts).',
  })
  lag: string;

  @Field(() => Int, { description: 'Entries in its state.' })
  entries: number;

  @Field({ description: 'created, catching-up, live, stopped or failed.' })
  state: string;
}
