import { Module } from '@nestjs/common';
import { PlanCatalogModule } from '@app/plan';
import { HufScalar } from '../common/huf.scalar.js';
import { PlanAutoloadService } from './plan-autoload.service.js';
import { PlanResolver } from './plan.resolver.js';

/**
 * The plans over GraphQL (plans, plan, measure, measures, agencies), the PlanCatalog every
 * other feature reads plans from (global, via PlanCatalogModule), and the first-start autoload.
 */
@Module({
  imports: [PlanCatalogModule],
  providers: [PlanResolver, PlanAutoloadService, HufScalar],
  exports: [PlanCatalogModule, PlanResolver],
})
export class PlanModule {}
