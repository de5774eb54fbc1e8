import type { DynamicModule, INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import type { AppConfig } from '@app/config';
import { AppModule, type AppModuleOptions } from './app.module.js';
import { PrototypedExpressAdapter, configureHttp } from './http.js';

/**
 * A Nest application of `module` (AppModule, or a module that imports it) on the api's HTTP
 * server and settings, every Nest log through pino (buffered until the logger exists).
 * Initialisation errors are thrown to the caller, not turned into an exit by Nest.
 */
export async function createNestApp(module: DynamicModule): Promise<INestApplication> {
  const app = await NestFactory.create(module, new PrototypedExpressAdapter(), { bufferLogs: true, abortOnError: false });
  app.useLogger(app.get(Logger));
  configureHttp(app);
  return app;
}

/** The api application, configured as main.ts runs it (and the e2e tests start it), with shutdown hooks. */
export async function createApp(config: AppConfig, options: AppModuleOptions = {}): Promise<INestApplication> {
  const app = await createNestApp(AppModule.forRoot(config, options));
  app.enableShutdownHooks();
  return app;
}
