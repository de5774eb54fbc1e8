import { Global, Module } from '@nestjs/common';
import { PERIOD_LOCKS } from '../common/period-locks.token.js';
import { ProjectionsModule } from '../projections/projections.module.js';
import { ProjectionsService } from '../projections/projections.service.js';
import { PeriodCommandService } from './period-command.service.js';
import { PeriodsResolver } from './periods.resolver.js';

/**
 * Reporting periods: the sign-off mutations and queries, and PERIOD_LOCKS — the periods read
 * model of the projection runner as the report write path consults it. Global so the reporting
 * feature finds PERIOD_LOCKS without importing this module.
 */
@Global()
@Module({
  imports: [ProjectionsModule],
  providers: [PeriodCommandService, PeriodsResolver, { provide: PERIOD_LOCKS, useExisting: ProjectionsService }],
  exports: [PERIOD_LOCKS],
})
export class PeriodsModule {}
