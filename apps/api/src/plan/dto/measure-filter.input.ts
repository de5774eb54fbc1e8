import { Field, ID, InputType } from '@nestjs/graphql';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { IsCalendarDate } from '../../common/wire-validators.js';

@InputType({ description: 'Narrows a list of measures; every condition given must hold.' })
export class MeasureFilter {
  @Field(() => ID, { nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  planId?: string;

  @Field({ nullable: true, description: 'Pillar code, e.g. "II". BAD_USER_INPUT when no plan (of planId, if given) has it.' })
  @IsOptional()
  @IsString()
  @MaxLength(50)
  pillar?: string;

  @Field({ nullable: true, description: 'Objective code, e.g. "II.1". BAD_USER_INPUT when no plan (of planId, if given) has it.' })
  @IsOptional()
  @IsString()
  @MaxLength(50)
  objective?: string;

  @Field(() => ID, {
    nullable: true,
    description: 'An agency id: measures it is responsible for or a partner of, directly or through a group. BAD_USER_INPUT when no register (of planId, if given) has it.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  agency?: string;

  @Field({ nullable: true, description: 'Deadline on or after this ISO date.' })
  @IsOptional()
  @IsCalendarDate()
  deadlineFrom?: string;

  @Field({ nullable: true, description: 'Deadline on or before this ISO date.' })
  @IsOptional()
  @IsCalendarDate()
  deadlineTo?: string;
}
