import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { KeyedState, digestState } from './keyed-state.js';
import { ReadModelStore } from './read-model-store.js';

describe('ReadModelStore', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'apl-read-models-'));
    file = join(dir, 'read-models.db');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** A state with a large group (spanning several chunks), small groups and nested values. */
  function sampleState(big: number): KeyedState {
    const state = new KeyedState();
    for (let i = 0; i < big; i++) state.put('report', '', `activity-a/r${i}`, ['m', 'TrainingDelivered', 'a', '2030-01-02', { participants: i }]);
    for (let g = 0; g < 7; g++) for (let k = 0; k < 3; k++) state.put('bucket', `plan\u001fM.${g}`, `t\u001fa\u001f2030-0${k + 1}`, { n: g + k, s: { amount: String(10n ** 20n + BigInt(g)) } });
    state.put('flag', '', 'on', true);
    state.put('empty-key', 'g', '', null);
    return state;
  }

  it('stores a whole state and loads it back entry for entry, across chunks', () => {
    const state = sampleState(45_000);
    const store = ReadModelStore.open(file, { fresh: true });
    store.reset('p', 1);
    store.commit([{ name: 'p', version: 1, position: 90n, state, whole: true }]);
    store.close();

    const reopened = ReadModelStore.open(file);
    const loaded = new KeyedState();
    expect(reopened.load('p', loaded)).toBe(state.size);
    expect(digestState(loaded)).toBe(digestState(state));
    expect(reopened.checkpoint('p')).toEqual({ version: 1, position: 90n });
    reopened.close();
    const db = new Database(file, { readonly: true });
    expect((db.prepare("SELECT count(*) AS n FROM projection_chunks WHERE name = 'p'").get() as { n: number }).n).toBe(3);
    db.close();
  });

  it('goes on from a whole state with batches of changes, removals included', () => {
    const state = sampleState(50);
    state.trackDirty();
    const store = ReadModelStore.open(file, { fresh: true });
    store.reset('p', 1);
    store.commit([{ name: 'p', version: 1, position: 10n, state, whole: true }]);
    state.put('report', '', 'activity-a/r3', undefined);
    state.put('report', '', 'activity-a/new', ['m', 'TrainingDelivered', 'a', '2030-02-02', { participants: 7 }]);
    state.put('flag', '', 'on', false);
    store.commit([{ name: 'p', version: 1, position: 12n, state }]);
    store.close();

    const reopened = ReadModelStore.open(file);
    const loaded = new KeyedState();
    reopened.load('p', loaded);
    reopened.close();
    expect(loaded.get({ name: 'report' }, '', 'activity-a/r3')).toBeUndefined();
    expect(loaded.get({ name: 'flag' }, '', 'on')).toBe(false);
    expect(digestState(loaded)).toBe(digestState(state));
  });

  it('loads chunks written before group records (one [table, group, key, value] per entry)', () => {
    const store = ReadModelStore.open(file, { fresh: true });
    store.reset('p', 1);
    store.close();
    const db = new Database(file);
    const insert = db.prepare("INSERT INTO projection_chunks (name, seq, entries, data) VALUES ('p', ?, ?, ?)");
    insert.run(1, 3, JSON.stringify([['t', 'g', 'a', 1], ['t', 'g', 'b', { x: [1, 2] }], ['u', '', 'c', 'text']]));
    // A later chunk of the old kind removes one and changes another.
    insert.run(2, 2, JSON.stringify([['t', 'g', 'a', null], ['u', '', 'c', 'changed']]));
    db.close();

    const reopened = ReadModelStore.open(file);
    const loaded = new KeyedState();
    expect(reopened.load('p', loaded)).toBe(2);
    reopened.close();
    expect([...loaded.group({ name: 't' }, 'g')]).toEqual([['b', { x: [1, 2] }]]);
    expect(loaded.get({ name: 'u' }, '', 'c')).toBe('changed');
  });
});
