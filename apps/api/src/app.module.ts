import { type DynamicModule, Module } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { CqrsModule } from '@nestjs/cqrs';
import { AppConfigModule, type AppConfig, loadConfig } from '@app/config';
import { EventStoreModule, type EventStore } from '@app/event-store';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { CommonModule } from './common/common.module.js';
import { HealthModule } from './health/health.module.js';
import { ReportingModule } from './reporting/reporting.module.js';
import { AssessmentModule } from './assessment/assessment.module.js';
import { PlanModule } from './plan/plan.module.js';
import { ProjectionsModule } from './projections/projections.module.js';
import { PeriodsModule } from './periods/periods.module.js';
import { AuditModule } from './audit/audit.module.js';
import { ReportsModule } from './reports/reports.module.js';
import { AuthModule } from './auth/auth.module.js';
import { graphqlTransportOptions } from './auth/graphql-options.js';
import { RequestGate } from './auth/request-gate.js';
import { DateTimeScalar } from './common/date-time.scalar.js';
import { loggerParams } from './logging/logger-params.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { DashboardModule } from './dashboard/dashboard.module.js';
import { LedgerMetrics } from './metrics/ledger-metrics.js';
import { MeteredEventStore } from './metrics/metered-event-store.js';
import { KeyUsageModule } from './key-usage/key-usage.module.js';

export interface AppModuleOptions {
  /** Where the logs go instead of stdout (tests read them). */
  readonly logDestination?: DestinationStream;
  /**
   * Also write the schema SDL to this file (`npm run schema` writes schema.gql). Unset, the
   * schema lives in memory only: nothing is written at runtime (read-only images).
   */
  readonly schemaFile?: string;
}

@Module({})
export class AppModule {
  /** The whole API; `config` defaults to the environment (tests pass their own). */
  static forRoot(config: AppConfig = loadConfig(), options: AppModuleOptions = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(config),
        LoggerModule.forRoot(loggerParams(config, options.logDestination)),
        MetricsModule,
        // Every append and read goes through one MeteredEventStore: metrics in one place.
        EventStoreModule.forRoot({
          decorate: { inject: [LedgerMetrics], useFactory: (store: EventStore, metrics: LedgerMetrics) => new MeteredEventStore(store, metrics) },
        }),
        CqrsModule.forRoot(),
        GraphQLModule.forRootAsync<ApolloDriverConfig>({
          driver: ApolloDriver,
          inject: [RequestGate],
          useFactory: (gate: RequestGate) => ({
            path: '/graphql',
            autoSchemaFile: options.schemaFile ?? true,
            sortSchema: true,
            // Every Date is an RFC 3339 instant with an explicit offset (common/date-time.scalar.ts).
            buildSchemaOptions: { scalarsMap: [{ type: Date, scalar: DateTimeScalar }] },
            // Both transports through the one RequestGate (auth/graphql-options.ts).
            ...graphqlTransportOptions(gate),
            // Apollo's CSRF prevention stays on: simple GETs and form posts are refused.
            csrfPrevention: true,
          }),
        }),
        AuthModule,
        CommonModule,
        HealthModule,
        ReportingModule,
        AssessmentModule,
        PlanModule,
        ProjectionsModule,
        PeriodsModule,
        AuditModule,
        ReportsModule,
        KeyUsageModule,
        DashboardModule,
      ],
    };
  }
}
