import { Inject, Injectable, Logger, Optional, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import { PubSub } from 'graphql-subscriptions';
import { REPORT_STREAM_PREFIX } from '@app/domain';
import { ConsumerStoppedError, EVENT_STORE, type EventStore, LOG_CONSUMERS, LogConsumer, type LogConsumerBoard, type RecordedEvent } from '@app/event-store';
import { ProjectionTimeoutError } from '@app/projections';
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
 * Live dashboards: a log consumer (`measure-updates`) follows the report streams from the
 * store (like every projection, not the in-process EventBus, so every api instance sees every
 * report) and publishes a measure's update once the projections have applied the event, so
 * subscribers read the new figures.
 */
@Injectable()
export class MeasureUpdates implements OnApplicationBootstrap, BeforeApplicationShutdown {
  // Every open subscription is a listener of one event name (a dashboard page holds one per
  // measure it shows): no 'possible leak' warning at 11, the count is bounded by the clients.
  private readonly emitter = new EventEmitter().setMaxListeners(0);
  readonly pubsub = new PubSub({ eventEmitter: this.emitter });
  private readonly logger = new Logger('MeasureUpdates');
  private readonly consumer: LogConsumer;
  private startAfter: bigint | undefined;
  private published: bigint | undefined;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly projections: ProjectionsService,
    @Optional() @Inject(LOG_CONSUMERS) board?: LogConsumerBoard,
  ) {
    this.consumer = new LogConsumer({
      name: 'measure-updates',
      store,
      filter: { streamPrefixes: [REPORT_STREAM_PREFIX] },
      mode: 'follow',
      // After a retry it resumes after the last update published: none is lost or sent twice.
      handler: { from: () => this.published ?? this.startAfter, apply: (event) => this.publish(event) },
      // Its commits store nothing (a retry resumes from `published`): the default interval, not
      // 0, which cost a timer and a commit turn for every report (issue 24).
      logger: this.logger,
      board,
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    // Live updates only: what happened before this instance started is in the queries.
    this.startAfter = await this.store.headPosition();
    this.consumer.start();
  }

  /**
   * Synchronous (no promise) when no subscription is open: there is no one to publish to, so no
   * wait for the projections — a timer, promises and turns of the microtask queue for every
   * report on the request's event loop otherwise (issue 24).
   */
  private publish(event: RecordedEvent): Promise<void> | undefined {
    const { planId, measureCode } = (event.data ?? {}) as { planId?: unknown; measureCode?: unknown };
    if (typeof planId === 'string' && typeof measureCode === 'string' && this.emitter.listenerCount(MEASURE_UPDATED) > 0) {
      return this.publishWhenApplied(event, planId, measureCode);
    }
    this.published = event.position;
    return undefined;
  }

  private async publishWhenApplied(event: RecordedEvent, planId: string, measureCode: string): Promise<void> {
    try {
      await this.projections.runner.waitForPosition(event.position, APPLY_WAIT_MS);
    } catch (error) {
      // Published anyway: late figures beat none. A stopped runner means shutting down.
      if (!(error instanceof ProjectionTimeoutError) && !(error instanceof ConsumerStoppedError)) {
        this.logger.warn(`Update of ${planId} ${measureCode} at position ${event.position} published before the projections applied it: ${(error as Error).message}`);
      }
    }
    const update: MeasureUpdate = { planId, measureCode, position: event.position };
    await this.pubsub.publish(MEASURE_UPDATED, update);
    this.published = event.position;
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer.stop();
  }
}
