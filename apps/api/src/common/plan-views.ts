import { Inject, Injectable } from '@nestjs/common';
import { DomainError } from '@app/domain';
import { MeasureLookupError, PlanCatalog, type Plan as PlanDocument } from '@app/plan';
import type { Measure } from './models/measure.model.js';
import type { Plan } from './models/plan.model.js';
import { toPlanModel } from './plan.mapper.js';
import { givenId } from './query-arguments.js';

/** A plan's GraphQL model with its measures by code, built once per plan version. */
export interface PlanView {
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
      // Both callers (measure, measureUpdated) take the code as their argument `code`.
      return new DomainError('NOT_FOUND', error.message, { field: 'code', reason: error.planIds.length > 0 ? `is not a measure of plan ${error.planIds[0]}` : 'is not a measure of any adopted plan' });
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

/**
 * The GraphQL models of plan documents, shared by every feature that answers with a `Measure`
 * or a `Plan` (the plan queries, the projection queries, the measureUpdated subscription), so
 * one plan version maps to one set of objects.
 */
@Injectable()
export class PlanViews {
  // Keyed by the plan document: the catalog replaces the document when the plan is amended,
  // so a stale view is simply never asked for again.
  private readonly views = new WeakMap<PlanDocument, PlanView>();

  constructor(@Inject(PlanCatalog) private readonly catalog: PlanCatalog) {}

  view(plan: PlanDocument): PlanView {
    let view = this.views.get(plan);
    if (!view) {
      const model = toPlanModel(plan);
      const measures = new Map(model.pillars.flatMap((p) => p.objectives.flatMap((o) => o.measures.map((m) => [m.code, m] as const))));
      view = { model, measures };
      this.views.set(plan, view);
    }
    return view;
  }

  /** The model of a measure the plan document holds (codes come from that document). */
  measureOf(plan: PlanDocument, code: string): Measure {
    return this.view(plan).measures.get(code)!;
  }

  /**
   * One measure of the catalogue by code. Throws DomainError NOT_FOUND for an unknown code,
   * BAD_USER_INPUT (field planId) when several plans have it and planId is not given.
   */
  measure(code: string, planId?: string | null): Measure {
    const named = givenId(planId, 'planId', 'the plan that has the code');
    if (named !== undefined && !this.catalog.plan(named)) throw new DomainError('NOT_FOUND', `No plan ${named} is adopted in the ledger`, { field: 'planId', reason: 'is not an adopted plan' });
    try {
      const ref = this.catalog.findMeasure(code, named);
      return this.measureOf(ref.plan, ref.measure.code);
    } catch (error) {
      if (error instanceof MeasureLookupError) throw lookupError(error);
      throw error;
    }
  }
}
