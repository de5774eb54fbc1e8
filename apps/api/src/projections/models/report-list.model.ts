import { Field, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { JsonObjectScalar } from '../../common/json.scalar.js';
import { IsCalendarDate } from '../../common/wire-validators.js';

export enum ReportStatus {
  ACTIVE = 'ACTIVE',
  RETRACTED = 'RETRACTED',
}
registerEnumType(ReportStatus, { name: 'ReportStatus', description: 'ACTIVE (counted), or RETRACTED (withdrawn by the agency; kept in the history).' });

@InputType({ description: 'What the reports list narrows to; every condition given must hold.' })
export class ReportFilterInput {
  @Field(() => ID, { nullable: true })
  @IsOptional()
  @IsString()
  planId?: string;

  @Field({ nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  measureCode?: string;

  @Field(() => ID, { nullable: true, description: 'The reporting agency. An agency credential reads its own reports only.' })
  @IsOptional()
  @IsString()
  agencyId?: string;

  @Field({ nullable: true, description: "The agency system's own report id; without agencyId, the reports of every agency that used it." })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  reportId?: string;

  @Field({ nullable: true, description: 'The activity type, e.g. TrainingDelivered.' })
  @IsOptional()
  @IsString()
  eventType?: string;

  @Field({ nullable: true, description: 'occurredOn on or after this date (YYYY-MM-DD).' })
  @IsOptional()
  @IsCalendarDate()
  occurredFrom?: string;

  @Field({ nullable: true, description: 'occurredOn on or before this date (YYYY-MM-DD).' })
  @IsOptional()
  @IsCalendarDate()
  occurredTo?: string;

  @Field(() => ReportStatus, { nullable: true })
  @IsOptional()
  @IsIn(['ACTIVE', 'RETRACTED'])
  status?: ReportStatus;
}

@ObjectType({ description: 'A report as it now stands: its current details (corrections applied), status and number of corrections.' })
export class ReportSummary {
  @Field(() => ID)
  planId: string;

  @Field()
  measureCode: string;

  @Field(() => ID)
  agencyId: string;

  @Field()
  reportId: string;

  @Field({ description: 'The activity type (the event type of the report), e.g. TrainingDelivered.' })
  eventType: string;

  @Field({ description: 'The business date, YYYY-MM-DD (as last corrected).' })
  occurredOn: string;

  @Field(() => JsonObjectScalar, { description: "The type's own fields as they now stand (title, participants, location, …)." })
  details: Record<string, unknown>;

  @Field(() => ReportStatus)
  status: ReportStatus;

  @Field(() => Int, { description: 'How many times it was corrected (the history: reportHistory).' })
  corrections: number;

  @Field({ nullable: true, description: 'Why it was retracted, when it was.' })
  retractionReason?: string;

  @Field({ description: 'When it was recorded (server time, ISO instant).' })
  recordedAt: string;

  @Field({ description: 'When it was last recorded, corrected or retracted.' })
  updatedAt: string;

  @Field({ description: "The report stream, where its history is: reportHistory(agencyId, reportId) (the agency, auditors) or events(filter: { stream }) (auditors)." })
  stream: string;

  @Field({ description: "Global position of the report's first event (bigint as a string)." })
  position: string;
}

@ObjectType()
export class ReportEdge {
  @Field()
  cursor: string;

  @Field(() => ReportSummary)
  node: ReportSummary;
}

@ObjectType()
export class ReportPageInfo {
  @Field()
  hasNextPage: boolean;

  @Field(() => String, { nullable: true })
  endCursor: string | null;
}

@ObjectType({ description: 'Reports in recording order, a page at a time.' })
export class ReportConnection {
  @Field(() => [ReportEdge])
  edges: ReportEdge[];

  @Field(() => ReportPageInfo)
  pageInfo: ReportPageInfo;

  @Field(() => Int, { description: 'Reports matching the filter, over all pages.' })
  totalCount: number;

  @Field({ description: 'The projections position the answer reflects (bigint as a string).' })
  position: string;
}
