import type {
  Agency,
  BudgetPoint,
  FundingAllocation,
  Indicator,
  Measure,
  Objective,
  Pillar,
  Plan,
} from './plan.types.js';
import { cloneJson, deepEqual, definedKeys, isPlainObject } from './plan-json.js';

/**
 * The amendment model: what changed between two versions of a plan, said the way a reader of
 * the plan would say it — by codes and keys, never by array index ("the target of indicator
 * `places` of measure B.1.1 went from 5 to 6", not "pillars[1]…[0].target").
 *
 * Addresses (`path`):
 * - `[]` + field path: the plan's own fields, e.g. `['title']`, `['period', 'to']`
 * - `['agencies', id]`, `['budgetPoints', id]`, `['pillars', code]`, `['objectives', code]`,
 *   `['measures', code]`: one element (codes are unique within a plan, whatever their parent);
 * - `['measures', code, 'indicators', key]`: one indicator of a measure;
 * - any of these + a field path: one field of that element, e.g.
 *   `['measures', 'B.1.1', 'indicators', 'places', 'target']`, `['measures', 'B.1.1', 'funding', 'sources']`.
 *
 * Operations:
 * - `set`: a field's value changed; `before`/`after` absent = the field was/is absent. Values
 *   are scalars, lists of ids, or (for funding allocations, which have no key) a whole list.
 * - `add`: an element appears, at `index` of its list, under `parent` (the pillar of an added
 *   objective, the objective of an added measure). Its whole value is carried.
 * - `remove`: an element disappears; its former value is carried so the history shows it.
 *   Allocations have no key: an allocation is added/removed by value.
 * - `reorder`: the elements a list keeps are in a new order (keys before and after).
 *
 * A moved element (a measure now under another objective) is a `remove` then an `add`.
 * {@link diffPlans} emits removes, reorders, adds, then sets, so {@link applyChanges} applies
 * them in order; `applyChanges(a, diffPlans(a, b))` equals `b`.
 */
export type PlanPath = readonly string[];

/** The values a `set` carries: scalars, id lists, or a measure's allocation list. */
export type PlanFieldValue = string | number | boolean | readonly string[] | readonly FundingAllocation[];

/** The elements `add`/`remove` carry. */
export type PlanElement = Agency | BudgetPoint | Pillar | Objective | Measure | Indicator | FundingAllocation;

export interface PlanSet {
  readonly op: 'set';
  readonly path: PlanPath;
  readonly before?: PlanFieldValue;
  readonly after?: PlanFieldValue;
}

export interface PlanAdd {
  readonly op: 'add';
  readonly path: PlanPath;
  /** Position in the list once added (after the removes and reorders of the same change set). */
  readonly index: number;
  /** Code of the pillar (for an objective) or objective (for a measure) it is added to. */
  readonly parent?: string;
  readonly value: PlanElement;
}

export interface PlanRemove {
  readonly op: 'remove';
  readonly path: PlanPath;
  readonly value: PlanElement;
}

export interface PlanReorder {
  readonly op: 'reorder';
  /** The list: `['agencies']`, `['pillars']`, `['pillars', p, 'objectives']`, `['objectives', o, 'measures']`, … */
  readonly path: PlanPath;
  readonly before: readonly string[];
  readonly after: readonly string[];
}

export type PlanChange = PlanSet | PlanAdd | PlanRemove | PlanReorder;

/** A change that does not fit the plan it is applied to: the history and the plan disagree. */
export class PlanChangeError extends Error {
  override readonly name = 'PlanChangeError';
  constructor(
    readonly change: PlanChange,
    reason: string,
  ) {
    super(`Cannot apply ${change.op} ${JSON.stringify(change.path)}: ${reason}`);
  }
}

// ---- diff -------------------------------------------------------------------------------

type Obj = Record<string, unknown>;

interface Diff {
  readonly removes: PlanChange[];
  readonly reorders: PlanChange[];
  readonly adds: PlanChange[];
  readonly sets: PlanChange[];
}

