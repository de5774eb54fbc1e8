import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ConfigError, loadConfig } from '@app/config';
import { AppModule } from './app.module.js';
import { configureHttp } from './http.js';
import { loadSecurityConfig } from './auth/security-config.js';

async function bootstrap(): Promise<void> {
  let config;
  try {
    config = loadConfig();
    // The security variables (limits, JWT, ADMIN_API_KEY) fail the same way, before Nest starts.
    loadSecurityConfig(config);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const app = await NestFactory.create(AppModule.forRoot(config));
  app.enableShutdownHooks();
  configureHttp(app);
  await app.listen(config.port);
  // With PORT=0 the OS picks the port: say the one actually bound.
  const { port } = (app.getHttpServer() as import('node:net').Server).address() as import('node:net').AddressInfo;
  new Logger('Bootstrap').log(`GraphQL at http://localhost:${port}/graphql (${config.nodeEnv})`);
}

await bootstrap();
