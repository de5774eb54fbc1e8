import { Global, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { EVENT_STORE } from '@app/event-store';
import { PERIOD_LOCKS } from '../common/period-locks.token.js';
import { PROJECTION_PROGRESS } from '../common/projection-progress.token.js';
import { PROJECTION_SNAPSHOTS } from '../common/projection-snapshots.token.js';
import { MeasureProgressResolver, IndicatorValueResolver } from './measure-progress.resolver.js';
import { ProjectionsResolver } from './projections.resolver.js';
import { ReportsResolver } from './reports.resolver.js';
import { ProjectionsService } from './projections.service.js';
import { MeasureUpdates } from './measure-updates.service.js';
import { MeasureUpdatedResolver } from './measure-updated.resolver.js';
import { ProjectionTimeoutFilter } from './projection-timeout.filter.js';
import { projectionProgressOf } from './projection-progress.js';

/**
 * What coordinators query: measure progress and status, roll-ups per pillar and objective,
 * funding, agency activity — read models kept by the projection runner (libs/projections),
 * fed by the event store subscription (not the in-process EventBus). Every query accepts
 * atLeastPosition to read its own writes.
 *
 * Global: it provides what other features need of the read models through tokens of common/ —
 * PROJECTION_SNAPSHOTS (periods), PROJECTION_PROGRESS (health, metrics) and PERIOD_LOCKS (the
 * report write path) — so none of them imports this module.
 */
@Global()
@Module({
  providers: [
    ProjectionsService,
    MeasureUpdates,
    MeasureUpdatedResolver,
    ProjectionsResolver,
    ReportsResolver,
    MeasureProgressResolver,
    IndicatorValueResolver,
    { provide: APP_FILTER, useClass: ProjectionTimeoutFilter },
    { provide: PROJECTION_SNAPSHOTS, useExisting: ProjectionsService },
    { provide: PERIOD_LOCKS, useExisting: ProjectionsService },
    { provide: PROJECTION_PROGRESS, inject: [ProjectionsService, EVENT_STORE], useFactory: projectionProgressOf },
  ],
  exports: [ProjectionsService, PROJECTION_SNAPSHOTS, PERIOD_LOCKS, PROJECTION_PROGRESS],
})
export class ProjectionsModule {}
