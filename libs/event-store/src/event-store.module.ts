import { Global, Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import type { EventStore } from './event-store.port.js';
import { EVENT_STORE } from './event-store.token.js';
import { openEventStore } from './open-event-store.js';

/** Provides the process's EventStore under {@link EVENT_STORE} and closes it on shutdown. */
@Global()
@Module({
  providers: [
    {
      provide: EVENT_STORE,
      inject: [APP_CONFIG],
      useFactory: async (config: AppConfig): Promise<EventStore> => {
        const store = await openEventStore(config);
        new Logger('EventStore').log(
          store.kind === 'sqlite' ? `Embedded event store in ${config.dataDir}` : `Connected to ${store.kind}`,
        );
        return store;
      },
    },
  ],
  exports: [EVENT_STORE],
})
export class EventStoreModule implements OnApplicationShutdown {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}
