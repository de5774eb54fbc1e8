import { Logger } from '@nestjs/common';
import { upcasters } from '@app/domain';
import {
  type ConsumerState,
  type ConsumerStatus,
  type EventStore,
  LogConsumer,
  type LogConsumerBoard,
  type RecordedEvent,
} from '@app/event-store';
import { ProjectionTimeoutError, ProjectionsStoppedError } from './errors.js';
import { type Change, KeyedState, type StateView, digestState } from './keyed-state.js';
import { PROJECTION_NAME, type Projection, changesOf } from './projection.js';
import { NO_POSITION, type ReadModelStore } from './read-model-store.js';

/** Where the runner reports what it does; Nest's Logger fits. */
export interface RunnerLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface ProjectionRunnerOptions {
  readonly store: EventStore;
  readonly readModels: ReadModelStore;
  readonly projections: readonly Projection[];
  /** A batch (one SQLite transaction) ends after this many events… */
  readonly batchSize?: number;
  /** …or this long after its first event, whichever comes first. */
  readonly batchIntervalMs?: number;
  /**
   * A one-off build into a fresh file (replayProjections): no change tracking and no commit
   * before the end, where each projection's whole state is written in one transaction. Tracking
   * which entries changed (a map and set operation per change) and writing them batch by batch
   * is what lets a live runner resume after a crash; a one-off build that stops half-way is
   * started again from nothing anyway, so it saves that work. Live runners leave it off.
   */
  readonly commitOnce?: boolean;
  /** Reads the stored event as current code expects it; default: the domain's upcasters. */
  readonly upcast?: (event: RecordedEvent) => RecordedEvent;
  readonly logger?: RunnerLogger;
  /** Where its log consumer (`projections`) registers for readiness and metrics. */
  readonly board?: LogConsumerBoard;
}

/** The runner's state: its log consumer's (created, catching-up, live, retrying, failed, stopped). */
export type RunnerState = ConsumerState;

export interface ProjectionStatus {
  readonly name: string;
  readonly version: number;
  /** Last event applied to the in-memory state (what queries see); 0n before the first. */
  readonly position: bigint;
  /** Last event whose effects are in the read-model file. */
  readonly committedPosition: bigint;
  /** Entries in the state. */
  readonly entries: number;
}

/** Defaults: live batches stay small so a crash loses little; the interval bounds write latency. */
export const DEFAULT_BATCH_SIZE = 5_000;
export const DEFAULT_BATCH_INTERVAL_MS = 200;

interface Slot {
  readonly projection: Projection;
  /** With dirty tracking on: what changed since the last commit is found there. */
  readonly state: KeyedState;
  /** Last event applied (NO_POSITION before the first). */
  position: bigint;
  committed: bigint;
  /** Whether entries changed since the last commit. */
  changed: boolean;
}

/**
 * Feeds projections from the event store and keeps their read models, as the handler of a
 * {@link LogConsumer} named `projections` (filter, checkpoint, retry and the failed state are
 * the consumer's).
 *
 * - One pass over the global log serves every projection: each skips the events at or below
 *   its own checkpoint, so processing an event twice changes nothing, and a projection being
 *   rebuilt from 0 can run next to ones that are up to date.
 * - Evolve is applied per event to the in-memory state (queries are served from memory); the
 *   changed entries and the checkpoints are written to SQLite in one transaction per batch
 *   (up to `batchSize` events or `batchIntervalMs`, whichever first).
 * - On start it loads each projection's entries and resumes after its checkpoint; a projection
 *   whose stored version differs from its definition is dropped and rebuilt from position 0.
 * - It first catches up by reading the log (`readAll`), then follows it (`subscribeAll`).
 *   It uses only the EventStore port, so it runs over any adapter. It is not fed by the
 *   in-process EventBus: every api instance sees every stored event, exactly once.
 */
export class ProjectionRunner {
  private readonly slots: Slot[];
  private readonly store: EventStore;
  private readonly readModels: ReadModelStore;
  private readonly commitOnce: boolean;
  private readonly upcast: (event: RecordedEvent) => RecordedEvent;
  private readonly logger: RunnerLogger;
  private readonly consumer: LogConsumer;
  /**
   * For each event type some projection looks at, the slots of those projections (in slot
   * order). Other types are not upcast and only move positions on; a type one projection
   * handles skips the all-or-none staging of {@link apply}.
   */
  private readonly slotsByType = new Map<string, Slot[]>();
  private readonly rebuildRequests = new Set<string>();
  private events = 0;

