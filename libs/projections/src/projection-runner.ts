import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { InterruptibleDelay } from './interruptible-delay.js';
import { Logger } from '@nestjs/common';
import { upcasters } from '@app/domain';
import type { AllSubscription, EventStore, RecordedEvent } from '@app/event-store';
import { ProjectionFailedError, ProjectionTimeoutError, ProjectionsStoppedError } from './errors.js';
import { type Change, KeyedState, type StateView, digestState } from './keyed-state.js';
import { PROJECTION_NAME, type Projection } from './projection.js';
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
}

export type RunnerState = 'created' | 'catching-up' | 'live' | 'stopped' | 'failed';

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

interface Waiter {
  readonly position: bigint;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

type Outcome = 'done' | 'rebuild' | 'stopped';

const DEADLINE = Symbol('deadline');
/** Back-off between attempts to read a failing store. */
const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 30_000;

/**
 * Feeds projections from the event store and keeps their read models.
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
  private readonly batchSize: number;
  private readonly batchIntervalMs: number;
  private readonly commitOnce: boolean;
  private readonly upcast: (event: RecordedEvent) => RecordedEvent;
  private readonly logger: RunnerLogger;
  /** Event types some projection looks at: others are not upcast. */
  private readonly handledTypes = new Set<string>();

  private runState: RunnerState = 'created';
  private failure: Error | undefined;
  private stopping = false;
  private loop: Promise<void> | undefined;
  private subscription: AllSubscription | undefined;
  private readonly rebuildRequests = new Set<string>();
  /** Ends the back-off wait after a store failure (on stop). */
  private readonly retryDelay = new InterruptibleDelay();

  private uncommitted = 0;
  private events = 0;
  private deadline: Promise<typeof DEADLINE> | undefined;
  private deadlineTimer: NodeJS.Timeout | undefined;

  private readonly waiters = new Set<Waiter>();
  /** Smallest position a waiter waits for: most events need no look at the waiters. */
  private nextWaited: bigint | undefined;

  constructor(options: ProjectionRunnerOptions) {
    const names = new Set<string>();
    for (const p of options.projections) {
      if (!PROJECTION_NAME.test(p.name)) throw new Error(`Invalid projection name "${p.name}"`);
      if (names.has(p.name)) throw new Error(`Two projections are named "${p.name}"`);
      names.add(p.name);
      for (const type of p.eventTypes) this.handledTypes.add(type);
    }
    this.commitOnce = options.commitOnce ?? false;
    this.slots = options.projections.map((projection) => {
      const state = new KeyedState();
      if (!this.commitOnce) state.trackDirty();
      return { projection, state, position: NO_POSITION, committed: NO_POSITION, changed: false };
    });
    this.store = options.store;
    this.readModels = options.readModels;
    this.batchSize = this.commitOnce ? Number.POSITIVE_INFINITY : (options.batchSize ?? DEFAULT_BATCH_SIZE);
    this.batchIntervalMs = options.batchIntervalMs ?? DEFAULT_BATCH_INTERVAL_MS;
    this.upcast = options.upcast ?? ((event) => upcasters.upcast(event));
    this.logger = options.logger ?? new Logger('Projections');
  }

  /**
   * Loads the stored read models (rebuilding those of another version) and starts following
   * the store in the background. Resolves once loaded, before catching up: use
   * {@link catchUp} or {@link waitForPosition} to wait for the log.
   */
  async start(): Promise<void> {
    await this.load();
    this.runState = 'catching-up';
    this.loop = this.run();
  }

  /**
   * Applies every event up to the store's current head (or up to `until`), committing as it
   * goes, without following the log afterwards: a one-off build (`cli replay`, benchmarks).
   */
  async replay(options: { readonly until?: bigint } = {}): Promise<void> {
    await this.load();
    this.runState = 'catching-up';
    try {
      for (;;) {
        const outcome = await this.catchUp(options.until);
        if (outcome !== 'rebuild') break;
        await this.resetRequested();
      }
    } finally {
      this.commit();
      if (!this.failure) this.runState = 'stopped';
    }
    if (this.failure) throw this.failure;
  }

  /** Stops following the store and commits what was applied. Waiters are rejected. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.retryDelay.interrupt();
    await this.subscription?.close();
    await this.loop;
    this.clearDeadline();
    if (!this.failure) this.runState = 'stopped';
    this.rejectWaiters(new ProjectionsStoppedError());
  }

  /** Events read from the store since this runner started (every type, applied or not). */
  get eventsRead(): number {
    return this.events;
  }

