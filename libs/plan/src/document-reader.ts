import { ISO_DATE_PATTERN, MONEY_PATTERN, isIsoDate as isWireIsoDate } from '@app/domain';
import { isPlainObject } from './plan-json.js';

/**
 * A reader of a parsed document (the plain value a YAML or JSON file parses to) that reports
 * every rule a value breaks where an author can find it: the element path, the code of the
 * enclosing element when it has one (`measure A.1.2 (…)`), and the line and column when the
 * caller can locate paths in the source (see plan-parser.ts). It goes on after an error, so one
 * run lists every problem of the file. Generic: the plan schema (plan-validator.ts) extends it
 * with its own fields and cross-references.
 */

/** One broken rule, located. */
export interface DocumentError {
  /** The file the error is in, when known. */
  readonly file?: string;
  /**
   * A readable location, e.g. `measure A.1.2 (pillars[0].objectives[0].measures[1]).deadline`:
   * the enclosing element's kind and code, its position, then the rest of the path.
   */
  readonly path: string;
  readonly message: string;
  /** 1-based line of the offending node (or of its nearest existing ancestor). */
  readonly line?: number;
  /** 1-based column. */
  readonly column?: number;
}

export type PathSegment = string | number;

/**
 * Finds a path in the source. `onKey`: point at the mapping key rather than its value (for
 * unknown fields). Returns the nearest existing ancestor when the path itself is absent.
 */
export type Locator = (
  path: readonly PathSegment[],
  onKey: boolean,
) => { readonly line: number; readonly column: number } | undefined;


/** Lowercase words of letters and digits joined by single hyphens. */
export const KEBAB_CASE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
/** Integer HUF written as digits only: the wire rule of libs/domain (wire-rules.ts). */
export const MONEY = MONEY_PATTERN;
const ISO_DATE = ISO_DATE_PATTERN;

/** Whether `value` is an ISO date (YYYY-MM-DD) naming a real calendar day: the wire rule of libs/domain. */
export const isIsoDate = (value: string): boolean => isWireIsoDate(value);

/** A position in the document, plus the innermost labelled element (a measure, an agency …). */
export class Loc {
  constructor(
    readonly raw: readonly PathSegment[],
    private readonly label?: { readonly text: string; readonly depth: number },
  ) {}

  at(segment: PathSegment): Loc {
    return new Loc([...this.raw, segment], this.label);
  }

  /**
   * Names this element by its code, so errors read "measure A.1.2 (…)". `nested` keeps the
   * enclosing label (an indicator key alone would not say which measure it belongs to).
   */
  labelled(kind: string, code: unknown, nested = false): Loc {
    if (typeof code !== 'string' || code.trim() === '') return this;
    const text = nested && this.label ? `${this.label.text} ${kind} ${code}` : `${kind} ${code}`;
    return new Loc(this.raw, { text, depth: this.raw.length });
  }

  toString(): string {
    if (!this.label) return renderPath(this.raw) || '(document)';
    const head = `${this.label.text} (${renderPath(this.raw.slice(0, this.label.depth))})`;
    const rest = renderPath(this.raw.slice(this.label.depth), true);
    return head + rest;
  }
}

export function renderPath(segments: readonly PathSegment[], continued = false): string {
  return segments
    .map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 && !continued ? s : `.${s}`))
    .join('');
}

export function describe(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (isPlainObject(value)) return 'a mapping';
  if (typeof value === 'bigint') return `the number ${value}`;
  if (typeof value === 'number') return `the number ${value}`;
  if (typeof value === 'string') return `the string "${value}"`;
  return `a ${typeof value}`;
}

/** Builds an object from its fields, leaving out the absent ones (JSON has no `undefined`). */
export function build<T>(fields: { [K in keyof Required<T>]: T[K] | undefined }): T {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) out[key] = value;
  return out as T;
}

