// Compiles the TypeScript sources of apps/ and libs/ with SWC into node_modules/.cache, only the
// files changed since they were last compiled, so `npm start` runs plain JavaScript (no loader
// hooks: importing the api costs a third of the CPU of running it through @swc-node/register).
// The first start compiles every file (about a second); later ones check modification times only.
// The options are those @swc-node/register derives from tsconfig.json (legacy decorators with
// metadata, define semantics for class fields at ES2022+, class names kept).
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';

const SOURCE_DIRS = ['apps', 'libs'];

function sources(root) {
  const files = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') && !/\.(e2e-|contract-)?spec\.ts$/.test(entry.name)) files.push(path);
    }
  };
  for (const dir of SOURCE_DIRS) walk(join(root, dir));
  return files;
}

/** `@app/<lib>` → the lib's index, relative to the compiled file (tsconfig.json `paths`). */
function aliasRewriter(root, aliases) {
  return (code, outFile) =>
    code.replace(/(from\s+|import\s*\(\s*|import\s+)(["'])(@app\/[a-z-]+)\2/g, (match, head, quote, alias) => {
      const target = aliases[alias];
      if (!target) return match;
      let path = relative(dirname(outFile), target);
      if (!path.startsWith('.')) path = `./${path}`;
      return `${head}${quote}${path}${quote}`;
    });
}

/**
 * Brings `<root>/node_modules/.cache/action-plan-ledger/<app…>` up to date with the sources and
 * returns that directory. Throws when @swc/core cannot be loaded (no dev dependencies).
 */
export async function compileChanged(root) {
  const require = createRequire(join(root, 'package.json'));
  const swc = require('@swc/core');
  const tsconfig = JSON.parse(readFileSync(join(root, 'tsconfig.json'), 'utf8'));
  const out = join(root, 'node_modules/.cache/action-plan-ledger');
  const options = {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: true },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'es6' },
    sourceMaps: 'inline',
  };
  // A new SWC or new options: start over.
  const stamp = createHash('sha256').update(JSON.stringify({ swc: swc.version, options, paths: tsconfig.compilerOptions?.paths })).digest('hex');
  const stampFile = join(out, '.stamp');
  let current = '';
  try {
    current = readFileSync(stampFile, 'utf8');
  } catch {
    // first run
  }
  if (current !== stamp) {
    rmSync(out, { recursive: true, force: true });
    mkdirSync(out, { recursive: true });
    writeFileSync(stampFile, stamp);
  }
  const aliases = Object.fromEntries(
    Object.entries(tsconfig.compilerOptions?.paths ?? {}).map(([alias, [target]]) => [alias, join(out, target.replace(/\.ts$/, '.js'))]),
  );
  const rewrite = aliasRewriter(root, aliases);
  const changed = sources(root).filter((file) => {
    const target = join(out, relative(root, file)).replace(/\.ts$/, '.js');
    try {
      return statSync(target).mtimeMs < statSync(file).mtimeMs;
    } catch {
      return true;
    }
  });
  await Promise.all(
    changed.map(async (file) => {
      const target = join(out, relative(root, file)).replace(/\.ts$/, '.js');
      const { code } = await swc.transformFile(file, { ...options, filename: file, swcrc: false, configFile: false });
      mkdirSync(dirname(target), { recursive: true });
      // Written aside and renamed: two starts at once never read half a file.
      const temp = `${target}.${process.pid}.tmp`;
      writeFileSync(temp, rewrite(code, target));
      renameSync(temp, target);
    }),
  );
  return { dir: out, compiled: changed.length };
}
