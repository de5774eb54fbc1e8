import { type DynamicModule, Global, Module } from '@nestjs/common';
import { ConfigModule, ConfigService, registerAs } from '@nestjs/config';
import { type AppConfig, loadConfig } from './config.js';

/** Nest injection token for the validated {@link AppConfig}. */
export const APP_CONFIG = Symbol('APP_CONFIG');

/** The ConfigService namespace holding the validated {@link AppConfig}: `config.get('app')`. */
export const APP_CONFIG_NAMESPACE = 'app';

/**
 * The configuration inside Nest, through @nestjs/config: one schema (loadConfig) validates the
 * environment; the typed result is the `app` namespace of the global ConfigService and the
 * {@link APP_CONFIG} provider.
 *
 * No .env file is read here (`ignoreEnvFile`): the process environment is the only source.
 * The entry points (api main.ts, the cli) load `./.env` into it first when one exists
 * (loadDotEnv), so the api, the cli and their validation see the same values, and tests, which
 * pass their own config, never pick up a developer's .env.
 */
@Global()
@Module({})
export class AppConfigModule {
  /** Provides the configuration; pass one to override the environment (tests, main.ts). */
  static forRoot(config?: AppConfig): DynamicModule {
    let validated = config;
    const app = registerAs(APP_CONFIG_NAMESPACE, (): AppConfig => {
      validated ??= loadConfig();
      return validated;
    });
    return {
      module: AppConfigModule,
      imports: [
        ConfigModule.forRoot({
          isGlobal: true,
          ignoreEnvFile: true,
          // Given a config, the environment is not its source: nothing more to validate.
          validatePredefined: config === undefined,
          // Our loader is the schema: a ConfigError names the variable and what it expects.
          validate: (env: Record<string, unknown>) => {
            validated ??= loadConfig(env as Record<string, string | undefined>);
            return env;
          },
          load: [app],
        }),
      ],
      providers: [
        {
          provide: APP_CONFIG,
          inject: [ConfigService],
          useFactory: (service: ConfigService): AppConfig => service.getOrThrow<AppConfig>(APP_CONFIG_NAMESPACE),
        },
      ],
      exports: [APP_CONFIG],
    };
  }
}
