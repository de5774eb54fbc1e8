import { Global, Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { DomainErrorFilter } from './domain-error.filter.js';
import { JsonObjectScalar } from './json.scalar.js';
import { PlanViews } from './plan-views.js';
import { createValidationPipe } from './validation.js';

/**
 * What every feature of the API shares: input validation, the error mapping, scalars, and the
 * GraphQL models of plan documents (PlanViews, over the global PlanCatalogModule's catalogue).
 */
@Global()
@Module({
  providers: [
    JsonObjectScalar,
    PlanViews,
    { provide: APP_PIPE, useFactory: createValidationPipe },
    { provide: APP_FILTER, useClass: DomainErrorFilter },
  ],
  exports: [JsonObjectScalar, PlanViews],
})
export class CommonModule {}
