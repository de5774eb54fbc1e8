import { Field, Float, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import type { Aggregate, FundingSourceId } from '@app/plan';
import { HufScalar } from '../huf.scalar.js';
import { Agency } from './agency.model.js';

export enum FundingSource {
  NATIONAL = 'national',
  EU = 'eu',
  SWISS_HUNGARIAN = 'swiss-hungarian',
}
const _sameSources: [FundingSourceId, `${FundingSource}`] extends [`${FundingSource}`, FundingSourceId] ? true : never = true;
void _sameSources;
registerEnumType(FundingSource, { name: 'FundingSource', description: 'Where money for a measure comes from.' });

export enum IndicatorAggregate {
  COUNT = 'count',
  SUM = 'sum',
  DISTINCT = 'distinct',
  MILESTONE = 'milestone',
}
const _sameAggregates: [Aggregate, `${IndicatorAggregate}`] extends [`${IndicatorAggregate}`, Aggregate] ? true : never = true;
void _sameAggregates;
registerEnumType(IndicatorAggregate, {
  name: 'IndicatorAggregate',
  description: 'How an indicator turns reported events into a number.',
  valuesMap: {
    COUNT: { description: 'Number of reported events of the type.' },
    SUM: { description: 'Sum of a count or money field of the events.' },
    DISTINCT: { description: 'Number of distinct values of a field.' },
    MILESTONE: { description: '1 once an event of the type is reported, else 0.' },
  },
});

@ObjectType({ description: 'Money the plan commits to a measure.' })
export class FundingAllocation {
  @Field(() => HufScalar, { nullable: true, description: 'Null when the plan states no amount (unknown, not 0); see amountStated.' })
  amountHuf?: string;

  @Field({ description: 'False when the plan funds the purpose that year without stating an amount.' })
  amountStated: boolean;

  @Field(() => Int, { description: 'The year it applies to; with recurring, the first such year.' })
  year: number;

  @Field({ description: 'True when the amount applies every year from `year` on.' })
  recurring: boolean;

  @Field()
  purpose: string;

  @Field({ nullable: true, description: 'The id of the budget point of the plan\'s decision it is counted under (see Plan.budgetPoints).' })
  budgetPoint?: string;

  @Field(() => FundingSource, { nullable: true })
  source?: FundingSource;
}

@ObjectType()
export class Funding {
  @Field(() => [FundingSource], { description: 'Sources the funding text names; empty when it names none.' })
  sources: FundingSource[];

  @Field(() => [FundingAllocation])
  allocations: FundingAllocation[];
}

@ObjectType({ description: 'The value a field of the event must have for the event to count.' })
export class IndicatorCondition {
  @Field({ description: 'A field of the event type.' })
  field: string;

  @Field({ description: 'The value it must have, as text ("true"/"false" for a boolean field).' })
  equals: string;
}

@ObjectType({ description: 'What the plan measures for a measure, computed from reported events.' })
export class Indicator {
  @Field({ description: 'Unique within the measure.' })
  key: string;

  @Field()
  label: string;

  @Field({ description: 'The event type counted (see the event catalogue).' })
  event: string;

  @Field(() => IndicatorAggregate)
  aggregate: IndicatorAggregate;

  @Field({ nullable: true, description: 'The event field summed or told apart (SUM, DISTINCT).' })
  field?: string;

  @Field(() => IndicatorCondition, { nullable: true, description: 'COUNT and MILESTONE: only events whose field has this value count (e.g. joint inspections).' })
  where?: IndicatorCondition;

  @Field(() => Float, { nullable: true, description: 'The number the plan states, when it states one.' })
  target?: number;
}

/**
 * A measure of a plan, rows A–F of the plan's table plus what the plan file adds (funding
 * allocations, indicators). Other features add fields to it with @ResolveField; `planId` and
 * `code` identify it.
 */
@ObjectType({ description: 'A measure of a plan.' })
export class Measure {
  @Field({ description: 'The code as the plan writes it; unique within the plan.' })
  code: string;

  @Field({ description: 'What the measure is, in the words of the plan.' })
  title: string;

  @Field(() => ID, { description: 'The plan it belongs to.' })
  planId: string;

  @Field({ description: 'Code of the pillar (the plan\'s top-level heading) it is under.' })
  pillarCode: string;

  @Field({ description: 'Code of the objective it serves.' })
  objectiveCode: string;

  @Field(() => [Agency], { description: 'The bodies responsible for carrying it out.' })
  responsible: Agency[];

  @Field(() => [Agency], { description: 'The bodies that take part as partners (a group of agencies is listed as the group).' })
  partners: Agency[];

  @Field({ nullable: true, description: 'The partners as the plan words them, when the list of agencies alone loses meaning (e.g. "other bodies concerned").' })
  partnersText?: string;

  @Field({ description: 'The means of carrying it out, as the plan words them (e.g. trainings, campaigns).' })
  means: string;

  @Field({ description: 'The deadline, as a date (YYYY-MM-DD).' })
  deadline: string;

  @Field({ description: 'How the plan says the measure is measured, in its own words; `indicators` are the computable form.' })
  indicatorText: string;

  @Field({ description: 'Where the money comes from, in the plan\'s own words ("–" when the plan says nothing).' })
  fundingText: string;

  @Field(() => Funding)
  funding: Funding;

  @Field(() => [Indicator])
  indicators: Indicator[];
}
