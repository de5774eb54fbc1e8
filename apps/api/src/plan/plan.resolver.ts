import { Inject } from '@nestjs/common';
import { givenId } from '../common/query-arguments.js';
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
/** A filter value given: "" too, which names no pillar, objective or agency (refused), never "any". */
const given = (value: string | null | undefined): value is string => value !== undefined && value !== null;

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
    this.checkFilterNames(f, planId);
    const refs = given(f.agency) ? this.catalog.measuresForAgency(f.agency, planId) : this.catalog.measures(planId);
    return refs
      .filter(
        ({ pillar, objective, measure }) =>
          (!given(f.pillar) || pillar.code === f.pillar) &&
          (!given(f.objective) || objective.code === f.objective) &&
          (!f.deadlineFrom || measure.deadline >= f.deadlineFrom) &&
          (!f.deadlineTo || measure.deadline <= f.deadlineTo),
      )
      .map((ref) => this.views.view(ref.plan).measures.get(ref.measure.code)!);
  }

  /**
   * A plan, pillar, objective or agency the filter names must exist (in the plan it names, else
   * in any adopted plan): a typo answers BAD_USER_INPUT naming the field and what there is, not an
   * empty list that reads as "no measures".
   */
  private checkFilterNames(f: MeasureFilter, planId: string | undefined): void {
    const plans = this.catalog.plans();
    const where = planId === undefined ? 'any adopted plan' : `plan ${planId}`;
    const listed = (values: Iterable<string>) => {
      const all = [...new Set(values)];
      return all.length === 0 ? 'none adopted yet' : all.length <= 12 ? all.join(', ') : `${all.slice(0, 12).join(', ')}, … (${all.length})`;
    };
    if (planId !== undefined && !plans.some((p) => p.id === planId)) throw DomainError.badInput('planId', `is not an adopted plan (got "${planId}"; plans: ${listed(plans.map((p) => p.id))})`);
    const refs = this.catalog.measures(planId);
    if (given(f.pillar) && !refs.some((r) => r.pillar.code === f.pillar)) throw DomainError.badInput('pillar', `is not a pillar of ${where} (got "${f.pillar}"; pillars: ${listed(refs.map((r) => r.pillar.code))})`);
    if (given(f.objective) && !refs.some((r) => r.objective.code === f.objective)) {
      throw DomainError.badInput('objective', `is not an objective of ${where} (got "${f.objective}"; objectives: ${listed(refs.map((r) => r.objective.code))})`);
    }
    if (given(f.agency) && !this.catalog.agency(f.agency, planId)) throw DomainError.badInput('agency', `is not an agency of the register of ${where} (got "${f.agency}"; the agencies query lists them)`);
  }

  @Query(() => [Agency], {
    description: "The agencies of one plan's register, or of every plan (by id) when planId is not given.",
  })
  agencies(@Args('planId', { type: () => ID, nullable: true }) planId?: string | null): Agency[] {
    const named = givenId(planId, 'planId', 'the agencies of every plan');
    if (named !== undefined) {
      const plan = this.catalog.plan(named);
      // Not an empty register, which would read as "this plan names no agency".
      if (!plan) throw new DomainError('NOT_FOUND', `No plan ${named} is adopted in the ledger`, { field: 'planId', reason: 'is not an adopted plan' });
      return this.views.view(plan).model.agencies;
    }
    return new AgencyRegister(this.catalog.agencies()).all();
  }
}
