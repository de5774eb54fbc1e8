import { createHash } from 'node:crypto';

/**
 * The state of a projection is keyed: named tables of entries, each addressed by a group and
 * a key. Groups are what queries read together (all buckets of one measure, all counters of one
 * agency), so a query touches one group instead of scanning a table. Entry values are small
 * immutable JSON values; an evolve never edits one in place, it returns the replacement.
 *
 * Why keyed instead of one state object: evolve stays pure *and* O(1) per event — it reads the
 * few entries an event concerns and returns those few changed entries — and the runner knows
 * exactly which entries to write to SQLite at the end of a batch (the dirty keys), so neither
 * evolving nor persisting ever copies the whole state.
 */

/**
 * The value of one entry: plain JSON, never mutated once stored. Entry shapes are declared as
 * `type` aliases (not interfaces) so they are assignable to it.
 */
export type EntryValue =
  | string
  | number
  | boolean
  | null
  | readonly EntryValue[]
  | { readonly [key: string]: EntryValue };

/** A table of a projection's state; the type parameter is the shape of its entries. */
export interface Table<V extends EntryValue> {
  readonly name: string;
  /** Type-level only: the entry shape. */
  readonly __entry?: V;
}

export function table<V extends EntryValue>(name: string): Table<V> {
  return { name };
}

/** Sets (or, with `value` undefined, removes) one entry. */
export interface Change {
  readonly table: string;
  readonly group: string;
  readonly key: string;
  readonly value: EntryValue | undefined;
}

const NO_ENTRIES: ReadonlyMap<string, never> = new Map<string, never>();

/** Read access to a keyed state: what evolve functions and queries get. */
export interface StateView {
  get<V extends EntryValue>(table: Table<V>, group: string, key: string): V | undefined;
  /** Every entry of one group (empty when there are none). Do not hold on to it across events. */
  group<V extends EntryValue>(table: Table<V>, group: string): ReadonlyMap<string, V>;
  /** The groups of a table that have entries. */
  groups(table: Table<EntryValue>): Iterable<string>;
  /**
   * A number that changes whenever an entry of the group changes, 0 while it has none: what a
   * cache of something computed from a group compares to know it is still current (see
   * figures-cache.ts). Views that cannot tell (overlays) leave it out, and must not be cached.
   */
  stamp?(table: Table<EntryValue>, group: string): number;
}

/** An entry changed since the last {@link KeyedState.takeDirty}: its current value, or undefined when removed. */
export type DirtyEntry = readonly [table: string, group: string, key: string, value: EntryValue | undefined];

interface DirtyGroup {
  readonly table: string;
  readonly group: string;
  readonly keys: Set<string>;
}

/** The entries of one group, stamped with the state's change counter when one last changed. */
class GroupEntries extends Map<string, EntryValue> {
  stamp = 0;
}

/**
 * The in-memory state of one projection. Only the runner (and tests) apply changes to it.
 * With dirty tracking on, it remembers which entries changed since the runner last stored
 * them, found during the same map walk that applies the change.
 */
export class KeyedState implements StateView {
  private readonly tables = new Map<string, Map<string, GroupEntries>>();
  private count = 0;
  /**
   * Counts changes (never reset, not even by clear): a group's stamp is its value at the
   * group's last change, so a stamp seen once is never seen again after a change.
   */
  private clock = 0;
  /** Changed keys, by the entries map of their group (identity lookups are the cheapest). */
  private dirty: Map<Map<string, EntryValue>, DirtyGroup> | undefined;

  get<V extends EntryValue>(table: Table<V>, group: string, key: string): V | undefined {
    return this.tables.get(table.name)?.get(group)?.get(key) as V | undefined;
  }

  group<V extends EntryValue>(table: Table<V>, group: string): ReadonlyMap<string, V> {
    return (this.tables.get(table.name)?.get(group) as ReadonlyMap<string, V> | undefined) ?? NO_ENTRIES;
  }

  groups(table: Table<EntryValue>): Iterable<string> {
    return this.tables.get(table.name)?.keys() ?? [];
  }

  stamp(table: Table<EntryValue>, group: string): number {
    return this.tables.get(table.name)?.get(group)?.stamp ?? 0;
  }

  /** Number of entries in all tables. */
  get size(): number {
    return this.count;
  }

  apply(change: Change): void {
    this.put(change.table, change.group, change.key, change.value);
  }

  /** Sets or removes one entry by table name (loading from SQLite uses this). */
  put(tableName: string, group: string, key: string, value: EntryValue | undefined): void {
    let groups = this.tables.get(tableName);
    if (value === undefined) {
      const entries = groups?.get(group);
      if (entries?.delete(key)) {
        this.count -= 1;
        entries.stamp = ++this.clock;
        if (this.dirty) this.markDirty(entries, tableName, group, key);
        // Empty groups go, so `groups()` lists only groups with entries.
        if (entries.size === 0) groups!.delete(group);
      }
      return;
    }
    if (!groups) {
      groups = new Map();
      this.tables.set(tableName, groups);
    }
    let entries = groups.get(group);
    if (!entries) {
      entries = new GroupEntries();
      groups.set(group, entries);
    }
    const before = entries.size;
    entries.set(key, value);
    entries.stamp = ++this.clock;
    this.count += entries.size - before;
    if (this.dirty) this.markDirty(entries, tableName, group, key);
  }

