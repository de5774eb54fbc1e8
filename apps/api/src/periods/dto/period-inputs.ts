import { Field, ID, InputType } from '@nestjs/graphql';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { PERIOD_TEXT_MAX_LENGTH, PERIOD_TEXT_MIN_LENGTH } from '@app/domain';
import { IsClientId } from '../../common/wire-validators.js';

const PERIOD_ID = /^\d{4}(?:-(?:Q[1-4]|0[1-9]|1[0-2]))?$/;
const PERIOD_ID_RULE = 'periodId must be a period id: YYYY-Qn (quarter), YYYY-MM (month) or YYYY (year), as the plan reports';

/** What every step of a period's sign-off names. */
@InputType({ isAbstract: true })
abstract class PeriodStepInput {
  @Field(() => ID, { nullable: true, description: 'The plan; may be left out while exactly one plan is adopted.' })
  @IsOptional()
  @IsString()
  planId?: string;

  @Field({ description: 'The reporting period: 2023-Q1 for plans reporting by quarter (the default), 2023-05 by month, 2023 by year.' })
  @Matches(PERIOD_ID, { message: PERIOD_ID_RULE })
  periodId: string;

  @Field({ description: "The client's own id of this step: a retry with it at any later time answers with the first receipt and changes nothing." })
  @IsClientId()
  requestId: string;
}

@InputType({ description: "An agency submits one of its reporting periods, once it has ended, for the coordinator's approval." })
export class SubmitPeriodInput extends PeriodStepInput {
  @Field({ nullable: true, description: 'A note to the coordinator.' })
  @IsOptional()
  @IsString()
  @MaxLength(PERIOD_TEXT_MAX_LENGTH)
  comment?: string;
}

/** The coordinator's steps name the agency whose period it is. */
@InputType({ isAbstract: true })
abstract class CoordinatorStepInput extends PeriodStepInput {
  @Field(() => ID, { description: 'The agency whose period it is.' })
  @IsString()
  agencyId: string;
}

@InputType({ description: "The coordinator approves a submitted (or reopened) period: the agency's reports dated in it are locked." })
export class ApprovePeriodInput extends CoordinatorStepInput {
  @Field({ nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(PERIOD_TEXT_MAX_LENGTH)
  comment?: string;
}

@InputType({ description: 'The coordinator returns a submitted period to the agency, saying what to change.' })
export class ReturnPeriodInput extends CoordinatorStepInput {
  @Field({ description: `What the agency must change (at least ${PERIOD_TEXT_MIN_LENGTH} characters).` })
  @IsString()
  @MaxLength(PERIOD_TEXT_MAX_LENGTH)
  comment: string;
}

@InputType({ description: 'The coordinator reopens an approved period, with a reason: it is unlocked until the next approval.' })
export class ReopenPeriodInput extends CoordinatorStepInput {
  @Field({ description: `Why the approved figures must change (at least ${PERIOD_TEXT_MIN_LENGTH} characters).` })
  @IsString()
  @MaxLength(PERIOD_TEXT_MAX_LENGTH)
  reason: string;
}
