import { Field, ID, InputType, registerEnumType } from '@nestjs/graphql';
import { IsDate, IsOptional, IsString, MaxLength } from 'class-validator';
import { IsCalendarDate } from '../../common/wire-validators.js';
import { DateTimeScalar } from '../../common/date-time.scalar.js';

export enum EventOrder {
  OLDEST_FIRST = 'OLDEST_FIRST',
  NEWEST_FIRST = 'NEWEST_FIRST',
}
registerEnumType(EventOrder, { name: 'EventOrder', description: 'The order of the global log: by position, ascending or descending.' });

@InputType({ description: 'Narrows the event history; every condition given must hold.' })
export class EventFilter {
  @Field({ nullable: true, description: 'data.measureCode: reports on the measure, their corrections and retractions.' })
  @IsOptional()
  @IsString()
  @MaxLength(50)
  measureCode?: string;

  @Field(() => ID, { nullable: true, description: 'metadata.agencyId (the recording agency), else data.agencyId.' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  agencyId?: string;

  @Field({ nullable: true, description: 'One event type, e.g. TrainingDelivered.' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  eventType?: string;

  @Field({ nullable: true, description: 'One stream, by its exact name (e.g. activity-<agencyId>/<reportId>, plan-<planId>).' })
  @IsOptional()
  @IsString()
  @MaxLength(300)
  stream?: string;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Recorded at or after this instant (as a span of positions, like point-in-time queries).' })
  @IsOptional()
  @IsDate()
  recordedFrom?: Date;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Recorded at or before this instant.' })
  @IsOptional()
  @IsDate()
  recordedTo?: Date;

  @Field({ nullable: true, description: 'Business date (occurredOn) on or after this day (YYYY-MM-DD); events without one are left out.' })
  @IsOptional()
  @IsCalendarDate()
  occurredFrom?: string;

  @Field({ nullable: true, description: 'Business date (occurredOn) on or before this day (YYYY-MM-DD).' })
  @IsOptional()
  @IsCalendarDate()
  occurredTo?: string;
}
