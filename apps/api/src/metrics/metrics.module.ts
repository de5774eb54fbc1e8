import { Global, Inject, Module, type OnModuleInit, Optional } from '@nestjs/common';
import { LOG_CONSUMERS, type LogConsumerBoard } from '@app/event-store';
import { PROJECTION_PROGRESS, type ProjectionProgress } from '../common/projection-progress.token.js';
import { GraphqlMetricsPlugin } from './graphql-metrics.plugin.js';
import { LedgerMetrics } from './ledger-metrics.js';
import { MetricsController } from './metrics.controller.js';

/**
 * Prometheus metrics of this api instance at GET /metrics. Global: the event store provider
 * (EventStoreModule.forRoot in AppModule) wraps the store in a MeteredEventStore with them.
 */
@Global()
@Module({
  controllers: [MetricsController],
  providers: [LedgerMetrics, GraphqlMetricsPlugin],
  exports: [LedgerMetrics],
})
export class MetricsModule implements OnModuleInit {
  constructor(
    @Inject(LedgerMetrics) private readonly metrics: LedgerMetrics,
    @Inject(PROJECTION_PROGRESS) private readonly progress: ProjectionProgress,
    @Optional() @Inject(LOG_CONSUMERS) private readonly consumers?: LogConsumerBoard,
  ) {}

  onModuleInit(): void {
    this.metrics.trackProjections(this.progress);
    const board = this.consumers;
    if (board) this.metrics.trackConsumers(() => board.statuses());
  }
}
