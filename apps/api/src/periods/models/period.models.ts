import { Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { PERIOD_STATUSES, type PeriodStatus as PeriodStatusValue } from '@app/domain';

export const PeriodStatus = Object.fromEntries(PERIOD_STATUSES.map((s) => [s, s])) as { [K in PeriodStatusValue]: K };
registerEnumType(PeriodStatus, {
  name: 'PeriodStatus',
  description:
    'Where a reporting period stands for an agency: OPEN (nothing yet), SUBMITTED (awaits the coordinator), RETURNED (sent back with a comment), APPROVED (signed off: reports dated in it are locked), REOPENED (unlocked until the next approval).',
});

@ObjectType({ description: 'What the ledger stored for a step of a period sign-off.' })
export class PeriodReceipt {
  @Field(() => ID)
  planId: string;

  @Field(() => ID)
  agencyId: string;

  @Field()
  periodId: string;

  @Field({ description: 'The period stream: period-<planId>/<agencyId>/<periodId>.' })
  stream: string;

  @Field(() => ID)
  eventId: string;

  @Field({ description: 'PeriodSubmitted, PeriodApproved, PeriodReturned or PeriodReopened.' })
  eventType: string;

  @Field(() => PeriodStatus, { description: 'The status after this step.' })
  status: PeriodStatusValue;

  @Field({ description: 'Global position written (bigint as a string): pass it as atLeastPosition to read your write.' })
  position: string;

  @Field({ description: 'Revision of the period stream (bigint as a string).' })
  revision: string;

  @Field({ description: 'True when this request repeated an earlier identical one: nothing new was stored.' })
  duplicate: boolean;
}

@ObjectType({ description: 'A reporting period of one agency under one plan.' })
export class AgencyPeriod {
  @Field(() => ID)
  planId: string;

  @Field(() => ID)
  agencyId: string;

  @Field({ description: 'e.g. 2023-Q1' })
  periodId: string;

  @Field({ description: 'First day (YYYY-MM-DD).' })
  from: string;

  @Field({ description: 'Last day (YYYY-MM-DD).' })
  to: string;

  @Field(() => PeriodStatus)
  status: PeriodStatusValue;

  @Field({ description: "True while APPROVED: the agency's reports dated in the period cannot be recorded, corrected or retracted." })
  locked: boolean;

  @Field(() => String, { nullable: true, description: 'The comment of the last return (what to change) or approval.' })
  comment: string | null;

  @Field(() => String, { nullable: true, description: 'The reason of the last reopening.' })
  reason: string | null;

  @Field(() => Int, { description: 'How many times it was approved (a reopened and re-approved period: 2).' })
  approvals: number;

  @Field(() => [String], { description: 'The measures of the last submission.' })
  submittedMeasureCodes: string[];

  @Field(() => String, { nullable: true, description: 'Global position of the last step (bigint as a string); null while OPEN.' })
  lastPosition: string | null;

  @Field(() => String, { nullable: true, description: 'When the last step was recorded (ISO 8601).' })
  lastRecordedAt: string | null;
}

@ObjectType({ description: 'The approval state of one measure for one agency in one period (DHIS2: data approval per period × org unit × data set).' })
export class PeriodApproval extends AgencyPeriod {
  @Field({ description: 'A measure the agency reports for (responsible or partner, groups expanded).' })
  measureCode: string;
}
