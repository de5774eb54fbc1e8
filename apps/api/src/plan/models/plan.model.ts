import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { HufScalar } from '../../common/huf.scalar.js';
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

@ObjectType({ description: 'A money commitment of the decision itself.' })
export class BudgetPoint {
  @Field(() => ID)
  id: string;

  @Field()
  description: string;

  @Field(() => HufScalar)
  amountHuf: string;

  @Field(() => Int, { description: 'The year it applies to; with recurring, the first such year.' })
  year: number;

  @Field()
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
