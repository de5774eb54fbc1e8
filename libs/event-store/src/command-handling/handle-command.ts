import { randomUUID } from 'node:crypto';
import {
  type AppendResult,
  type EventStore,
  type ExpectedRevision,
  type JsonObject,
  type JsonValue,
  NO_STREAM,
  type RecordedEvent,
  WrongExpectedRevisionError,
} from '../event-store.port.js';

/**
 * A domain event as a decider emits it: a stable type string and data that is plain JSON (the
 * store serialises it as it is). `Data` is not bound to JsonValue so that data declared as an
 * interface (which TypeScript never treats as an index signature) needs no cast.
 */
export interface DomainEvent<Type extends string = string, Data = unknown> {
  readonly type: Type;
  readonly data: Data;
}

/** A domain event as read back from its stream: where it stands and what metadata it carries. */
export type StoredEvent<E extends DomainEvent> = E & {
  readonly id: string;
  readonly stream: string;
  readonly revision: bigint;
  readonly position: bigint;
  readonly metadata: JsonObject;
};

/**
 * The decider of one kind of stream (Chassaing's Decider, as in Emmett): pure functions, no I/O.
 * `evolve` folds the stream's events into a state; `decide` says what a command appends given
 * that state, or throws to refuse it. An empty list means there is nothing to write — the
 * command was already carried out (an idempotent repeat) and the caller answers from the state.
 */
export interface Decider<State, Command, Event extends DomainEvent> {
  readonly initialState: State;
  evolve(state: State, event: StoredEvent<Event>): State;
  decide(command: Command, state: State): readonly Event[];
}

export interface HandleCommandOptions<State, Event extends DomainEvent> {
  /**
   * The stream is almost always new (a first report, a new key): the first try appends with
   * NO_STREAM without reading it. Only when that append finds the stream does a retry read it.
   * Sound only for commands whose decision on an absent stream never depends on the store.
   */
  readonly expectNew?: boolean;
  /**
   * Turns a stored event into the decider's event type (upcasting older schema versions);
   * `undefined` skips the event. Default: the stored event as it is.
   */
  readonly read?: (recorded: RecordedEvent) => StoredEvent<Event> | undefined;
  /** Metadata stored with each new event, given the state it was decided on. */
  readonly metadata?: (event: Event, state: State) => JsonObject;
  /** Id of each new event; default a random UUID (EventStoreDB requires UUIDs). */
  readonly eventId?: (event: Event, index: number) => string;
  /** Tries in all before a lost race is given up (default 5). */
  readonly maxAttempts?: number;
  /**
   * Read, fold and decide, but append nothing (a bulk import's dryRun, or the first pass of an
   * atomic one): the result's `decided` holds what would be appended. Always reads the stream,
   * so a repeat decides [] exactly as it would for real.
   */
  readonly dryRun?: boolean;
}

/** What a handled command did. */
export interface CommandResult<State, Event extends DomainEvent> {
  readonly stream: string;
  /** The state after the command: the decided events folded into the state they were decided on. */
  readonly newState: State;
  /** The events appended, as stored; empty when the decider had nothing to write. */
  readonly newEvents: readonly StoredEvent<Event>[];
  /** The append's result; undefined when nothing was written. */
  readonly appended?: AppendResult;
  /** The stream's revision after the command; undefined while the stream does not exist. */
  readonly revision?: bigint;
  /** With `dryRun`: the events the decider would append (nothing was). */
  readonly decided?: readonly Event[];
}

/**
 * The stream changed under every one of `attempts` tries: another writer keeps winning the race
 * for its next revision. Nothing was written by this command.
 */
export class CommandConflictError extends Error {
  override readonly name = 'CommandConflictError';
  constructor(
    readonly stream: string,
    readonly attempts: number,
    options?: { cause?: unknown },
  ) {
    super(`Stream ${stream} was changed by concurrent writers on each of ${attempts} tries; nothing was written`, options);
  }
}

