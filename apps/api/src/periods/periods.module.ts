import { Module } from '@nestjs/common';
import { PeriodCommandService } from './period-command.service.js';
import { PeriodsResolver } from './periods.resolver.js';

/**
 * Reporting periods: the sign-off mutations and queries. The periods read model is the
 * projection runner's: the queries read it through PROJECTION_SNAPSHOTS and the report write
 * path through PERIOD_LOCKS, both provided by the projections feature (common/*.token.ts).
 */
@Module({
  providers: [PeriodCommandService, PeriodsResolver],
})
export class PeriodsModule {}
