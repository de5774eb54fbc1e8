import { type DynamicModule, Global, Module } from '@nestjs/common';
import { type AppConfig, loadConfig } from './config.js';

/** Nest injection token for the validated {@link AppConfig}. */
export const APP_CONFIG = Symbol('APP_CONFIG');

@Global()
@Module({})
export class AppConfigModule {
  /** Provides the configuration; pass one to override the environment (tests). */
  static forRoot(config: AppConfig = loadConfig()): DynamicModule {
    return { module: AppConfigModule, providers: [{ provide: APP_CONFIG, useValue: config }], exports: [APP_CONFIG] };
  }
}
