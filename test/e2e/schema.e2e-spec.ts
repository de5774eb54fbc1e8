import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SCHEMA_FILE, writeSchemaFile } from '../../apps/api/src/schema-file.js';

/** The first lines where two texts differ, for a readable failure. */
function firstDifference(committed: string, generated: string): string {
  const a = committed.split('\n');
  const b = generated.split('\n');
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) return `line ${i + 1}:\n  committed: ${a[i] ?? '<end of file>'}\n  from code: ${b[i] ?? '<end of file>'}`;
  }
  return '';
}

describe('schema.gql (e2e)', () => {
  it('is the schema the code builds (else run `npm run schema` and commit schema.gql)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'apl-schema-test-'));
    try {
      const file = join(dir, SCHEMA_FILE);
      await writeSchemaFile(file);
      const generated = readFileSync(file, 'utf8');
      let committed = '';
      try {
        committed = readFileSync(SCHEMA_FILE, 'utf8');
      } catch {
        // Missing: reported below like any difference.
      }
      const difference = committed === generated ? '' : `${SCHEMA_FILE} is out of date: run \`npm run schema\` and commit it. First difference, ${firstDifference(committed, generated)}`;
      expect(difference).toBe('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
