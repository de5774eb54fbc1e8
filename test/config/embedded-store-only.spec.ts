import { loadConfig } from '@app/config';

// Run with EVENTSTORE_CONNECTION_STRING set (as CI does for the contract leg), this fails unless
// test/support/embedded-store-only.ts keeps it from the tests meant for the embedded store.
describe('tests of the embedded store', () => {
  it('never see EVENTSTORE_CONNECTION_STRING, so the CLI and api they start open SQLite', () => {
    expect(process.env.EVENTSTORE_CONNECTION_STRING).toBeUndefined();
    expect(loadConfig({ ...process.env, DATA_DIR: '/tmp/x' }).eventStoreConnectionString).toBeUndefined();
  });
});