/** The changes that turn `before` into `after`, two versions of the same plan (same id). */
export function diffPlans(before: Plan, after: Plan): PlanChange[] {
  if (before.id !== after.id) {
    throw new Error(`Cannot diff two different plans ("${before.id}" and "${after.id}")`);
  }
  const diff: Diff = { removes: [], reorders: [], adds: [], sets: [] };
  diffFields(diff, [], before as unknown as Obj, after as unknown as Obj, ['id', 'agencies', 'budgetPoints', 'pillars']);
  diffKeyedList(diff, ['agencies'], (id) => ['agencies', id], before.agencies, after.agencies, (a) => a.id, ['id']);
  diffKeyedList(diff, ['budgetPoints'], (id) => ['budgetPoints', id], before.budgetPoints, after.budgetPoints, (b) => b.id, ['id']);
  diffKeyedList(diff, ['pillars'], (code) => ['pillars', code], before.pillars, after.pillars, (p) => p.code, ['code', 'objectives'], (pb, pa) => {
    diffKeyedList(diff, ['pillars', pa.code, 'objectives'], (code) => ['objectives', code], pb.objectives, pa.objectives, (o) => o.code, ['code', 'measures'], (ob, oa) => {
      diffKeyedList(diff, ['objectives', oa.code, 'measures'], (code) => ['measures', code], ob.measures, oa.measures, (m) => m.code, ['code', 'indicators', 'funding'], (mb, ma) => {
        diffMeasure(diff, mb, ma);
      }, oa.code);
    }, pa.code);
  });
  return [...diff.removes, ...diff.reorders, ...diff.adds, ...diff.sets];
}

function diffMeasure(diff: Diff, before: Measure, after: Measure): void {
  const base = ['measures', after.code];
  diffKeyedList(diff, [...base, 'indicators'], (key) => [...base, 'indicators', key], before.indicators, after.indicators, (i) => i.key, ['key']);
  diffFields(diff, [...base, 'funding'], before.funding as unknown as Obj, after.funding as unknown as Obj, ['allocations']);
  diffAllocations(diff, [...base, 'funding', 'allocations'], before.funding.allocations, after.funding.allocations);
}

/**
 * A list of elements with a key. Elements only in `before` are removed, only in `after` added
 * (with `parent`); those in both keep their place in a `reorder` and are compared by `same`
 * (default: field by field, skipping `skip`).
 */
function diffKeyedList<T>(
  diff: Diff,
  listPath: PlanPath,
  address: (key: string) => PlanPath,
  before: readonly T[],
  after: readonly T[],
  keyOf: (item: T) => string,
  skip: readonly string[],
  same?: (before: T, after: T) => void,
  parent?: string,
): void {
  const afterKeys = new Set(after.map(keyOf));
  const beforeByKey = new Map(before.map((item) => [keyOf(item), item]));
  for (const item of before) {
    if (!afterKeys.has(keyOf(item))) diff.removes.push({ op: 'remove', path: address(keyOf(item)), value: cloneJson(item) as PlanElement });
  }
  const keptBefore = before.map(keyOf).filter((key) => afterKeys.has(key));
  const keptAfter = after.map(keyOf).filter((key) => beforeByKey.has(key));
  if (!deepEqual(keptBefore, keptAfter)) diff.reorders.push({ op: 'reorder', path: listPath, before: keptBefore, after: keptAfter });
  after.forEach((item, index) => {
    const key = keyOf(item);
    const previous = beforeByKey.get(key);
    if (previous === undefined) {
      const add: PlanAdd = { op: 'add', path: address(key), index, value: cloneJson(item) as PlanElement };
      diff.adds.push(parent === undefined ? add : { ...add, parent });
    } else {
      diffFields(diff, address(key), previous as Obj, item as Obj, skip);
      same?.(previous, item);
    }
  });
}

/** Field by field; nested mappings (legalBasis, period, funding) are compared field by field too. */
function diffFields(diff: Diff, path: PlanPath, before: Obj, after: Obj, skip: readonly string[]): void {
  const keys = [...new Set([...definedKeys(before), ...definedKeys(after)])].filter((key) => !skip.includes(key));
  for (const key of keys) {
    const b = before[key];
    const a = after[key];
    if (isPlainObject(b) && isPlainObject(a)) diffFields(diff, [...path, key], b, a, []);
    else if (!deepEqual(b, a)) diff.sets.push(setChange([...path, key], b, a));
  }
}

/**
 * Allocations have no key, so they are matched by value. Pure additions and removals are said
 * as such; anything else (an allocation's amount edited, a new order) replaces the list, which
 * states exactly what the list was and is.
 */
