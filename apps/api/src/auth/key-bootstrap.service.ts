import type { EventEmitter } from 'node:events';
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { KeyRegistry, KeyService, parseApiKey, verifySecret } from '@app/auth';
import { SECURITY_CONFIG } from './security.tokens.js';
import type { SecurityConfig } from './security-config.js';

/** The principal id recorded on keys the api registers by itself. */
export const BOOTSTRAP_PRINCIPAL = 'system:bootstrap';

/**
 * The block that shows the development ADMIN key: set apart by blank lines, so it is not lost
 * among the start-up lines.
 */
export function adminKeyBanner(key: string): string {
  return [
    'No API key existed: issued the first ADMIN key (development only).',
    '',
    `    ${key}`,
    '',
    '  Store it now: it will not be shown again. Send it as "Authorization: Bearer <key>" to issue',
    '  agency keys (mutation issueApiKey, or `npx ledger keys issue`).',
    '',
  ].join('\n');
}

/**
 * The first administrator credential. With ADMIN_API_KEY set (any environment) that key is
 * registered at start unless present. Otherwise, in development on an empty key registry, one
 * ADMIN key is issued, and printed once when the server starts listening: the last start-up
 * lines, not in the middle of them.
 */
@Injectable()
export class KeyBootstrap implements OnApplicationBootstrap {
  private readonly logger = new Logger('ApiKeys');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(SECURITY_CONFIG) private readonly security: SecurityConfig,
    @Inject(KeyRegistry) private readonly registry: KeyRegistry,
    @Inject(KeyService) private readonly keys: KeyService,
    @Inject(HttpAdapterHost) private readonly http: HttpAdapterHost,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.security.adminApiKey) {
      await this.registerConfiguredKey(this.security.adminApiKey);
      return;
    }
    if (this.config.nodeEnv === 'development' && this.registry.size === 0) {
      const issued = await this.keys.issue({ role: 'ADMIN', label: 'development bootstrap admin' }, BOOTSTRAP_PRINCIPAL);
      const banner = adminKeyBanner(issued.key);
      const server = this.http.httpAdapter?.getHttpServer() as EventEmitter | undefined;
      // Printed when the server starts listening (after the other start-up lines); without an HTTP
      // server, at once.
      if (server && typeof server.once === 'function') server.once('listening', () => this.logger.log(banner));
      else this.logger.log(banner);
    }
  }

  private async registerConfiguredKey(key: string): Promise<void> {
    const outcome = await this.keys.register(key, { role: 'ADMIN', label: 'ADMIN_API_KEY' }, BOOTSTRAP_PRINCIPAL);
    const keyId = parseApiKey(key)?.keyId ?? '?';
    if (outcome === 'added') {
      this.logger.log(`ADMIN_API_KEY registered as key ${keyId}`);
      return;
    }
    const record = this.registry.get(keyId);
    if (!record) return;
    if (record.role !== 'ADMIN' || !verifySecret(parseApiKey(key)?.secret ?? '', record)) {
      this.logger.error(`ADMIN_API_KEY: key id ${keyId} exists with another secret or role; the configured value will not authenticate`);
    } else if (record.revokedAt) {
      this.logger.warn(`ADMIN_API_KEY: key ${keyId} has been revoked and stays revoked; configure a new key`);
    }
  }
}
