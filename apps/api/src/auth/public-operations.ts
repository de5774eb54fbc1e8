import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { RESOLVER_NAME_METADATA, RESOLVER_TYPE_METADATA } from '@nestjs/graphql';
import { PUBLIC_METADATA } from '@app/auth';

const ROOT_TYPES = new Set(['Query', 'Mutation', 'Subscription']);

/**
 * The root fields marked @Public() (e.g. `Query.health`), found once at start from the
 * resolvers' metadata, so a request without a credential can be answered 401 before anything
 * runs when it asks for anything else. The AccessGuard stays the authority on every field.
 */
@Injectable()
export class PublicOperations implements OnModuleInit {
  private readonly fields = new Set<string>();

  constructor(
    @Inject(DiscoveryService) private readonly discovery: DiscoveryService,
    @Inject(MetadataScanner) private readonly scanner: MetadataScanner,
    @Inject(Reflector) private readonly reflector: Reflector,
  ) {}

  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const instance: unknown = wrapper.instance;
      if (!instance || typeof instance !== 'object') continue;
      const prototype = Object.getPrototypeOf(instance) as Record<string, unknown> | null;
      if (!prototype) continue;
      for (const name of this.scanner.getAllMethodNames(prototype)) {
        const method = prototype[name];
        if (typeof method !== 'function') continue;
        const rootType: unknown = Reflect.getMetadata(RESOLVER_TYPE_METADATA, method);
        if (typeof rootType !== 'string' || !ROOT_TYPES.has(rootType)) continue;
        if (!this.reflector.getAllAndOverride<boolean>(PUBLIC_METADATA, [method, instance.constructor])) continue;
        const fieldName: unknown = Reflect.getMetadata(RESOLVER_NAME_METADATA, method);
        this.fields.add(`${rootType}.${typeof fieldName === 'string' ? fieldName : name}`);
      }
    }
  }

  /** Whether `Type.field` (e.g. "Query.health") is open without a credential. */
  isPublic(rootType: string, field: string): boolean {
    return field.startsWith('__') || this.fields.has(`${rootType}.${field}`);
  }
}
