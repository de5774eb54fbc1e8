// Writes schema.gql (the GraphQL schema SDL, sorted) from the code: `npm run schema`.
import 'reflect-metadata';
import { resolve } from 'node:path';
import { SCHEMA_FILE, writeSchemaFile } from '../apps/api/src/schema-file.js';

await writeSchemaFile(resolve(SCHEMA_FILE));
process.stdout.write(`wrote ${SCHEMA_FILE}\n`);