function diffAllocations(
  diff: Diff,
  path: PlanPath,
  before: readonly FundingAllocation[] | undefined,
  after: readonly FundingAllocation[] | undefined,
): void {
  if (deepEqual(before, after)) return;
  if (before === undefined || after === undefined) {
    diff.sets.push(setChange(path, before, after));
    return;
  }
  const unmatched = [...after];
  const removed: FundingAllocation[] = [];
  const kept: FundingAllocation[] = [];
  for (const allocation of before) {
    const i = unmatched.findIndex((candidate) => deepEqual(candidate, allocation));
    if (i < 0) removed.push(allocation);
    else {
      kept.push(allocation);
      unmatched.splice(i, 1);
    }
  }
  const keptInAfterOrder = after.filter((allocation) => kept.some((k) => deepEqual(k, allocation)));
  const inOrder = deepEqual(kept, keptInAfterOrder);
  // Only whole additions and removals keep their identity; an edit reads better as old → new list.
  if (!inOrder || (removed.length > 0 && unmatched.length > 0)) {
    diff.sets.push(setChange(path, before, after));
    return;
  }
  for (const allocation of removed) diff.removes.push({ op: 'remove', path, value: cloneJson(allocation) });
  after.forEach((allocation, index) => {
    if (unmatched.includes(allocation)) diff.adds.push({ op: 'add', path, index, value: cloneJson(allocation) });
  });
}

function setChange(path: PlanPath, before: unknown, after: unknown): PlanSet {
  const change: { op: 'set'; path: PlanPath; before?: PlanFieldValue; after?: PlanFieldValue } = { op: 'set', path };
  if (before !== undefined) change.before = cloneJson(before) as PlanFieldValue;
  if (after !== undefined) change.after = cloneJson(after) as PlanFieldValue;
  return change;
}

// ---- apply ------------------------------------------------------------------------------

type Mutable<T> = T extends readonly (infer U)[] ? Mutable<U>[] : T extends object ? { -readonly [K in keyof T]: Mutable<T[K]> } : T;
type MPlan = Mutable<Plan>;

/**
 * Applies changes in order to a copy of `plan`. Strict: a `set` whose `before` is not the
 * current value, or an element that is not where the change says, throws
 * {@link PlanChangeError} — a plan history that does not add up must not be papered over.
 */
export function applyChanges(plan: Plan, changes: readonly PlanChange[]): Plan {
  const draft = cloneJson(plan) as MPlan;
  for (const change of changes) applyChange(draft, change);
  return draft as Plan;
}

function applyChange(plan: MPlan, change: PlanChange): void {
  switch (change.op) {
    case 'set':
      return applySet(plan, change);
    case 'add':
      return applyAdd(plan, change);
    case 'remove':
      return applyRemove(plan, change);
    case 'reorder':
      return applyReorder(plan, change);
    default: {
      const _: never = change;
      throw new Error(`Unknown plan change ${JSON.stringify(_)}`);
    }
  }
}

const allObjectives = (plan: MPlan) => plan.pillars.flatMap((p) => p.objectives);
const allMeasures = (plan: MPlan) => allObjectives(plan).flatMap((o) => o.measures);

/** A keyed list the plan holds, found by the path of one of its elements (without the key). */
interface Slot {
  readonly list: Obj[];
  readonly keyField: string;
}

/** The element a path addresses, and how many path segments that took. */
function element(plan: MPlan, path: PlanPath, change: PlanChange): { target: Obj; used: number } {
  const [kind, key] = path;
  const find = <T extends Obj>(items: T[], keyField: string): T => {
    const found = items.find((item) => item[keyField] === key);
    if (!found) throw new PlanChangeError(change, `no ${kind} "${key}"`);
    return found;
  };
  switch (kind) {
    case 'agencies':
      return { target: find(plan.agencies as unknown as Obj[], 'id'), used: 2 };
    case 'budgetPoints':
      return { target: find(plan.budgetPoints as unknown as Obj[], 'id'), used: 2 };
    case 'pillars':
      return { target: find(plan.pillars as unknown as Obj[], 'code'), used: 2 };
    case 'objectives':
      return { target: find(allObjectives(plan) as unknown as Obj[], 'code'), used: 2 };
    case 'measures': {
      const measure = find(allMeasures(plan) as unknown as Obj[], 'code');
      if (path[2] === 'indicators' && path.length >= 4) {
        const indicator = (measure.indicators as Obj[]).find((i) => i.key === path[3]);
        if (!indicator) throw new PlanChangeError(change, `measure "${key}" has no indicator "${path[3]}"`);
        return { target: indicator, used: 4 };
      }
      return { target: measure, used: 2 };
    }
    default:
      return { target: plan as unknown as Obj, used: 0 };
  }
}

