import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/**
 * docs/architecture.md, "Folders": an api feature folder never imports another feature folder;
 * what two features share lives in apps/api/src/common/ (types, mappers, injection tokens), and
 * common/ imports no feature. Only the top-level wiring (app.module.ts, create-app.ts, …) may
 * name several features.
 */
const ROOT = 'apps/api/src';
const COMMON = 'common';

/**
 * Imports tolerated for now, each with its reason. An entry no longer needed fails the test, so
 * the list only shrinks. Key: `<importing file> -> <imported file>`, relative to apps/api/src.
 */
const ALLOWED: Readonly<Record<string, string>> = {};

interface Crossing {
  /** `<importing file> -> <imported module>`, relative to the api's source root, no extension. */
  readonly key: string;
  readonly from: string;
  readonly to: string;
}

/** The folder of the api a source path belongs to, or undefined for a top-level file. */
function folderOf(relative: string): string | undefined {
  const parts = relative.split('/');
  return parts.length > 1 ? parts[0] : undefined;
}

/**
 * Every relative import (static, type-only, re-export, dynamic) from one api folder into another
 * feature folder, or from common/ into any feature. Files are keyed by their path relative to
 * the api's source root; imports leaving the root (test support) are not this rule's concern.
 */
function crossFeatureImports(files: ReadonlyMap<string, string>): Crossing[] {
  const crossings: Crossing[] = [];
  for (const [file, source] of files) {
    const from = folderOf(file);
    if (from === undefined) continue;
    for (const { fileName } of ts.preProcessFile(source, true, true).importedFiles) {
      if (!fileName.startsWith('.')) continue;
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), fileName)).replace(/\.(js|ts)$/, '');
      if (target.startsWith('..')) continue;
      const to = folderOf(target);
      if (to === undefined) {
        // A feature reaching up to the wiring (app.module.ts) would be a cycle through it.
        crossings.push({ key: `${file} -> ${target}`, from, to: '(top level)' });
      } else if (to !== from && to !== COMMON) {
        crossings.push({ key: `${file} -> ${target}`, from, to });
      }
    }
  }
  return crossings;
}

function sourcesUnder(root: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts')) files.set(path.relative(root, full).split(path.sep).join('/'), readFileSync(full, 'utf8'));
    }
  };
  walk(root);
  return files;
}

describe('api feature folders', () => {
  const files = sourcesUnder(ROOT);

  it('import no other feature folder, and common/ imports none (beyond the listed exceptions)', () => {
    // Guards against walking the wrong folder and passing on nothing.
    expect(new Set([...files.keys()].map(folderOf)).size).toBeGreaterThan(8);
    const found = crossFeatureImports(files);
    expect(found.filter((c) => !(c.key in ALLOWED)).map((c) => c.key)).toEqual([]);
    // An exception that no longer happens is removed from the list.
    const used = new Set(found.map((c) => c.key));
    expect(Object.keys(ALLOWED).filter((key) => !used.has(key))).toEqual([]);
  });

  it('are checked on every kind of import', () => {
    const found = crossFeatureImports(
      new Map([
        ['periods/periods.resolver.ts', "import { ProjectionsService } from '../projections/projections.service.js';"],
        ['health/models/x.model.ts', "import type { P } from '../../projections/projection-progress.js';"],
        ['metrics/m.ts', "export { X } from '../health/x.js';\nconst y = await import('../audit/audit.service.js');"],
        ['common/c.ts', "import { PlanResolver } from '../plan/plan.resolver.js';"],
        ['plan/p.ts', "import '../app.module.js';"],
        // Allowed: inside a feature, into common, outside the api root, packages, top-level files.
        ['plan/models/a.ts', "import { H } from '../../common/huf.scalar.js';\nimport { B } from './b.js';\nimport { A } from '../plan.resolver.js';"],
        ['reporting/commands/h.spec.ts', "import { g } from '../../../../../test/support/history-generator.js';\nimport { Module } from '@nestjs/common';"],
        ['app.module.ts', "import { PlanModule } from './plan/plan.module.js';"],
      ]),
    );
    expect(found.map((c) => `${c.from} -> ${c.to}`)).toEqual([
      'periods -> projections',
      'health -> projections',
      'metrics -> health',
      'metrics -> audit',
      'common -> plan',
      'plan -> (top level)',
    ]);
  });
});
