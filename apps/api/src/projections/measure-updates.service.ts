import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import { PubSub } from 'graphql-subscriptions';
import { REPORT_STREAM_PREFIX } from '@app/domain';
import { type AllSubscription, EVENT_STORE, type EventStore } from '@app/event-store';
import { ProjectionsService } from './projections.service.js';

export const MEASURE_UPDATED = 'measureUpdated';

/** What is published when a report changed a measure's figures. */
export interface MeasureUpdate {
  readonly planId: string;
  readonly measureCode: string;
  readonly position: bigint;
}

/** How long one update may wait for the projections before it is published anyway. */
const APPLY_WAIT_MS = 30_000;

/**
 * Live dashboards: follows the report streams from the store (like every projection, not the
 * in-process EventBus, so every api instance sees every report) and publishes a measure's
 * update once the projections have applied the event, so subscribers read the new figures.
 */
@Injectable()
export class MeasureUpdates implements OnApplicationBootstrap, BeforeApplicationShutdown {
  // Every open subscription is a listener of one event name (a dashboard page holds one per
  // measure it shows): no 'possible leak' warning at 11, the count is bounded by the clients.
  readonly pubsub = new PubSub({ eventEmitter: new EventEmitter().setMaxListeners(0) });
  private readonly logger = new Logger('MeasureUpdates');
  private subscription?: AllSubscription;
  private following?: Promise<void>;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly projections: ProjectionsService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // Live updates only: what happened before this instance started is in the queries.
    const subscription = this.store.subscribeAll({ from: await this.store.headPosition(), filter: { streamPrefixes: [REPORT_STREAM_PREFIX] } });
    this.subscription = subscription;
    this.following = this.follow(subscription);
  }

  private async follow(subscription: AllSubscription): Promise<void> {
    try {
      for await (const event of subscription) {
        const { planId, measureCode } = (event.data ?? {}) as { planId?: unknown; measureCode?: unknown };
        if (typeof planId !== 'string' || typeof measureCode !== 'string') continue;
        await this.projections.runner.waitForPosition(event.position, APPLY_WAIT_MS).catch(() => undefined);
        const update: MeasureUpdate = { planId, measureCode, position: event.position };
        await this.pubsub.publish(MEASURE_UPDATED, update);
      }
    } catch (error) {
      this.logger.error(`Live measure updates stopped: ${(error as Error).message}`);
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.subscription?.close();
    await this.following;
  }
}
