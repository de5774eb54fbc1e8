import { IncomingMessage, type Server, ServerResponse, createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { INestApplication, NestApplicationOptions } from '@nestjs/common';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import type { Express, NextFunction, Request, Response } from 'express';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { deferContinue } from './common/expect-continue.js';

interface BodyParserError {
  readonly type?: string;
  readonly status?: number;
  readonly expose?: boolean;
  readonly message?: string;
}

/**
 * HTTP settings shared by main.ts and the e2e test app: the JSON body parser with its size limit
 * (HTTP_BODY_LIMIT, by default enough for BULK_MAX_ROWS reports, from the app's configuration) and GraphQL-shaped answers,
 * without stack traces, for bodies that are too large or not JSON. Call it after
 * NestFactory.create and before listen.
 */
export function configureHttp(app: INestApplication): void {
  deferContinue(app.getHttpServer() as Server);
  const limit = app.get<AppConfig>(APP_CONFIG).httpBodyLimit;
  // Registered before Nest's default parsers, so it replaces the default JSON parser (100kb).
  (app as NestExpressApplication).useBodyParser('json', { limit });
  app.use((error: BodyParserError, _req: Request, res: Response, next: NextFunction) => {
    if (typeof error?.type !== 'string' || typeof error.status !== 'number' || error.status >= 500) {
      next(error);
      return;
    }
    // Too large: the code an upload over BULK_MAX_FILE_BYTES answers (README, docs/security.md),
    // naming what was too large and the setting that limits it.
    const answer =
      error.type === 'entity.too.large'
        ? {
            message: `body is larger than ${limit} (HTTP_BODY_LIMIT): send fewer reports per request`,
            extensions: { code: 'PAYLOAD_TOO_LARGE', field: 'body', reason: `is larger than ${limit} (HTTP_BODY_LIMIT)`, limit },
          }
        : { message: `Bad request body: ${error.expose ? error.message : 'unreadable'}`, extensions: { code: 'BAD_REQUEST' } };
    res.status(error.status).json({ errors: [answer] });
  });
}

/**
 * Request and response classes for Node's HTTP server whose prototypes are Express's: each
 * extends Node's class, and becomes the app's `request` / `response` prototype (with Express's
 * old one behind it, so every Express method is still there). Objects Node makes with them are
 * already what Express makes of them, so the prototype swap Express does on every request
 * (`Object.setPrototypeOf` in `app.handle`) changes nothing.
 */
export function expressMessageClasses(app: Express): { IncomingMessage: typeof IncomingMessage; ServerResponse: typeof ServerResponse } {
  class ExpressRequest extends IncomingMessage {}
  class ExpressResponse extends ServerResponse {}
  Object.setPrototypeOf(ExpressRequest.prototype, app.request);
  Object.setPrototypeOf(ExpressResponse.prototype, app.response);
  app.request = ExpressRequest.prototype as unknown as Express['request'];
  app.response = ExpressResponse.prototype as unknown as Express['response'];
  return { IncomingMessage: ExpressRequest, ServerResponse: ExpressResponse as typeof ServerResponse };
}

/**
 * Nest's Express adapter, with an HTTP server whose requests and responses are born with Express's
 * prototypes (expressMessageClasses). Why: Express swaps the prototype of every live request and
 * response, which V8 pays for dearly — a bare Express app served 6,300–7,200 requests/s here,
 * 20,000–22,000 without the swap; this api's no-op mutation went from 2,650 to 4,100/s — and
 * which made V8 keep about a fifth of what each request allocates into the old generation, so a
 * full collection came every few seconds, each a second with a 50–140 ms p99.
 */
export class PrototypedExpressAdapter extends ExpressAdapter {
  override initHttpServer(options: NestApplicationOptions): void {
    // Nest's own set-up (its 503-on-closing middleware), then the server it made replaced by ours.
    super.initHttpServer({ ...options, forceCloseConnections: false });
    const app = this.getInstance<Express>();
    const classes = expressMessageClasses(app);
    this.httpServer = (options?.httpsOptions ? createHttpsServer({ ...options.httpsOptions, ...classes }, app) : createServer(classes, app)) as Server;
    if (options?.forceCloseConnections) (this as unknown as { trackOpenConnections(): void }).trackOpenConnections();
  }
}