  constructor(options: ProjectionRunnerOptions) {
    const names = new Set<string>();
    for (const p of options.projections) {
      if (!PROJECTION_NAME.test(p.name)) throw new Error(`Invalid projection name "${p.name}"`);
      if (names.has(p.name)) throw new Error(`Two projections are named "${p.name}"`);
      names.add(p.name);
    }
    this.commitOnce = options.commitOnce ?? false;
    this.slots = options.projections.map((projection) => {
      const state = new KeyedState();
      if (!this.commitOnce) state.trackDirty();
      return { projection, state, position: NO_POSITION, committed: NO_POSITION, changed: false };
    });
    for (const slot of this.slots) {
      for (const type of slot.projection.eventTypes) {
        const slots = this.slotsByType.get(type);
        if (slots) slots.push(slot);
        else this.slotsByType.set(type, [slot]);
      }
    }
    this.store = options.store;
    this.readModels = options.readModels;
    this.upcast = options.upcast ?? ((event) => upcasters.upcast(event));
    this.logger = options.logger ?? new Logger('Projections');
    this.consumer = new LogConsumer({
      name: 'projections',
      store: options.store,
      handler: {
        from: () => {
          const lowest = this.lowestPosition();
          return lowest < 0n ? undefined : lowest;
        },
        apply: (event) => this.apply(event),
        commit: () => this.commit(),
        restartNeeded: () => this.staleOrRequested(),
        reset: async () => {
          const built = await this.resetRequested();
          if (built.length > 0) this.logger.log(built.map((b) => `${b}: building from position 0`).join('; '));
        },
      },
      batchSize: this.commitOnce ? Number.POSITIVE_INFINITY : (options.batchSize ?? DEFAULT_BATCH_SIZE),
      batchIntervalMs: options.batchIntervalMs ?? DEFAULT_BATCH_INTERVAL_MS,
      timeoutError: (position, reached, timeoutMs) => new ProjectionTimeoutError(position, reached, timeoutMs),
      stoppedError: () => new ProjectionsStoppedError(),
      logger: this.logger,
      board: options.board,
    });
  }

  /**
   * Loads the stored read models (rebuilding those of another version) and starts following
   * the store in the background. Resolves once loaded, before catching up: use
   * {@link catchUp} or {@link waitForPosition} to wait for the log.
   */
  async start(): Promise<void> {
    await this.load();
    this.consumer.start();
  }

  /**
   * Applies every event up to the store's current head (or up to `until`), committing as it
   * goes, without following the log afterwards: a one-off build (`cli replay`, benchmarks).
   * Throws ProjectionFailedError at an event a projection cannot apply (what came before it is
   * committed).
   */
  async replay(options: { readonly until?: bigint } = {}): Promise<void> {
    await this.load();
    await this.consumer.catchUp({ until: options.until });
  }

  /** Stops following the store and commits what was applied. Waiters are rejected. */
  async stop(): Promise<void> {
    await this.consumer.stop();
  }

  /** The state of its log consumer, for readiness and metrics. */
  consumerStatus(): ConsumerStatus {
    return this.consumer.status();
  }

  /** Events read from the store since this runner started (every type, applied or not). */
  get eventsRead(): number {
    return this.events;
  }

  get state(): RunnerState {
    return this.consumer.state;
  }

  /** The position every projection has applied (the slowest one); 0n before the first event. */
  get position(): bigint {
    let min: bigint | undefined;
    for (const slot of this.slots) if (min === undefined || slot.position < min) min = slot.position;
    return min === undefined || min < 0n ? 0n : min;
  }

  /** How far the projections are behind the store: head − position (0n when caught up). */
  async lag(): Promise<bigint> {
    const head = await this.store.headPosition();
    const position = this.position;
    return head > position ? head - position : 0n;
  }

  status(): ProjectionStatus[] {
    return this.slots.map((slot) => ({
      name: slot.projection.name,
      version: slot.projection.version,
      position: slot.position < 0n ? 0n : slot.position,
      committedPosition: slot.committed < 0n ? 0n : slot.committed,
      entries: slot.state.size,
    }));
  }

  /** The live state of a projection, for queries. Read it synchronously: it moves between ticks. */
  view(name: string): StateView {
    return this.slot(name).state;
  }

  /** sha256 of a projection's state (see digestState): equal states, equal digests. */
  digest(name: string): string {
    return digestState(this.slot(name).state);
  }

  digests(): Record<string, string> {
    return Object.fromEntries(this.slots.map((slot) => [slot.projection.name, digestState(slot.state)]));
  }

  /**
   * Resolves once every projection has applied `position` (read-your-writes: a mutation
   * returns the position it wrote). Rejects like every log consumer's wait: with
   * {@link ProjectionTimeoutError} after `timeoutMs`, with the failure (ProjectionFailedError)
   * once the runner failed, with ProjectionsStoppedError once stopped.
   */
  waitForPosition(position: bigint, timeoutMs: number): Promise<void> {
    if (this.position >= position) return Promise.resolve();
    return this.consumer.waitForPosition(position, timeoutMs);
  }

  /** Resolves once the projections have applied everything the store held when called. */
  async catchUpToHead(timeoutMs: number): Promise<void> {
    await this.waitForPosition(await this.store.headPosition(), timeoutMs);
  }

  /**
   * Rebuilds projections (all when no names are given) from position 0 while running: their
   * state is dropped and the log replayed; the others carry on from where they are.
   */
  async rebuild(names?: readonly string[]): Promise<void> {
    for (const name of names ?? this.slots.map((s) => s.projection.name)) {
      this.slot(name);
      this.rebuildRequests.add(name);
    }
    // A running consumer resets (resetRequested) when its current read ends; another one now.
    await this.consumer.restart();
  }

