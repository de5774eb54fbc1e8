import { jest } from '@jest/globals';

// `testTimeout` in a project's entry of jest.config.js is not applied (it is a global option):
// e2e and fault tests start apps and processes, which on a busy 2-core machine takes longer
// than jest's 5 s default, so their hooks and tests get this bound instead.
jest.setTimeout(60_000);
