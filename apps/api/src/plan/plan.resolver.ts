import { Inject } from '@nestjs/common';
import { Args, ID, Query, Resolver } from '@nestjs/graphql';
import { Action, Allow } from '@app/auth';
import { DomainError } from '@app/domain';
import { MeasureLookupError, PlanCatalog, type Plan as PlanDocument } from '@app/plan';
import { MeasureFilter } from './dto/measure-filter.input.js';
import { Agency } from './models/agency.model.js';
import { Measure } from './models/measure.model.js';
import { Plan } from './models/plan.model.js';
import { AgencyRegister, toPlanModel } from './plan.mapper.js';

/** A plan's GraphQL model with its measures by code, built once per plan version. */
interface PlanView {
  readonly model: Plan;
  readonly measures: ReadonlyMap<string, Measure>;
}

/**
 * Lookup failures in the API's vocabulary. Thrown as DomainError so the common filter turns
 * them into GraphQL errors (a refused request is not a server error to be logged).
 */
function lookupError(error: MeasureLookupError): DomainError {
  switch (error.reason) {
    case 'not-found':
      return new DomainError('NOT_FOUND', error.message);
    case 'ambiguous':
      return new DomainError('BAD_USER_INPUT', error.message, {
        field: 'planId',
        reason: `is required: measure "${error.code}" exists in plans ${error.planIds.join(', ')}`,
      });
    default: {
      const _: never = error.reason;
      return _;
    }
  }
}

/** Read access to the adopted plans, from the in-memory PlanCatalog (no store round trip). */
@Resolver()
@Allow(Action.READ_PLAN)
export class PlanResolver {
  // Keyed by the plan document: the catalog replaces the document when the plan is amended,
  // so a stale view is simply never asked for again.
  private readonly views = new WeakMap<PlanDocument, PlanView>();

  constructor(@Inject(PlanCatalog) private readonly catalog: PlanCatalog) {}

  @Query(() => [Plan], { description: 'Every adopted plan, as currently amended.' })
  plans(): Plan[] {
    return this.catalog.plans().map((plan) => this.view(plan).model);
  }

  @Query(() => Plan, { nullable: true, description: 'One plan; null when no plan has this id.' })
  plan(@Args('id', { type: () => ID }) id: string): Plan | null {
    const plan = this.catalog.plan(id);
    return plan ? this.view(plan).model : null;
  }

  @Query(() => Measure, {
    nullable: true,
    description: 'One measure by code. planId is needed only when several plans have the code (else BAD_USER_INPUT); an unknown code is NOT_FOUND.',
  })
  measure(
    @Args('code') code: string,
    @Args('planId', { type: () => ID, nullable: true }) planId?: string | null,
  ): Measure {
    try {
      const ref = this.catalog.findMeasure(code, planId ?? undefined);
      return this.view(ref.plan).measures.get(ref.measure.code)!;
    } catch (error) {
      if (error instanceof MeasureLookupError) throw lookupError(error);
      throw error;
    }
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
      .map((ref) => this.view(ref.plan).measures.get(ref.measure.code)!);
  }

  @Query(() => [Agency], {
    description: "The agencies of one plan's register, or of every plan (by id) when planId is not given.",
  })
  agencies(@Args('planId', { type: () => ID, nullable: true }) planId?: string | null): Agency[] {
    if (planId) {
      const plan = this.catalog.plan(planId);
      return plan ? this.view(plan).model.agencies : [];
    }
    return new AgencyRegister(this.catalog.agencies()).all();
  }

  private view(plan: PlanDocument): PlanView {
    let view = this.views.get(plan);
    if (!view) {
      const model = toPlanModel(plan);
      const measures = new Map(model.pillars.flatMap((p) => p.objectives.flatMap((o) => o.measures.map((m) => [m.code, m] as const))));
      view = { model, measures };
      this.views.set(plan, view);
    }
    return view;
  }
}
