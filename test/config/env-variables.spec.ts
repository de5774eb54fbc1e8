import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_VARIABLES, loadConfig } from '@app/config';

/** Every non-test TypeScript file under `dir`. */
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : sources(path);
    return path.endsWith('.ts') && !/\.(e2e-|contract-)?spec\.ts$/.test(path) ? [path] : [];
  });
}

/** The variable names a source file reads: process.env.X, env.X, env['X'], and the loader's reads. */
function variablesRead(text: string): string[] {
  const patterns = [
    /\bprocess\.env\??\.([A-Z][A-Z0-9_]*)/g,
    /\bprocess\.env\[['"`]([A-Z][A-Z0-9_]*)['"`]\]/g,
    /\benv\??\.([A-Z][A-Z0-9_]*)/g,
    /\benv\[['"`]([A-Z][A-Z0-9_]*)['"`]\]/g,
    // The configuration loader's own reads (libs/config).
    /\.(?:raw|integer|oneOf|boolean)\(\s*['"`]([A-Z][A-Z0-9_]*)['"`]/g,
  ];
  return patterns.flatMap((pattern) => [...text.matchAll(pattern)].map((m) => m[1]));
}

/** NAME=value lines of .env.example. */
function envExample(): Map<string, string> {
  const entries = readFileSync('.env.example', 'utf8')
    .split('\n')
    .map((line) => /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim()))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => [m[1], m[2]] as const);
  return new Map(entries);
}

const schema = CONFIG_VARIABLES.map((v) => v.name);

describe('environment variables', () => {
  const read = new Map<string, string[]>();
  for (const file of [...sources('apps'), ...sources('libs')]) {
    for (const name of variablesRead(readFileSync(file, 'utf8'))) read.set(name, [...(read.get(name) ?? []), file]);
  }

  it('finds the reads (the scan works)', () => {
    expect([...read.keys()]).toEqual(expect.arrayContaining(['PORT', 'DATA_DIR', 'PLAN_FILES', 'AUTH_JWT_ISSUER']));
  });

  it('every variable read anywhere in apps/ and libs/ is in the schema (CONFIG_VARIABLES)', () => {
    const missing = [...read.entries()].filter(([name]) => !schema.includes(name)).map(([name, files]) => `${name} (${files.join(', ')})`);
    expect(missing).toEqual([]);
  });

  it('.env.example lists exactly the schema, in its order, with its defaults', () => {
    const example = envExample();
    expect([...example.keys()]).toEqual(schema);
    for (const variable of CONFIG_VARIABLES) expect({ [variable.name]: example.get(variable.name) }).toEqual({ [variable.name]: variable.example });
  });

  it('.env.example is a valid configuration equal to the defaults', () => {
    expect(loadConfig(Object.fromEntries(envExample()))).toEqual(loadConfig({ PLAN_FILES: 'libs/plan/plans/hu-2022-2023.yaml' }));
  });

  it('the README configuration table lists every variable', () => {
    const readme = readFileSync('README.md', 'utf8');
    expect(schema.filter((name) => !readme.includes(`| \`${name}\` |`))).toEqual([]);
  });
});