/**
 * A decided event as stored: its type and data (all a domain event is) where it stands. Written
 * out rather than as `{ ...event, id, … }`: on Node 20's V8 an object literal that starts with a
 * spread and adds properties costs 10–50 µs (a new hidden class each time), against well under
 * 1 µs written out — per event of every batch (BENCHMARKS.md, "Bulk ingest CPU").
 */
function storedEvent<Event extends DomainEvent>(event: Event, id: string, stream: string, revision: bigint, position: bigint, metadata: JsonObject): StoredEvent<Event> {
  return { type: event.type, data: event.data, id, stream, revision, position, metadata } as StoredEvent<Event>;
}

const defaultRead = <Event extends DomainEvent>(recorded: RecordedEvent): StoredEvent<Event> =>
  recorded as unknown as StoredEvent<Event>;

/**
 * The one write path of the ledger (docs/architecture.md, "Rules"; Emmett's `handleCommand`):
 * read the stream, fold it with `evolve`, `decide`, append the decision at the revision that was
 * read, and on a lost race ({@link WrongExpectedRevisionError}) do it all again on the fresh
 * stream. Every append names the expected revision, so two writers can never both act on the same
 * state. Refusals thrown by `decide` propagate unchanged; store failures other than a lost race
 * propagate unchanged too; {@link CommandConflictError} after `maxAttempts` lost races.
 */
export async function handleCommand<State, Command, Event extends DomainEvent>(
  store: EventStore,
  stream: string,
  decider: Decider<State, Command, Event>,
  command: Command,
  options: HandleCommandOptions<State, Event> = {},
): Promise<CommandResult<State, Event>> {
  const maxAttempts = options.maxAttempts ?? 5;
  const read = options.read ?? defaultRead<Event>;
  for (let attempt = 1; ; attempt++) {
    const skipRead = attempt === 1 && options.expectNew === true && options.dryRun !== true;
    const loaded = skipRead ? { state: decider.initialState, revision: undefined } : await aggregateStream(store, stream, decider, read);
    const { state, revision } = loaded;
    let decided: readonly Event[];
    try {
      decided = decider.decide(command, state);
    } catch (refusal) {
      // Decided on a stream assumed new, unread: the refusal holds only if it is new. It may
      // exist and make this a repeat (a retry of a report whose period has since been locked).
      if (skipRead) continue;
      throw refusal;
    }
    if (decided.length === 0) return { stream, newState: state, newEvents: [], revision };
    if (options.dryRun === true) return { stream, newState: state, newEvents: [], revision, decided };
    const toAppend = decided.map((event, index) => ({
      id: options.eventId?.(event, index) ?? randomUUID(),
      type: event.type,
      data: event.data as JsonValue,
      metadata: options.metadata?.(event, state) ?? {},
    }));
    const expected: ExpectedRevision = revision ?? NO_STREAM;
    try {
      const appended = await store.append(stream, toAppend, expected);
      const first = appended.nextExpectedRevision - BigInt(toAppend.length - 1);
      const newEvents = decided.map(
        (event, index): StoredEvent<Event> =>
          storedEvent(event, toAppend[index].id, stream, first + BigInt(index), appended.positions[index] ?? appended.position, toAppend[index].metadata),
      );
      const newState = newEvents.reduce((s, e) => decider.evolve(s, e), state);
      return { stream, newState, newEvents, appended, revision: appended.nextExpectedRevision };
    } catch (error) {
      if (!(error instanceof WrongExpectedRevisionError)) throw error;
      if (attempt >= maxAttempts) throw new CommandConflictError(stream, attempt, { cause: error });
    }
  }
}

/** Folds a stream into the decider's state; `revision` is undefined when the stream does not exist. */
export async function aggregateStream<State, Event extends DomainEvent>(
  store: EventStore,
  stream: string,
  decider: Pick<Decider<State, unknown, Event>, 'initialState' | 'evolve'>,
  read: (recorded: RecordedEvent) => StoredEvent<Event> | undefined = defaultRead<Event>,
): Promise<{ state: State; revision?: bigint }> {
  const recorded = await store.readStream(stream);
  let state = decider.initialState;
  for (const event of recorded) {
    const domain = read(event);
    if (domain !== undefined) state = decider.evolve(state, domain);
  }
  return { state, revision: recorded.length > 0 ? recorded[recorded.length - 1].revision : undefined };
}

