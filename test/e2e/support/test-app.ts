import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { loadConfig } from '@app/config';
import type { AppModuleOptions } from '../../../apps/api/src/app.module.js';
import { createApp } from '../../../apps/api/src/create-app.js';

export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  data?: T;
  errors?: Array<{ message: string; extensions?: Record<string, unknown>; path?: unknown[] }>;
}

export interface TestApp {
  app: INestApplication;
  url: string;
  dataDir: string;
  /** POSTs one GraphQL operation over HTTP, as an agency system would. */
  gql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<GraphQLResponse<T>>;
  /** Stops the app; the data directory stays for a restart unless `removeData`. */
  close(options?: { removeData?: boolean }): Promise<void>;
}

/**
 * Starts the real API on a random port over a temporary embedded store (or on `dataDir`,
 * to restart on the data a previous app left).
 */
export async function startTestApp(
  options: { dataDir?: string; env?: Record<string, string>; app?: AppModuleOptions } = {},
): Promise<TestApp> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'apl-e2e-'));
  const saved: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(options.env ?? {})) {
    saved[key] = process.env[key];
    process.env[key] = value;
  }
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'warn', ...options.env, DATA_DIR: dataDir, PORT: '0' });
  // As main.ts runs it: logs through pino at LOG_LEVEL (warn unless a test says otherwise).
  const app = await createApp(config, options.app);
  await app.listen(0, '127.0.0.1');
  const url = `${await app.getUrl()}/graphql`.replace('[::1]', '127.0.0.1');
  return {
    app,
    url,
    dataDir,
    async gql(query, variables, headers) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await response.json()) as Omit<GraphQLResponse, 'status'>;
      return { status: response.status, ...body } as never;
    },
    async close({ removeData = false } = {}) {
      await app.close();
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
      if (removeData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
