import { join } from 'node:path';
import type { AppConfig } from '@app/config';
import type { EventStore } from './event-store.port.js';
import { SqliteEventStore } from './sqlite/sqlite-event-store.js';

/** The embedded store's file inside DATA_DIR. */
export const embeddedStoreFile = (dataDir: string) => join(dataDir, 'events.db');

/** EventStoreDB when a connection string is configured, else the embedded SQLite store. */
export async function openEventStore(config: Pick<AppConfig, 'dataDir' | 'eventStoreConnectionString'>): Promise<EventStore> {
  if (config.eventStoreConnectionString) {
    // Loaded only when used: the gRPC client is heavy and the embedded store does not need it.
    const { EventStoreDbEventStore } = await import('./eventstoredb/index.js');
    return EventStoreDbEventStore.connect(config.eventStoreConnectionString);
  }
  return SqliteEventStore.open(embeddedStoreFile(config.dataDir));
}
