import { Inject } from '@nestjs/common';
import { Args, ID, Query, Resolver } from '@nestjs/graphql';
import { Action, Allow } from '@app/auth';
import { DomainError } from '@app/domain';
import { PlanCatalog } from '@app/plan';
import { Agency } from '../common/models/agency.model.js';
import { Measure } from '../common/models/measure.model.js';
import { Plan } from '../common/models/plan.model.js';
import { AgencyRegister } from '../common/plan.mapper.js';
import { PlanViews } from '../common/plan-views.js';
import { MeasureFilter } from './dto/measure-filter.input.js';

/** Read access to the adopted plans, from the in-memory PlanCatalog (no store round trip). */
@Resolver()
@Allow(Action.READ_PLAN)
export class PlanResolver {
  constructor(
    @Inject(PlanCatalog) private readonly catalog: PlanCatalog,
    @Inject(PlanViews) private readonly views: PlanViews,
  ) {}

  @Query(() => [Plan], { description: 'Every adopted plan, as currently amended.' })
  plans(): Plan[] {
    return this.catalog.plans().map((plan) => this.views.view(plan).model);
  }

  @Query(() => Plan, { nullable: true, description: 'One plan; null when no plan has this id.' })
  plan(@Args('id', { type: () => ID }) id: string): Plan | null {
    const plan = this.catalog.plan(id);
    return plan ? this.views.view(plan).model : null;
  }

  @Query(() => Measure, {
    nullable: true,
    description: 'One measure by code. planId is needed only when several plans have the code (else BAD_USER_INPUT); an unknown code is NOT_FOUND.',
  })
  measure(
    @Args('code') code: string,
    @Args('planId', { type: () => ID, nullable: true }) planId?: string | null,
  ): Measure {
    return this.views.measure(code, planId);
  }

  @Query(() => [Measure], { description: 'Measures of every plan, in plan order, narrowed by the filter.' })
  // `filter?: MeasureFilter` (not `| null`): the parameter's design type must be the class for
  // the validation pipe to apply its rules.
  measures(@Args('filter', { type: () => MeasureFilter, nullable: true }) filter?: MeasureFilter): Measure[] {
    const f = filter ?? {};
    if (f.deadlineFrom && f.deadlineTo && f.deadlineFrom > f.deadlineTo) {
      throw DomainError.badInput('deadlineTo', `must not be before deadlineFrom (${f.deadlineFrom})`);
    }
    const planId = f.planId ?? undefined;
    const refs = f.agency ? this.catalog.measuresForAgency(f.agency, planId) : this.catalog.measures(planId);
    return refs
      .filter(
        ({ pillar, objective, measure }) =>
          (!f.pillar || pillar.code === f.pillar) &&
          (!f.objective || objective.code === f.objective) &&
          (!f.deadlineFrom || measure.deadline >= f.deadlineFrom) &&
          (!f.deadlineTo || measure.deadline <= f.deadlineTo),
      )
      .map((ref) => this.views.view(ref.plan).measures.get(ref.measure.code)!);
  }

  @Query(() => [Agency], {
    description: "The agencies of one plan's register, or of every plan (by id) when planId is not given.",
  })
  agencies(@Args('planId', { type: () => ID, nullable: true }) planId?: string | null): Agency[] {
    if (planId) {
      const plan = this.catalog.plan(planId);
      return plan ? this.views.view(plan).model.agencies : [];
    }
    return new AgencyRegister(this.catalog.agencies()).all();
  }
}
