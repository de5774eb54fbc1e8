import { ArgsType, Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import type { Granularity as GranularityValue, MeasureFigures, MeasureStatus as MeasureStatusValue, StatusReason as StatusReasonValue } from '@app/projections';
import type { Indicator as PlanIndicator } from '@app/plan';
import { IndicatorAggregate } from '../../common/models/measure.model.js';
import { AT, PointInTimeInput } from '../../common/dto/point-in-time.input.js';
import { AS_OF, AS_OF_MONEY, AT_LEAST_POSITION } from '../projection-args.js';

/**
 * Which view of the read models a field of Measure reads: the arguments every read-model field
 * of Measure takes. Fields resolved as plain resolvers (PlainFieldResolver) get these as
 * GraphQL gives them, unvalidated: MeasureProgressResolver checks them.
 */
@ArgsType()
export class ReadModelArgs {
  @Field(() => String, { nullable: true, description: AT_LEAST_POSITION })
  atLeastPosition?: string | null;

  @Field(() => PointInTimeInput, { nullable: true, description: AT })
  at?: PointInTimeInput | null;
}

/** ReadModelArgs and the date statuses are evaluated on (status, statusReason, assessment). */
@ArgsType()
export class ProgressArgs extends ReadModelArgs {
  @Field(() => String, { nullable: true, description: AS_OF })
  asOf?: string | null;
}

/** ReadModelArgs, the year of the money and the business date it is counted to (fundingStatus). */
@ArgsType()
export class FundingArgs extends ReadModelArgs {
  @Field(() => Int, { nullable: true })
  year?: number | null;

  @Field(() => String, { nullable: true, description: AS_OF_MONEY })
  asOf?: string | null;
}

export enum MeasureStatus {
  NOT_STARTED = 'NOT_STARTED',
  IN_PROGRESS = 'IN_PROGRESS',
  ACHIEVED = 'ACHIEVED',
  OVERDUE = 'OVERDUE',
  AWAITING_ASSESSMENT = 'AWAITING_ASSESSMENT',
  WITHDRAWN = 'WITHDRAWN',
}
const _sameStatuses: [MeasureStatusValue, `${MeasureStatus}`] extends [`${MeasureStatus}`, MeasureStatusValue] ? true : never = true;
void _sameStatuses;
registerEnumType(MeasureStatus, {
  name: 'MeasureStatus',
  description: 'Where a measure stands on a date (asOf); statusReason says why (docs/status.md).',
  valuesMap: {
    NOT_STARTED: { description: 'Deadline not passed; no report counts on the measure, or a coordinator assessed it NOT_STARTED.' },
    IN_PROGRESS: { description: 'Deadline not passed; reported on or assessed LIMITED/SUBSTANTIAL, not achieved.' },
    ACHIEVED: { description: "The plan's finish line is met (every target and milestone), or a coordinator assessed it COMPLETE." },
    OVERDUE: {
      description: 'The deadline has passed and completion can be judged and is not reached: a finish line not met, or an assessment as of the deadline or later that is not COMPLETE.',
    },
    AWAITING_ASSESSMENT: { description: 'The deadline has passed, the plan gives no finish line and no coordinator has assessed it since: only an assessment can tell.' },
    WITHDRAWN: { description: 'A coordinator assessed it WITHDRAWN.' },
  },
});

export enum StatusReason {
  NO_REPORT = 'NO_REPORT',
  TARGET_NOT_MET = 'TARGET_NOT_MET',
  NO_FINISH_LINE = 'NO_FINISH_LINE',
  TARGET_MET = 'TARGET_MET',
  DEADLINE_PASSED = 'DEADLINE_PASSED',
  DEADLINE_BEFORE_PLAN_START = 'DEADLINE_BEFORE_PLAN_START',
  ASSESSED_NOT_STARTED = 'ASSESSED_NOT_STARTED',
  ASSESSED_LIMITED = 'ASSESSED_LIMITED',
  ASSESSED_SUBSTANTIAL = 'ASSESSED_SUBSTANTIAL',
  ASSESSED_COMPLETE = 'ASSESSED_COMPLETE',
  ASSESSED_WITHDRAWN = 'ASSESSED_WITHDRAWN',
}
const _sameReasons: [StatusReasonValue, `${StatusReason}`] extends [`${StatusReason}`, StatusReasonValue] ? true : never = true;
void _sameReasons;
registerEnumType(StatusReason, {
  name: 'StatusReason',
  description: 'Why a measure has its status (docs/status.md).',
  valuesMap: {
    NO_REPORT: { description: 'No report counts on the measure and no assessment is in force.' },
    TARGET_NOT_MET: { description: 'Reported on; the finish line (targets, milestones) is not met yet.' },
    NO_FINISH_LINE: { description: 'The plan gives no target or milestone: the figures cannot say it is done; an assessment can.' },
    TARGET_MET: { description: 'Every targeted indicator is at or above its target and every milestone reached.' },
    DEADLINE_PASSED: { description: 'The deadline has passed and the finish line is not met.' },
    DEADLINE_BEFORE_PLAN_START: { description: "The deadline is before the plan's first day (as the decree gives it): it passed before any report could be made." },
    ASSESSED_NOT_STARTED: { description: 'The assessment in force says NOT_STARTED.' },
    ASSESSED_LIMITED: { description: 'The assessment in force says LIMITED.' },
    ASSESSED_SUBSTANTIAL: { description: 'The assessment in force says SUBSTANTIAL.' },
    ASSESSED_COMPLETE: { description: 'The assessment in force says COMPLETE.' },
    ASSESSED_WITHDRAWN: { description: 'The assessment in force says WITHDRAWN.' },
  },
});

export enum Granularity {
  MONTH = 'MONTH',
  QUARTER = 'QUARTER',
  YEAR = 'YEAR',
}
const _sameGranularities: [GranularityValue, `${Granularity}`] extends [`${Granularity}`, GranularityValue] ? true : never = true;
void _sameGranularities;
registerEnumType(Granularity, { name: 'Granularity', description: 'Periods of the business date (occurredOn): YYYY-MM, YYYY-Qn, YYYY.' });

@InputType({ description: 'A range of whole months of occurredOn: from the first day of a month to the last day of a month.' })
export class PeriodRangeInput {
  @Field({ description: 'The first day of a month, YYYY-MM-01.' })
  @IsString()
  from: string;

  @Field({ description: 'The last day of a month, YYYY-MM-DD (e.g. 2024-03-31).' })
  @IsString()
  to: string;

  @Field({ nullable: true, description: 'What the period is called in the answer; default "from/to".' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  label?: string;
}

/** The arguments of IndicatorValue.byPeriod (checked by monthRanges and yearStartMonth). */
@ArgsType()
export class PeriodArgs {
  @Field(() => Granularity, { defaultValue: Granularity.MONTH })
  granularity?: Granularity;

  @Field(() => String, { nullable: true, description: 'MM-01: the first day of the reporting year (e.g. "04-01"); overrides granularity.' })
  yearStartsOn?: string | null;

  @Field(() => [PeriodRangeInput], { nullable: true, description: 'Ranges of whole months (at most 100); overrides granularity and yearStartsOn.' })
  ranges?: PeriodRangeInput[] | null;
}

@ObjectType({ description: 'An indicator value for one period of occurredOn.' })
export class PeriodValue {
  @Field({ description: 'YYYY-MM, YYYY-Qn or YYYY; a reporting year as an interval (2023-04-01/2024-03-31); or the range asked for (its label).' })
  period: string;

  @Field(() => Float)
  value: number;

  @Field({ description: 'The value as an exact decimal string (sums of money may exceed 2^53).' })
  exactValue: string;
}

@ObjectType({ description: 'An indicator value over the reports of one agency.' })
export class AgencyValue {
  @Field(() => ID)
  agencyId: string;

  @Field(() => Float)
  value: number;

  @Field()
  exactValue: string;
}

@ObjectType({ description: "An indicator of the measure with its value, computed from the reports and the plan's current definition." })
export class IndicatorValue {
  @Field()
  key: string;

  @Field()
  label: string;

  @Field()
  event: string;

  @Field(() => IndicatorAggregate)
  aggregate: IndicatorAggregate;

  @Field({ nullable: true })
  field?: string;

  @Field(() => Float, { nullable: true, description: "The plan's target; milestones count as reached at 1." })
  target?: number;

  @Field(() => Float, { description: 'The value over every counted report.' })
  value: number;

  @Field({ description: 'The value as an exact decimal string.' })
  exactValue: string;

  @Field(() => Float, { nullable: true, description: 'value / target in percent (rounded down to 0.1, at most 100); null without a finish line.' })
  progress?: number;

  @Field({ nullable: true, description: 'At or above target (reached, for a milestone); null without a finish line.' })
  achieved?: boolean;

  // Not GraphQL fields: what byPeriod and byAgency compute from.
  figures: MeasureFigures;
  indicator: PlanIndicator;
}

@ObjectType({ description: 'Counts of measures by status.' })
export class StatusCounts {
  @Field(() => Int)
  notStarted: number;

  @Field(() => Int)
  inProgress: number;

  @Field(() => Int)
  achieved: number;

  @Field(() => Int)
  overdue: number;

  @Field(() => Int)
  awaitingAssessment: number;

  @Field(() => Int)
  withdrawn: number;
}

@ObjectType({ description: 'How many measures have a status reason.' })
export class ReasonCount {
  @Field(() => StatusReason)
  reason: StatusReason;

  @Field(() => Int)
  measures: number;
}

/** The counts and mean progress every roll-up (objective, pillar, plan) gives over its measures. */
@ObjectType({ isAbstract: true })
export abstract class ProgressRollUp {
  @Field(() => Int)
  measures: number;

  @Field(() => StatusCounts)
  byStatus: StatusCounts;

  @Field(() => [ReasonCount], { description: 'Counts by status reason (reasons no measure has are left out).' })
  byReason: ReasonCount[];

  @Field(() => Float, {
    nullable: true,
    description:
      'Mean progress of the measures with a finish line that are not WITHDRAWN (measuresWithProgress of the measures, listed in progressMeasureCodes); null when none has one. Not the progress of the whole.',
  })
  meanProgress?: number;

  @Field(() => Int, { description: 'How many measures meanProgress is over: those with a target or milestone.' })
  measuresWithProgress: number;

  @Field(() => [String], { description: 'The codes of the measures meanProgress is over.' })
  progressMeasureCodes: string[];
}

@ObjectType({ description: 'Roll-up of the measures of an objective.' })
export class ObjectiveProgress extends ProgressRollUp {
  @Field()
  code: string;

  @Field()
  title: string;
}

@ObjectType({ description: 'Roll-up of the measures of a pillar.' })
export class PillarProgress extends ObjectiveProgress {
  @Field(() => [ObjectiveProgress])
  objectives: ObjectiveProgress[];
}

@ObjectType({ description: 'Where the measures of a plan stand on a date, per pillar and objective.' })
export class PlanProgress extends ProgressRollUp {
  @Field(() => ID)
  planId: string;

  @Field({ description: 'The date the statuses are evaluated on (YYYY-MM-DD).' })
  asOf: string;

  @Field({ description: 'The projections position the answer reflects (bigint as a string).' })
  position: string;

  @Field(() => [PillarProgress])
  pillars: PillarProgress[];
}
