import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  Optional,
} from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { DomainError, PERIOD_STREAM_PREFIX } from '@app/domain';
import { EVENT_STORE, type EventStore, LOG_CONSUMERS, type LogConsumerBoard } from '@app/event-store';
import {
  ACTIVITY_PROJECTION,
  API_PROJECTIONS,
  MONTH_REPORTS,
  type LiveReportList,
  type MonthCandidates,
  PERIODS_PROJECTION,
  REPORT_LIST_PROJECTION,
  ProjectionRunner,
  ProjectionSnapshot,
  ReadModelStore,
  periodEntry,
  readModelsFile,
} from '@app/projections';
import type { PeriodLocks, PeriodStatusLookup } from '../common/period-locks.token.js';
import type { PointInTimeInput } from '../common/dto/point-in-time.input.js';
import { POINT_IN_TIME_SNAPSHOTS, type PointInTimeSnapshots } from '../common/point-in-time.token.js';

// Any number of digits: a position is a whole number however long; one the read models do not reach in time is a TIMEOUT.
const POSITION = /^\d+$/;

/**
 * The coordinator read models in this api instance: the projection runner (started when the
 * application has bootstrapped, stopped before it shuts down) over `<DATA_DIR>/read-models.db`,
 * and the per-request snapshots the resolvers read.
 */
