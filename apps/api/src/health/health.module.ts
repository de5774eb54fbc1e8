import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller.js';
import { HealthResolver } from './health.resolver.js';
import { ReadinessLog } from './readiness-log.js';

/** Liveness and readiness: GET /health/live, GET /health/ready, and the GraphQL `health` query. */
@Module({
  // Terminus logs each failed probe as an error with the whole answer; ReadinessLog says it in one line per change.
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController],
  providers: [HealthResolver, ReadinessLog],
})
export class HealthModule {}
