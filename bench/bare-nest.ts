/**
 * The baseline of bench/start-time.ts: a bare Nest application (one module, one controller, the
 * Express platform, Nest's default logger silenced), from TypeScript through the SWC loader:
 *
 *   node --import @swc-node/register/esm-register bench/bare-nest.ts
 *
 * Listens on PORT and answers GET /health/live.
 */
import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

@Controller('health')
class LiveController {
  @Get('live')
  live() {
    return { status: 'ok' };
  }
}

@Module({ controllers: [LiveController] })
class BareModule {}

const app = await NestFactory.create(BareModule, { logger: false });
await app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1');
process.stdout.write('listening\n');
