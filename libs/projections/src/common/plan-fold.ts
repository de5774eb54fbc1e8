import type { RecordedEvent } from '@app/event-store';
import { type Plan, evolvePlan, fromRecordedEvent, planIdOfStream } from '@app/plan';

/**
 * The plan after a plan event, folded with @app/plan's evolvePlan; undefined when the event
 * is not a plan event or does not fit the plan (then the plan keeps its last good state, as
 * the PlanCatalog does — a damaged plan stream must not stop every read model).
 */
export function nextPlan(current: Plan | undefined, event: RecordedEvent): { readonly planId: string; readonly plan: Plan } | undefined {
  const planId = planIdOfStream(event.stream);
  if (planId === undefined) return undefined;
  try {
    const planEvent = fromRecordedEvent(event);
    if (!planEvent) return undefined;
    return { planId, plan: evolvePlan(current, planEvent) };
  } catch {
    return undefined;
  }
}

/** Every measure of a plan, in plan order, with its pillar and objective codes. */
export interface MeasureInPlan {
  readonly pillarCode: string;
  readonly objectiveCode: string;
  readonly measure: Plan['pillars'][number]['objectives'][number]['measures'][number];
}

export function measuresOf(plan: Plan): MeasureInPlan[] {
  const out: MeasureInPlan[] = [];
  for (const pillar of plan.pillars) {
    for (const objective of pillar.objectives) {
      for (const measure of objective.measures) out.push({ pillarCode: pillar.code, objectiveCode: objective.code, measure });
    }
  }
  return out;
}
