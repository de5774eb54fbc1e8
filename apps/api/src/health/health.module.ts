import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller.js';
import { HealthResolver } from './health.resolver.js';
import { ProjectionProgressModule } from './projection-progress.js';

/** Liveness and readiness: GET /health/live, GET /health/ready, and the GraphQL `health` query. */
@Module({
  imports: [TerminusModule.forRoot(), ProjectionProgressModule],
  controllers: [HealthController],
  providers: [HealthResolver],
})
export class HealthModule {}
