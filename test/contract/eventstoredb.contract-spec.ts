/**
 * The event store contract against a real EventStoreDB or KurrentDB, run when
 * EVENTSTORE_CONNECTION_STRING is set (`docker compose up -d eventstoredb` starts one on
 * esdb://localhost:2113?tls=false; `--profile kurrentdb up -d kurrentdb` KurrentDB 25 on 2114).
 * The database is shared between runs: the suite puts every test's streams under a fresh
 * random prefix and filters $all by it, so earlier runs' events do not matter.
 */
import { describeEventStoreContract } from './event-store.contract.js';

const connectionString = process.env.EVENTSTORE_CONNECTION_STRING?.trim();

if (connectionString) {
  describeEventStoreContract('eventstoredb', async () => {
    // Loaded only for this leg, so a run without EventStoreDB never loads the gRPC client.
    const { EventStoreDbEventStore } = await import('../../libs/event-store/src/eventstoredb/index.js');
    let store: InstanceType<typeof EventStoreDbEventStore>;
    try {
      store = await EventStoreDbEventStore.connect(connectionString);
    } catch (error) {
      // Every test of this leg fails with this: say why, and how to run without a server.
      throw new Error(
        `EventStoreDB contract leg FAILED: EVENTSTORE_CONNECTION_STRING is set but the server cannot be used (${(error as Error).message}). ` +
          'Start one (docker compose up -d eventstoredb) or unset the variable to skip this leg.',
        { cause: error },
      );
    }
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
