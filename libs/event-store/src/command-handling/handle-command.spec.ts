import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NO_STREAM, type EventStore, WrongExpectedRevisionError } from '../event-store.port.js';
import { SqliteEventStore } from '../sqlite/sqlite-event-store.js';
import { CommandConflictError, type Decider, aggregateStream, handleCommand } from './handle-command.js';

/** A counter that may be opened once and then incremented to a ceiling. */
type CounterEvent = { type: 'Opened'; data: { ceiling: number } } | { type: 'Incremented'; data: { by: number; requestId: string } };
type CounterCommand = { kind: 'open'; ceiling: number } | { kind: 'increment'; by: number; requestId: string };
interface CounterState {
  readonly open: boolean;
  readonly ceiling: number;
  readonly value: number;
  readonly requests: readonly string[];
}

const counter: Decider<CounterState, CounterCommand, CounterEvent> = {
  initialState: { open: false, ceiling: 0, value: 0, requests: [] },
  evolve(state, event) {
    switch (event.type) {
      case 'Opened':
        return { ...state, open: true, ceiling: event.data.ceiling };
      case 'Incremented':
        return { ...state, value: state.value + event.data.by, requests: [...state.requests, event.data.requestId] };
      default: {
        const unreachable: never = event;
        return unreachable;
      }
    }
  },
  decide(command, state) {
    switch (command.kind) {
      case 'open':
        if (state.open) return state.ceiling === command.ceiling ? [] : failWith('already open with another ceiling');
        return [{ type: 'Opened', data: { ceiling: command.ceiling } }];
      case 'increment':
        if (!state.open) return failWith('not open');
        if (state.requests.includes(command.requestId)) return [];
        if (state.value + command.by > state.ceiling) return failWith(`would pass the ceiling ${state.ceiling}`);
        return [{ type: 'Incremented', data: { by: command.by, requestId: command.requestId } }];
      default: {
        const unreachable: never = command;
        return unreachable;
      }
    }
  },
};

function failWith(reason: string): never {
  throw new Error(reason);
}

