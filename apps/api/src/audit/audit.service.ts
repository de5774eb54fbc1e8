import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap, Optional } from '@nestjs/common';
import {
  ChainFollower,
  ChainStore,
  EventHistory,
  HistoryInputError,
  PointInTime,
  PointInTimeError,
  auditChainFile,
  parseHead,
  quietMoment,
} from '@app/audit';
import { Action, type AuthContext, ForbiddenError, RULES, mayPerformAny } from '@app/auth';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { DomainError } from '@app/domain';
import { EVENT_STORE, type EventStore, LOG_CONSUMERS, type LogConsumerBoard } from '@app/event-store';
import { type LiveReportList, type MonthCandidates, ProjectionSnapshot } from '@app/projections';
import type { PointInTimeInput } from '../common/dto/point-in-time.input.js';
import type { PointInTimeSnapshots } from '../common/point-in-time.token.js';
import { LedgerVerifier, type ScopedVerification } from './ledger-verifier.js';

/**
 * The audit side of this api instance: the hash-chain follower over `<DATA_DIR>/audit-chain.db`
 * (started when the application has bootstrapped, stopped before it shuts down), the history
 * queries over it, point-in-time evaluation, and verification.
 */
@Injectable()
export class AuditService implements OnApplicationBootstrap, BeforeApplicationShutdown, PointInTimeSnapshots {
  readonly chain: ChainStore;
  readonly follower: ChainFollower;
  readonly history: EventHistory;
  readonly pointInTime: PointInTime;
  readonly verifier: LedgerVerifier;
  private readonly logger = new Logger('Audit');
  private readonly warmSeconds: number;
  private warmTimer: NodeJS.Timeout | undefined;
  private warming: Promise<void> | undefined;
  private stopped = false;
  private readonly stopping = new AbortController();
  /** Per GraphQL request (its context object) and position: one snapshot, so no N+1. */
  private readonly snapshots = new WeakMap<object, Map<bigint, ProjectionSnapshot>>();

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(APP_CONFIG) config: AppConfig,
    @Optional() @Inject(LOG_CONSUMERS) board?: LogConsumerBoard,
  ) {
    const settings = config.pointInTime;
    this.chain = ChainStore.open(auditChainFile(config.dataDir));
    this.follower = new ChainFollower({ store, chain: this.chain, logger: this.logger, board });
    this.history = new EventHistory(store, this.chain);
    this.pointInTime = new PointInTime({ store, chain: this.chain, interval: settings.interval, maxSnapshots: settings.maxSnapshots });
    this.warmSeconds = settings.warmSeconds;
    this.verifier = new LedgerVerifier(store, this.chain);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.follower.start();
    // The whole log hashed once in the background: later verifyLedger requests start from its head.
    this.verifier.start();
    if (this.warmSeconds > 0) this.scheduleWarm(0);
  }

  // Before shutdown (not on it): the event store closes on application shutdown.
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.stopping.abort();
    clearTimeout(this.warmTimer);
    await this.warming;
    await this.follower.stop();
    this.chain.close();
  }

  /**
   * The read models as the ledger stood at `at`, for the caller of this request — who must be
   * allowed to REPLAY. BAD_USER_INPUT when `at` names no point of this log. `candidates`: the
   * live month index (ProjectionsService), for figures as of a day inside a month
   * (ProjectionSnapshot.prepareAsOf); `reports`: the live report list, for the report list at
   * that point (ProjectionSnapshot.reportList).
   */
  async snapshotAt(context: object, at: PointInTimeInput, candidates?: MonthCandidates, reports?: LiveReportList): Promise<ProjectionSnapshot> {
    const principal = (context as AuthContext).principal;
    if (!principal || !mayPerformAny(principal, [Action.REPLAY])) {
      throw new ForbiddenError(`Role ${principal?.role ?? 'anonymous'} may not ${Action.REPLAY} (point-in-time "at")`, RULES.ROLE_NOT_PERMITTED);
    }
    try {
      const position = await this.pointInTime.resolve({
        position: at.position === undefined || at.position === null ? undefined : BigInt(at.position),
        recordedAt: at.recordedAt ?? undefined,
      });
      let byPosition = this.snapshots.get(context);
      if (!byPosition) this.snapshots.set(context, (byPosition = new Map()));
      let snapshot = byPosition.get(position);
      if (!snapshot) {
        snapshot = new ProjectionSnapshot(await this.pointInTime.at(position), candidates, reports);
        byPosition.set(position, snapshot);
      }
      return snapshot;
    } catch (error) {
      if (error instanceof PointInTimeError) throw DomainError.badInput(error.field, error.reason);
      throw error;
    }
  }

  async events(args: Parameters<EventHistory['page']>[0]) {
    try {
      return await this.history.page(args);
    } catch (error) {
      if (error instanceof HistoryInputError) throw DomainError.badInput(error.field, error.reason);
      throw error;
    }
  }

  /** The ledger verified up to its head: from the last verified head, or the whole log when `full` (see LedgerVerifier). */
  async verify(head: string | undefined, full = false): Promise<ScopedVerification> {
    const expected = head === undefined ? undefined : parseHead(head);
    if (head !== undefined && !expected) throw DomainError.badInput('head', 'must be hash@position or a hash (64 hexadecimal digits), as verify printed it');
    return this.verifier.verify({ head: expected, full });
  }

  private scheduleWarm(delayMs: number): void {
    if (this.stopped) return;
    this.warmTimer = setTimeout(() => {
      this.warming = this.pointInTime
        // One snapshot at a time, each when the event loop is not busy with requests: building
        // them is work that can wait, and must not hold up ingest under load.
        .warm({ slice: 1, signal: this.stopping.signal, beforeSlice: () => quietMoment({ signal: this.stopping.signal }) })
        .catch((error: Error) => this.logger.warn(`Building point-in-time snapshots failed: ${error.message}`))
        .finally(() => {
          this.warming = undefined;
          this.scheduleWarm(this.warmSeconds * 1000);
        });
    }, delayMs);
    this.warmTimer.unref();
  }
}
