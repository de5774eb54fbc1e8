import { type DynamicModule, Module } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { CqrsModule } from '@nestjs/cqrs';
import { AppConfigModule, type AppConfig, loadConfig } from '@app/config';
import { EventStoreModule } from '@app/event-store';
import { formatGraphQLError } from './common/format-error.js';
import { CommonModule } from './common/common.module.js';
import { HealthModule } from './health/health.module.js';
import { ReportingModule } from './reporting/reporting.module.js';
import { PlanModule } from './plan/plan.module.js';
import { ProjectionsModule } from './projections/projections.module.js';
import { AuthModule } from './auth/auth.module.js';
import { graphqlSecurityOptions } from './auth/graphql-options.js';

@Module({})
export class AppModule {
  /** The whole API; `config` defaults to the environment (tests pass their own). */
  static forRoot(config: AppConfig = loadConfig()): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(config),
        EventStoreModule,
        CqrsModule.forRoot(),
        GraphQLModule.forRoot<ApolloDriverConfig>({
          driver: ApolloDriver,
          path: '/graphql',
          autoSchemaFile: true,
          sortSchema: true,
          // Introspection, suggestions, batching, document size (see auth/graphql-options.ts).
          ...graphqlSecurityOptions(config),
          includeStacktraceInErrorResponses: false,
          formatError: formatGraphQLError,
          // Apollo's CSRF prevention stays on: simple GETs and form posts are refused.
          csrfPrevention: true,
        }),
        AuthModule,
        CommonModule,
        HealthModule,
        ReportingModule,
        PlanModule,
        ProjectionsModule,
      ],
    };
  }
}