function applySet(plan: MPlan, change: PlanSet): void {
  const { target, used } = element(plan, change.path, change);
  const fields = change.path.slice(used);
  if (fields.length === 0) throw new PlanChangeError(change, 'a set needs a field');
  let holder = target;
  for (const field of fields.slice(0, -1)) {
    const next = holder[field];
    if (!isPlainObject(next)) throw new PlanChangeError(change, `"${field}" is not a mapping`);
    holder = next;
  }
  const field = fields[fields.length - 1];
  if (!deepEqual(holder[field], change.before)) {
    throw new PlanChangeError(change, `expected ${JSON.stringify(change.before)}, found ${JSON.stringify(holder[field])}`);
  }
  if (change.after === undefined) delete holder[field];
  else holder[field] = cloneJson(change.after);
}

/** The list an add/remove path points into, and the key field of its elements. */
function slot(plan: MPlan, change: PlanAdd | PlanRemove): Slot & { key?: string } {
  const path = change.path;
  switch (path[0]) {
    case 'agencies':
      return { list: plan.agencies as unknown as Obj[], keyField: 'id', key: path[1] };
    case 'budgetPoints':
      return { list: plan.budgetPoints as unknown as Obj[], keyField: 'id', key: path[1] };
    case 'pillars':
      return { list: plan.pillars as unknown as Obj[], keyField: 'code', key: path[1] };
    case 'objectives': {
      if (change.op === 'remove') {
        const pillar = plan.pillars.find((p) => p.objectives.some((o) => o.code === path[1]));
        if (!pillar) throw new PlanChangeError(change, `no objective "${path[1]}"`);
        return { list: pillar.objectives as unknown as Obj[], keyField: 'code', key: path[1] };
      }
      const pillar = plan.pillars.find((p) => p.code === change.parent);
      if (!pillar) throw new PlanChangeError(change, `no pillar "${change.parent}" to add it to`);
      return { list: pillar.objectives as unknown as Obj[], keyField: 'code', key: path[1] };
    }
    case 'measures': {
      if (path.length === 2) {
        if (change.op === 'remove') {
          const objective = allObjectives(plan).find((o) => o.measures.some((m) => m.code === path[1]));
          if (!objective) throw new PlanChangeError(change, `no measure "${path[1]}"`);
          return { list: objective.measures as unknown as Obj[], keyField: 'code', key: path[1] };
        }
        const objective = allObjectives(plan).find((o) => o.code === change.parent);
        if (!objective) throw new PlanChangeError(change, `no objective "${change.parent}" to add it to`);
        return { list: objective.measures as unknown as Obj[], keyField: 'code', key: path[1] };
      }
      const measure = allMeasures(plan).find((m) => m.code === path[1]);
      if (!measure) throw new PlanChangeError(change, `no measure "${path[1]}"`);
      if (path[2] === 'indicators' && path.length === 4) {
        return { list: measure.indicators as unknown as Obj[], keyField: 'key', key: path[3] };
      }
      if (path[2] === 'funding' && path[3] === 'allocations' && path.length === 4) {
        measure.funding.allocations ??= [];
        return { list: measure.funding.allocations as unknown as Obj[], keyField: '' };
      }
      break;
    }
  }
  throw new PlanChangeError(change, 'not a list element');
}

function applyAdd(plan: MPlan, change: PlanAdd): void {
  const { list, keyField, key } = slot(plan, change);
  const value = cloneJson(change.value) as unknown as Obj;
  if (keyField) {
    if (value[keyField] !== key) throw new PlanChangeError(change, `the value's ${keyField} is not "${key}"`);
    if (codeExists(plan, change.path, key)) throw new PlanChangeError(change, `"${key}" already exists`);
  }
  if (change.index < 0 || change.index > list.length) throw new PlanChangeError(change, `index ${change.index} is out of range`);
  list.splice(change.index, 0, value);
}

/** Codes are unique across the plan, not just within their parent list. */
function codeExists(plan: MPlan, path: PlanPath, key: string | undefined): boolean {
  switch (path[0]) {
    case 'objectives':
      return allObjectives(plan).some((o) => o.code === key);
    case 'measures':
      return path.length === 2
        ? allMeasures(plan).some((m) => m.code === key)
        : (allMeasures(plan).find((m) => m.code === path[1])?.indicators.some((i) => i.key === key) ?? false);
    case 'agencies':
      return plan.agencies.some((a) => a.id === key);
    case 'budgetPoints':
      return plan.budgetPoints.some((b) => b.id === key);
    case 'pillars':
      return plan.pillars.some((p) => p.code === key);
    default:
      return false;
  }
}

