import { Controller, Get, Inject, Optional } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { EVENT_STORE, type EventStore, LOG_CONSUMERS, type LogConsumerBoard } from '@app/event-store';
import { Public } from '@app/auth';
import { PROJECTION_PROGRESS, type ProjectionProgress } from './projection-progress.js';

/** How long the store has to tell its head position before readiness fails. */
export const STORE_CHECK_TIMEOUT_MS = 3_000;

/**
 * Probes for orchestrators (docker compose, Kubernetes), without a credential:
 * - GET /health/live: the process serves HTTP (restart it when this fails);
 * - GET /health/ready: the event store answers within STORE_CHECK_TIMEOUT_MS, the
 *   projections run and are at most READINESS_MAX_LAG events behind its head, and no log
 *   consumer (plan catalog, key registry, hash chain, projections, live updates) has failed or
 *   stopped (send it traffic only then). 200 when up, 503 with the failing part otherwise.
 */
@Controller('health')
@Public()
export class HealthController {
  constructor(
    @Inject(HealthCheckService) private readonly health: HealthCheckService,
    @Inject(HealthIndicatorService) private readonly indicators: HealthIndicatorService,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PROJECTION_PROGRESS) private readonly progress: ProjectionProgress,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() @Inject(LOG_CONSUMERS) private readonly consumers?: LogConsumerBoard,
  ) {}

  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([() => this.indicators.check('process').up({ uptimeSeconds: Math.round(process.uptime()) })]);
  }

  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([() => this.checkStore(), () => this.checkProjections(), () => this.checkConsumers()]);
  }

  /** Each log consumer's state and position; down while one has failed or stopped, with its reason. */
  private checkConsumers() {
    const check = this.indicators.check('consumers');
    const statuses = this.consumers?.statuses() ?? [];
    const details = Object.fromEntries(
      statuses.map((s) => [s.name, { state: s.state, position: s.position.toString(), ...(s.reason === undefined ? {} : { reason: s.reason }) }]),
    );
    const down = statuses.filter((s) => s.state === 'failed' || s.state === 'stopped');
    if (down.length === 0) return check.up(details);
    return check.down({ ...details, reason: down.map((s) => `${s.name} ${s.state} (applied up to position ${s.position}): ${s.reason ?? 'no reason given'}`).join('; ') });
  }

  private checkStore() {
    return this.indicators
      .check('eventStore')
      .attempt(async () => ({ kind: this.store.kind, headPosition: (await this.store.headPosition()).toString() }))
      .withTimeout(STORE_CHECK_TIMEOUT_MS);
  }

  private async checkProjections() {
    const check = this.indicators.check('projections');
    const maxLag = this.config.readinessMaxLag;
    const state = this.progress.state;
    const position = this.progress.position.toString();
    if (state !== 'catching-up' && state !== 'live' && state !== 'retrying') return check.down({ state, position, reason: `the projection runner is ${state}` });
    let behind: number;
    try {
      // Counted in events (not positions, which are bytes in EventStoreDB), at most maxLag + 1.
      behind = await withTimeout(this.progress.eventsBehind(maxLag + 1), STORE_CHECK_TIMEOUT_MS);
    } catch (error) {
      return check.down({ state, position, reason: `lag unknown: ${(error as Error).message}` });
    }
    const details = { state, position, eventsBehind: behind > maxLag ? `more than ${maxLag}` : behind, maxLag };
    return behind > maxLag ? check.down({ ...details, reason: `more than ${maxLag} events behind the store` }) : check.up(details);
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
