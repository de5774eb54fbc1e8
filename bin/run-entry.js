// Shared by the entries of bin/ (ledger.js, api.js). In a checkout with the dev dependencies the
// app runs from its TypeScript sources, compiled by SWC into node_modules/.cache — only the files
// changed since the last run (compile-cache.js) — so there is no build step and nothing is ever
// stale. Otherwise (the production image, an installed package) its compiled form in dist/.
// With neither it says what to do.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { compileChanged } from './compile-cache.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

async function compiledSources() {
  if (!existsSync(join(root, 'apps'))) return undefined;
  try {
    return (await compileChanged(root)).dir;
  } catch (error) {
    // No @swc/core (production dependencies only): dist/ it is.
    if (error?.code === 'MODULE_NOT_FOUND' || error?.code === 'ERR_MODULE_NOT_FOUND') return undefined;
    throw error;
  }
}

/**
 * Imports `apps/<app>/src/main` from the (compiled) sources or from dist/; `name` is what the
 * message says when neither exists.
 */
export async function runEntry(app, name) {
  const main = `apps/${app}/src/main.js`;
  const cache = await compiledSources();
  // Stack traces name the TypeScript sources (the compiled files carry inline source maps).
  if (cache) {
    process.setSourceMapsEnabled(true);
    await import(pathToFileURL(join(cache, main)).href);
  } else if (existsSync(join(root, 'dist', main))) {
    await import(pathToFileURL(join(root, 'dist', main)).href);
  } else {
    process.stderr.write(`${name}: not built. Run \`npm run build\` (or \`npm ci\` for the dev dependencies) first.\n`);
    process.exitCode = 69; // EX_UNAVAILABLE
  }
}
