import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { KeyRegistry, KeyService, parseApiKey, verifySecret } from '@app/auth';
import { SECURITY_CONFIG } from './security.tokens.js';
import type { SecurityConfig } from './security-config.js';

/** The principal id recorded on keys the api registers by itself. */
export const BOOTSTRAP_PRINCIPAL = 'system:bootstrap';

/**
 * The first administrator credential. With ADMIN_API_KEY set (any environment) that key is
 * registered at start unless present. Otherwise, in development on an empty key registry, one
 * ADMIN key is issued and printed once to the log.
 */
@Injectable()
export class KeyBootstrap implements OnApplicationBootstrap {
  private readonly logger = new Logger('ApiKeys');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(SECURITY_CONFIG) private readonly security: SecurityConfig,
    @Inject(KeyRegistry) private readonly registry: KeyRegistry,
    @Inject(KeyService) private readonly keys: KeyService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.security.adminApiKey) {
      await this.registerConfiguredKey(this.security.adminApiKey);
      return;
    }
    if (this.config.nodeEnv === 'development' && this.registry.size === 0) {
      const issued = await this.keys.issue({ role: 'ADMIN', label: 'development bootstrap admin' }, BOOTSTRAP_PRINCIPAL);
      const rule = '='.repeat(78);
      this.logger.log(
        [
          'No API key exists yet: issued one ADMIN key for development.',
          rule,
          `  ${issued.key}`,
          rule,
          '  Store this key, it will not be shown again. Use it as "Authorization: Bearer <key>"',
          '  to issue agency keys (mutation issueApiKey, or `ledger keys issue`).',
        ].join('\n'),
      );
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