describe('handleCommand', () => {
  let dir: string;
  let store: SqliteEventStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'apl-handle-'));
    store = SqliteEventStore.open(join(dir, 'events.db'));
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('appends what decide returns at the revision it read, and folds it into the new state', async () => {
    const opened = await handleCommand(store, 'counter-a', counter, { kind: 'open', ceiling: 10 }, { expectNew: true });
    expect(opened.revision).toBe(0n);
    expect(opened.newEvents.map((e) => [e.type, e.revision, e.stream])).toEqual([['Opened', 0n, 'counter-a']]);
    const inc = await handleCommand(store, 'counter-a', counter, { kind: 'increment', by: 4, requestId: 'r1' }, {
      metadata: (event, state) => ({ before: state.value, type: event.type }),
    });
    expect(inc.newState.value).toBe(4);
    expect(inc.revision).toBe(1n);
    expect(inc.appended?.position).toBe(inc.newEvents[0].position);
    const stored = await store.readStream('counter-a');
    expect(stored.map((e) => e.type)).toEqual(['Opened', 'Incremented']);
    expect(stored[1].metadata).toEqual({ before: 0, type: 'Incremented' });
    expect(stored[1].id).toBe(inc.newEvents[0].id);
  });

  it('writes nothing when decide returns no event, and answers with the current state', async () => {
    await handleCommand(store, 'counter-b', counter, { kind: 'open', ceiling: 5 });
    await handleCommand(store, 'counter-b', counter, { kind: 'increment', by: 2, requestId: 'r1' });
    const head = await store.headPosition();
    const repeat = await handleCommand(store, 'counter-b', counter, { kind: 'increment', by: 2, requestId: 'r1' });
    expect(repeat.newEvents).toEqual([]);
    expect(repeat.appended).toBeUndefined();
    expect(repeat.newState.value).toBe(2);
    expect(repeat.revision).toBe(1n);
    expect(await store.headPosition()).toBe(head);
  });

  it('propagates a refusal from decide and stores nothing', async () => {
    await expect(handleCommand(store, 'counter-c', counter, { kind: 'increment', by: 1, requestId: 'x' })).rejects.toThrow('not open');
    expect(await store.readStream('counter-c')).toEqual([]);
  });

  it('with dryRun, decides on the stored stream (even with expectNew) and appends nothing', async () => {
    await handleCommand(store, 'counter-e', counter, { kind: 'open', ceiling: 3 });
    const head = await store.headPosition();
    const would = await handleCommand(store, 'counter-e', counter, { kind: 'increment', by: 2, requestId: 'r1' }, { dryRun: true });
    expect(would.decided?.map((e) => e.type)).toEqual(['Incremented']);
    expect(would.newEvents).toEqual([]);
    // expectNew would decide on the initial state; a dry run must see that the stream exists.
    const repeat = await handleCommand(store, 'counter-e', counter, { kind: 'open', ceiling: 3 }, { dryRun: true, expectNew: true });
    expect(repeat.decided).toBeUndefined();
    await expect(handleCommand(store, 'counter-e', counter, { kind: 'increment', by: 9, requestId: 'r2' }, { dryRun: true })).rejects.toThrow('ceiling');
    expect(await store.headPosition()).toBe(head);
  });

  it('with expectNew, falls back to reading the stream when it already exists', async () => {
    await handleCommand(store, 'counter-d', counter, { kind: 'open', ceiling: 3 });
    // A repeat of the same open: the blind NO_STREAM append loses, the retry reads and finds it done.
    const again = await handleCommand(store, 'counter-d', counter, { kind: 'open', ceiling: 3 }, { expectNew: true });
    expect(again.newEvents).toEqual([]);
    await expect(handleCommand(store, 'counter-d', counter, { kind: 'open', ceiling: 4 }, { expectNew: true })).rejects.toThrow(
      'already open with another ceiling',
    );
    expect((await store.readStream('counter-d')).length).toBe(1);
  });

  it('decides again on the fresh stream after losing a race, so concurrent writers never pass a rule', async () => {
    await handleCommand(store, 'counter-e', counter, { kind: 'open', ceiling: 10 });
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) =>
        handleCommand(store, 'counter-e', counter, { kind: 'increment', by: 3, requestId: `r${i}` }, { maxAttempts: 20 }),
      ),
    );
    const { state } = await aggregateStream(store, 'counter-e', counter);
    // Three increments of 3 fit under the ceiling of 10; every other one was refused by the rule.
    expect(state.value).toBe(9);
    expect(results.filter((r) => r.status === 'fulfilled').length).toBe(3);
    const refusals = results.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : []));
    expect(refusals).toEqual(Array.from({ length: 5 }, () => expect.stringContaining('would pass the ceiling')));
  });

  it('gives up with CommandConflictError after maxAttempts lost races, writing nothing', async () => {
    await handleCommand(store, 'counter-f', counter, { kind: 'open', ceiling: 100 });
    let appends = 0;
    // A store whose stream always moves on between the read and the append.
    const racing: EventStore = Object.assign(Object.create(store) as EventStore, {
      append: async () => {
        appends++;
        throw new WrongExpectedRevisionError('counter-f', 0n, 1n);
      },
    });
    const attempt = handleCommand(racing, 'counter-f', counter, { kind: 'increment', by: 1, requestId: 'r' }, { maxAttempts: 3 });
    await expect(attempt).rejects.toBeInstanceOf(CommandConflictError);
    expect(appends).toBe(3);
    expect((await store.readStream('counter-f')).length).toBe(1);
  });

  it('skips stored events the read function does not know, and reads an absent stream as the initial state', async () => {
    await store.append('counter-g', [{ type: 'Opened', data: { ceiling: 2 } }, { type: 'Legacy', data: {} }], NO_STREAM);
    const { state, revision } = await aggregateStream(store, 'counter-g', counter, (e) =>
      e.type === 'Legacy' ? undefined : (e as never),
    );
    expect(state).toEqual({ open: true, ceiling: 2, value: 0, requests: [] });
    expect(revision).toBe(1n);
    expect(await aggregateStream(store, 'nothing-here', counter)).toEqual({ state: counter.initialState, revision: undefined });
  });
});
