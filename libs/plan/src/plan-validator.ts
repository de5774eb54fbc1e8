import { FUNDING_SOURCES, ISO_DATE_PATTERN, MONEY_PATTERN, eventTypeSpec, isIsoDate as isWireIsoDate } from '@app/domain';
import type {
  Agency,
  AgencyKind,
  Aggregate,
  BudgetPoint,
  Funding,
  FundingAllocation,
  FundingSourceId,
  Indicator,
  IndicatorCondition,
  LegalBasis,
  Measure,
  Objective,
  Pillar,
  Plan,
  ReportingPeriodLength,
  ReportingRules,
} from './plan.types.js';
import { REPORTING_PERIOD_LENGTHS } from './plan.types.js';
import { isPlainObject } from './plan-json.js';

/**
 * Validation of a plan document (the plain value a plan file parses to) into a {@link Plan}.
 * Every rule reports where it broke in terms a plan author can find in the file: the element
 * path, the code or key of the enclosing measure/objective/pillar/agency when it has one, and
 * the line and column when the caller can locate paths in the source (see plan-parser.ts).
 * The validator goes on after an error, so one run lists every problem of the file.
 */

export interface PlanError {
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

/** Every agency kind; the Record makes the compiler flag a kind added to the type but not here. */
const AGENCY_KIND_SET: Record<AgencyKind, true> = {
  ministry: true,
  police: true,
  prosecution: true,
  judiciary: true,
  'child-protection': true,
  'social-services': true,
  'government-office': true,
  authority: true,
  education: true,
  ngo: true,
  other: true,
  group: true,
};
export const AGENCY_KINDS = Object.keys(AGENCY_KIND_SET) as readonly AgencyKind[];

const AGGREGATE_SET: Record<Aggregate, true> = { count: true, sum: true, distinct: true, milestone: true };
export const AGGREGATES = Object.keys(AGGREGATE_SET) as readonly Aggregate[];

// The plan types and the event catalogue name the same funding sources; this fails to compile
// if they drift apart.
const PLAN_FUNDING_SOURCES: readonly FundingSourceId[] = FUNDING_SOURCES;

/** Lowercase words of letters and digits joined by single hyphens. */
export const KEBAB_CASE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
/** camelCase or kebab-case. */
export const INDICATOR_KEY = /^[a-z][a-zA-Z0-9]*(?:-[a-zA-Z0-9]+)*$/;
/** Integer HUF written as digits only: the wire rule of libs/domain (wire-rules.ts). */
export const MONEY = MONEY_PATTERN;

/** Whether `value` is an ISO date (YYYY-MM-DD) naming a real calendar day: the wire rule of libs/domain. */
export const isIsoDate = (value: string): boolean => isWireIsoDate(value);

/** A position in the document, plus the innermost labelled element (a measure, an agency …). */
class Loc {
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

function renderPath(segments: readonly PathSegment[], continued = false): string {
  return segments
    .map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 && !continued ? s : `.${s}`))
    .join('');
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (isPlainObject(value)) return 'a mapping';
  if (typeof value === 'bigint') return `the number ${value}`;
  if (typeof value === 'number') return `the number ${value}`;
  if (typeof value === 'string') return `the string "${value}"`;
  return `a ${typeof value}`;
}

/** Builds an object from its fields, leaving out the absent ones (JSON has no `undefined`). */
function build<T>(fields: { [K in keyof Required<T>]: T[K] | undefined }): T {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) out[key] = value;
  return out as T;
}

