// Jest runs the TypeScript sources as native ES modules (NestJS 12 is ESM-only), so it is
// started with `node --experimental-vm-modules` (see package.json). Type checking is done by
// `npm run typecheck`; here ts-jest only transpiles (isolatedModules).
import ts from 'typescript';
import { pathsToModuleNameMapper } from 'ts-jest';

const { config: tsconfig } = ts.readConfigFile('./tsconfig.json', ts.sys.readFile);
const paths = tsconfig?.compilerOptions?.paths ?? {};

const base = {
  rootDir: '.',
  moduleFileExtensions: ['js', 'json', 'ts'],
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true }] },
  moduleNameMapper: {
    ...pathsToModuleNameMapper(paths, { prefix: '<rootDir>/' }),
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
};

/** @type {import('jest').Config} */
export default {
  projects: [
    // Tests meant for the embedded store never see EVENTSTORE_CONNECTION_STRING (see the setup file).
    {
      ...base,
      displayName: 'unit',
      testMatch: ['<rootDir>/{apps,libs}/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
      setupFiles: ['<rootDir>/test/support/embedded-store-only.ts'],
    },
    // Timeouts: a project's testTimeout is ignored by jest (global config only), hence the setup files.
    {
      ...base,
      displayName: 'contract',
      testMatch: ['<rootDir>/test/contract/**/*.contract-spec.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/support/timeout-contract.ts'],
    },
    {
      ...base,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      setupFiles: ['<rootDir>/test/support/embedded-store-only.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/support/e2e-timeout.ts'],
    },
  ],
  // End-to-end tests start apps and child processes, slow on a busy machine (an app's start took
  // over 5 s at a load average of 20 on 2 cores). A global option: jest ignores it in a project.
  testTimeout: 30_000,
  collectCoverageFrom: ['libs/**/*.ts', 'apps/**/*.ts'],
  coverageDirectory: './coverage',
};
