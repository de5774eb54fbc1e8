import { jest } from '@jest/globals';

// Jest takes testTimeout from the global config only (a project's own is ignored), so the
// contract project sets its own here: its helpers wait up to 20 s for a subscription and
// connecting to EventStoreDB may take 10 s (the 10,000-event test sets a longer one itself).
jest.setTimeout(60_000);
