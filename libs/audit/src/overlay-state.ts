import { type Change, type EntryValue, KeyedState, type StateView, type Table } from '@app/projections';

const NO_ENTRIES: ReadonlyMap<string, never> = new Map<string, never>();

/** Changes by table, group and key; undefined = removed. */
type ChangeMap = Map<string, Map<string, Map<string, EntryValue | undefined>>>;

/**
 * A projection state as "base + the changes of some events since", without copying the base:
 * how point-in-time evaluation folds the few thousand events after a snapshot (which it must
 * not modify: it serves other queries) at the cost of those events only. Reads see the changes
 * first, then the base. A group read while it has changes is merged once and cached until it
 * changes again.
 */
export class OverlayState implements StateView {
  private readonly changes: ChangeMap = new Map();
  private readonly merged = new Map<Map<string, EntryValue | undefined>, ReadonlyMap<string, EntryValue>>();

  constructor(private readonly base: StateView) {}

  get<V extends EntryValue>(table: Table<V>, group: string, key: string): V | undefined {
    const changed = this.changes.get(table.name)?.get(group);
    if (changed?.has(key)) return changed.get(key) as V | undefined;
    return this.base.get(table, group, key);
  }

  group<V extends EntryValue>(table: Table<V>, group: string): ReadonlyMap<string, V> {
    const changed = this.changes.get(table.name)?.get(group);
    if (!changed) return this.base.group(table, group);
    let result = this.merged.get(changed);
    if (!result) {
      const map = new Map<string, EntryValue>(this.base.group(table, group));
      for (const [key, value] of changed) {
        if (value === undefined) map.delete(key);
        else map.set(key, value);
      }
      result = map.size === 0 ? NO_ENTRIES : map;
      this.merged.set(changed, result);
    }
    return result as ReadonlyMap<string, V>;
  }

  *groups(table: Table<EntryValue>): Iterable<string> {
    const changed = this.changes.get(table.name);
    for (const group of this.base.groups(table)) {
      if (!changed?.has(group) || this.group(table, group).size > 0) yield group;
    }
    if (!changed) return;
    for (const group of changed.keys()) {
      // Groups of the base were listed above; new ones only when they hold entries.
      if (this.base.group(table, group).size === 0 && this.group(table, group).size > 0) yield group;
    }
  }

  apply(change: Change): void {
    let groups = this.changes.get(change.table);
    if (!groups) this.changes.set(change.table, (groups = new Map()));
    let keys = groups.get(change.group);
    if (!keys) groups.set(change.group, (keys = new Map()));
    keys.set(change.key, change.value);
    this.merged.delete(keys);
  }

  /** Every change since the base, as [table, group, key, value or undefined when removed]. */
  *changed(): Generator<readonly [string, string, string, EntryValue | undefined]> {
    for (const [table, groups] of this.changes) {
      for (const [group, keys] of groups) {
        for (const [key, value] of keys) yield [table, group, key, value];
      }
    }
  }

  /** Entries changed since the base. */
  get changeCount(): number {
    let n = 0;
    for (const groups of this.changes.values()) for (const keys of groups.values()) n += keys.size;
    return n;
  }
}

/**
 * A base state plus entries of some tables looked up one by one (point-in-time: the report
 * register is left out of snapshots and the entries an event needs are rebuilt from its stream).
 * Reads of a looked-up table see only what was looked up.
 */
export class LookupState implements StateView {
  constructor(
    private readonly base: StateView,
    /** table → `group\u0000key` → value (undefined: known to be absent). */
    private readonly lookups: ReadonlyMap<string, ReadonlyMap<string, EntryValue | undefined>>,
  ) {}

  get<V extends EntryValue>(table: Table<V>, group: string, key: string): V | undefined {
    const looked = this.lookups.get(table.name);
    if (looked) return looked.get(`${group}\u0000${key}`) as V | undefined;
    return this.base.get(table, group, key);
  }

  group<V extends EntryValue>(table: Table<V>, group: string): ReadonlyMap<string, V> {
    const looked = this.lookups.get(table.name);
    if (!looked) return this.base.group(table, group);
    const map = new Map<string, V>();
    const prefix = `${group}\u0000`;
    for (const [id, value] of looked) if (value !== undefined && id.startsWith(prefix)) map.set(id.slice(prefix.length), value as V);
    return map;
  }

  groups(table: Table<EntryValue>): Iterable<string> {
    const looked = this.lookups.get(table.name);
    if (!looked) return this.base.groups(table);
    return new Set([...looked].filter(([, v]) => v !== undefined).map(([id]) => id.slice(0, id.indexOf('\u0000'))));
  }
}

/** A new state: `base` with the overlay's changes applied, leaving out `without` tables. */
export function materialize(base: KeyedState, overlay: OverlayState | undefined, without: ReadonlySet<string>): KeyedState {
  const state = new KeyedState();
  for (const [table, group, key, value] of base.entries()) if (!without.has(table)) state.put(table, group, key, value);
  if (overlay) for (const [table, group, key, value] of overlay.changed()) if (!without.has(table)) state.put(table, group, key, value);
  return state;
}