/** The closest known name to a typo, if it is close enough to be a likely typo. */
export function suggestion(word: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const candidate of known) {
    const d = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

/** The fields a mapping may have: the required ones and the optional ones. */
export type FieldSet = { readonly required: readonly string[]; readonly optional: readonly string[] };

/** The located reads of a document's values; subclasses add their schema. */
export class DocumentReader {
  readonly errors: DocumentError[] = [];

  constructor(
    protected readonly locate: Locator,
    protected readonly file: string | undefined,
  ) {}

  protected report(loc: Loc, message: string, onKey = false): void {
    const position = this.locate(loc.raw, onKey);
    this.errors.push(
      build<DocumentError>({
        file: this.file,
        path: loc.toString(),
        message,
        line: position?.line,
        column: position?.column,
      }),
    );
  }

  // ---- shapes ---------------------------------------------------------------------------

  /** A mapping with known fields only, and every required one present. */
  protected mapping(loc: Loc, value: unknown, fields: FieldSet): Record<string, unknown> | undefined {
    if (!isPlainObject(value)) {
      this.report(loc, `must be a mapping of fields (got ${describe(value)})`);
      return undefined;
    }
    const known = [...fields.required, ...fields.optional];
    for (const key of Object.keys(value)) {
      if (known.includes(key)) continue;
      const guess = suggestion(key, known);
      this.report(
        loc.at(key),
        `unknown field "${key}"${guess ? ` (did you mean "${guess}"?)` : ''}; allowed fields: ${known.join(', ')}`,
        true,
      );
    }
    for (const key of fields.required) {
      if (value[key] === undefined) this.report(loc.at(key), 'required field is missing');
      else if (value[key] === null) this.report(loc.at(key), 'required field is empty');
    }
    for (const key of fields.optional) {
      if (value[key] === null) this.report(loc.at(key), 'is empty: give a value or leave the field out');
    }
    return value;
  }

  /** A list; absent/null values were already reported by `mapping`. */
  protected list(loc: Loc, value: unknown): readonly unknown[] | undefined {
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value)) {
      this.report(loc, `must be a list (got ${describe(value)})`);
      return undefined;
    }
    return value;
  }

  protected text(loc: Loc, value: unknown): string | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') {
      this.report(loc, `must be text (got ${describe(value)}); quote it if it is meant as text`);
      return undefined;
    }
    if (value.trim() === '') {
      this.report(loc, 'must not be blank');
      return undefined;
    }
    return value;
  }

  /** A code or other identifier written in the plan: text without whitespace. */
  protected code(loc: Loc, value: unknown): string | undefined {
    const text = this.text(loc, value);
    if (text !== undefined && /\s/.test(text)) {
      this.report(loc, `"${text}" must not contain whitespace`);
      return undefined;
    }
    return text;
  }

  protected kebabId(loc: Loc, value: unknown): string | undefined {
    const text = this.text(loc, value);
    if (text !== undefined && !KEBAB_CASE.test(text)) {
      this.report(loc, `"${text}" is not a kebab-case id (lowercase letters and digits joined by single hyphens)`);
      return undefined;
    }
    return text;
  }

  protected date(loc: Loc, value: unknown): string | undefined {
    if (value === undefined || value === null) return undefined;
    if (value instanceof Date) {
      // Only a YAML 1.1 timestamp parses to a Date; plan files are read as YAML 1.2.
      this.report(loc, 'must be an ISO date written as YYYY-MM-DD');
      return undefined;
    }
    if (typeof value !== 'string' || !ISO_DATE.test(value)) {
      this.report(loc, `must be an ISO date YYYY-MM-DD (got ${describe(value)})`);
      return undefined;
    }
    if (!isIsoDate(value)) {
      this.report(loc, `"${value}" is not a real calendar date`);
      return undefined;
    }
    return value;
  }

  protected integer(loc: Loc, value: unknown, min: number, max: number): number | undefined {
    if (value === undefined || value === null) return undefined;
    const n = typeof value === 'bigint' ? Number(value) : value;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
      this.report(loc, `must be a whole number from ${min} to ${max} (got ${describe(value)})`);
      return undefined;
    }
    return n;
  }

  protected boolean(loc: Loc, value: unknown): boolean | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'boolean') {
      this.report(loc, `must be true or false (got ${describe(value)})`);
      return undefined;
    }
    return value;
  }

  /**
   * Integer HUF, kept as a decimal string so any amount is exact. A YAML integer is accepted
   * too: the parser reads integers as bigint, so even amounts beyond 2^53 arrive intact.
   */
  protected money(loc: Loc, value: unknown): string | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'bigint' || (typeof value === 'number' && Number.isSafeInteger(value))) {
      if (value < 0) {
        this.report(loc, `must not be negative (got ${value})`);
        return undefined;
      }
      return value.toString();
    }
    if (typeof value === 'string' && MONEY.test(value)) return BigInt(value).toString();
    const negative = (typeof value === 'string' && /^-\s*\d/.test(value)) || (typeof value === 'number' && value < 0);
    this.report(
      loc,
      negative
        ? `must not be negative (got ${describe(value)})`
        : `must be a whole number of HUF written as digits only, e.g. "12000000" (got ${describe(value)})`,
    );
    return undefined;
  }

  /**
   * Records where a code was first defined; reports a later definition as a duplicate.
   * `loc` is the code field itself (`….measures[3].code`), the element is its parent.
   */
  protected unique(seen: Map<string, string>, code: string | undefined, loc: Loc, what: string): void {
    if (code === undefined) return;
    const first = seen.get(code);
    if (first !== undefined) this.report(loc, `duplicate ${what} "${code}" (first defined at ${first})`);
    else seen.set(code, renderPath(loc.raw.slice(0, -1)));
  }
}
