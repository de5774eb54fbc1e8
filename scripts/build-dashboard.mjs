// Plain JavaScript, so that the up-to-date check costs no TypeScript loader start.
// Builds the dashboard and the local GraphiQL (apps/dashboard, Vite) into apps/dashboard/dist,
// which the api serves at /dashboard/ and GET /graphql: `npm run build:dashboard [-- --force]`.
// Skips the build when dist/ was built from the same sources and lockfile (a stamp file holds
// their hash), so `npm start` and the browser tests pay for it only after a change or a fresh clone.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const app = resolve('apps/dashboard');
const dist = join(app, 'dist');
const stampFile = join(dist, '.build-stamp');

/** @param {string} dir @returns {string[]} */
function sources(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return path === dist || entry.name === 'node_modules' ? [] : sources(path);
    return [path];
  });
}

/** The hash of everything the build reads: the app's files and the installed versions (lockfile). */
export function sourceStamp() {
  const hash = createHash('sha256');
  for (const file of [...sources(app), resolve('package-lock.json')].sort()) {
    hash.update(relative(app, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

const force = process.argv.includes('--force');
const stamp = sourceStamp();
if (!force && existsSync(join(dist, 'index.html')) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) {
  process.stdout.write('dashboard: up to date (apps/dashboard/dist)\n');
} else {
  const { build } = await import('vite');
  await build({ configFile: join(app, 'vite.config.ts'), logLevel: 'warn' });
  writeFileSync(stampFile, stamp);
  process.stdout.write('dashboard: built into apps/dashboard/dist\n');
}
