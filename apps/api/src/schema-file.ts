import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSchema, isEnumType } from 'graphql';
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

/** The dashboard's TypeScript copy of the schema's enums, generated from {@link SCHEMA_FILE}. */
export const DASHBOARD_ENUMS_FILE = 'apps/dashboard/src/api/schema-enums.ts';

/**
 * The dashboard module of every enum of a schema SDL: a union of its values as string literals
 * (`export type MeasureStatus = 'NOT_STARTED' | …`). The schema is the one source; `npm run schema` rewrites the module and a unit test checks it is current.
 */
export function dashboardEnumsSource(sdl: string): string {
  const enums = Object.values(buildSchema(sdl).getTypeMap())
    .filter(isEnumType)
    .filter((type) => !type.name.startsWith('__'))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  const lines = [`// Generated from ${SCHEMA_FILE} by \`npm run schema\`: do not edit.`, ''];
  for (const type of enums) {
    const values = type.getValues().map((v) => `'${v.name}'`);
    lines.push(`export type ${type.name} = ${values.join(' | ')};`);
  }
  return `${lines.join('\n')}\n`;
}