  /** From now on, remember changed entries for {@link takeDirty}. */
  trackDirty(): void {
    this.dirty ??= new Map();
  }

  /** Forgets which entries changed (after loading them from where they are already stored). */
  forgetDirty(): void {
    this.dirty?.clear();
  }

  /** The entries changed since the last call, with their current values; forgets them. */
  takeDirty(): DirtyEntry[] {
    const out: DirtyEntry[] = [];
    if (!this.dirty) return out;
    // A group emptied and recreated within one batch has two records: write each key once.
    const records = new Map<string, number>();
    for (const { table: t, group } of this.dirty.values()) records.set(`${t}\u0000${group}`, (records.get(`${t}\u0000${group}`) ?? 0) + 1);
    const written = new Map<string, Set<string>>();
    for (const { table: tableName, group, keys } of this.dirty.values()) {
      const current = this.tables.get(tableName)?.get(group);
      const id = `${tableName}\u0000${group}`;
      let done: Set<string> | undefined;
      if (records.get(id)! > 1) {
        done = written.get(id);
        if (!done) written.set(id, (done = new Set()));
      }
      for (const key of keys) {
        if (done) {
          if (done.has(key)) continue;
          done.add(key);
        }
        out.push([tableName, group, key, current?.get(key)]);
      }
    }
    this.dirty.clear();
    return out;
  }

  private markDirty(entries: Map<string, EntryValue>, table: string, group: string, key: string): void {
    let record = this.dirty!.get(entries);
    if (!record) this.dirty!.set(entries, (record = { table, group, keys: new Set() }));
    record.keys.add(key);
  }

  /** Every entry, as [table, group, key, value]; unordered. */
  *entries(): Generator<readonly [string, string, string, EntryValue]> {
    for (const [tableName, groups] of this.tables) {
      for (const [group, entries] of groups) {
        for (const [key, value] of entries) yield [tableName, group, key, value];
      }
    }
  }

  tableNames(): string[] {
    return [...this.tables.keys()];
  }

  /** The entries of one table, by group: used by the digest. */
  tableGroups(tableName: string): ReadonlyMap<string, ReadonlyMap<string, EntryValue>> {
    return this.tables.get(tableName) ?? new Map<string, ReadonlyMap<string, EntryValue>>();
  }

  clear(): void {
    this.tables.clear();
    this.count = 0;
    this.dirty?.clear();
  }
}

/**
 * What one evolve call writes: reads see the entries it already changed (a correction may
 * subtract from and add to the same bucket), and the result is the list of changes. It lives
 * for one event and never touches the state it reads.
 */
export class ChangeSet {
  private readonly list: Change[] = [];

  constructor(private readonly view: StateView) {}

  get<V extends EntryValue>(table: Table<V>, group: string, key: string): V | undefined {
    // Newest first; an event changes a handful of entries, so a scan beats a map.
    for (let i = this.list.length - 1; i >= 0; i--) {
      const c = this.list[i];
      if (c.key === key && c.group === group && c.table === table.name) return c.value as V | undefined;
    }
    return this.view.get(table, group, key);
  }

  set<V extends EntryValue>(table: Table<V>, group: string, key: string, value: V): void {
    this.list.push({ table: table.name, group, key, value });
  }

  delete(table: Table<EntryValue>, group: string, key: string): void {
    this.list.push({ table: table.name, group, key, value: undefined });
  }

  get changes(): readonly Change[] {
    return this.list;
  }
}

/** A state built by applying changes in order: what tests and replays fold into. */
export function applyChanges(state: KeyedState, changes: readonly Change[]): KeyedState {
  for (const change of changes) state.apply(change);
  return state;
}

// Array.isArray does not narrow readonly arrays.
const isArray = Array.isArray as (value: unknown) => value is readonly EntryValue[];

/** JSON with object keys sorted: the same value always serialises to the same text. */
export function canonicalJson(value: EntryValue): string {
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const object = value as { readonly [key: string]: EntryValue };
  const keys = Object.keys(object).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(object[k])}`).join(',')}}`;
}

/**
 * sha256 (hex) over every entry in a fixed order (table, group, key; code-unit order) with
 * canonical JSON values. Two states with the same entries have the same digest however they
 * were built: live, resumed after restarts, or rebuilt from position 0. `tables` restricts it
 * to some tables (one read model of a projection that holds several).
 */
export function digestState(state: KeyedState, tables?: readonly string[]): string {
  const hash = createHash('sha256');
  for (const tableName of (tables ? state.tableNames().filter((t) => tables.includes(t)) : state.tableNames()).sort()) {
    const groups = state.tableGroups(tableName);
    for (const group of [...groups.keys()].sort()) {
      const entries = groups.get(group)!;
      for (const key of [...entries.keys()].sort()) {
        hash.update(`${tableName}\u0000${group}\u0000${key}\u0000${canonicalJson(entries.get(key)!)}\n`);
      }
    }
  }
  return hash.digest('hex');
}
