/**
 * The api as the benchmarks run it, in a child process of bench/run.ts:
 *
 *   node --import @swc-node/register/esm-register bench/server.ts
 *
 * It builds the app with apps/api/src/create-app.ts's createNestApp (the api's HTTP server and
 * settings, logs through pino) from AppModule.forRoot(config), adding bench/noop.module.ts when
 * BENCH_NOOP=1. Differences, all for the
 * harness: no ./.env is read (the runner sets the environment), it listens on 127.0.0.1 only,
 * it prints `BENCH_LISTENING <port>` on stdout whatever LOG_LEVEL says, and on SIGTERM or SIGINT
 * it closes the app and exits normally (Nest's shutdown hooks re-raise the signal, and a process
 * killed by a signal does not write the `node --cpu-prof` profile).
 */
import 'reflect-metadata';
import type { AddressInfo, Server } from 'node:net';
import { type DynamicModule, Module } from '@nestjs/common';
import { type AppConfig, ConfigError, loadConfig } from '@app/config';
import { AppModule } from '../apps/api/src/app.module.js';
import { createNestApp } from '../apps/api/src/create-app.js';
import { BenchNoopModule } from './noop.module.js';

@Module({})
class BenchAppModule {
  static forRoot(config: AppConfig, noop: boolean): DynamicModule {
    return { module: BenchAppModule, imports: [AppModule.forRoot(config), ...(noop ? [BenchNoopModule] : [])] };
  }
}

async function bootstrap(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
  const app = await createNestApp(BenchAppModule.forRoot(config, process.env.BENCH_NOOP === '1'));
  await app.listen(config.port, '127.0.0.1');
  const { port } = (app.getHttpServer() as Server).address() as AddressInfo;
  let closing = false;
  const shutdown = () => {
    if (closing) return;
    closing = true;
    // Bounded: a stuck close still ends the process (with the profile written).
    setTimeout(() => process.exit(0), 10_000).unref();
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  process.stdout.write(`BENCH_LISTENING ${port}\n`);
}

await bootstrap();
