import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { DomainError } from '@app/domain';
import { EVENT_STORE, type EventStore } from '@app/event-store';
import {
  COORDINATOR_PROJECTIONS,
  ProjectionRunner,
  ProjectionSnapshot,
  ReadModelStore,
  readModelsFile,
} from '@app/projections';

/** How long a query waits for the projections to reach its atLeastPosition by default. */
export const DEFAULT_READ_YOUR_WRITES_TIMEOUT_MS = 5_000;

/** READ_YOUR_WRITES_TIMEOUT_MS: a whole number of milliseconds, 1 to 60000. */
export function readYourWritesTimeout(env: Readonly<Record<string, string | undefined>> = process.env): number {
  const raw = env.READ_YOUR_WRITES_TIMEOUT_MS?.trim();
  if (!raw) return DEFAULT_READ_YOUR_WRITES_TIMEOUT_MS;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < 1 || value > 60_000) {
    throw new Error(`Invalid configuration: READ_YOUR_WRITES_TIMEOUT_MS must be a whole number from 1 to 60000 (got "${raw}")`);
  }
  return value;
}

const POSITION = /^\d{1,20}$/;

/**
 * The coordinator read models in this api instance: the projection runner (started when the
 * application has bootstrapped, stopped before it shuts down) over `<DATA_DIR>/read-models.db`,
 * and the per-request snapshots the resolvers read.
 */
@Injectable()
export class ProjectionsService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly runner: ProjectionRunner;
  private readonly readModels: ReadModelStore;
  private readonly timeoutMs: number;
  /** One snapshot per GraphQL request (keyed by its context object): no N+1, one consistent view. */
  private readonly snapshots = new WeakMap<object, ProjectionSnapshot>();

  constructor(@Inject(EVENT_STORE) store: EventStore, @Inject(APP_CONFIG) config: AppConfig) {
    this.readModels = ReadModelStore.open(readModelsFile(config.dataDir));
    this.runner = new ProjectionRunner({ store, readModels: this.readModels, projections: COORDINATOR_PROJECTIONS, logger: new Logger('Projections') });
    this.timeoutMs = readYourWritesTimeout();
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
   * then fails with a TIMEOUT error.
   */
  async snapshot(context: object, atLeastPosition?: string | null): Promise<ProjectionSnapshot> {
    const position = parsePosition(atLeastPosition);
    if (position !== undefined) await this.waitFor(position);
    let snapshot = this.snapshots.get(context);
    // A subscription keeps one context for all its events: each event needs fresh figures.
    const live = (context as { live?: unknown }).live === true && snapshot !== undefined && snapshot.position < this.runner.position;
    if (!snapshot || live || (position !== undefined && snapshot.position < position)) {
      snapshot = new ProjectionSnapshot(this.runner);
      this.snapshots.set(context, snapshot);
    }
    return snapshot;
  }

  /** Rejects with ProjectionTimeoutError, which ProjectionTimeoutFilter answers as TIMEOUT. */
  private async waitFor(position: bigint): Promise<void> {
    await this.runner.waitForPosition(position, this.timeoutMs);
  }
}

function parsePosition(value: string | null | undefined): bigint | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (!POSITION.test(value)) throw DomainError.badInput('atLeastPosition', 'must be a global position: a whole number written in digits');
  return BigInt(value);
}
