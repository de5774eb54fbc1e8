/**
 * The baseline of bench/start-time.ts: a bare Nest application — one module, one controller, the
 * Express platform, Nest's default logger silenced — in plain JavaScript, as `npm start` runs the
 * api (compiled, no loader hooks):
 *
 *   PORT=3000 node bench/bare-nest.mjs
 *
 * Answers GET /health/live. The decorators are applied as functions (no TypeScript step).
 */
import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

class LiveController {
  live() {
    return { status: 'ok' };
  }
}
Get('live')(LiveController.prototype, 'live', Object.getOwnPropertyDescriptor(LiveController.prototype, 'live'));
Controller('health')(LiveController);

class BareModule {}
Module({ controllers: [LiveController] })(BareModule);

const app = await NestFactory.create(BareModule, { logger: false });
await app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1');
