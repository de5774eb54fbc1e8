import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { upcasters } from '@app/domain';
import { type EventStore, InvalidPositionError, type RecordedEvent, assertReadablePosition } from '@app/event-store';
import {
  ACTIVITY_PROJECTION,
  COORDINATOR_PROJECTIONS,
  type EntryValue,
  KeyedState,
  type MonthCandidates,
  NO_POSITION,
  type Projection,
  REPORT_LIST,
  type ReadModelSource,
  type ReportEntry,
  type StateView,
  applyEvent,
  reportListProjection,
} from '@app/projections';
import type { ChainStore } from './chain-store.js';
import { LedgerClock } from './ledger-clock.js';
import { LookupState, OverlayState, materialize } from './overlay-state.js';

/** Events between two snapshots: a query folds at most this many onto the snapshot before it. */
export const DEFAULT_SNAPSHOT_INTERVAL = 2_500;
/** Snapshots kept at most: a million events' worth at the default interval (about 1 MB each, see PointInTime). */
export const DEFAULT_MAX_SNAPSHOTS = 400;
/**
 * Events folded (or stream histories read back) between two turns of the event loop: a snapshot
 * window folded in one go held the api's requests for ~60 ms every 2,500 events while the
 * snapshots were built in the background (figure 2 of BENCHMARKS.md).
 */
const FOLD_SLICE = 250;

/** The projections' states after the log's first `sequence` events (the last at `position`). */
interface Snapshot {
  readonly sequence: number;
  /** NO_POSITION for the snapshot before the first event. */
  readonly position: bigint;
  readonly states: ReadonlyMap<string, KeyedState>;
}

