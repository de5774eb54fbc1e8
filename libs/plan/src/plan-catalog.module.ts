import { Global, Inject, Logger, Module, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { EVENT_STORE, type EventStore, LOG_CONSUMERS, type LogConsumerBoard } from '@app/event-store';
import { PlanCatalog } from './plan-catalog.js';

/**
 * Provides the {@link PlanCatalog} to every module (global). The catalog has read every plan
 * before the application starts serving (onModuleInit is awaited), and stops following the
 * store before the store closes (onModuleDestroy runs before any onApplicationShutdown).
 */
@Global()
@Module({
  providers: [
    {
      provide: PlanCatalog,
      inject: [EVENT_STORE, { token: LOG_CONSUMERS, optional: true }],
      useFactory: (store: EventStore, board?: LogConsumerBoard) => new PlanCatalog(store, new Logger('PlanCatalog'), board),
    },
  ],
  exports: [PlanCatalog],
})
export class PlanCatalogModule implements OnModuleInit, OnModuleDestroy {
  constructor(@Inject(PlanCatalog) private readonly catalog: PlanCatalog) {}

  async onModuleInit(): Promise<void> {
    await this.catalog.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.catalog.stop();
  }
}
