#!/usr/bin/env node
// The CLI entry (`npx ledger …`, `npm run cli -- …`). In a checkout with the dev dependencies it
// runs the TypeScript sources through SWC (no build step, never stale); otherwise (the production
// image, an installed package) the compiled CLI in dist/. With neither it says what to do.
import { existsSync } from 'node:fs';
import { register } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'apps/cli/src/main.ts');
const compiled = join(root, 'dist/apps/cli/src/main.js');

function swcAvailable() {
  try {
    import.meta.resolve('@swc-node/register/esm');
    return true;
  } catch {
    return false;
  }
}

if (existsSync(source) && swcAvailable()) {
  // The loader reads the path aliases (@app/*) from the repository's tsconfig, wherever the cwd is.
  process.env.SWC_NODE_PROJECT ??= join(root, 'tsconfig.json');
  register('@swc-node/register/esm', import.meta.url);
  await import(pathToFileURL(source).href);
} else if (existsSync(compiled)) {
  await import(pathToFileURL(compiled).href);
} else {
  process.stderr.write('ledger: the CLI is not built. Run `npm run build` (or `npm ci` for the dev dependencies) first.\n');
  process.exitCode = 69; // EX_UNAVAILABLE
}
