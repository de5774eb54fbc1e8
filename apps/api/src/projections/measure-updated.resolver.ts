import { Inject } from '@nestjs/common';
import { Args, ID, Resolver, Subscription } from '@nestjs/graphql';
import { Action, Allow } from '@app/auth';
import { Measure } from '../common/models/measure.model.js';
import { PlanViews } from '../common/plan-views.js';
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
  @Allow(Action.READ_PROJECTIONS)
  measureUpdated(
    @Args('code') code: string,
    @Args('planId', { type: () => ID, nullable: true }) planId?: string | null,
  ): AsyncIterableIterator<MeasureUpdate> {
    // An unknown or ambiguous code is refused now (NOT_FOUND / BAD_USER_INPUT), not silently idle.
    this.plans.measure(code, planId);
    return this.updates.pubsub.asyncIterableIterator<MeasureUpdate>(MEASURE_UPDATED);
  }
}
