import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { MeasureProgressResolver, IndicatorValueResolver } from './measure-progress.resolver.js';
import { ProjectionsResolver } from './projections.resolver.js';
import { ReportsResolver } from './reports.resolver.js';
import { ProjectionsService } from './projections.service.js';
import { MeasureUpdates } from './measure-updates.service.js';
import { MeasureUpdatedResolver } from './measure-updated.resolver.js';
import { PlanModule } from '../plan/plan.module.js';
import { ProjectionTimeoutFilter } from './projection-timeout.filter.js';

/**
 * What coordinators query: measure progress and status, roll-ups per pillar and objective,
 * funding, agency activity — read models kept by the projection runner (libs/projections),
 * fed by the event store subscription (not the in-process EventBus). Every query accepts
 * atLeastPosition to read its own writes.
 */
@Module({
  imports: [PlanModule],
  providers: [
    ProjectionsService,
    MeasureUpdates,
    MeasureUpdatedResolver,
    ProjectionsResolver,
    ReportsResolver,
    MeasureProgressResolver,
    IndicatorValueResolver,
    { provide: APP_FILTER, useClass: ProjectionTimeoutFilter },
  ],
  exports: [ProjectionsService],
})
export class ProjectionsModule {}
