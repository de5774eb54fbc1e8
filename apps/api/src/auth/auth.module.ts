import { Global, Inject, Logger, Module, type OnModuleDestroy } from '@nestjs/common';
import { APP_GUARD, DiscoveryModule } from '@nestjs/core';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { EVENT_STORE, type EventStore, LOG_CONSUMERS, type LogConsumerBoard } from '@app/event-store';
import { PlanCatalog, PlanCatalogModule } from '@app/plan';
import { AccessGuard, AccessPolicy, Authenticator, JwtVerifier, KeyRegistry, KeyService } from '@app/auth';
import { AuthResolver } from './auth.resolver.js';
import { GatekeeperPlugin } from './gatekeeper.plugin.js';
import { KeyBootstrap } from './key-bootstrap.service.js';
import { REQUEST_BUDGET } from '../common/request-budget.js';
import { PublicOperations } from './public-operations.js';
import { TokenBucketLimiter } from './rate-limiter.js';
import { SECURITY_CONFIG } from './security.tokens.js';
import { securityConfigOf, type SecurityConfig } from './security-config.js';

/**
 * Identity and access for the api: the key registry (followed live from the store), API key
 * and JWT authentication, the global deny-by-default AccessGuard, the AccessPolicy handlers use
 * for data-dependent checks, the pre-execution gatekeeper (401 / 429 / query limits) and the
 * key management operations. Global: feature modules inject AccessPolicy without importing it.
 */
@Global()
@Module({
  // PlanCatalogModule is global; importing it here makes the dependency explicit (one instance).
  imports: [DiscoveryModule, PlanCatalogModule],
  providers: [
    {
      provide: SECURITY_CONFIG,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig): SecurityConfig => securityConfigOf(config),
    },
    {
      provide: KeyRegistry,
      inject: [EVENT_STORE, LOG_CONSUMERS],
      useFactory: async (store: EventStore, board: LogConsumerBoard): Promise<KeyRegistry> => {
        const registry = new KeyRegistry(store, new Logger('ApiKeys'), board);
        await registry.start();
        return registry;
      },
    },
    {
      provide: AccessPolicy,
      inject: [PlanCatalog],
      useFactory: (catalog: PlanCatalog) => new AccessPolicy(catalog),
    },
    {
      provide: KeyService,
      inject: [EVENT_STORE, KeyRegistry, PlanCatalog],
      useFactory: (store: EventStore, registry: KeyRegistry, catalog: PlanCatalog) => new KeyService(store, registry, catalog),
    },
    {
      provide: Authenticator,
      inject: [KeyRegistry, SECURITY_CONFIG, PlanCatalog],
      useFactory: (registry: KeyRegistry, security: SecurityConfig, catalog: PlanCatalog) =>
        new Authenticator(registry, security.jwt ? JwtVerifier.create(security.jwt) : undefined, catalog),
    },
    {
      // One bucket per principal for the whole api: the GraphQL gate and bulk rows draw on it.
      provide: REQUEST_BUDGET,
      inject: [SECURITY_CONFIG],
      useFactory: (security: SecurityConfig) => new TokenBucketLimiter(security.rateLimitPerMinute),
    },
    { provide: APP_GUARD, useClass: AccessGuard },
    PublicOperations,
    GatekeeperPlugin,
    KeyBootstrap,
    AuthResolver,
  ],
  exports: [AccessPolicy, Authenticator, KeyRegistry, KeyService, SECURITY_CONFIG, REQUEST_BUDGET],
})
export class AuthModule implements OnModuleDestroy {
  constructor(@Inject(KeyRegistry) private readonly registry: KeyRegistry) {}

  async onModuleDestroy(): Promise<void> {
    await this.registry.stop();
  }
}
