import { Inject } from '@nestjs/common';
import { Args, ID, Resolver, Subscription } from '@nestjs/graphql';
import { AccessPolicy, Action, Allow, CurrentPrincipal, type Principal } from '@app/auth';
import { Measure } from '../common/models/measure.model.js';
import { PlanViews } from '../common/plan-views.js';
import { measureAssignment } from './measure-assignment.js';
import { MEASURE_UPDATED, type MeasureUpdate, MeasureUpdates } from './measure-updates.service.js';

interface MeasureUpdatedArgs {
  readonly code: string;
  readonly planId?: string | null;
}

@Resolver(() => Measure)
export class MeasureUpdatedResolver {
  constructor(
    private readonly updates: MeasureUpdates,
    @Inject(PlanViews) private readonly plans: PlanViews,
    @Inject(AccessPolicy) private readonly policy: AccessPolicy,
  ) {}

  @Subscription(() => Measure, {
    description:
      'The measure, each time a report, correction or retraction changed its figures (graphql-ws on /graphql; pass {"authorization": "Bearer <key>"} as connection params).',
    filter: (update: MeasureUpdate, args: MeasureUpdatedArgs) =>
      update.measureCode === args.code && (args.planId == null || update.planId === args.planId),
    // Nest calls resolve with the resolver instance as `this`.
    resolve(this: MeasureUpdatedResolver, update: MeasureUpdate) {
      return this.plans.measure(update.measureCode, update.planId);
    },
  })
  // As the progress fields of Measure: coordinators and auditors any measure, an agency those it is
  // responsible for or a partner of (docs/security.md), refused now rather than on the first push.
  @Allow(Action.READ_PROJECTIONS, Action.READ_ASSIGNED_PROJECTIONS)
  measureUpdated(
    @CurrentPrincipal() principal: Principal,
    @Args('code') code: string,
    @Args('planId', { type: () => ID, nullable: true }) planId?: string | null,
  ): AsyncIterableIterator<MeasureUpdate> {
    // An unknown or ambiguous code is refused now (NOT_FOUND / BAD_USER_INPUT), not silently idle.
    const measure = this.plans.measure(code, planId);
    this.policy.assertCanReadMeasure(principal, measureAssignment(measure), 'Subscription.measureUpdated');
    return this.updates.pubsub.asyncIterableIterator<MeasureUpdate>(MEASURE_UPDATED);
  }
}