  get state(): RunnerState {
    return this.runState;
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
   * returns the position it wrote). Rejects with {@link ProjectionTimeoutError} after
   * `timeoutMs`, or at once when the runner failed or stopped.
   */
  waitForPosition(position: bigint, timeoutMs: number): Promise<void> {
    if (this.position >= position) return Promise.resolve();
    if (this.failure) return Promise.reject(this.failure);
    if (this.runState === 'stopped') return Promise.reject(new ProjectionsStoppedError());
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        position,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.removeWaiter(waiter);
          reject(new ProjectionTimeoutError(position, this.position, timeoutMs));
        }, timeoutMs),
      };
      this.waiters.add(waiter);
      if (this.nextWaited === undefined || position < this.nextWaited) this.nextWaited = position;
    });
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
    if (this.runState === 'created' || this.runState === 'stopped' || this.runState === 'failed') {
      await this.resetRequested();
      return;
    }
    // The loop notices the request when the current read ends.
    await this.subscription?.close();
  }

  // ---- loading and resetting --------------------------------------------------------------

  private async load(): Promise<void> {
    for (const slot of this.slots) {
      const { name, version } = slot.projection;
      const stored = this.readModels.checkpoint(name);
      if (stored && stored.version === version) {
        slot.state.clear();
        const entries = this.readModels.load(name, slot.state);
        slot.state.forgetDirty();
        slot.position = slot.committed = stored.position;
        this.logger.log(`${name} v${version}: ${entries} entries, resuming after position ${stored.position < 0n ? 'start' : stored.position}`);
      } else {
        if (stored) this.logger.warn(`${name}: stored version ${stored.version}, definition version ${version}: rebuilding from position 0`);
        this.rebuildRequests.add(name);
      }
    }
    await this.resetRequested();
  }

  private async resetRequested(): Promise<void> {
    for (const slot of this.slots) {
      const { name, version } = slot.projection;
      if (!this.rebuildRequests.delete(name)) continue;
      this.readModels.reset(name, version);
      slot.state.clear();
      slot.position = slot.committed = NO_POSITION;
      for (const change of (await slot.projection.initialEntries?.(this.store)) ?? []) slot.state.apply(change);
      slot.changed = true;
      this.commitSlots([slot]);
      this.logger.log(`${name} v${version}: building from position 0`);
    }
  }

  // ---- the loop ----------------------------------------------------------------------------

  private async run(): Promise<void> {
    let retryMs = RETRY_MIN_MS;
    try {
      while (!this.stopping) {
        let outcome: Outcome;
        try {
          outcome = await this.catchUp();
          if (outcome === 'done' && !this.stopping) {
            this.runState = 'live';
            retryMs = RETRY_MIN_MS;
            outcome = await this.follow();
          }
        } catch (error) {
          // The store failed (connection lost, file locked): what was applied stays; read again.
          this.commit();
          if (this.stopping) break;
          this.logger.warn(`Reading the event store failed (${(error as Error).message}); retrying in ${retryMs} ms`);
          this.runState = 'catching-up';
          await this.retryDelay.wait(retryMs);
          retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
          continue;
        }
        this.commit();
        if (this.failure) return;
        if (this.stopping) break;
        if (this.rebuildRequests.size > 0 || outcome === 'rebuild') {
          this.runState = 'catching-up';
          await this.resetRequested();
          continue;
        }
        // The subscription ended without being asked to (the store closed): nothing to follow.
        if (outcome === 'done') break;
      }
    } catch (error) {
      this.fail(error as Error);
    } finally {
      this.commit();
      this.clearDeadline();
    }
  }

  /** Reads the log up to its end (or `until`), in batches. */
  private async catchUp(until?: bigint): Promise<Outcome> {
    const from = this.lowestPosition();
    for await (const event of this.store.readAll({ from: from < 0n ? undefined : from })) {
      if (until !== undefined && event.position > until) break;
      if (!this.apply(event)) return 'stopped';
      if (this.uncommitted >= this.batchSize) {
        this.commit();
        if (this.staleOrRequested()) return 'rebuild';
        if (this.stopping) return 'stopped';
        // Let requests in between batches: a long catch-up otherwise runs on microtasks only.
        await yieldToEventLoop();
      }
    }
    this.commit();
    return this.staleOrRequested() ? 'rebuild' : 'done';
  }

  /** Follows the log live until stopped, a rebuild is needed, or the subscription ends. */
  private async follow(): Promise<Outcome> {
    const from = this.lowestPosition();
    const subscription = this.store.subscribeAll({ from: from < 0n ? undefined : from });
    this.subscription = subscription;
    if (this.stopping) await subscription.close();
    const events = subscription[Symbol.asyncIterator]();
    try {
      for (;;) {
        const next = events.next();
        const result = this.deadline ? await Promise.race([next, this.deadline]) : await next;
        if (result === DEADLINE) {
          this.commit();
          if (this.staleOrRequested()) return 'rebuild';
          // The pending read is still the next event: wait for it without a deadline.
          const after = await next;
          if (after.done) return this.endOfSubscription();
          if (!this.apply(after.value)) return 'stopped';
          continue;
        }
        if (result.done) return this.endOfSubscription();
        if (!this.apply(result.value)) return 'stopped';
        if (this.uncommitted >= this.batchSize) {
          this.commit();
          if (this.staleOrRequested()) return 'rebuild';
          await yieldToEventLoop();
        }
      }
    } finally {
      this.subscription = undefined;
      await subscription.close();
    }
  }

  /** Why the subscription ended: stop, a rebuild request (it closes the subscription), or the store. */
  private endOfSubscription(): Outcome {
    return this.stopping ? 'stopped' : this.rebuildRequests.size > 0 ? 'rebuild' : 'done';
  }

  /** Applies one event to every projection that has not seen it. False when a projection failed. */
  private apply(recorded: RecordedEvent): boolean {
    const event = this.handledTypes.has(recorded.type) ? this.upcast(recorded) : recorded;
    for (const slot of this.slots) {
      // The checkpoint guard: an event at or below what a projection applied changes nothing.
      if (event.position <= slot.position) continue;
      if (slot.projection.eventTypes.has(event.type)) {
        let changes: readonly Change[];
        try {
          changes = slot.projection.evolve(slot.state, event);
        } catch (error) {
          this.fail(new ProjectionFailedError(slot.projection.name, event.position, { cause: error }));
          return false;
        }
        for (const change of changes) slot.state.apply(change);
        if (changes.length > 0) slot.changed = true;
      }
      slot.position = event.position;
    }
    this.events += 1;
    if (this.uncommitted++ === 0) this.startDeadline();
    if (this.nextWaited !== undefined && event.position >= this.nextWaited) this.notifyWaiters();
    return true;
  }

  private commit(): void {
    this.commitSlots(this.slots.filter((slot) => slot.position !== slot.committed || slot.changed));
    this.uncommitted = 0;
    this.clearDeadline();
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

  private fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    this.runState = 'failed';
    const cause = error.cause instanceof Error ? `: ${error.cause.stack ?? error.cause.message}` : '';
    this.logger.error(`${error.message}${cause}. The projections stop here until the cause is fixed.`);
    try {
      // What was applied before the failing event is good: keep it, then tell the waiters.
      this.commit();
    } catch (commitError) {
      this.logger.error(`Could not store the read models: ${(commitError as Error).message}`);
    }
    this.rejectWaiters(error);
  }

  // ---- batches and waiters -----------------------------------------------------------------

  private startDeadline(): void {
    this.deadline = new Promise((resolve) => {
      this.deadlineTimer = setTimeout(() => resolve(DEADLINE), this.batchIntervalMs);
    });
  }

  private clearDeadline(): void {
    clearTimeout(this.deadlineTimer);
    this.deadlineTimer = undefined;
    this.deadline = undefined;
  }

  private notifyWaiters(): void {
    const position = this.position;
    let next: bigint | undefined;
    for (const waiter of this.waiters) {
      if (waiter.position <= position) {
        this.removeWaiter(waiter, false);
        waiter.resolve();
      } else if (next === undefined || waiter.position < next) {
        next = waiter.position;
      }
    }
    this.nextWaited = next;
  }

  private removeWaiter(waiter: Waiter, recompute = true): void {
    clearTimeout(waiter.timer);
    this.waiters.delete(waiter);
    if (recompute) {
      let next: bigint | undefined;
      for (const w of this.waiters) if (next === undefined || w.position < next) next = w.position;
      this.nextWaited = next;
    }
  }

  private rejectWaiters(error: Error): void {
    for (const waiter of this.waiters) {
      this.removeWaiter(waiter, false);
      waiter.reject(error);
    }
    this.nextWaited = undefined;
  }
}
