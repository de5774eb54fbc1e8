import type { RecordedEvent } from '@app/event-store';
import { PLAN_EVENT_TYPES, type Plan, planIdOfStream } from '@app/plan';
import { type Change, type EntryValue, type StateView, table } from '../keyed-state.js';
import type { Projection } from '../projection.js';
import { nextPlan } from '../common/plan-fold.js';

/**
 * Every adopted plan as currently amended, by id. The other read models hold only figures;
 * their queries read the plan (measures, indicators, targets, deadlines, allocations) from
 * here, so a query sees the plan as of the same position as the figures.
 */
export const PLANS_PROJECTION = 'plans';

const PLANS = table<EntryValue>('plan');

export function evolvePlans(state: StateView, event: RecordedEvent): readonly Change[] {
  const planId = planIdOfStream(event.stream);
  if (planId === undefined) return [];
  const next = nextPlan(state.get(PLANS, '', planId) as unknown as Plan | undefined, event);
  if (!next) return [];
  return [{ table: PLANS.name, group: '', key: next.planId, value: next.plan as unknown as EntryValue }];
}

export const plansProjection: Projection = {
  name: PLANS_PROJECTION,
  version: 1,
  eventTypes: new Set(PLAN_EVENT_TYPES),
  evolve: evolvePlans,
};

export function planOf(view: StateView, planId: string): Plan | undefined {
  return view.get(PLANS, '', planId) as unknown as Plan | undefined;
}

/** Every plan, by id. */
export function allPlans(view: StateView): Plan[] {
  return [...view.group(PLANS, '').values()]
    .map((value) => value as unknown as Plan)
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
