import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { HufScalar } from '../huf.scalar.js';
import { Agency } from './agency.model.js';
import { Measure } from './measure.model.js';

@ObjectType({ description: 'The decision that adopted the plan.' })
export class LegalBasis {
  @Field({ description: 'e.g. "7/2030 (I. 2.)"' })
  decision: string;

  @Field({ description: 'ISO date of the decision.' })
  date: string;

  @Field({ nullable: true })
  title?: string;
}

@ObjectType({ description: 'The period the plan covers (ISO dates, inclusive).' })
export class PlanPeriod {
  @Field()
  from: string;

  @Field()
  to: string;
}

@ObjectType({
  description:
    'A budget point: a sum of money the government decision adopting the plan itself commits (in its numbered points, beside the measures), which measures\' funding allocations are counted under.',
})
export class BudgetPoint {
  @Field(() => ID, { description: 'The point\'s number as the decision writes it, e.g. "3a" (point 3, item a).' })
  id: string;

  @Field({ description: 'What the decision says the money is, in its words.' })
  description: string;

  @Field(() => HufScalar, { description: 'The amount, in whole forints (per year when recurring).' })
  amountHuf: string;

  @Field(() => Int, { description: 'The year it applies to; with recurring, the first such year.' })
  year: number;

  @Field({ description: 'True when the amount is provided every year from `year` on.' })
  recurring: boolean;

  @Field(() => Agency, { nullable: true, description: 'The agency whose budget chapter holds it.' })
  chapter?: Agency;
}

@ObjectType()
export class Objective {
  @Field()
  code: string;

  @Field()
  title: string;

  @Field(() => [Measure])
  measures: Measure[];
}

@ObjectType()
export class Pillar {
  @Field()
  code: string;

  @Field()
  title: string;

  @Field(() => [Objective])
  objectives: Objective[];
}

@ObjectType({ description: 'An adopted action plan, as currently amended.' })
export class Plan {
  @Field(() => ID)
  id: string;

  @Field()
  title: string;

  @Field(() => LegalBasis)
  legalBasis: LegalBasis;

  @Field(() => PlanPeriod)
  period: PlanPeriod;

  @Field(() => [BudgetPoint])
  budgetPoints: BudgetPoint[];

  @Field(() => [Pillar])
  pillars: Pillar[];

  @Field(() => [Agency], { description: "The plan's register of agencies." })
  agencies: Agency[];
}
