import { type DynamicModule, Global, Inject, type InjectionToken, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import type { EventStore } from './event-store.port.js';
import { EVENT_STORE, LOG_CONSUMERS } from './event-store.token.js';
import { LogConsumerBoard } from './consumer/log-consumer.js';
import { openEventStore } from './open-event-store.js';

export interface EventStoreModuleOptions {
  /**
   * Wraps the opened store before anyone gets it (metrics, tracing): `useFactory` receives the
   * store and the providers named in `inject`, and returns the EventStore to provide.
   */
  readonly decorate?: {
    readonly inject?: readonly InjectionToken[];
    readonly useFactory: (store: EventStore, ...dependencies: never[]) => EventStore;
  };
}

/**
 * Provides the process's EventStore under {@link EVENT_STORE} and closes it on shutdown, and
 * the board its log consumers register on under {@link LOG_CONSUMERS}.
 * Import it as `EventStoreModule.forRoot()` (optionally decorating the store).
 */
@Global()
@Module({})
export class EventStoreModule implements OnApplicationShutdown {
  static forRoot(options: EventStoreModuleOptions = {}): DynamicModule {
    const decorate = options.decorate;
    return {
      module: EventStoreModule,
      providers: [
        {
          provide: EVENT_STORE,
          inject: [APP_CONFIG, ...(decorate?.inject ?? [])],
          useFactory: async (config: AppConfig, ...dependencies: never[]): Promise<EventStore> => {
            const store = await openEventStore(config);
            new Logger('EventStore').log(
              store.kind === 'sqlite' ? `Embedded event store in ${config.dataDir}` : `Connected to ${store.kind}`,
            );
            return decorate ? decorate.useFactory(store, ...dependencies) : store;
          },
        },
        { provide: LOG_CONSUMERS, useValue: new LogConsumerBoard() },
      ],
      exports: [EVENT_STORE, LOG_CONSUMERS],
    };
  }

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}
