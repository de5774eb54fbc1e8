import { Inject, Injectable, Module, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { Authenticator, KeyUsageLog, keyUsageFile } from '@app/auth';

/**
 * Records when each API key was last used (`<DATA_DIR>/key-usage.db`, see KeyUsageLog), for
 * `ledger keys list`. Listens to the Authenticator; written every minute and on shutdown.
 */
@Injectable()
export class KeyUsageRecorder implements OnModuleInit, OnApplicationShutdown {
  private log?: KeyUsageLog;

  constructor(
    @Inject(Authenticator) private readonly authenticator: Authenticator,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    const log = KeyUsageLog.open(keyUsageFile(this.config.dataDir));
    this.log = log;
    this.authenticator.onKeyUsed((keyId) => log.used(keyId));
  }

  onApplicationShutdown(): void {
    this.log?.close();
    this.log = undefined;
  }
}

@Module({ providers: [KeyUsageRecorder] })
export class KeyUsageModule {}
