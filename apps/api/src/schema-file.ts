import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { loadConfig } from '@app/config';
import { AppModule } from './app.module.js';

/** The committed schema, at the repository root: what clients generate their types from. */
export const SCHEMA_FILE = 'schema.gql';

/**
 * Builds the GraphQL schema from the code, as the api does (code first, sorted), and writes its
 * SDL to `file`. It initialises the application over a throw-away data directory without a plan
 * and never listens. The api itself keeps the schema in memory: nothing is written at runtime.
 */
export async function writeSchemaFile(file: string): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'apl-schema-'));
  try {
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'error', DATA_DIR: dataDir, PLAN_FILES: 'none' });
    const app = await NestFactory.create(AppModule.forRoot(config, { schemaFile: file }), { logger: ['error'], abortOnError: false });
    try {
      await app.init();
    } finally {
      await app.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
