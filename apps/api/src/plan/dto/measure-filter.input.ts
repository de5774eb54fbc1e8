import { Field, ID, InputType } from '@nestjs/graphql';
import { IsOptional, IsString, MaxLength, ValidateBy, type ValidationOptions } from 'class-validator';
import { isIsoDate } from '@app/plan';

/** A real calendar day written YYYY-MM-DD (2023-02-30 is refused). */
export function IsCalendarDate(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isCalendarDate',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && isIsoDate(value),
        defaultMessage: (args) => `${args?.property ?? 'value'} must be a real calendar date written YYYY-MM-DD`,
      },
    },
    options,
  );
}

@InputType({ description: 'Narrows a list of measures; every condition given must hold.' })
export class MeasureFilter {
  @Field(() => ID, { nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  planId?: string;

  @Field({ nullable: true, description: 'Pillar code, e.g. "A".' })
  @IsOptional()
  @IsString()
  @MaxLength(50)
  pillar?: string;

  @Field({ nullable: true, description: 'Objective code, e.g. "A.1".' })
  @IsOptional()
  @IsString()
  @MaxLength(50)
  objective?: string;

  @Field(() => ID, {
    nullable: true,
    description: 'An agency id: measures it is responsible for or a partner of, directly or through a group.',
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
