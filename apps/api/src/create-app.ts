import type { DynamicModule, INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import type { AppConfig } from '@app/config';
import { AppModule, type AppModuleOptions } from './app.module.js';
import { PrototypedExpressAdapter, configureHttp } from './http.js';
import { QuietFrameworkLogger } from './logging/framework-log.js';

/**
 * A Nest application of `module` (AppModule, or a module that imports it) on the api's HTTP
 * server and settings, every Nest log through pino (buffered until the logger exists; Nest's
 * start-up narration at debug, see QuietFrameworkLogger).
 * Initialisation errors are thrown to the caller, not turned into an exit by Nest.
 */
export async function createNestApp(module: DynamicModule): Promise<INestApplication> {
  const app = await NestFactory.create(module, new PrototypedExpressAdapter(), { bufferLogs: true, abortOnError: false });
  app.useLogger(new QuietFrameworkLogger(app.get(Logger)));
  configureHttp(app);
  return app;
}

/**
 * The api application, configured as main.ts runs it (and the e2e tests start it). Stopping it
 * on a signal is main.ts's part (closeOnSignals, shutdown.ts): tests close their apps themselves.
 */
export async function createApp(config: AppConfig, options: AppModuleOptions = {}): Promise<INestApplication> {
  return createNestApp(AppModule.forRoot(config, options));
}
