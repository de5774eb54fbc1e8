import { Field, ID, InputType } from '@nestjs/graphql';
import { ArrayMaxSize, IsArray, IsEnum, IsOptional, IsString, MaxLength, ValidateNested } from 'class-validator';
import { Type } from 'class-transformer';
import { ImplementationLevel } from '../../common/models/assessment.model.js';

@InputType({ description: 'A comment on one indicator of the measure.' })
export class IndicatorCommentInput {
  @Field({ description: "The indicator's key in the plan." })
  @IsString()
  @MaxLength(100)
  indicatorKey: string;

  @Field()
  @IsString()
  @MaxLength(5000)
  comment: string;
}

@InputType({ description: "A coordinator's judgement of a measure as of a date (the deeper rules are the assessment decider's)." })
export class AssessMeasureInput {
  @Field(() => ID, { nullable: true, description: 'The plan; required only when several adopted plans have the measure code.' })
  @IsOptional()
  @IsString()
  planId?: string;

  @Field()
  @IsString()
  @MaxLength(100)
  measureCode: string;

  @Field(() => ID, { description: "Your system's own id for this assessment: a retried request with it is answered, not stored twice." })
  @IsString()
  @MaxLength(100)
  assessmentId: string;

  @Field(() => ImplementationLevel)
  @IsEnum(ImplementationLevel)
  level: ImplementationLevel;

  @Field({ description: 'The date the judgement describes, YYYY-MM-DD (e.g. the plan’s last day for the final assessment).' })
  @IsString()
  asOf: string;

  @Field({ description: 'What the judgement rests on.' })
  @IsString()
  @MaxLength(20000)
  narrative: string;

  @Field(() => [String], { nullable: true, description: 'References to evidence (document numbers, URLs, report ids), one line each: at most 100, each at most 500 characters.' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  evidence?: string[];

  @Field(() => [IndicatorCommentInput], { nullable: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => IndicatorCommentInput)
  indicatorComments?: IndicatorCommentInput[];
}

@InputType({ description: 'Replaces what an assessment says, with a reason; the original stays in the history.' })
export class CorrectAssessmentInput extends AssessMeasureInput {
  @Field(() => ID, { description: "Your system's own id for this correction: a retried correction is answered, not stored twice." })
  @IsString()
  @MaxLength(100)
  correctionId: string;

  @Field({ description: 'Why the assessment changes.' })
  @IsString()
  @MaxLength(2000)
  reason: string;

  // Omitted keeps what the assessment says now; [] clears it (a correction of the level alone loses nothing).
  @Field(() => [String], { nullable: true, description: 'References to evidence, one line each. Omitted: the assessment keeps its current evidence; [] clears it.' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  declare evidence?: string[];

  @Field(() => [IndicatorCommentInput], { nullable: true, description: 'Omitted: the assessment keeps its current indicator comments; [] clears them.' })
  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => IndicatorCommentInput)
  declare indicatorComments?: IndicatorCommentInput[];
}
