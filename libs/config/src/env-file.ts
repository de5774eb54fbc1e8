import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * Loads `./.env` (or `path`) into process.env when it exists; variables already set in the
 * environment win. Returns the file loaded, if any. Called by the entry points (api, cli)
 * before the configuration is validated.
 */
export function loadDotEnv(path = '.env'): string | undefined {
  if (!existsSync(path)) return undefined;
  process.loadEnvFile(path);
  return resolve(path);
}
