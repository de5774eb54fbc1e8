// Plain JavaScript, so that the up-to-date check costs no TypeScript loader start.
// Builds the dashboard and the local GraphiQL (apps/dashboard, Vite) into apps/dashboard/dist,
// which the api serves at /dashboard/ and GET /graphql: `npm run build:dashboard [-- --force]`.
// Skips the build when dist/ was built from the same sources and lockfile (a stamp file holds
// their hash), so `npm start` and the browser tests pay for it only after a change or a fresh clone.
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const app = resolve('apps/dashboard');
const dist = join(app, 'dist');
const stampFile = join(dist, '.build-stamp');
const lockFile = join(app, '.build-dashboard.lock');

/** @param {string} dir @returns {string[]} */
function sources(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return path === dist || entry.name === 'node_modules' ? [] : sources(path);
    return path === lockFile ? [] : [path];
  });
}

/** Files outside apps/dashboard that the bundle imports (one source for the event catalogue's fields and funding sources, and for the status model's words). */
const sharedSources = ['libs/domain/src/events/catalogue.ts', 'libs/projections/src/status/plain-words.ts'].map((file) => resolve(file));

/** The hash of everything the build reads: the app's files, the shared ones and the installed versions (lockfile). */
export function sourceStamp() {
  const hash = createHash('sha256');
  for (const file of [...sources(app), ...sharedSources, resolve('package-lock.json')].sort()) {
    hash.update(relative(app, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

/**
 * One build at a time in this checkout: two test suites started together (or `npm start` beside
 * one) would otherwise both empty and rewrite dist/ while the other serves or builds it. The
 * lock file holds its owner's pid; a lock whose process is gone is taken over.
 */

function ownerAlive() {
  try {
    process.kill(Number(readFileSync(lockFile, 'utf8')), 0);
    return true;
  } catch (error) {
    // EPERM: alive, another user's. Anything else (ESRCH, no file, no pid yet): not held.
    return error?.code === 'EPERM';
  }
}

async function withBuildLock(action) {
  for (;;) {
    try {
      const fd = openSync(lockFile, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (error) {
      if (error?.code !== 'EEXIST') throw error;
      // A lock just created may not hold its pid yet: only a lock older than a second is judged.
      if (!ownerAlive() && Date.now() - statMtime(lockFile) > 1000) rmSync(lockFile, { force: true });
      else await new Promise((done) => setTimeout(done, 200));
    }
  }
  try {
    return await action();
  } finally {
    rmSync(lockFile, { force: true });
  }
}

function statMtime(file) {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

const force = process.argv.includes('--force');
await withBuildLock(async () => {
  // Read under the lock: a build that just finished elsewhere makes this one unnecessary.
  const stamp = sourceStamp();
  if (!force && existsSync(join(dist, 'index.html')) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) {
    process.stdout.write('dashboard: up to date (apps/dashboard/dist)\n');
  } else {
    const { build } = await import('vite');
    await build({ configFile: join(app, 'vite.config.ts'), logLevel: 'warn' });
    writeFileSync(stampFile, stamp);
    process.stdout.write('dashboard: built into apps/dashboard/dist\n');
  }
});
