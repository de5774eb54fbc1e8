import type * as domain from '@app/plan';
import { Agency, AgencyKind } from './models/agency.model.js';
import { FundingSource, IndicatorAggregate, Measure } from './models/measure.model.js';
import { Plan } from './models/plan.model.js';

/**
 * Plan documents → GraphQL models. Agencies become objects (a measure's `responsible` lists
 * agencies, not ids); a register is mapped once so a group's members are the same objects,
 * and a cycle of groups is just a cyclic object graph that GraphQL walks only as deep as asked.
 */
export class AgencyRegister {
  private readonly models = new Map<string, Agency>();

  constructor(agencies: readonly domain.Agency[]) {
    for (const agency of agencies) {
      this.models.set(agency.id, { id: agency.id, name: agency.name, kind: agency.kind as AgencyKind });
    }
    for (const agency of agencies) {
      if (agency.members) this.models.get(agency.id)!.members = agency.members.map((id) => this.get(id));
    }
  }

  /** Ids come from validated plans, so they are known; a stray one still shows as itself. */
  get(id: string): Agency {
    return this.models.get(id) ?? { id, name: id, kind: AgencyKind.OTHER };
  }

  all(): Agency[] {
    return [...this.models.values()];
  }
}

export function toMeasureModel(ref: domain.MeasureRef, agencies: AgencyRegister): Measure {
  const { plan, pillar, objective, measure } = ref;
  return {
    code: measure.code,
    title: measure.title,
    planId: plan.id,
    pillarCode: pillar.code,
    objectiveCode: objective.code,
    responsible: measure.responsible.map((id) => agencies.get(id)),
    partners: measure.partners.map((id) => agencies.get(id)),
    partnersText: measure.partnersText,
    means: measure.means,
    deadline: measure.deadline,
    indicatorText: measure.indicatorText,
    fundingText: measure.fundingText,
    funding: {
      sources: measure.funding.sources.map((s) => s as FundingSource),
      allocations: (measure.funding.allocations ?? []).map((a) => ({
        amountHuf: a.amountHuf,
        amountStated: a.amountHuf !== undefined,
        year: a.year,
        recurring: a.recurring ?? false,
        purpose: a.purpose,
        budgetPoint: a.budgetPoint,
        source: a.source as FundingSource | undefined,
      })),
    },
    indicators: measure.indicators.map((i) => ({
      key: i.key,
      label: i.label,
      event: i.event,
      aggregate: i.aggregate as IndicatorAggregate,
      field: i.field,
      where: i.where && { field: i.where.field, equals: String(i.where.equals) },
      target: i.target,
    })),
  };
}

export function toPlanModel(plan: domain.Plan): Plan {
  const agencies = new AgencyRegister(plan.agencies);
  return {
    id: plan.id,
    title: plan.title,
    legalBasis: { ...plan.legalBasis },
    period: { ...plan.period },
    budgetPoints: plan.budgetPoints.map((b) => ({
      id: b.id,
      description: b.description,
      amountHuf: b.amountHuf,
      year: b.year,
      recurring: b.recurring ?? false,
      chapter: b.chapter === undefined ? undefined : agencies.get(b.chapter),
    })),
    pillars: plan.pillars.map((pillar) => ({
      code: pillar.code,
      title: pillar.title,
      objectives: pillar.objectives.map((objective) => ({
        code: objective.code,
        title: objective.title,
        measures: objective.measures.map((measure) => toMeasureModel({ plan, pillar, objective, measure }, agencies)),
      })),
    })),
    agencies: agencies.all(),
  };
}