/** One command of a {@link handleCommands} batch, on its own stream (several may share one). */
export interface BatchCommand<State, Command, Event extends DomainEvent> {
  readonly stream: string;
  readonly decider: Decider<State, Command, Event>;
  readonly command: Command;
  /** As {@link HandleCommandOptions.expectNew}: the first try assumes the stream absent without reading it. */
  readonly expectNew?: boolean;
  /** Metadata stored with each new event, given the state it was decided on. */
  readonly metadata?: (event: Event, state: State) => JsonObject;
}

export interface HandleCommandsOptions<Event extends DomainEvent> {
  /** As {@link HandleCommandOptions.read}. */
  readonly read?: (recorded: RecordedEvent) => StoredEvent<Event> | undefined;
  /** Tries in all before a lost race is given up (default 5). */
  readonly maxAttempts?: number;
  /** Read, fold and decide every command; append nothing (each result's `decided` says what would be). */
  readonly dryRun?: boolean;
  /** One refused command appends nothing for any: the others answer as under `dryRun`. */
  readonly atomic?: boolean;
}

/** A command of a batch: its result, or the refusal its decider threw (or CommandConflictError). */
export type BatchOutcome<State, Event extends DomainEvent> =
  | { readonly ok: true; readonly result: BatchResult<State, Event> }
  | { readonly ok: false; readonly error: unknown };

export interface BatchResult<State, Event extends DomainEvent> extends CommandResult<State, Event> {
  /**
   * True when nothing was appended and `newState` holds events decided earlier in the same batch
   * (dryRun, or atomic with a refusal): their ids are provisional and they have no position.
   */
  readonly provisional?: boolean;
}

/** An event decided in a batch, as it will be appended, and by which command. */
interface PendingEvent<Event extends DomainEvent> {
  readonly item: number;
  readonly event: Event;
  readonly id: string;
  readonly revision: bigint;
  readonly metadata: JsonObject;
}

interface StreamSlot<State, Event extends DomainEvent> {
  readonly stream: string;
  readonly base: State;
  readonly revision?: bigint;
  /** The decider of the stream's first command: its evolve folds the stream. */
  readonly decider: Pick<Decider<State, unknown, Event>, 'evolve'>;
  /**
   * `base` with the first `folded` pending events folded in. Folded only when a later command of
   * the batch is decided on the same stream: a stream with one command (nearly every stream of an
   * import) is decided on its base and never evolved here.
   */
  state: State;
  folded: number;
  readonly pending: PendingEvent<Event>[];
  /** Assumed new without reading (expectNew): a refusal decided on it is checked against the stream. */
  readonly unread: boolean;
}

/** A pending event as the decider's evolve takes it before it is stored: no position yet (-1). */
const unstored = <Event extends DomainEvent>(stream: string, p: PendingEvent<Event>): StoredEvent<Event> =>
  storedEvent(p.event, p.id, stream, p.revision, -1n, p.metadata);

/** A decider's decision, or its refusal as a value. */
function tryDecide<State, Command, Event extends DomainEvent>(
  decider: Decider<State, Command, Event>,
  command: Command,
  state: State,
): { readonly ok: true; readonly decided: readonly Event[] } | { readonly ok: false; readonly error: unknown } {
  try {
    return { ok: true, decided: decider.decide(command, state) };
  } catch (error) {
    return { ok: false, error };
  }
}

/** The slot's state with every pending event folded in: what the next command of the stream is decided on. */
function currentState<State, Event extends DomainEvent>(slot: StreamSlot<State, Event>): State {
  while (slot.folded < slot.pending.length) slot.state = slot.decider.evolve(slot.state, unstored(slot.stream, slot.pending[slot.folded++]));
  return slot.state;
}

/**
 * The states of one stream after each prefix of its appended events, folded once and on demand:
 * a command's `newState` is only asked for by callers that need it (a repeat's receipt), so the
 * created rows of an import are never folded again after their append.
 */
