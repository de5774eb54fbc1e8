/**
 * The event store contract against a real EventStoreDB, run when EVENTSTORE_CONNECTION_STRING
 * is set (`docker compose up -d eventstoredb` starts one on esdb://localhost:2113?tls=false).
 * The database is shared between runs: the suite puts every test's streams under a fresh
 * random prefix and filters $all by it, so earlier runs' events do not matter.
 */
import { describeEventStoreContract } from './event-store.contract.js';

const connectionString = process.env.EVENTSTORE_CONNECTION_STRING?.trim();

if (connectionString) {
  describeEventStoreContract('eventstoredb', async () => {
    // Loaded only for this leg, so a run without EventStoreDB never loads the gRPC client.
    const { EventStoreDbEventStore } = await import('../../libs/event-store/src/eventstoredb/index.js');
    const store = await EventStoreDbEventStore.connect(connectionString);
    return { store, cleanup: () => store.close() };
  });
} else {
  describe('EventStore contract: eventstoredb', () => {
    it('is skipped without EVENTSTORE_CONNECTION_STRING', () => {
      process.stdout.write(
        'EventStoreDB contract leg SKIPPED: set EVENTSTORE_CONNECTION_STRING (e.g. esdb://localhost:2113?tls=false) to run it\n',
      );
    });
  });
}
