export { EventStoreDbEventStore, type EventStoreDbConnectOptions } from './eventstoredb-event-store.js';
