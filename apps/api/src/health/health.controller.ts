import { Controller, Get, Inject, Optional, ServiceUnavailableException } from '@nestjs/common';
import { HealthCheck, type HealthCheckResult, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { EVENT_STORE, type EventStore, LOG_CONSUMERS, type LogConsumerBoard } from '@app/event-store';
import { Public } from '@app/auth';
import { PROJECTION_PROGRESS, type ProjectionProgress } from '../common/projection-progress.token.js';
import { ReadinessLog, STORE_CHECK_TIMEOUT_MS, assessProjections, describeProjections } from './readiness-log.js';

export { STORE_CHECK_TIMEOUT_MS };

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
    @Inject(ReadinessLog) private readonly readinessLog: ReadinessLog,
    @Optional() @Inject(LOG_CONSUMERS) private readonly consumers?: LogConsumerBoard,
  ) {}

  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([() => this.indicators.check('process').up({ uptimeSeconds: Math.round(process.uptime()) })]);
  }

  @Get('ready')
  @HealthCheck()
  async ready() {
    try {
      const result = await this.health.check([() => this.checkStore(), () => this.checkProjections(), () => this.checkConsumers()]);
      this.readinessLog.observe(true, summarise(result.info));
      return result;
    } catch (error) {
      if (error instanceof ServiceUnavailableException) this.readinessLog.observe(false, summarise((error.getResponse() as HealthCheckResult).error));
      throw error;
    }
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
    const verdict = await assessProjections(this.progress, this.config.readinessMaxLag);
    return verdict.up ? check.up(verdict.details) : check.down(verdict.details);
  }
}

/** One line on the parts of a readiness answer, e.g. "projections: more than 1000 events behind the store (catching-up, at position 1200)". */
function summarise(parts: HealthCheckResult['info']): string {
  return Object.entries(parts ?? {})
    .flatMap(([name, part]) => (part && (name === 'projections' || part.status !== 'up') ? [[name, part] as const] : []))
    .map(([name, part]) =>
      name === 'projections'
        ? describeProjections({ up: part.status === 'up', details: part as never })
        : `${name} ${part.status}${typeof part.reason === 'string' ? `: ${part.reason}` : typeof part.message === 'string' ? `: ${part.message}` : ''}`,
    )
    .join('; ');
}
