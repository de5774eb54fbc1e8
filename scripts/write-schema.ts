// Writes schema.gql (the GraphQL schema SDL, sorted) from the code, and the dashboard's enum
// types from it: `npm run schema`.
import 'reflect-metadata';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DASHBOARD_ENUMS_FILE, SCHEMA_FILE, dashboardEnumsSource, writeSchemaFile } from '../apps/api/src/schema-file.js';

await writeSchemaFile(resolve(SCHEMA_FILE));
process.stdout.write(`wrote ${SCHEMA_FILE}\n`);
writeFileSync(resolve(DASHBOARD_ENUMS_FILE), dashboardEnumsSource(readFileSync(resolve(SCHEMA_FILE), 'utf8')));
process.stdout.write(`wrote ${DASHBOARD_ENUMS_FILE}\n`);
