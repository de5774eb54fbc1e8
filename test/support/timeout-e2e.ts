import { jest } from '@jest/globals';

// Jest takes testTimeout from the global config only (a project's own is ignored), so each
// project that needs a longer one sets it here, per test file (setupFilesAfterEnv).
// End-to-end tests start apps and child processes: slower under a full parallel run.
jest.setTimeout(30_000);
