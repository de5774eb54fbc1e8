import { FUNDING_SOURCES, eventTypeSpec } from '@app/domain';
import type {
  OverlappingPeriods,
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
import {
  DocumentReader,
  type DocumentError,
  Loc,
  type Locator,
  build,
  describe,
  isIsoDate,
} from './document-reader.js';
import { REPORTING_PERIOD_LENGTHS } from './plan.types.js';
import { isPlainObject } from './plan-json.js';

export { KEBAB_CASE, MONEY, isIsoDate, type Locator, type PathSegment } from './document-reader.js';

/** A broken rule of a plan file, located (see DocumentError). */
export type PlanError = DocumentError;

/**
 * The plan schema: validation of a plan document (the plain value a plan file parses to) into
 * a {@link Plan}, on the located {@link DocumentReader} (document-reader.ts): its fields, codes,
 * cross-references (agencies, budget points) and indicator rules.
 */

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

/** How overlapping periods of one agency's reports count (see Indicator.overlappingPeriods). */
export const OVERLAPPING_PERIODS: readonly OverlappingPeriods[] = ['supersede'];

/** Whether an event type's reports each cover a period: date fields periodStart and periodEnd. */
export function isPeriodic(spec: { readonly fields: readonly { readonly name: string; readonly kind: string }[] }): boolean {
  return ['periodStart', 'periodEnd'].every((name) => spec.fields.some((f) => f.name === name && f.kind === 'date'));
}

/** The `amountHuf` of an allocation the plan makes without stating an amount. */
export const UNSTATED_AMOUNT = 'unstated';

/** camelCase or kebab-case. */
export const INDICATOR_KEY = /^[a-z][a-zA-Z0-9]*(?:-[a-zA-Z0-9]+)*$/;


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
const INDICATOR_FIELDS = { required: ['key', 'label', 'event', 'aggregate'], optional: ['field', 'where', 'target', 'overlappingPeriods'] };


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

class PlanValidator extends DocumentReader {
  private agencyIds = new Set<string>();
  private budgetPointIds = new Set<string>();
  /** Where each code was first seen, to point duplicates at the original. */
  private readonly pillarCodes = new Map<string, string>();
  private readonly objectiveCodes = new Map<string, string>();
  private readonly measureCodes = new Map<string, string>();


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
    // "unstated": the plan funds it in that year but names no amount — not 0 (docs/plan-format.md).
    const unstated = m.amountHuf === UNSTATED_AMOUNT;
    if (unstated && budgetPoint !== undefined) {
      this.report(loc.at('amountHuf'), `must be stated for an allocation counted under budget point "${budgetPoint}"`);
    }
    return build<FundingAllocation>({
      amountHuf: unstated ? undefined : this.money(loc.at('amountHuf'), m.amountHuf),
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
    const overlappingPeriods = this.overlappingPeriods(at.at('overlappingPeriods'), m.overlappingPeriods, aggregate, event, spec);
    return build<Indicator>({ key, label: this.text(at.at('label'), m.label), event, aggregate, field, where, target, overlappingPeriods });
  }

  /**
   * Indicators over reports that each cover a period (an event type with `periodStart` and
   * `periodEnd`) must say what happens when two reports of one agency cover overlapping periods:
   * they are never both counted. `supersede`: the later recorded one replaces the earlier ones.
   */
  private overlappingPeriods(
    loc: Loc,
    value: unknown,
    aggregate: Aggregate | undefined,
    event: string | undefined,
    spec: ReturnType<typeof eventTypeSpec>,
  ): OverlappingPeriods | undefined {
    const periodic = spec !== undefined && isPeriodic(spec);
    if (value === undefined || value === null) {
      if (periodic) {
        this.report(loc, `is required: ${event} reports each cover a period (periodStart to periodEnd), so the plan must say how overlapping periods of one agency count ("${OVERLAPPING_PERIODS.join('", "')}")`);
      }
      return undefined;
    }
    if (!periodic) {
      if (spec) this.report(loc, `applies only to event types whose reports cover a period (periodStart, periodEnd); ${event} has none`);
      return undefined;
    }
    if (typeof value !== 'string' || !(OVERLAPPING_PERIODS as readonly string[]).includes(value)) {
      this.report(loc, `must be one of ${OVERLAPPING_PERIODS.join(', ')} (got ${describe(value)})`);
      return undefined;
    }
    if (aggregate !== undefined && aggregate !== 'count' && aggregate !== 'sum') {
      this.report(loc, `works with count and sum indicators only (got ${aggregate})`);
      return undefined;
    }
    return value as OverlappingPeriods;
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
