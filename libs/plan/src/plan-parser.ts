import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type Document, LineCounter, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import type { Plan } from './plan.types.js';
import { type Locator, type PathSegment, type PlanError, validatePlanDocument } from './plan-validator.js';

/** The outcome of reading a plan file: the plan when it is valid, else every error found. */
export interface ParsedPlan {
  readonly plan?: Plan;
  readonly errors: readonly PlanError[];
}

export interface PlanFile extends ParsedPlan {
  /** Absolute path of the file read. */
  readonly file: string;
  /** sha256 (hex) of the file's bytes: recorded with the plan events so a load is traceable to its file. */
  readonly sha256: string;
}

/** The file could not be read at all (as opposed to read and found invalid). */
export class PlanFileError extends Error {
  override readonly name = 'PlanFileError';
  constructor(
    readonly file: string,
    readonly reason: 'not-found' | 'unreadable',
    options?: { cause?: unknown },
  ) {
    super(reason === 'not-found' ? `Plan file not found: ${file}` : `Plan file cannot be read: ${file}`, options);
  }
}

/**
 * Parses and validates a plan written in YAML (see docs/plan-format.md). The text is read as
 * YAML 1.2, so `2023-12-31` stays the text of a date and integers arrive exact (as bigint)
 * for the validator to judge. Syntax errors stop before validation: a half-read document
 * would only produce misleading follow-up errors.
 */
export function parsePlan(yamlText: string, fileName?: string): ParsedPlan {
  const lineCounter = new LineCounter();
  const doc = parseDocument(yamlText, {
    lineCounter,
    intAsBigInt: true,
    prettyErrors: false,
    uniqueKeys: true,
    version: '1.2',
  });
  if (doc.errors.length > 0) {
    return {
      errors: doc.errors.map((error) => {
        const { line, col } = lineCounter.linePos(error.pos[0]);
        return withFile({ path: '(yaml syntax)', message: error.message, line, column: col }, fileName);
      }),
    };
  }
  let document: unknown;
  try {
    document = doc.toJS({ maxAliasCount: 1000 });
  } catch (error) {
    return { errors: [withFile({ path: '(yaml syntax)', message: (error as Error).message }, fileName)] };
  }
  const result = validatePlanDocument(document, { file: fileName, locate: locator(doc, lineCounter) });
  // In file order, as an author fixes them top to bottom.
  const errors = [...result.errors].sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
  return { ...result, errors };
}

/** Reads, parses and validates a plan file. Throws {@link PlanFileError} when it cannot be read. */
export async function loadPlanFile(path: string): Promise<PlanFile> {
  const file = resolve(path);
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new PlanFileError(file, code === 'ENOENT' || code === 'ENOTDIR' ? 'not-found' : 'unreadable', { cause: error });
  }
  return { ...parsePlan(bytes.toString('utf8'), path), file, sha256: sha256Hex(bytes) };
}

export function sha256Hex(content: string | Uint8Array): string {
  return createHash('sha256').update(content).digest('hex');
}

/** `file:line:column: path: message`, the shape editors and CI logs link from. */
export function formatPlanError(error: PlanError): string {
  const where = [error.file, error.line, error.column].filter((part) => part !== undefined).join(':');
  return `${where ? `${where}: ` : ''}${error.path}: ${error.message}`;
}

export interface PlanStats {
  readonly pillars: number;
  readonly objectives: number;
  readonly measures: number;
  readonly indicators: number;
  readonly agencies: number;
}

export function planStats(plan: Plan): PlanStats {
  const objectives = plan.pillars.flatMap((p) => p.objectives);
  const measures = objectives.flatMap((o) => o.measures);
  return {
    pillars: plan.pillars.length,
    objectives: objectives.length,
    measures: measures.length,
    indicators: measures.reduce((n, m) => n + m.indicators.length, 0),
    agencies: plan.agencies.length,
  };
}

function withFile(error: PlanError, file: string | undefined): PlanError {
  return file === undefined ? error : { file, ...error };
}

/** Finds paths in the YAML syntax tree, falling back to the nearest ancestor that exists. */
function locator(doc: Document, lineCounter: LineCounter): Locator {
  return (path: readonly PathSegment[], onKey: boolean) => {
    let node: unknown = doc.contents;
    let found: unknown = node;
    for (let i = 0; i < path.length; i++) {
      const segment = path[i];
      if (isMap(node)) {
        const pair = node.items.find((p) => String(isScalar(p.key) ? p.key.value : p.key) === String(segment));
        if (!pair) break;
        const last = i === path.length - 1;
        node = pair.value;
        // An empty value (`deadline:`) has no node of its own: point at its key.
        const empty = node === null || node === undefined || (isScalar(node) && node.value === null);
        found = (last && onKey) || empty ? pair.key : node;
        if (last && onKey) break;
      } else if (isSeq(node) && typeof segment === 'number' && node.items[segment] !== undefined) {
        node = node.items[segment];
        found = node;
      } else {
        break;
      }
    }
    const range = (found as { range?: [number, number, number] } | null)?.range;
    if (!range) return undefined;
    const { line, col } = lineCounter.linePos(range[0]);
    return { line, column: col };
  };
}
