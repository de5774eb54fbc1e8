import { Field, InputType } from '@nestjs/graphql';
import { IsObject, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { JsonObjectScalar } from '../../common/json.scalar.js';

@InputType({ description: 'New figures for a report; the original stays in the history.' })
export class CorrectReportInput {
  @Field({ description: 'The reportId the report was recorded with.' })
  @IsString()
  @MaxLength(100)
  reportId: string;

  @Field(() => JsonObjectScalar, {
    description: "The report's own fields as they should be (all of them, as in the record mutation), e.g. {\"participants\": 18, \"days\": 2, \"title\": \"…\"}.",
  })
  @IsObject()
  details: Record<string, unknown>;

  @Field({ nullable: true, description: 'A corrected business date, YYYY-MM-DD; absent keeps the reported one.' })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'occurredOn must be a date written YYYY-MM-DD' })
  occurredOn?: string;

  @Field({ description: 'Why the figures change.' })
  @IsString()
  @MinLength(3)
  @MaxLength(2000)
  reason: string;
}

@InputType({ description: 'Withdraws a report: it no longer counts; it stays in the history.' })
export class RetractReportInput {
  @Field()
  @IsString()
  @MaxLength(100)
  reportId: string;

  @Field({ description: 'Why it is withdrawn.' })
  @IsString()
  @MinLength(3)
  @MaxLength(2000)
  reason: string;
}