  // ---- loading and resetting --------------------------------------------------------------

  private async load(): Promise<void> {
    const resumed: string[] = [];
    for (const slot of this.slots) {
      const { name, version } = slot.projection;
      const stored = this.readModels.checkpoint(name);
      if (stored && stored.version === version) {
        slot.state.clear();
        const entries = this.readModels.load(name, slot.state);
        slot.state.forgetDirty();
        slot.position = slot.committed = stored.position;
        resumed.push(`${name} v${version}: ${entries} entries, resuming after position ${stored.position < 0n ? 'start' : stored.position}`);
      } else {
        if (stored) this.logger.warn(`${name}: stored version ${stored.version}, definition version ${version}: rebuilding from position 0`);
        this.rebuildRequests.add(name);
      }
    }
    const built = await this.resetRequested();
    // One start-up line for all projections (docs/operations.md: a start-up log of a few lines).
    const parts = [...resumed, ...built.map((b) => `${b}: building from position 0`)];
    if (parts.length > 0) this.logger.log(parts.join('; '));
  }

  /** Resets the projections asked to rebuild; returns them as "name vN". */
  private async resetRequested(): Promise<string[]> {
    const reset: string[] = [];
    for (const slot of this.slots) {
      const { name, version } = slot.projection;
      if (!this.rebuildRequests.delete(name)) continue;
      this.readModels.reset(name, version);
      slot.state.clear();
      slot.position = slot.committed = NO_POSITION;
      for (const change of (await slot.projection.initialEntries?.(this.store)) ?? []) slot.state.apply(change);
      slot.changed = true;
      this.commitSlots([slot]);
      reset.push(`${name} v${version}`);
    }
    return reset;
  }

  // ---- the consumer's handler ------------------------------------------------------------

  /**
   * Applies one event to every projection that has not seen it — to all of them or to none:
   * every projection's changes are computed first, so an event one of them cannot apply
   * (ProjectionFailedError, see changesOf) leaves every state as it was, and the consumer
   * stops at it.
   */
  private apply(recorded: RecordedEvent): void {
    const position = recorded.position;
    const handlers = this.slotsByType.get(recorded.type);
    if (handlers !== undefined) {
      const event = this.upcast(recorded);
      if (handlers.length === 1) {
        // One projection looks at it: all or none holds without staging.
        const slot = handlers[0];
        if (position > slot.position) {
          const changes = changesOf(slot.projection, slot.state, event);
          if (changes.length > 0) applyChanges(slot, changes);
        }
      } else {
        this.applyToAll(handlers, event);
      }
    }
    // Every projection has now seen it, whether it looks at its type or not.
    const slots = this.slots;
    for (let i = 0; i < slots.length; i++) if (position > slots[i].position) slots[i].position = position;
    this.events += 1;
  }

  /** Several projections look at the event: every one's changes are computed before any is applied. */
  private applyToAll(handlers: readonly Slot[], event: RecordedEvent): void {
    let pending: (readonly Change[])[] | undefined;
    for (let i = 0; i < handlers.length; i++) {
      const slot = handlers[i];
      // The checkpoint guard: an event at or below what a projection applied changes nothing.
      if (event.position <= slot.position) continue;
      const changes = changesOf(slot.projection, slot.state, event);
      if (changes.length > 0) (pending ??= [])[i] = changes;
    }
    if (!pending) return;
    for (let i = 0; i < handlers.length; i++) {
      const changes = pending[i];
      if (changes) applyChanges(handlers[i], changes);
    }
  }

  private commit(): void {
    this.commitSlots(this.slots.filter((slot) => slot.position !== slot.committed || slot.changed));
  }

  private commitSlots(slots: readonly Slot[]): void {
    if (slots.length === 0) return;
    this.readModels.commit(
      slots.map((slot) => ({
        name: slot.projection.name,
        version: slot.projection.version,
        position: slot.position,
        state: slot.state,
        whole: this.commitOnce,
      })),
    );
    for (const slot of slots) {
      slot.changed = false;
      slot.committed = slot.position;
    }
  }

  private staleOrRequested(): boolean {
    for (const slot of this.slots) {
      if (slot.projection.needsRebuild?.(slot.state)) {
        this.logger.warn(`${slot.projection.name}: its state can no longer be kept up to date by evolving; rebuilding from position 0`);
        this.rebuildRequests.add(slot.projection.name);
      }
    }
    return this.rebuildRequests.size > 0;
  }

  private lowestPosition(): bigint {
    let min = this.slots.length ? this.slots[0].position : NO_POSITION;
    for (const slot of this.slots) if (slot.position < min) min = slot.position;
    return min;
  }

  private slot(name: string): Slot {
    const slot = this.slots.find((s) => s.projection.name === name);
    if (!slot) throw new Error(`No projection named "${name}"`);
    return slot;
  }
}

/** Applies one event's changes to a projection's state (computed beforehand, so none is half-applied). */
function applyChanges(slot: Slot, changes: readonly Change[]): void {
  for (let c = 0; c < changes.length; c++) slot.state.apply(changes[c]);
  slot.changed = true;
}
