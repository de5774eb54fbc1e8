import { readFileSync } from 'node:fs';

/** The package version, read once from the package.json of the working directory. */
export const APP_VERSION: string = (() => {
  try {
    return (JSON.parse(readFileSync('package.json', 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
})();
