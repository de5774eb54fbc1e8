import { Global, Inject, Logger, Module, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { APP_GUARD, DiscoveryModule, ModuleRef } from '@nestjs/core';
import { GraphQLModule } from '@nestjs/graphql';
import { APP_CONFIG, type AppConfig, sizeInBytes } from '@app/config';
import { EVENT_STORE, type EventStore, LOG_CONSUMERS, type LogConsumerBoard } from '@app/event-store';
import { PlanCatalog, PlanCatalogModule } from '@app/plan';
import { AccessGuard, AccessPolicy, Authenticator, HTTP_REQUEST_CHARGE, JwtVerifier, KeyRegistry, KeyService } from '@app/auth';
import { AuthResolver } from './auth.resolver.js';
import { GatekeeperPlugin } from './gatekeeper.plugin.js';
import { KeyBootstrap } from './key-bootstrap.service.js';
import { REQUEST_BUDGET } from '../common/request-budget.js';
import { PublicOperations } from './public-operations.js';
import { RateLimiter } from './rate-limiter.js';
import { RequestGate } from './request-gate.js';
import { SECURITY_CONFIG } from './security.tokens.js';
import { limitWebSocketMessages } from './ws-transport.js';
import { securityConfigOf, type SecurityConfig } from './security-config.js';

/**
 * Identity and access for the api: the key registry (followed live from the store), API key
 * and JWT authentication, the global deny-by-default AccessGuard, the AccessPolicy handlers use
 * for data-dependent checks, the RequestGate every transport passes (401 / 429 / query limits,
 * request-gate.ts) with its rate limiter, and the key management operations. Global: feature modules inject AccessPolicy without importing it.
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
    { provide: APP_GUARD, useClass: AccessGuard },
    PublicOperations,
    RequestGate,
    // The AccessGuard charges plain HTTP requests to the gate's limiter, before any refusal.
    { provide: HTTP_REQUEST_CHARGE, useExisting: RequestGate },
    // The gate's limiter: resolvers inject it to charge work beyond root fields (bulk rows).
    { provide: RateLimiter, inject: [RequestGate], useFactory: (gate: RequestGate) => gate.rateLimiter },
    // The same buckets as the features that spend several units per request see them (bulk rows).
    { provide: REQUEST_BUDGET, inject: [RateLimiter], useFactory: (limiter: RateLimiter) => limiter.asRequestBudget() },
    GatekeeperPlugin,
    KeyBootstrap,
    AuthResolver,
  ],
  exports: [AccessPolicy, Authenticator, KeyRegistry, KeyService, SECURITY_CONFIG, RequestGate, RateLimiter, REQUEST_BUDGET],
})
export class AuthModule implements OnApplicationBootstrap, OnModuleDestroy {
  constructor(
    @Inject(KeyRegistry) private readonly registry: KeyRegistry,
    @Inject(ModuleRef) private readonly modules: ModuleRef,
    @Inject(SECURITY_CONFIG) private readonly security: SecurityConfig,
  ) {}

  /** The graphql-ws server exists once GraphQLModule has started: hold its messages to HTTP_BODY_LIMIT. */
  onApplicationBootstrap(): void {
    const graphql = this.modules.get(GraphQLModule, { strict: false });
    if (!limitWebSocketMessages(graphql, sizeInBytes(this.security.bodyLimit))) {
      new Logger('GraphQL').warn('graphql-ws server not found: its messages are not held to HTTP_BODY_LIMIT');
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.registry.stop();
  }
}
