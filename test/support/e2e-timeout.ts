import { jest } from '@jest/globals';

/**
 * The e2e project's timeout for every test and hook (startTestApp in beforeAll included). Set
 * here because jest reads `testTimeout` from the global configuration only: inside a project's
 * entry of jest.config.js it is silently ignored, and jest's 5 s default then fails tests that
 * start apps or processes on a busy machine. Tests that spawn processes also set their own.
 */
jest.setTimeout(120_000);