/** A position or instant the ledger cannot be evaluated at; `field` names the argument. */
export class PointInTimeError extends Error {
  override readonly name = 'PointInTimeError';
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field} ${reason}`);
  }
}

/**
 * Why a point in time names no point, or undefined when it gives exactly one of position and
 * recordedAt (absent and null alike are not given): the reason for field `at`.
 */
export function pointInTimeChoiceRefusal(at: { readonly position?: unknown; readonly recordedAt?: unknown }): string | undefined {
  const given = [at.position, at.recordedAt].filter((v) => v !== undefined && v !== null).length;
  return given === 1 ? undefined : `must give exactly one of position and recordedAt (got ${given === 0 ? 'neither' : 'both'})`;
}

/** The read models as the ledger stood at a position: what a ProjectionSnapshot reads. */
export interface PointInTimeView extends ReadModelSource {
  /** The position evaluated at (0n: before the first event). */
  readonly position: bigint;
  /** Events applied: the log's first `events` events. */
  readonly events: number;
}

export interface PointInTimeOptions {
  readonly store: EventStore;
  /** The audit index, to resolve instants fast (see LedgerClock). */
  readonly chain?: ChainStore;
  readonly projections?: readonly Projection[];
  readonly interval?: number;
  /** Snapshots kept in memory at most (the least recently used go first; the one before the first event stays). */
  readonly maxSnapshots?: number;
  /** Evaluated positions kept for repeated queries. */
  readonly cachedResults?: number;
  readonly upcast?: (event: RecordedEvent) => RecordedEvent;
}

/** A fold crossed a plan amendment that needs figures snapshots did not keep: rebuild them. */
class StaleSnapshotsError extends Error {}

/**
 * Evaluates the coordinator read models as the ledger stood at any past position, for auditors:
 * the same projections and the same queries (a ProjectionSnapshot over the view), so the answer
 * equals what the live read models gave when the projections had reached that position.
 *
 * How it stays fast on a long log: snapshots of the projections' states after every `interval`
 * events of the global log (event 2,500, 5,000, …), kept in memory. A query folds the events
 * between the nearest snapshot before its position and the position — at most `interval` —
 * into an overlay that leaves the snapshot untouched; a fold that passes a snapshot boundary
 * makes that snapshot on the way. Snapshots share every entry that did not change between
 * them and leave out the tables each projection declares stream-local (`streamLocalTables`:
 * the activity projection's report register, one entry per report ever counted, nearly the
 * whole state at a million events, read by no query and by evolve only for the event's own
 * stream; a fold rebuilds the entries it needs from the streams involved — and the month index of
 * reports, which only figures as of a day inside a month read: views here say `exactDays: false`,
 * and such an asOf is refused, see figuresAsOf), so each costs about 1 MB for
 * the 2022–2023 plan at a million events (400 MB for the 400 snapshots of a million events at
 * the default interval: a larger interval trades memory for latency, linearly). Measured there:
 * p50 40 ms, p95 under 100 ms for a random past position, planProgress and fundingSummary
 * included. The first query far beyond the last snapshot folds everything in between (about
 * 25 s per million events), which the api does in the background as the log grows (`warm`,
 * a slice at a time so queries are not held up). After a restart they are built again.
 */
export class PointInTime {
  private readonly store: EventStore;
  private readonly projections: readonly Projection[];
  private readonly interval: number;
  private readonly maxSnapshots: number;
  private readonly cachedResults: number;
  private readonly upcast: (event: RecordedEvent) => RecordedEvent;
  private readonly handled = new Set<string>();
  private readonly clock: LedgerClock;
  /** By sequence (so by position). */
  private snapshots: Snapshot[] = [];
  private readonly lastUse = new Map<Snapshot, number>();
  private uses = 0;
  private readonly results = new Map<bigint, PointInTimeView>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: PointInTimeOptions) {
    this.store = options.store;
    this.projections = options.projections ?? COORDINATOR_PROJECTIONS;
    this.interval = options.interval ?? DEFAULT_SNAPSHOT_INTERVAL;
    if (!Number.isInteger(this.interval) || this.interval < 1) throw new Error(`Invalid snapshot interval ${this.interval}`);
    this.maxSnapshots = Math.max(2, options.maxSnapshots ?? DEFAULT_MAX_SNAPSHOTS);
    this.cachedResults = options.cachedResults ?? 8;
    this.upcast = options.upcast ?? ((event) => upcasters.upcast(event));
    for (const p of this.projections) for (const type of p.eventTypes) this.handled.add(type);
    this.clock = new LedgerClock(options.store, options.chain);
  }

  /** The position a point in time names: itself, or the last position recorded by the instant. */
  async resolve(at: { readonly position?: bigint; readonly recordedAt?: Date }): Promise<bigint> {
    const choice = pointInTimeChoiceRefusal(at);
    if (choice !== undefined) throw new PointInTimeError('at', choice);
    if (at.position !== undefined) {
      // Before the store reads from it: a number of more digits than a position has is one, past the end.
      const head = await this.store.headPosition();
      if (at.position > head) throw new PointInTimeError('at.position', `is beyond the end of the log (its last position is ${head})`);
      try {
        await assertReadablePosition(this.store, at.position);
      } catch (error) {
        if (error instanceof InvalidPositionError) throw new PointInTimeError('at.position', `${error.reason}: give a position the ledger returned`);
        throw error;
      }
      return at.position;
    }
    if (Number.isNaN(at.recordedAt!.getTime())) throw new PointInTimeError('at.recordedAt', 'is not a valid instant');
    return (await this.clock.positionAt(at.recordedAt!)) ?? NO_POSITION;
  }

  /** The read models after every event at or before `position` (NO_POSITION: before the first). */
  async at(position: bigint): Promise<PointInTimeView> {
    const key = position < 0n ? NO_POSITION : position;
    const cached = this.cachedResult(key);
    if (cached) return cached;
    return this.exclusive(async () => {
      const again = this.cachedResult(key);
      if (again) return again;
      const head = await this.store.headPosition();
      if (key > head) throw new PointInTimeError('at.position', `is beyond the end of the log (its last position is ${head})`);
      let view: PointInTimeView;
      try {
        view = await this.compute(key);
      } catch (error) {
        if (!(error instanceof StaleSnapshotsError)) throw error;
        // A plan amendment needs figures the snapshots did not keep: start again from position 0.
        this.snapshots = [];
        this.lastUse.clear();
        this.results.clear();
        view = await this.compute(key);
      }
      this.results.set(key, view);
      if (this.results.size > this.cachedResults) this.results.delete(this.results.keys().next().value!);
      return view;
    });
  }

  /**
   * Builds the snapshots up to the log's head (the api calls it in the background), a slice of
   * `slice` snapshots at a time so that queries waiting meanwhile are served in between;
   * `beforeSlice` may hold each slice back (the api waits for a quiet moment, `quietMoment`);
   * an aborted `signal` stops it before the next slice.
   */
  async warm(options: { readonly slice?: number; readonly beforeSlice?: () => Promise<unknown>; readonly signal?: AbortSignal } = {}): Promise<void> {
    const head = await this.store.headPosition();
    for (;;) {
      await options.beforeSlice?.();
      if (options.signal?.aborted) return;
      const done = await this.exclusive(() => this.extend(head, options.slice ?? 20));
      if (done) return;
    }
  }

  /** Snapshots held, and the events the last one covers. */
  stats(): { readonly snapshots: number; readonly lastSnapshotEvents: number; readonly interval: number } {
    return { snapshots: this.snapshots.length, lastSnapshotEvents: this.snapshots[this.snapshots.length - 1]?.sequence ?? 0, interval: this.interval };
  }

  private cachedResult(key: bigint): PointInTimeView | undefined {
    const view = this.results.get(key);
    if (view) {
      this.results.delete(key);
      this.results.set(key, view);
    }
    return view;
  }

  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async compute(position: bigint): Promise<PointInTimeView> {
    const { base, window, sequence } = await this.walk(await this.baseFor(position), position);
    const overlays = await this.fold(base, window);
    const states = new Map<string, StateView>(this.projections.map((p) => [p.name, overlays.get(p.name) ?? base.states.get(p.name)!]));
    const activity = this.projections.find((p) => p.name === ACTIVITY_PROJECTION);
    return {
      position: position < 0n ? 0n : position,
      events: sequence,
      // Snapshots leave the report register and the month index out (streamLocalTables).
      exactDays: false,
      view(name: string): StateView {
        const state = states.get(name);
        if (!state) throw new Error(`No projection named "${name}"`);
        return state;
      },
      monthView: activity ? (groups, candidates) => this.monthView(activity, states.get(activity.name)!, position, groups, candidates) : undefined,
      reportsAt: (streams) => this.reportsAt(position, streams),
    };
  }

  /**
   * The report list's entries of `streams` as they stood at `position` (none for a report not
   * recorded by then): each stream read back and folded alone up to it with the report list's own
   * evolve, as {@link lookups} rebuilds register entries. Snapshots never hold the report list
   * (one entry per report with its details); ProjectionSnapshot.reportList asks this only for
   * the reports the live list shows changed after `position`. Cost: one stream read per stream.
   */
  private async reportsAt(position: bigint, streams: readonly string[]): Promise<ReadonlyMap<string, ReportEntry>> {
    const entries = new Map<string, ReportEntry>();
    if (position < 0n || streams.length === 0) return entries;
    const excluded = new Set([REPORT_LIST.name]);
    const lookups = new Map([[REPORT_LIST.name, new Map<string, EntryValue | undefined>()]]);
    await this.readBack(reportListProjection, new KeyedState(), position, streams, excluded, lookups);
    for (const value of lookups.get(REPORT_LIST.name)!.values()) {
      if (value !== undefined) entries.set((value as ReportEntry).stream, value as ReportEntry);
    }
    return entries;
  }

  /**
   * The activity state at `position` (`state`) with the month index groups `groups` and their
   * reports' register entries as they stood there: every candidate stream (the live month index
   * lists each report ever in a group, up to a later position) read back and folded alone up to
   * `position`, as {@link lookups} does for a window's streams. What the left-out tables then hold
   * is their value at `position`, so figures as of a day inside those months are exact. Cost: one
   * stream read per candidate, 64 at a time.
   */
  private async monthView(
    projection: Projection,
    state: StateView,
    position: bigint,
    groups: readonly string[],
    candidates: MonthCandidates,
  ): Promise<StateView> {
    const excluded = excludedOf(projection);
    const lookups = new Map([...excluded].map((t) => [t, new Map<string, EntryValue | undefined>()]));
    if (position < 0n) return new LookupState(state, lookups);
    const streams = new Set<string>();
    for (const listed of (await candidates(position, groups)).values()) for (const stream of listed) streams.add(stream);
    await this.readBack(projection, state, position, [...streams], excluded, lookups);
    return new LookupState(state, lookups);
  }

  /** Makes up to `count` more snapshots towards `head`; true when none is left to make. */
  private async extend(head: bigint, count: number): Promise<boolean> {
    let made = 0;
    try {
      return (await this.walk(await this.baseFor(head), head, () => ++made < count)).complete;
    } catch (error) {
      if (!(error instanceof StaleSnapshotsError)) throw error;
      this.snapshots = [];
      this.lastUse.clear();
      this.results.clear();
      return false;
    }
  }

  /**
   * Reads the log after `base` up to `until`, making a snapshot at every `interval`-th event on
   * the way; after each, `more` (when given) says whether to go on. Returns the last snapshot,
   * the events read after it, the sequence reached, and whether `until` (or the log's end) was.
   */
  private async walk(
    from: Snapshot,
    until: bigint,
    more?: () => boolean,
  ): Promise<{ base: Snapshot; window: RecordedEvent[]; sequence: number; complete: boolean }> {
    let base = from;
    let window: RecordedEvent[] = [];
    let sequence = base.sequence;
    let boundary = (Math.floor(sequence / this.interval) + 1) * this.interval;
    for await (const event of this.store.readAll({ from: base.position < 0n ? undefined : base.position })) {
      if (event.position > until) break;
      window.push(event);
      sequence += 1;
      if (sequence % (4 * FOLD_SLICE) === 0) await yieldToEventLoop();
      if (sequence !== boundary) continue;
      base = this.snapshotAfter(base, await this.fold(base, window), sequence, event.position);
      window = [];
      boundary += this.interval;
      if (more && !more()) return { base, window, sequence, complete: false };
      // A long build (a first query, warm) leaves room for requests between windows.
      await yieldToEventLoop();
    }
    return { base, window, sequence, complete: true };
  }

  private snapshotAfter(base: Snapshot, overlays: Map<string, OverlayState>, sequence: number, position: bigint): Snapshot {
    return this.remember({
      sequence,
      position,
      states: new Map(this.projections.map((p) => [p.name, materialize(base.states.get(p.name)!, overlays.get(p.name), excludedOf(p))])),
    });
  }

  /** The latest snapshot at or before `position` (making the one before the first event when there is none). */
  private async baseFor(position: bigint): Promise<Snapshot> {
    let low = 0;
    let high = this.snapshots.length - 1;
    let found: Snapshot | undefined;
    while (low <= high) {
      const middle = (low + high) >> 1;
      if (this.snapshots[middle].position <= position) {
        found = this.snapshots[middle];
        low = middle + 1;
      } else {
        high = middle - 1;
      }
    }
    if (found) {
      this.lastUse.set(found, ++this.uses);
      return found;
    }
    const states = new Map<string, KeyedState>();
    for (const p of this.projections) {
      const state = new KeyedState();
      for (const change of (await p.initialEntries?.(this.store)) ?? []) state.apply(change);
      states.set(p.name, materialize(state, undefined, excludedOf(p)));
    }
    return this.remember({ sequence: 0, position: NO_POSITION, states });
  }

  private remember(snapshot: Snapshot): Snapshot {
    const at = this.snapshots.findIndex((s) => s.sequence >= snapshot.sequence);
    if (at < 0) this.snapshots.push(snapshot);
    else if (this.snapshots[at].sequence === snapshot.sequence) this.snapshots[at] = snapshot;
    else this.snapshots.splice(at, 0, snapshot);
    this.lastUse.set(snapshot, ++this.uses);
    if (this.snapshots.length > this.maxSnapshots) {
      // The least recently used goes; the one before the first event (sequence 0) always stays.
      let victim: Snapshot | undefined;
      for (const s of this.snapshots) {
        if (s.sequence === 0 || s === snapshot) continue;
        if (!victim || this.lastUse.get(s)! < this.lastUse.get(victim)!) victim = s;
      }
      if (victim) {
        this.snapshots = this.snapshots.filter((s) => s !== victim);
        this.lastUse.delete(victim);
      }
    }
    return snapshot;
  }

  /** Folds the events after `base` into an overlay per projection (the snapshot is not touched). */
  private async fold(base: Snapshot, raw: readonly RecordedEvent[]): Promise<Map<string, OverlayState>> {
    const window = raw.filter((e) => e.position > base.position).map((e) => (this.handled.has(e.type) ? this.upcast(e) : e));
    const overlays = new Map<string, OverlayState>();
    for (const p of this.projections) {
      const state = base.states.get(p.name)!;
      const excluded = excludedOf(p);
      const view = excluded.size > 0 ? new LookupState(state, await this.lookups(p, state, base.position, window, excluded)) : state;
      const overlay = new OverlayState(view);
      let folded = 0;
      for (const event of window) {
        if (!p.eventTypes.has(event.type)) continue;
        applyEvent(p, overlay, event);
        // Snapshots never change and this fold's overlay is its own: nothing moves meanwhile.
        if (++folded % FOLD_SLICE === 0) await yieldToEventLoop();
      }
      if (p.needsRebuild?.(overlay)) throw new StaleSnapshotsError(p.name);
      overlays.set(p.name, overlay);
    }
    return overlays;
  }

  /**
   * The entries of the left-out tables the window's events will read: for each stream that has
   * an event in the window but began before it, its stream read back and folded up to the
   * snapshot, alone, in a scratch overlay — whatever that writes to those tables is their value
   * at the snapshot.
   */
  private async lookups(
    projection: Projection,
    state: KeyedState,
    basePosition: bigint,
    window: readonly RecordedEvent[],
    excluded: ReadonlySet<string>,
  ): Promise<Map<string, Map<string, EntryValue | undefined>>> {
    const lookups = new Map([...excluded].map((t) => [t, new Map<string, EntryValue | undefined>()]));
    const begun = new Set<string>();
    const needed = new Set<string>();
    for (const event of window) {
      if (!projection.eventTypes.has(event.type)) continue;
      if (event.revision === 0n) begun.add(event.stream);
      else if (!begun.has(event.stream)) needed.add(event.stream);
    }
    if (needed.size === 0 || basePosition < 0n) return lookups;
    await this.readBack(projection, state, basePosition, [...needed], excluded, lookups);
    return lookups;
  }

  /**
   * Each stream read back and folded alone, up to `position`, in a scratch overlay over `state`
   * with the left-out tables empty; what that writes to them goes into `lookups` (`group\u0000key`).
   */
  private async readBack(
    projection: Projection,
    state: StateView,
    position: bigint,
    streams: readonly string[],
    excluded: ReadonlySet<string>,
    lookups: Map<string, Map<string, EntryValue | undefined>>,
  ): Promise<void> {
    const empty = new Map([...excluded].map((t) => [t, new Map<string, EntryValue | undefined>()]));
    for (let i = 0; i < streams.length; i += 64) {
      if (i > 0 && i % FOLD_SLICE < 64) await yieldToEventLoop();
      const histories = await Promise.all(streams.slice(i, i + 64).map((stream) => this.store.readStream(stream)));
      for (const history of histories) {
        const scratch = new OverlayState(new LookupState(state, empty));
        for (const stored of history) {
          if (stored.position > position) break;
          if (!projection.eventTypes.has(stored.type)) continue;
          applyEvent(projection, scratch, this.upcast(stored));
        }
        for (const [table, group, key, value] of scratch.changed()) {
          if (excluded.has(table)) lookups.get(table)!.set(`${group}\u0000${key}`, value);
        }
      }
    }
  }
}

function excludedOf(projection: Projection): ReadonlySet<string> {
  return new Set(projection.streamLocalTables ?? []);
}
