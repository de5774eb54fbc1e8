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
  // jest-circus reads the timeout from the global config only (a project's testTimeout is ignored):
  // 30 s for every test and hook, so apps started under a busy machine's load do not time out.
  testTimeout: 30_000,
  // apps/dashboard is browser code, built by Vite and tested in a browser (test/e2e/dashboard.e2e-spec.ts).
  collectCoverageFrom: ['libs/**/*.ts', 'apps/**/*.ts', '!apps/dashboard/**'],
  coverageDirectory: './coverage',
};
