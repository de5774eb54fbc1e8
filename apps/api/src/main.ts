import 'reflect-metadata';
import type { AddressInfo, Server } from 'node:net';
import { Logger } from '@nestjs/common';
import { type AppConfig, ConfigError, loadConfig, loadDotEnv } from '@app/config';

/** sysexits EX_CONFIG: the configuration is wrong; restarting will not help. */
const EXIT_CONFIG = 78;

function stopOnConfigError(error: unknown): never {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(EXIT_CONFIG);
}

async function bootstrap(): Promise<void> {
  let config: AppConfig;
  try {
    // ./.env, when present, fills variables the environment does not set.
    loadDotEnv();
    // Every variable is validated here, before Nest starts: a bad one stops with its name.
    config = loadConfig();
  } catch (error) {
    stopOnConfigError(error);
  }
  try {
    // Loaded once the configuration is valid: a bad variable is reported without loading the
    // application's modules first (seconds of CPU).
    const { createApp } = await import('./create-app.js');
    const { closeOnSignals } = await import('./shutdown.js');
    const app = await createApp(config);
    closeOnSignals(app, { logger: new Logger('Shutdown') });
    await app.listen(config.port, config.host);
    // With PORT=0 the OS picks the port: say the one actually bound.
    const { port } = (app.getHttpServer() as Server).address() as AddressInfo;
    new Logger('Bootstrap').log(`GraphQL at http://localhost:${port}/graphql, the dashboard at http://localhost:${port}/dashboard/ (${config.nodeEnv})`);
  } catch (error) {
    // Settings only checkable at start (a PLAN_FILES file that does not exist, a JWT key type).
    stopOnConfigError(error);
  }
}

await bootstrap();
