import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NO_STREAM, type EventStore, WrongExpectedRevisionError } from '../event-store.port.js';
import { SqliteEventStore } from '../sqlite/sqlite-event-store.js';
import { type BatchCommand, CommandConflictError, type Decider, aggregateStream, handleCommand, handleCommands } from './handle-command.js';

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

/**
 * The counter with a gate that shuts after the fact, as a period lock does: opening a new counter
 * is refused, while a repeat of an open that was carried out is still a repeat.
 */
const gated: Decider<CounterState, CounterCommand, CounterEvent> = {
  ...counter,
  decide: (command, state) => (command.kind === 'open' && !state.open ? failWith('the gate is shut') : counter.decide(command, state)),
};

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

  it('with expectNew, a refusal decided on the unread stream is checked against the stream: a repeat stays a repeat once the gate shuts', async () => {
    const opened = await handleCommand(store, 'counter-g', counter, { kind: 'open', ceiling: 3 }, { expectNew: true });
    const again = await handleCommand(store, 'counter-g', gated, { kind: 'open', ceiling: 3 }, { expectNew: true });
    expect(again.newEvents).toEqual([]);
    expect(again.revision).toBe(opened.revision);
    await expect(handleCommand(store, 'counter-g', gated, { kind: 'open', ceiling: 4 }, { expectNew: true })).rejects.toThrow('already open with another ceiling');
    await expect(handleCommand(store, 'counter-new', gated, { kind: 'open', ceiling: 3 }, { expectNew: true })).rejects.toThrow('the gate is shut');
    expect(await store.readStream('counter-new')).toEqual([]);
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

describe('handleCommands', () => {
  let dir: string;
  let store: SqliteEventStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'apl-handle-many-'));
    store = SqliteEventStore.open(join(dir, 'events.db'));
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const item = (stream: string, command: CounterCommand, expectNew = false): BatchCommand<CounterState, CounterCommand, CounterEvent> => ({
    stream,
    decider: counter,
    command,
    expectNew,
    metadata: (event, state) => ({ valueBefore: state.value, type: event.type }),
  });

  it('a refusal decided on an unread (expectNew) stream is checked against the stream, atomic or not: a repeat stays a repeat once the gate shuts', async () => {
    await handleCommand(store, 'g-1', counter, { kind: 'open', ceiling: 3 });
    const gatedItem = (stream: string, ceiling: number) => ({ ...item(stream, { kind: 'open', ceiling }, true), decider: gated });
    for (const atomic of [false, true]) {
      const outcomes = await handleCommands(store, [gatedItem('g-1', 3), gatedItem('g-new', 3)], { atomic });
      expect(outcomes[0]).toMatchObject({ ok: true, result: { newEvents: [], revision: 0n } });
      expect(outcomes[1]).toMatchObject({ ok: false, error: new Error('the gate is shut') });
    }
    expect(await store.readStream('g-new')).toEqual([]);
    expect((await store.readStream('g-1')).length).toBe(1);
  });

  it('decides every command and appends all decisions in one transaction, refusals answered on their own', async () => {
    await handleCommand(store, 'c-1', counter, { kind: 'open', ceiling: 10 });
    const before = store.commitCount;
    const outcomes = await handleCommands(store, [
      item('c-1', { kind: 'increment', by: 3, requestId: 'r1' }),
      item('c-2', { kind: 'open', ceiling: 5 }, true),
      item('c-1', { kind: 'increment', by: 20, requestId: 'r2' }),
      item('c-1', { kind: 'increment', by: 4, requestId: 'r3' }),
    ]);
    expect(store.commitCount - before).toBe(1);
    expect(outcomes.map((o) => o.ok)).toEqual([true, true, false, true]);
    expect(((outcomes[2] as { error: Error }).error).message).toBe('would pass the ceiling 10');
    const ok = outcomes.filter((o) => o.ok).map((o) => (o as Extract<typeof o, { ok: true }>).result);
    expect(ok.map((r) => r.newState.value)).toEqual([3, 0, 7]);
    expect(ok.map((r) => r.revision)).toEqual([1n, 0n, 2n]);
    const stored = await store.readStream('c-1');
    // Each event's metadata is given the state it was decided on: the second increment saw the first.
    expect(stored.slice(1).map((e) => [e.revision, e.metadata.valueBefore])).toEqual([
      [1n, 0],
      [2n, 3],
    ]);
    expect(ok[2].newEvents[0].position).toBe(stored[2].position);
    expect(ok[2].newEvents[0].id).toBe(stored[2].id);
  });

  it('folds a stream only when a later command of it needs the state or a caller asks for newState, and in any order asked', async () => {
    await handleCommand(store, 'c-1', counter, { kind: 'open', ceiling: 10 });
    let evolved = 0;
    const counting: typeof counter = { ...counter, evolve: (state, event) => (evolved++, counter.evolve(state, event)) };
    const batch = [
      { ...item('c-1', { kind: 'increment', by: 3, requestId: 'r1' }), decider: counting },
      { ...item('n-1', { kind: 'open', ceiling: 5 }, true), decider: counting },
      { ...item('n-2', { kind: 'open', ceiling: 6 }, true), decider: counting },
      { ...item('c-1', { kind: 'increment', by: 4, requestId: 'r2' }), decider: counting },
    ];
    const outcomes = await handleCommands(store, batch);
    // c-1's stored Opened (read), and its first increment once the second is decided on it.
    expect(evolved).toBe(2);
    const results = outcomes.map((o) => (o.ok ? o.result : undefined));
    expect(results[3]!.newState.value).toBe(7);
    expect(results[0]!.newState.value).toBe(3);
    expect(results[3]!.newState.requests).toEqual(['r1', 'r2']);
    expect(results[2]!.newState).toEqual({ open: true, ceiling: 6, value: 0, requests: [] });
    expect(results[1]!.newState.ceiling).toBe(5);
    expect(results.map((r) => r!.revision)).toEqual([1n, 0n, 0n, 2n]);
  });

  it('a repeat inside the batch decides nothing, as it would after the first was stored', async () => {
    const outcomes = await handleCommands(store, [
      item('c', { kind: 'open', ceiling: 5 }, true),
      item('c', { kind: 'open', ceiling: 5 }, true),
      item('c', { kind: 'open', ceiling: 6 }, true),
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, true, false]);
    const [first, repeat] = outcomes.map((o) => (o.ok ? o.result : undefined));
    expect(first!.newEvents).toHaveLength(1);
    expect(repeat!.newEvents).toEqual([]);
    expect(repeat!.newState.open).toBe(true);
    expect(repeat!.provisional).toBeFalsy();
    expect(await store.readStream('c')).toHaveLength(1);
  });

  it('dryRun decides the same (a repeat in the batch too) and stores nothing', async () => {
    const outcomes = await handleCommands(
      store,
      [item('c', { kind: 'open', ceiling: 5 }, true), item('c', { kind: 'open', ceiling: 5 }, true), item('c', { kind: 'increment', by: 9, requestId: 'x' })],
      { dryRun: true },
    );
    expect(outcomes.map((o) => o.ok)).toEqual([true, true, false]);
    const [first, repeat] = outcomes.map((o) => (o.ok ? o.result : undefined));
    expect(first!.decided).toEqual([{ type: 'Opened', data: { ceiling: 5 } }]);
    expect(repeat!.decided).toBeUndefined();
    expect(repeat!.provisional).toBe(true);
    expect(await store.headPosition()).toBe(0n);
  });

  it('atomic: one refusal stores nothing for any', async () => {
    const outcomes = await handleCommands(store, [item('a', { kind: 'open', ceiling: 1 }, true), item('b', { kind: 'increment', by: 1, requestId: 'x' })], { atomic: true });
    expect(outcomes.map((o) => o.ok)).toEqual([true, false]);
    expect(outcomes[0].ok && outcomes[0].result.decided).toHaveLength(1);
    expect(await store.headPosition()).toBe(0n);
  });

  it('atomic with a refusal: a "must be new" stream that exists is read, so its conflict is answered too', async () => {
    await handleCommand(store, 'a', counter, { kind: 'open', ceiling: 1 });
    await handleCommand(store, 'd', counter, { kind: 'open', ceiling: 4 });
    const head = await store.headPosition();
    const outcomes = await handleCommands(
      store,
      [item('a', { kind: 'open', ceiling: 2 }, true), item('b', { kind: 'increment', by: 1, requestId: 'x' }), item('c', { kind: 'open', ceiling: 3 }, true), item('d', { kind: 'open', ceiling: 4 }, true)],
      { atomic: true },
    );
    // As each would be answered on its own: a conflict, the refusal, a new stream, a repeat.
    expect(outcomes.map((o) => (o.ok ? (o.result.decided ? 'would append' : 'repeat') : (o.error as Error).message))).toEqual([
      'already open with another ceiling',
      'not open',
      'would append',
      'repeat',
    ]);
    expect(await store.headPosition()).toBe(head);
  });

  it('a retried batch finds its streams, decides nothing and appends nothing', async () => {
    const batch = [item('a', { kind: 'open', ceiling: 1 }, true), item('b', { kind: 'open', ceiling: 2 }, true)];
    await handleCommands(store, batch);
    const head = await store.headPosition();
    const again = await handleCommands(store, batch);
    expect(again.map((o) => o.ok && o.result.newEvents.length)).toEqual([0, 0]);
    expect(again.map((o) => o.ok && o.result.revision)).toEqual([0n, 0n]);
    expect(await store.headPosition()).toBe(head);
  });

  it('gives up with CommandConflictError for the commands still deciding events after maxAttempts', async () => {
    let appends = 0;
    const racing: EventStore = Object.create(store, {
      appendMany: {
        value: async (parts: Parameters<EventStore['appendMany']>[0]) => {
          appends += 1;
          // Another writer wins the race each time, just before this batch appends.
          await store.append('a', [{ type: 'Incremented', data: { by: 0, requestId: `other-${appends}` } }], 'any');
          return store.appendMany(parts);
        },
      },
    });
    await handleCommand(store, 'a', counter, { kind: 'open', ceiling: 10 });
    const outcomes = await handleCommands(racing, [item('a', { kind: 'increment', by: 1, requestId: 'mine' })], { maxAttempts: 3 });
    expect(appends).toBe(3);
    expect(outcomes[0].ok).toBe(false);
    expect((outcomes[0] as { error: unknown }).error).toBeInstanceOf(CommandConflictError);
  });
});