@Injectable()
export class ProjectionsService implements OnApplicationBootstrap, BeforeApplicationShutdown, PeriodLocks {
  readonly runner: ProjectionRunner;
  private readonly readModels: ReadModelStore;
  private readonly timeoutMs: number;
  /** One snapshot per GraphQL request (keyed by its context object): no N+1, one consistent view. */
  private readonly snapshots = new WeakMap<object, ProjectionSnapshot>();
  /** Whether {@link headSinceNow} read the head at once in this event-loop turn. */
  private headReadThisTurn = false;
  /** The read later callers of this turn share (see headSinceNow). */
  private sharedHeadRead: Promise<bigint> | undefined;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(APP_CONFIG) config: AppConfig,
    @Optional() @Inject(POINT_IN_TIME_SNAPSHOTS) private readonly pointInTime?: PointInTimeSnapshots,
    @Optional() @Inject(LOG_CONSUMERS) board?: LogConsumerBoard,
  ) {
    this.readModels = ReadModelStore.open(readModelsFile(config.dataDir));
    this.runner = new ProjectionRunner({ store, readModels: this.readModels, projections: API_PROJECTIONS, logger: new Logger('Projections'), board });
    // Validated with every other variable by the config schema (READ_YOUR_WRITES_TIMEOUT_MS).
    this.timeoutMs = config.readYourWritesTimeoutMs;
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.runner.start();
  }

  // Before shutdown (not on it): the event store closes on application shutdown.
  async beforeApplicationShutdown(): Promise<void> {
    await this.runner.stop();
    this.readModels.close();
  }

  /**
   * The request's snapshot of the read models, taken once the projections have applied
   * `atLeastPosition` (a position a mutation returned). Waits at most the configured timeout,
   * then fails with a TIMEOUT error. With `at` (auditors), the read models as the ledger stood
   * at that point instead, replayed (apps/api/src/audit); atLeastPosition is then moot.
   */
  async snapshot(context: object, atLeastPosition?: string | null, at?: PointInTimeInput | null): Promise<ProjectionSnapshot> {
    return this.snapshotNow(context, atLeastPosition, at);
  }

  /**
   * {@link snapshot}, without a promise when nothing is to be waited for (no `at`, and the read
   * models already include atLeastPosition): field resolvers then answer synchronously, which
   * for the fields of every measure of a `measures` query saves a promise each (issue 24).
   * Throws BAD_USER_INPUT (atLeastPosition) at once.
   */
  snapshotNow(context: object, atLeastPosition?: string | null, at?: PointInTimeInput | null): ProjectionSnapshot | Promise<ProjectionSnapshot> {
    // An `at` given names a point, even `{}` or `{ position: null }`: PointInTime.resolve refuses
    // those (field `at`) rather than this answering the head to an auditor who asked for the past.
    if (at !== undefined && at !== null) {
      if (!this.pointInTime) throw new Error('Point-in-time queries need the audit module');
      return this.pointInTime.snapshotAt(context, at, this.monthCandidates, this.liveReports);
    }
    const position = parsePosition(atLeastPosition);
    if (position !== undefined && this.runner.position < position) return this.waitFor(position).then(() => this.requestSnapshot(context, position));
    return this.requestSnapshot(context, position);
  }

  /**
   * The live month index's streams per group (tombstones included: every report ever in the
   * group), once the runner has applied `position`: the candidates a point-in-time view reads
   * back to count a day inside a month. TIMEOUT (ProjectionTimeoutError) as read-your-writes.
   */
  private readonly monthCandidates: MonthCandidates = async (position, groups) => {
    await this.waitFor(position);
    // Read in one synchronous pass: the live state moves between ticks.
    const view = this.runner.view(ACTIVITY_PROJECTION);
    return new Map(groups.map((group) => [group, [...view.group(MONTH_REPORTS, group).keys()]]));
  };

  /**
   * The live report list once the runner has applied `position`: a point-in-time report list
   * keeps its entries that did not change after `position` and reads back the rest
   * (listReportsAt). TIMEOUT (ProjectionTimeoutError) as read-your-writes.
   */
  private readonly liveReports: LiveReportList = async (position) => {
    await this.waitFor(position);
    return this.runner.view(REPORT_LIST_PROJECTION);
  };

  private requestSnapshot(context: object, position: bigint | undefined): ProjectionSnapshot {
    let snapshot = this.snapshots.get(context);
    // A subscription keeps one context for all its events: each event needs fresh figures.
    const live = (context as { live?: unknown }).live === true && snapshot !== undefined && snapshot.position < this.runner.position;
    if (!snapshot || live || (position !== undefined && snapshot.position < position)) {
      snapshot = new ProjectionSnapshot(this.runner);
      this.snapshots.set(context, snapshot);
    }
    return snapshot;
  }

  /**
   * The periods read model as a lock lookup, current for every period event the store held when
   * this was called (so an approval committed before a report write began is seen). Only a period
   * event the runner has not applied yet can make the model stale, so the log after the runner's
   * position is searched for one (a short read of the unapplied tail); only when there is one does
   * this wait for the runner to reach the head. TIMEOUT when it does not in time; the runner's
   * failure when it failed.
   */
  async current(): Promise<PeriodStatusLookup> {
    const head = await this.headSinceNow();
    // Almost always the runner has applied the whole log (it follows each commit at once): then
    // nothing can be unapplied, and the head (one index lookup) saves the filtered read of the
    // tail (two queries and an async iterator on every report). Its position is taken after the
    // head was read: a shared read may come after commits the runner applied meanwhile.
    const applied = this.runner.position;
    if (head > applied) await this.catchUpIfPeriodEventAfter(applied);
    const view = this.runner.view(PERIODS_PROJECTION);
    return (planId, agencyId, periodId) => periodEntry(view, planId, agencyId, periodId)?.status ?? 'OPEN';
  }

  /**
   * The store's head, read at or after this call: what every caller of {@link current} needs
   * (all that was committed before its write began). The first caller of an event-loop turn
   * reads it at once; later callers of the same turn share one read made at the start of the
   * next check phase — after each of them was called, so it holds all they need. With many
   * clients that is two reads per turn instead of one per report (a read of the embedded store
   * costs 6–15 µs of CPU: SQLite's WAL read lock); one client at a time reads at once, as before.
   */
  private headSinceNow(): Promise<bigint> {
    if (!this.headReadThisTurn) {
      this.headReadThisTurn = true;
      setImmediate(() => {
        this.headReadThisTurn = false;
      });
      return this.store.headPosition();
    }
    this.sharedHeadRead ??= new Promise<bigint>((resolve, reject) => {
      setImmediate(() => {
        this.sharedHeadRead = undefined;
        this.store.headPosition().then(resolve, reject);
      });
    });
    return this.sharedHeadRead;
  }

  private async catchUpIfPeriodEventAfter(applied: bigint): Promise<void> {
    const pending = this.store.readAll({ from: applied < 0n ? undefined : applied, filter: { streamPrefixes: [PERIOD_STREAM_PREFIX] }, maxCount: 1 });
    for await (const _ of pending) {
      await this.runner.catchUpToHead(this.timeoutMs);
      break;
    }
  }

  /** Rejects with ProjectionTimeoutError, which ProjectionTimeoutFilter answers as TIMEOUT. */
  private async waitFor(position: bigint): Promise<void> {
    await this.runner.waitForPosition(position, this.timeoutMs);
  }
}

function parsePosition(value: string | null | undefined): bigint | undefined {
  // "" is refused too: read as absent, the answer would not wait for the write it was asked to include.
  if (value === undefined || value === null) return undefined;
  if (!POSITION.test(value)) throw DomainError.badInput('atLeastPosition', 'must be a global position: a whole number written in digits');
  return BigInt(value);
}
