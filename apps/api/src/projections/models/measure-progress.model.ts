import { Field, Float, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import type { Granularity as GranularityValue, MeasureFigures, MeasureStatus as MeasureStatusValue } from '@app/projections';
import type { Indicator as PlanIndicator } from '@app/plan';
import { IndicatorAggregate } from '../../plan/models/measure.model.js';

export enum MeasureStatus {
  NOT_STARTED = 'NOT_STARTED',
  IN_PROGRESS = 'IN_PROGRESS',
  ACHIEVED = 'ACHIEVED',
  OVERDUE = 'OVERDUE',
}
const _sameStatuses: [MeasureStatusValue, `${MeasureStatus}`] extends [`${MeasureStatus}`, MeasureStatusValue] ? true : never = true;
void _sameStatuses;
registerEnumType(MeasureStatus, {
  name: 'MeasureStatus',
  description: 'Where a measure stands on a date (asOf).',
  valuesMap: {
    NOT_STARTED: { description: 'No report counts on the measure.' },
    IN_PROGRESS: { description: 'Reported on, not achieved, deadline not passed. A measure without targets or milestones stays here: the plan gives no finish line.' },
    ACHIEVED: { description: 'Every targeted indicator at or above its target and every milestone reached.' },
    OVERDUE: { description: 'The deadline is before asOf and the measure is not achieved.' },
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

@ObjectType({ description: 'An indicator value for one period of occurredOn.' })
export class PeriodValue {
  @Field({ description: 'YYYY-MM, YYYY-Qn or YYYY.' })
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
}

@ObjectType({ description: 'Roll-up of the measures of an objective.' })
export class ObjectiveProgress {
  @Field()
  code: string;

  @Field()
  title: string;

  @Field(() => Int)
  measures: number;

  @Field(() => StatusCounts)
  byStatus: StatusCounts;

  @Field(() => Float, { nullable: true, description: 'Mean progress of the measures that have one (null when none has).' })
  meanProgress?: number;

  @Field(() => Int, { description: 'How many measures the mean is over.' })
  measuresWithProgress: number;
}

@ObjectType({ description: 'Roll-up of the measures of a pillar.' })
export class PillarProgress extends ObjectiveProgress {
  @Field(() => [ObjectiveProgress])
  objectives: ObjectiveProgress[];
}

@ObjectType({ description: 'Where the measures of a plan stand on a date, per pillar and objective.' })
export class PlanProgress {
  @Field(() => ID)
  planId: string;

  @Field({ description: 'The date the statuses are evaluated on (YYYY-MM-DD).' })
  asOf: string;

  @Field({ description: 'The projections position the answer reflects (bigint as a string).' })
  position: string;

  @Field(() => Int)
  measures: number;

  @Field(() => StatusCounts)
  byStatus: StatusCounts;

  @Field(() => Float, { nullable: true })
  meanProgress?: number;

  @Field(() => [PillarProgress])
  pillars: PillarProgress[];
}