class StoredStates<State, Event extends DomainEvent> {
  private taken = 0;
  private state: State;
  constructor(
    private readonly base: State,
    private readonly events: readonly StoredEvent<Event>[],
    private readonly decider: Pick<Decider<State, unknown, Event>, 'evolve'>,
  ) {
    this.state = base;
  }

  after(count: number): State {
    if (count < this.taken) [this.taken, this.state] = [0, this.base];
    while (this.taken < count) this.state = this.decider.evolve(this.state, this.events[this.taken++]);
    return this.state;
  }
}

/**
 * {@link handleCommand} for many commands at once — a bulk import's batch — with ONE append for all
 * of them ({@link EventStore.appendMany}: one transaction and one fsync on the embedded store).
 * Each command is read, folded and decided as handleCommand does; commands on the same stream are
 * decided in order, each on the state the earlier ones leave (a repeat inside the batch decides []
 * as it would after the first was stored). A command its decider refuses is answered with the
 * refusal; the others' events are appended together, each stream at the revision read. A lost race
 * re-reads every stream of the batch and decides again (so a retried batch, whose streams all
 * exist, costs one refused append and one read per stream); {@link CommandConflictError} for every
 * command that still had events to append after `maxAttempts`. Store failures propagate.
 *
 * Commands on one stream are folded with the first one's `evolve` (they are of one kind of stream).
 * A result's `newState` is folded when it is read, not before: evolve is pure, and a caller that
 * only needs the appended events (an import's created rows) never pays for it.
 *
 * Atomicity is the store's: on a store without {@link EventStore.atomicAppendMany} a failure part
 * way leaves the earlier streams written, and the retry then answers their commands as repeats.
 */