function applyRemove(plan: MPlan, change: PlanRemove): void {
  const { list, keyField, key } = slot(plan, change);
  const index = keyField ? list.findIndex((item) => item[keyField] === key) : list.findIndex((item) => deepEqual(item, change.value));
  if (index < 0) throw new PlanChangeError(change, 'no such element');
  if (!deepEqual(list[index], change.value)) throw new PlanChangeError(change, 'the element is not what the change removes');
  list.splice(index, 1);
}

function applyReorder(plan: MPlan, change: PlanReorder): void {
  const path = change.path;
  let list: Obj[];
  let keyField: string;
  if (path.length === 1 && (path[0] === 'agencies' || path[0] === 'budgetPoints' || path[0] === 'pillars')) {
    list = plan[path[0]] as unknown as Obj[];
    keyField = path[0] === 'pillars' ? 'code' : 'id';
  } else if (path.length === 3 && path[0] === 'pillars' && path[2] === 'objectives') {
    list = element(plan, path, change).target.objectives as Obj[];
    keyField = 'code';
  } else if (path.length === 3 && path[0] === 'objectives' && path[2] === 'measures') {
    list = element(plan, path, change).target.measures as Obj[];
    keyField = 'code';
  } else if (path.length === 3 && path[0] === 'measures' && path[2] === 'indicators') {
    list = element(plan, path, change).target.indicators as Obj[];
    keyField = 'key';
  } else {
    throw new PlanChangeError(change, 'not a reorderable list');
  }
  const current = list.map((item) => String(item[keyField]));
  if (!deepEqual(current, change.before)) throw new PlanChangeError(change, `the list is ${JSON.stringify(current)}`);
  const byKey = new Map(list.map((item) => [String(item[keyField]), item]));
  const reordered = change.after.map((key) => byKey.get(key));
  if (reordered.length !== list.length || reordered.some((item) => item === undefined)) {
    throw new PlanChangeError(change, 'the new order does not name the same elements');
  }
  list.splice(0, list.length, ...(reordered as Obj[]));
}

// ---- description ------------------------------------------------------------------------

const ELEMENT_NAMES: Readonly<Record<string, string>> = {
  agencies: 'agency',
  budgetPoints: 'budget point',
  pillars: 'pillar',
  objectives: 'objective',
  measures: 'measure',
  indicators: 'indicator',
};

/** "measure B.1.1, indicator places, target" for `['measures','B.1.1','indicators','places','target']`. */
export function describePlanPath(path: PlanPath): string {
  const parts: string[] = [];
  const fields: string[] = [];
  for (let i = 0; i < path.length; i++) {
    const name = ELEMENT_NAMES[path[i]];
    if (name && i + 1 < path.length && fields.length === 0) {
      parts.push(`${name} ${path[i + 1]}`);
      i++;
    } else {
      fields.push(path[i]);
    }
  }
  if (fields.length) parts.push(fields.join('.'));
  return parts.join(', ') || '(plan)';
}

function describeValue(value: unknown): string {
  if (value === undefined) return '(absent)';
  const text = JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 117)}…` : text;
}

/** One line a person can read in a terminal or a log, saying what a change does. */
export function describePlanChange(change: PlanChange): string {
  switch (change.op) {
    case 'set':
      return `set ${describePlanPath(change.path)}: ${describeValue(change.before)} → ${describeValue(change.after)}`;
    case 'add': {
      const where = change.parent === undefined ? '' : ` under ${change.parent}`;
      const what = change.path[change.path.length - 1] === 'allocations' ? ` ${describeValue(change.value)}` : '';
      return `added ${describePlanPath(change.path)}${what}${where} at position ${change.index + 1}`;
    }
    case 'remove': {
      const what = change.path[change.path.length - 1] === 'allocations' ? ` ${describeValue(change.value)}` : '';
      return `removed ${describePlanPath(change.path)}${what}`;
    }
    case 'reorder':
      return `reordered ${describePlanPath(change.path)}: ${change.before.join(', ')} → ${change.after.join(', ')}`;
    default: {
      const _: never = change;
      return JSON.stringify(_);
    }
  }
}
