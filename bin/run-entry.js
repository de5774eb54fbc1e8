// Shared by the entries of bin/ (ledger.js, api.js): run an app from its TypeScript sources when
// this is a checkout with the dev dependencies (SWC compiles each file on load and caches the
// result on disk, so there is no build step and nothing is ever stale), else its compiled form in
// dist/ (the production image, an installed package). With neither it says what to do.
import { existsSync } from 'node:fs';
import { register } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function swcAvailable() {
  try {
    import.meta.resolve('@swc-node/register/esm');
    return true;
  } catch {
    return false;
  }
}

/**
 * Imports `apps/<app>/src/main` from the sources or from dist/; `name` is what the message says
 * when neither exists.
 */
export async function runEntry(app, name) {
  const source = join(root, `apps/${app}/src/main.ts`);
  const compiled = join(root, `dist/apps/${app}/src/main.js`);
  if (existsSync(source) && swcAvailable()) {
    // The loader reads the path aliases (@app/*) from the repository's tsconfig, wherever the cwd is.
    process.env.SWC_NODE_PROJECT ??= join(root, 'tsconfig.json');
    register('@swc-node/register/esm', import.meta.url);
    await import(pathToFileURL(source).href);
  } else if (existsSync(compiled)) {
    await import(pathToFileURL(compiled).href);
  } else {
    process.stderr.write(`${name}: not built. Run \`npm run build\` (or \`npm ci\` for the dev dependencies) first.\n`);
    process.exitCode = 69; // EX_UNAVAILABLE
  }
}