export async function handleCommands<State, Command, Event extends DomainEvent>(
  store: EventStore,
  commands: readonly BatchCommand<State, Command, Event>[],
  options: HandleCommandsOptions<Event> = {},
): Promise<BatchOutcome<State, Event>[]> {
  const maxAttempts = options.maxAttempts ?? 5;
  const read = options.read ?? defaultRead<Event>;
  for (let attempt = 1; ; attempt++) {
    const slots = new Map<string, StreamSlot<State, Event>>();
    const outcomes: Array<BatchOutcome<State, Event> | undefined> = [];
    const counts: number[] = [];
    let refused = false;
    for (let i = 0; i < commands.length; i++) {
      const { stream, decider, command, expectNew, metadata } = commands[i];
      let slot = slots.get(stream);
      if (!slot) {
        const skipRead = attempt === 1 && expectNew === true && options.dryRun !== true;
        const loaded = skipRead ? { state: decider.initialState, revision: undefined } : await aggregateStream(store, stream, decider, read);
        slot = { stream, base: loaded.state, revision: loaded.revision, decider, state: loaded.state, folded: 0, pending: [], unread: skipRead };
        slots.set(stream, slot);
      }
      let decidedOn = currentState(slot);
      let decision = tryDecide(decider, command, decidedOn);
      if (!decision.ok && slot.unread && slot.pending.length === 0) {
        // As in handleCommand: a refusal decided on an unread stream holds only if it is new.
        const loaded = await aggregateStream(store, stream, decider, read);
        slot = { stream, base: loaded.state, revision: loaded.revision, decider, state: loaded.state, folded: 0, pending: [], unread: false };
        slots.set(stream, slot);
        decidedOn = loaded.state;
        decision = tryDecide(decider, command, decidedOn);
      }
      if (!decision.ok) {
        outcomes.push({ ok: false, error: decision.error });
        counts.push(0);
        refused = true;
        continue;
      }
      const decided = decision.decided;
      const first = (slot.revision ?? -1n) + 1n + BigInt(slot.pending.length);
      for (let k = 0; k < decided.length; k++) {
        const event = decided[k];
        slot.pending.push({ item: i, event, id: randomUUID(), revision: first + BigInt(k), metadata: metadata?.(event, decidedOn) ?? {} });
      }
      outcomes.push(undefined);
      counts.push(decided.length);
    }
    // An atomic batch with a refusal appends nothing, so no lost race would reveal what the
    // unread "must be new" streams hold: decide again on read streams, so that every command is
    // answered as it would be on its own (a repeat or a conflict, not a provisional success).
    if (options.atomic === true && refused && options.dryRun !== true && attempt === 1 && commands.some((c) => c.expectNew === true)) continue;
    const parts: StreamSlot<State, Event>[] = [];
    for (const slot of slots.values()) if (slot.pending.length > 0) parts.push(slot);
    if (options.dryRun === true || (options.atomic === true && refused) || parts.length === 0) {
      return commands.map((c, i) => outcomes[i] ?? provisionalOutcome(c, slots.get(c.stream)!, i, counts[i]));
    }
    let appended: AppendResult[];
    try {
      appended = await store.appendMany(
        parts.map((slot) => ({
          stream: slot.stream,
          expected: slot.revision ?? NO_STREAM,
          events: slot.pending.map((p) => ({ id: p.id, type: p.event.type, data: p.event.data as JsonValue, metadata: p.metadata })),
        })),
      );
    } catch (error) {
      if (!(error instanceof WrongExpectedRevisionError)) throw error;
      if (attempt < maxAttempts) continue;
      return commands.map(
        (c, i) => outcomes[i] ?? (counts[i] > 0 ? { ok: false, error: new CommandConflictError(c.stream, attempt, { cause: error }) } : provisionalOutcome(c, slots.get(c.stream)!, i, 0)),
      );
    }
    // The stored events, with their positions: each command's result is a slice of its stream's.
    const storedOf = new Map<string, { events: StoredEvent<Event>[]; appended: AppendResult; states: StoredStates<State, Event>; taken: number }>();
    parts.forEach((slot, p) => {
      const result = appended[p];
      const events = slot.pending.map(
        (pending, k) => storedEvent(pending.event, pending.id, slot.stream, pending.revision, result.positions[k] ?? result.position, pending.metadata),
      );
      storedOf.set(slot.stream, { events, appended: result, states: new StoredStates(slot.base, events, slot.decider), taken: 0 });
    });
    return commands.map((c, i): BatchOutcome<State, Event> => {
      const own = outcomes[i];
      if (own) return own;
      const slot = slots.get(c.stream)!;
      const part = storedOf.get(c.stream);
      if (!part) {
        // Nothing was appended to this stream: every command of it was a repeat.
        return { ok: true, result: { stream: c.stream, newState: slot.base, newEvents: [], revision: slot.revision } };
      }
      const from = part.taken;
      const to = from + counts[i];
      part.taken = to;
      const newEvents = counts[i] === 0 ? [] : part.events.slice(from, to);
      const revision = to > 0 ? part.events[to - 1].revision : slot.revision;
      return { ok: true, result: new AppendedResult(c.stream, newEvents, revision, newEvents.length > 0 ? part.appended : undefined, part.states, to) };
    });
  }
}

/** A command's result after the batch's append: its `newState` folded when first read. */
class AppendedResult<State, Event extends DomainEvent> implements BatchResult<State, Event> {
  constructor(
    readonly stream: string,
    readonly newEvents: readonly StoredEvent<Event>[],
    readonly revision: bigint | undefined,
    readonly appended: AppendResult | undefined,
    private readonly states: StoredStates<State, Event>,
    private readonly upTo: number,
  ) {}

  get newState(): State {
    return this.states.after(this.upTo);
  }
}

/** A command's answer when nothing was appended: what it decided, on the state the batch had reached. */
function provisionalOutcome<State, Command, Event extends DomainEvent>(
  command: BatchCommand<State, Command, Event>,
  slot: StreamSlot<State, Event>,
  item: number,
  count: number,
): BatchOutcome<State, Event> {
  let state = slot.base;
  let before = 0;
  const own: Event[] = [];
  for (const p of slot.pending) {
    if (p.item < item) {
      state = slot.decider.evolve(state, unstored(slot.stream, p));
      before += 1;
    } else if (p.item === item) own.push(p.event);
  }
  const decided = count > 0 ? own : undefined;
  return { ok: true, result: { stream: command.stream, newState: state, newEvents: [], revision: slot.revision, decided, provisional: before > 0 } };
}
