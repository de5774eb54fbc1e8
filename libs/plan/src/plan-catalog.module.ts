import { Global, Inject, Logger, Module, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { EVENT_STORE, type EventStore } from '@app/event-store';
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
      inject: [EVENT_STORE],
      useFactory: (store: EventStore) => new PlanCatalog(store, new Logger('PlanCatalog')),
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
