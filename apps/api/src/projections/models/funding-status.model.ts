import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { HufScalar } from '../../common/huf.scalar.js';
import { FundingSource } from '../../common/models/measure.model.js';

/** Why the lowercase source fields stay: the dashboard (and other clients) read them; the enum fields are the consistent ones. */
const LOWERCASE_SOURCE = 'Use fundingSource(s): the FundingSource enum (NATIONAL, EU, SWISS_HUNGARIAN) the rest of the schema uses; this field gives the plan file\'s lowercase id.';

@ObjectType({ description: 'Allocated (plan) and disbursed (FundsDisbursed) money from one source.' })
export class SourceFunding {
  @Field(() => FundingSource, { nullable: true, description: 'The funding source; null when the allocation or payment names none.' })
  fundingSource: FundingSource | null;

  @Field({ deprecationReason: LOWERCASE_SOURCE, description: 'A funding source id (national, eu, swiss-hungarian), or "unspecified" when the allocation or payment names none.' })
  source: string;

  @Field(() => HufScalar)
  allocated: string;

  @Field(() => HufScalar)
  disbursed: string;
}

@ObjectType({ description: "A measure's money in one year." })
export class MeasureFundingYear {
  @Field(() => Int)
  year: number;

  @Field(() => HufScalar, {
    description: 'The stated allocations of the year (recurring ones count every year to the end of the plan period); a lower bound when allocationUnstated.',
  })
  allocated: string;

  @Field({ description: 'Whether the plan makes an allocation applying this year (stated or not).' })
  hasAllocation: boolean;

  @Field({ description: 'Whether an allocation of this year states no amount: the plan funds it without a figure (unknown, not 0).' })
  allocationUnstated: boolean;

  @Field(() => HufScalar, { description: 'Disbursements dated (occurredOn) in the year.' })
  disbursed: string;

  @Field({ description: 'More paid out than the stated allocations of the year; never for a year with an unstated allocation or none.' })
  overDisbursed: boolean;

  @Field(() => [SourceFunding])
  bySource: SourceFunding[];
}

@ObjectType({ description: 'Allocated against disbursed money of a measure.' })
export class MeasureFundingStatus {
  @Field(() => ID)
  planId: string;

  @Field()
  measureCode: string;

  @Field(() => [FundingSource], { description: 'The sources the plan names.' })
  fundingSources: FundingSource[];

  @Field(() => [String], { deprecationReason: LOWERCASE_SOURCE, description: 'The sources the plan names, as lowercase ids.' })
  sources: string[];

  @Field({ description: 'Whether the plan gives the measure amounts (allocations), not just sources.' })
  hasAllocations: boolean;

  @Field(() => [Int], { description: 'Years with an allocation that states no amount.' })
  unstatedYears: number[];

  @Field(() => HufScalar, { description: 'Paid in years the plan allocates the measure nothing, though it gives amounts for other years.' })
  unallocatedDisbursed: string;

  @Field(() => HufScalar)
  allocated: string;

  @Field(() => HufScalar)
  disbursed: string;

  @Field()
  overDisbursed: boolean;

  @Field(() => Int, { description: 'Disbursements counted (corrections applied, retractions taken out).' })
  disbursements: number;

  @Field(() => [MeasureFundingYear])
  years: MeasureFundingYear[];
}

@ObjectType({ description: "A budget point's money in one year." })
export class BudgetPointYear {
  @Field(() => Int)
  year: number;

  @Field(() => HufScalar, { description: 'What the decision provides for the year.' })
  amount: string;

  @Field(() => HufScalar, { description: 'Allocations of measures under the point in the year.' })
  allocated: string;

  @Field(() => HufScalar, { description: "Paid in the year on those measures, from the allocations' sources." })
  disbursed: string;

  @Field()
  overDisbursed: boolean;
}

@ObjectType({ description: "A budget point of the plan's decision (money the decision itself commits, see BudgetPoint) against what was paid on the measures counted under it." })
export class BudgetPointFunding {
  @Field(() => ID, { description: 'The point\'s number as the decision writes it, e.g. "3a" (point 3, item a).' })
  id: string;

  @Field({ description: 'What the decision says the money is, in its words.' })
  description: string;

  @Field(() => [String], { description: 'Codes of the measures whose funding allocations are counted under this point.' })
  measureCodes: string[];

  @Field(() => [BudgetPointYear])
  years: BudgetPointYear[];

  @Field()
  overDisbursed: boolean;
}

@ObjectType({ description: 'Allocated against disbursed money of a plan, in exact integer HUF.' })
export class FundingSummary {
  @Field(() => ID)
  planId: string;

  @Field(() => Int, { nullable: true, description: 'The year asked for; null = every year.' })
  year?: number;

  @Field(() => String, {
    nullable: true,
    description: 'The business date asked for (asOf): only disbursements dated (occurredOn) on or before it are counted. Null = every disbursement counted so far.',
  })
  asOf?: string | null;

  @Field({ description: 'The projections position the answer reflects (bigint as a string).' })
  position: string;

  @Field(() => HufScalar)
  allocated: string;

  @Field(() => HufScalar)
  disbursed: string;

  @Field(() => [SourceFunding])
  bySource: SourceFunding[];

  @Field(() => [MeasureFundingStatus])
  measures: MeasureFundingStatus[];

  @Field(() => [BudgetPointFunding])
  budgetPoints: BudgetPointFunding[];

  @Field(() => [String])
  overDisbursedMeasures: string[];
}
