import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import type { AppConfig } from '@app/config';
import { AppModule, type AppModuleOptions } from './app.module.js';
import { PrototypedExpressAdapter, configureHttp } from './http.js';

/**
 * The api application, configured as main.ts runs it (and the e2e tests start it): every Nest
 * log through pino (buffered until the logger exists), shutdown hooks, the HTTP server and settings.
 * Initialisation errors are thrown to the caller, not turned into an exit by Nest.
 */
export async function createApp(config: AppConfig, options: AppModuleOptions = {}): Promise<INestApplication> {
  const app = await NestFactory.create(AppModule.forRoot(config, options), new PrototypedExpressAdapter(), { bufferLogs: true, abortOnError: false });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  configureHttp(app);
  return app;
}