/** The closest known name to a typo, if it is close enough to be a likely typo. */
function suggestion(word: string, known: readonly string[]): string | undefined {
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

const PLAN_FIELDS = { required: ['id', 'title', 'legalBasis', 'period', 'agencies', 'pillars'], optional: ['budgetPoints', 'reporting'] };
const REPORTING_FIELDS = { required: ['periods'], optional: ['entryWindowDays'] };
const LEGAL_BASIS_FIELDS = { required: ['decision', 'date'], optional: ['title'] };
const PERIOD_FIELDS = { required: ['from', 'to'], optional: [] };
const AGENCY_FIELDS = { required: ['id', 'name', 'kind'], optional: ['members'] };
const BUDGET_POINT_FIELDS = {
  required: ['id', 'description', 'amountHuf', 'year'],
  optional: ['recurring', 'chapter'],
};
const PILLAR_FIELDS = { required: ['code', 'title', 'objectives'], optional: [] };
const OBJECTIVE_FIELDS = { required: ['code', 'title', 'measures'], optional: [] };
const MEASURE_FIELDS = {
  required: ['code', 'title', 'responsible', 'means', 'deadline', 'indicatorText', 'fundingText'],
  optional: ['partners', 'partnersText', 'funding', 'indicators'],
};
const FUNDING_FIELDS = { required: ['sources'], optional: ['allocations'] };
const ALLOCATION_FIELDS = {
  required: ['amountHuf', 'year', 'purpose'],
  optional: ['recurring', 'budgetPoint', 'source'],
};
const INDICATOR_FIELDS = { required: ['key', 'label', 'event', 'aggregate'], optional: ['field', 'where', 'target'] };

type FieldSet = { readonly required: readonly string[]; readonly optional: readonly string[] };

export interface ValidationResult {
  readonly plan?: Plan;
  readonly errors: readonly PlanError[];
}

/** Validates a parsed plan document; `plan` is set only when there is no error. */
export function validatePlanDocument(document: unknown, options: { file?: string; locate?: Locator } = {}): ValidationResult {
  const validator = new PlanValidator(options.locate ?? (() => undefined), options.file);
  const plan = validator.plan(document);
  return validator.errors.length === 0 && plan ? { plan, errors: [] } : { errors: validator.errors };
}

class PlanValidator {
  readonly errors: PlanError[] = [];
  private agencyIds = new Set<string>();
  private budgetPointIds = new Set<string>();
  /** Where each code was first seen, to point duplicates at the original. */
  private readonly pillarCodes = new Map<string, string>();
  private readonly objectiveCodes = new Map<string, string>();
  private readonly measureCodes = new Map<string, string>();

  constructor(
    private readonly locate: Locator,
    private readonly file: string | undefined,
  ) {}

  private report(loc: Loc, message: string, onKey = false): void {
    const position = this.locate(loc.raw, onKey);
    this.errors.push(
      build<PlanError>({
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
  private mapping(loc: Loc, value: unknown, fields: FieldSet): Record<string, unknown> | undefined {
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
  private list(loc: Loc, value: unknown): readonly unknown[] | undefined {
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value)) {
      this.report(loc, `must be a list (got ${describe(value)})`);
      return undefined;
    }
    return value;
  }

  private text(loc: Loc, value: unknown): string | undefined {
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
  private code(loc: Loc, value: unknown): string | undefined {
    const text = this.text(loc, value);
    if (text !== undefined && /\s/.test(text)) {
      this.report(loc, `"${text}" must not contain whitespace`);
      return undefined;
    }
    return text;
  }

  private kebabId(loc: Loc, value: unknown): string | undefined {
    const text = this.text(loc, value);
    if (text !== undefined && !KEBAB_CASE.test(text)) {
      this.report(loc, `"${text}" is not a kebab-case id (lowercase letters and digits joined by single hyphens)`);
      return undefined;
    }
    return text;
  }

  private date(loc: Loc, value: unknown): string | undefined {
    if (value === undefined || value === null) return undefined;
    if (value instanceof Date) {
      // Only a YAML 1.1 timestamp parses to a Date; plan files are read as YAML 1.2.
      this.report(loc, 'must be an ISO date written as YYYY-MM-DD');
      return undefined;
    }
    if (typeof value !== 'string' || !ISO_DATE_PATTERN.test(value)) {
      this.report(loc, `must be an ISO date YYYY-MM-DD (got ${describe(value)})`);
      return undefined;
    }
    if (!isIsoDate(value)) {
      this.report(loc, `"${value}" is not a real calendar date`);
      return undefined;
    }
    return value;
  }

  private integer(loc: Loc, value: unknown, min: number, max: number): number | undefined {
    if (value === undefined || value === null) return undefined;
    const n = typeof value === 'bigint' ? Number(value) : value;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
      this.report(loc, `must be a whole number from ${min} to ${max} (got ${describe(value)})`);
      return undefined;
    }
    return n;
  }

  private boolean(loc: Loc, value: unknown): boolean | undefined {
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
  private money(loc: Loc, value: unknown): string | undefined {
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

  private agencyRef(loc: Loc, value: unknown): string | undefined {
    const id = this.text(loc, value);
    if (id === undefined) return undefined;
    if (!this.agencyIds.has(id)) {
      this.report(loc, `unknown agency id "${id}": it is not in the plan's agencies`);
      return undefined;
    }
    return id;
  }

  /** A list of agency ids, each known and listed once. */
  private agencyRefs(loc: Loc, value: unknown, options: { nonEmpty: boolean }): string[] | undefined {
    const items = this.list(loc, value);
    if (!items) return undefined;
    if (options.nonEmpty && items.length === 0) this.report(loc, 'must name at least one agency');
    const seen = new Set<string>();
    const ids: string[] = [];
    items.forEach((item, i) => {
      const id = this.agencyRef(loc.at(i), item);
      if (id === undefined) return;
      if (seen.has(id)) this.report(loc.at(i), `agency "${id}" is listed twice`);
      seen.add(id);
      ids.push(id);
    });
    return ids;
  }

  /**
   * Records where a code was first defined; reports a later definition as a duplicate.
   * `loc` is the code field itself (`….measures[3].code`), the element is its parent.
   */
  private unique(seen: Map<string, string>, code: string | undefined, loc: Loc, what: string): void {
    if (code === undefined) return;
    const first = seen.get(code);
    if (first !== undefined) this.report(loc, `duplicate ${what} "${code}" (first defined at ${first})`);
    else seen.set(code, renderPath(loc.raw.slice(0, -1)));
  }

  // ---- the document ---------------------------------------------------------------------

  plan(document: unknown): Plan | undefined {
    const root = new Loc([]);
    const doc = this.mapping(root, document, PLAN_FIELDS);
    if (!doc) return undefined;
    // References may point forwards (a group listing agencies defined after it), so the ids
    // are collected before anything that refers to them is checked.
    this.agencyIds = collectIds(doc.agencies, 'id');
    this.budgetPointIds = collectIds(doc.budgetPoints, 'id');

    const id = this.kebabId(root.at('id'), doc.id);
    const title = this.text(root.at('title'), doc.title);
    const legalBasis = this.legalBasis(root.at('legalBasis'), doc.legalBasis);
    const period = this.period(root.at('period'), doc.period);
    const reporting = doc.reporting === undefined ? undefined : this.reporting(root.at('reporting'), doc.reporting);
    const agencies = this.agencies(root.at('agencies'), doc.agencies);
    const budgetPoints = doc.budgetPoints === undefined ? [] : this.budgetPoints(root.at('budgetPoints'), doc.budgetPoints);
    const pillarsLoc = root.at('pillars');
    const pillars = this.list(pillarsLoc, doc.pillars)?.map((p, i) => this.pillar(pillarsLoc.at(i), p));
    return build<Plan>({ id, title, legalBasis, period, reporting, budgetPoints, agencies, pillars: pillars as Pillar[] | undefined });
  }

  private legalBasis(loc: Loc, value: unknown): LegalBasis | undefined {
    const m = value === undefined || value === null ? undefined : this.mapping(loc, value, LEGAL_BASIS_FIELDS);
    if (!m) return undefined;
    return build<LegalBasis>({
      decision: this.text(loc.at('decision'), m.decision),
      date: this.date(loc.at('date'), m.date),
      title: this.text(loc.at('title'), m.title),
    });
  }

  private period(loc: Loc, value: unknown): Plan['period'] | undefined {
    const m = value === undefined || value === null ? undefined : this.mapping(loc, value, PERIOD_FIELDS);
    if (!m) return undefined;
    const from = this.date(loc.at('from'), m.from);
    const to = this.date(loc.at('to'), m.to);
    if (from !== undefined && to !== undefined && from > to) {
      this.report(loc.at('to'), `the period ends (${to}) before it starts (${from})`);
    }
    return build<Plan['period']>({ from, to });
  }

  private reporting(loc: Loc, value: unknown): ReportingRules | undefined {
    const m = value === null ? undefined : this.mapping(loc, value, REPORTING_FIELDS);
    if (!m) return undefined;
    let periods: ReportingPeriodLength | undefined;
    if (typeof m.periods === 'string' && (REPORTING_PERIOD_LENGTHS as readonly string[]).includes(m.periods)) periods = m.periods as ReportingPeriodLength;
    else if (m.periods !== undefined && m.periods !== null) this.report(loc.at('periods'), `must be one of ${REPORTING_PERIOD_LENGTHS.join(', ')} (got ${describe(m.periods)})`);
    // A window longer than a year would keep a period open past the next year's sign-off.
    const entryWindowDays = this.integer(loc.at('entryWindowDays'), m.entryWindowDays, 0, 366);
    return build<ReportingRules>({ periods, entryWindowDays });
  }

  private agencies(loc: Loc, value: unknown): Agency[] | undefined {
    const items = this.list(loc, value);
    if (!items) return undefined;
    const seen = new Map<string, string>();
    return items.map((item, i) => {
      const at = loc.at(i).labelled('agency', isPlainObject(item) ? item.id : undefined);
      const m = this.mapping(at, item, AGENCY_FIELDS);
      if (!m) return undefined as unknown as Agency;
      const id = this.kebabId(at.at('id'), m.id);
      this.unique(seen, id, at.at('id'), 'agency id');
      const name = this.text(at.at('name'), m.name);
      let kind: AgencyKind | undefined;
      if (m.kind !== undefined && m.kind !== null) {
        if (typeof m.kind === 'string' && (AGENCY_KINDS as readonly string[]).includes(m.kind)) kind = m.kind as AgencyKind;
        else this.report(at.at('kind'), `must be one of ${AGENCY_KINDS.join(', ')} (got ${describe(m.kind)})`);
      }
      let members: string[] | undefined;
      if (kind === 'group') {
        if (m.members === undefined) this.report(at.at('members'), 'a group must list its members');
        else members = this.agencyRefs(at.at('members'), m.members, { nonEmpty: false });
        members?.forEach((member, j) => {
          if (member === id) this.report(at.at('members').at(j), 'a group cannot be a member of itself');
        });
      } else if (m.members !== undefined && m.members !== null && kind !== undefined) {
        this.report(at.at('members'), `only agencies of kind "group" have members (this one is "${kind}")`);
      }
      return build<Agency>({ id, name, kind, members });
    });
  }

  private budgetPoints(loc: Loc, value: unknown): BudgetPoint[] | undefined {
    const items = this.list(loc, value);
    if (!items) return undefined;
    const seen = new Map<string, string>();
    return items.map((item, i) => {
      const at = loc.at(i).labelled('budget point', isPlainObject(item) ? item.id : undefined);
      const m = this.mapping(at, item, BUDGET_POINT_FIELDS);
      if (!m) return undefined as unknown as BudgetPoint;
      const id = this.code(at.at('id'), m.id);
      this.unique(seen, id, at.at('id'), 'budget point id');
      return build<BudgetPoint>({
        id,
        description: this.text(at.at('description'), m.description),
        amountHuf: this.money(at.at('amountHuf'), m.amountHuf),
        year: this.integer(at.at('year'), m.year, 1900, 2999),
        recurring: this.boolean(at.at('recurring'), m.recurring),
        chapter: m.chapter === undefined ? undefined : this.agencyRef(at.at('chapter'), m.chapter),
      });
    });
  }

  private pillar(loc: Loc, value: unknown): Pillar {
    const at = loc.labelled('pillar', isPlainObject(value) ? value.code : undefined);
    const m = this.mapping(at, value, PILLAR_FIELDS);
    if (!m) return undefined as unknown as Pillar;
    const code = this.code(at.at('code'), m.code);
    this.unique(this.pillarCodes, code, at.at('code'), 'pillar code');
    const objectivesLoc = at.at('objectives');
    const objectives = this.list(objectivesLoc, m.objectives)?.map((o, i) => this.objective(objectivesLoc.at(i), o, code));
    return build<Pillar>({ code, title: this.text(at.at('title'), m.title), objectives });
  }

  private objective(loc: Loc, value: unknown, pillarCode: string | undefined): Objective {
    const at = loc.labelled('objective', isPlainObject(value) ? value.code : undefined);
    const m = this.mapping(at, value, OBJECTIVE_FIELDS);
    if (!m) return undefined as unknown as Objective;
    const code = this.code(at.at('code'), m.code);
    this.unique(this.objectiveCodes, code, at.at('code'), 'objective code');
    let belongs = true;
    if (code !== undefined && pillarCode !== undefined && !code.startsWith(`${pillarCode}.`)) {
      this.report(at.at('code'), `objective code "${code}" does not belong to its pillar: it must start with "${pillarCode}."`);
      belongs = false;
    }
    // Measures are checked against a misplaced objective's code only once it is fixed: one
    // wrong code would otherwise be reported once per measure.
    const measuresLoc = at.at('measures');
    const measures = this.list(measuresLoc, m.measures)?.map((x, i) =>
      this.measure(measuresLoc.at(i), x, belongs ? code : undefined),
    );
    return build<Objective>({ code, title: this.text(at.at('title'), m.title), measures });
  }

  private measure(loc: Loc, value: unknown, objectiveCode: string | undefined): Measure {
    const at = loc.labelled('measure', isPlainObject(value) ? value.code : undefined);
    const m = this.mapping(at, value, MEASURE_FIELDS);
    if (!m) return undefined as unknown as Measure;
    const code = this.code(at.at('code'), m.code);
    this.unique(this.measureCodes, code, at.at('code'), 'measure code');
    if (code !== undefined && objectiveCode !== undefined && !code.startsWith(`${objectiveCode}.`)) {
      this.report(at.at('code'), `measure code "${code}" does not belong to its objective: it must start with "${objectiveCode}."`);
    }
    const indicatorsLoc = at.at('indicators');
    const indicatorKeys = new Map<string, string>();
    const indicators =
      m.indicators === undefined
        ? []
        : this.list(indicatorsLoc, m.indicators)?.map((x, i) => this.indicator(indicatorsLoc.at(i), x, indicatorKeys));
    return build<Measure>({
      code,
      title: this.text(at.at('title'), m.title),
      responsible: this.agencyRefs(at.at('responsible'), m.responsible, { nonEmpty: true }),
      partners: m.partners === undefined ? [] : this.agencyRefs(at.at('partners'), m.partners, { nonEmpty: false }),
      partnersText: this.text(at.at('partnersText'), m.partnersText),
      means: this.text(at.at('means'), m.means),
      deadline: this.date(at.at('deadline'), m.deadline),
      indicatorText: this.text(at.at('indicatorText'), m.indicatorText),
      fundingText: this.text(at.at('fundingText'), m.fundingText),
      funding: m.funding === undefined ? { sources: [] } : this.funding(at.at('funding'), m.funding),
      indicators,
    });
  }

  private funding(loc: Loc, value: unknown): Funding | undefined {
    const m = value === null ? undefined : this.mapping(loc, value, FUNDING_FIELDS);
    if (!m) return undefined;
    const sourcesLoc = loc.at('sources');
    const seen = new Set<string>();
    const sources = this.list(sourcesLoc, m.sources)?.flatMap((s, i) => {
      const source = this.fundingSource(sourcesLoc.at(i), s);
      if (source === undefined) return [];
      if (seen.has(source)) this.report(sourcesLoc.at(i), `source "${source}" is listed twice`);
      seen.add(source);
      return [source];
    });
    const allocationsLoc = loc.at('allocations');
    const allocations = this.list(allocationsLoc, m.allocations)?.map((a, i) => this.allocation(allocationsLoc.at(i), a));
    return build<Funding>({ sources, allocations });
  }

  private fundingSource(loc: Loc, value: unknown): FundingSourceId | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'string' && (PLAN_FUNDING_SOURCES as readonly string[]).includes(value)) {
      return value as FundingSourceId;
    }
    this.report(loc, `must be one of ${PLAN_FUNDING_SOURCES.join(', ')} (got ${describe(value)})`);
    return undefined;
  }

  private allocation(loc: Loc, value: unknown): FundingAllocation {
    const m = this.mapping(loc, value, ALLOCATION_FIELDS);
    if (!m) return undefined as unknown as FundingAllocation;
    let budgetPoint: string | undefined;
    if (m.budgetPoint !== undefined && m.budgetPoint !== null) {
      budgetPoint = this.text(loc.at('budgetPoint'), m.budgetPoint);
      if (budgetPoint !== undefined && !this.budgetPointIds.has(budgetPoint)) {
        this.report(loc.at('budgetPoint'), `unknown budget point "${budgetPoint}": it is not in the plan's budgetPoints`);
      }
    }
    return build<FundingAllocation>({
      amountHuf: this.money(loc.at('amountHuf'), m.amountHuf),
      year: this.integer(loc.at('year'), m.year, 1900, 2999),
      recurring: this.boolean(loc.at('recurring'), m.recurring),
      purpose: this.text(loc.at('purpose'), m.purpose),
      budgetPoint,
      source: this.fundingSource(loc.at('source'), m.source),
    });
  }

  private indicator(loc: Loc, value: unknown, keys: Map<string, string>): Indicator {
    const at = loc.labelled('indicator', isPlainObject(value) ? value.key : undefined, true);
    const m = this.mapping(at, value, INDICATOR_FIELDS);
    if (!m) return undefined as unknown as Indicator;
    let key = this.text(at.at('key'), m.key);
    if (key !== undefined && !INDICATOR_KEY.test(key)) {
      this.report(at.at('key'), `"${key}" is not a camelCase or kebab-case key`);
      key = undefined;
    }
    this.unique(keys, key, at.at('key'), 'indicator key');

    const event = this.text(at.at('event'), m.event);
    const spec = event === undefined ? undefined : eventTypeSpec(event);
    if (event !== undefined && !spec) {
      this.report(at.at('event'), `event type "${event}" is not in the event catalogue`);
    }

    let aggregate: Aggregate | undefined;
    if (m.aggregate !== undefined && m.aggregate !== null) {
      if (typeof m.aggregate === 'string' && (AGGREGATES as readonly string[]).includes(m.aggregate)) {
        aggregate = m.aggregate as Aggregate;
      } else {
        this.report(at.at('aggregate'), `must be one of ${AGGREGATES.join(', ')} (got ${describe(m.aggregate)})`);
      }
    }

    const field = m.field === undefined ? undefined : this.text(at.at('field'), m.field);
    if (aggregate !== undefined) this.checkAggregateField(at, aggregate, field, m.field !== undefined, event, spec);
    const where = m.where === undefined || m.where === null ? undefined : this.condition(at.at('where'), m.where, aggregate, event, spec);

    let target: number | undefined;
    if (m.target !== undefined && m.target !== null) {
      const t = typeof m.target === 'bigint' ? Number(m.target) : m.target;
      if (typeof t !== 'number' || !Number.isFinite(t) || t < 0) {
        this.report(at.at('target'), `must be a non-negative number (got ${describe(m.target)})`);
      } else {
        target = t;
      }
    }
    return build<Indicator>({ key, label: this.text(at.at('label'), m.label), event, aggregate, field, where, target });
  }

  /** `where: { <field>: <value> }`: one boolean, enum, text or date field of the event and its value. */
  private condition(
    at: Loc,
    value: unknown,
    aggregate: Aggregate | undefined,
    event: string | undefined,
    spec: ReturnType<typeof eventTypeSpec>,
  ): IndicatorCondition | undefined {
    const entries = isPlainObject(value) ? Object.entries(value) : [];
    if (entries.length !== 1) {
      this.report(at, `must name one field of the event and the value it must have, e.g. { joint: true } (got ${describe(value)})`);
      return undefined;
    }
    if (aggregate !== undefined && aggregate !== 'count' && aggregate !== 'milestone') {
      this.report(at, `narrows count and milestone indicators only (this one is "${aggregate}")`);
      return undefined;
    }
    const [field, equals] = entries[0];
    const loc = at.at(field);
    if (!spec) return undefined;
    const fieldSpec = spec.fields.find((f) => f.name === field);
    if (!fieldSpec) {
      this.report(loc, `"${field}" is not a field of ${event} (its fields: ${spec.fields.map((f) => f.name).join(', ')})`);
      return undefined;
    }
    switch (fieldSpec.kind) {
      case 'boolean':
        if (typeof equals === 'boolean') return { field, equals };
        this.report(loc, `must be true or false: ${field} of ${event} is a boolean field (got ${describe(equals)})`);
        return undefined;
      case 'enum':
        if (typeof equals === 'string' && fieldSpec.values?.includes(equals)) return { field, equals };
        this.report(loc, `must be one of ${fieldSpec.values?.join(', ')} (got ${describe(equals)})`);
        return undefined;
      case 'date':
        if (typeof equals === 'string' && isIsoDate(equals)) return { field, equals };
        this.report(loc, `must be a date written YYYY-MM-DD (got ${describe(equals)})`);
        return undefined;
      case 'text':
        return this.text(loc, equals) === undefined ? undefined : { field, equals: equals as string };
      default:
        this.report(loc, `"where" compares a boolean, enum, text or date field; ${field} of ${event} is ${fieldSpec.kind}`);
        return undefined;
    }
  }

  /** sum and distinct read a field of the event; count and milestone only count events. */
  private checkAggregateField(
    at: Loc,
    aggregate: Aggregate,
    field: string | undefined,
    fieldGiven: boolean,
    event: string | undefined,
    spec: ReturnType<typeof eventTypeSpec>,
  ): void {
    switch (aggregate) {
      case 'count':
      case 'milestone':
        if (fieldGiven) this.report(at.at('field'), `aggregate "${aggregate}" counts events and takes no field`);
        return;
      case 'sum':
      case 'distinct': {
        if (!fieldGiven) {
          this.report(at.at('field'), `aggregate "${aggregate}" needs a field of the event to ${aggregate === 'sum' ? 'add up' : 'tell apart'}`);
          return;
        }
        if (field === undefined || !spec) return;
        const fieldSpec = spec.fields.find((f) => f.name === field);
        if (!fieldSpec) {
          this.report(at.at('field'), `"${field}" is not a field of ${event} (its fields: ${spec.fields.map((f) => f.name).join(', ')})`);
        } else if (aggregate === 'sum' && fieldSpec.kind !== 'count' && fieldSpec.kind !== 'money') {
          this.report(at.at('field'), `"sum" needs a count or money field; "${field}" of ${event} is ${fieldSpec.kind}`);
        }
        return;
      }
      default: {
        const _: never = aggregate;
        return _;
      }
    }
  }
}

/** The string ids of a raw list's elements (ill-formed elements are reported elsewhere). */
function collectIds(list: unknown, key: string): Set<string> {
  const ids = new Set<string>();
  if (!Array.isArray(list)) return ids;
  for (const item of list) if (isPlainObject(item) && typeof item[key] === 'string') ids.add(item[key]);
  return ids;
}
