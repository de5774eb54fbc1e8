import { IncomingMessage, type Server, ServerResponse, createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { INestApplication, NestApplicationOptions } from '@nestjs/common';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import type { Express, NextFunction, Request, Response } from 'express';
import { APP_CONFIG, type AppConfig } from '@app/config';

interface BodyParserError {
  readonly type?: string;
  readonly status?: number;
  readonly expose?: boolean;
  readonly message?: string;
}

/**
 * HTTP settings shared by main.ts and the e2e test app: the JSON body parser with its size limit
 * (HTTP_BODY_LIMIT, default 1mb, from the app's configuration) and GraphQL-shaped answers,
 * without stack traces, for bodies that are too large or not JSON. Call it after
 * NestFactory.create and before listen.
 */
export function configureHttp(app: INestApplication): void {
  const limit = app.get<AppConfig>(APP_CONFIG).httpBodyLimit;
  // Registered before Nest's default parsers, so it replaces the default JSON parser (100kb).
  (app as NestExpressApplication).useBodyParser('json', { limit });
  app.use((error: BodyParserError, _req: Request, res: Response, next: NextFunction) => {
    if (typeof error?.type !== 'string' || typeof error.status !== 'number' || error.status >= 500) {
      next(error);
      return;
    }
    const tooLarge = error.type === 'entity.too.large';
    res.status(error.status).json({
      errors: [
        {
          message: tooLarge ? `Request body exceeds the limit of ${limit}` : `Bad request body: ${error.expose ? error.message : 'unreadable'}`,
          extensions: tooLarge ? { code: 'BAD_REQUEST', limit } : { code: 'BAD_REQUEST' },
        },
      ],
    });
  });
}

/**
 * The request and response classes of Node's HTTP server, with Express's prototypes (`app.request`,
 * `app.response`) in place of Node's: objects made by them are already what Express makes of
 * them, so the prototype swap Express does on every request (`Object.setPrototypeOf` in
 * `app.handle`) changes nothing.
 */
export function expressMessageClasses(app: Express): { IncomingMessage: typeof IncomingMessage; ServerResponse: typeof ServerResponse } {
  // Constructors that Node calls with `new`: each builds Node's object, with the Express prototype.
  function ExpressRequest(...args: ConstructorParameters<typeof IncomingMessage>): IncomingMessage {
    return Reflect.construct(IncomingMessage, args, ExpressRequest) as IncomingMessage;
  }
  ExpressRequest.prototype = app.request;
  function ExpressResponse(...args: ConstructorParameters<typeof ServerResponse>): ServerResponse {
    return Reflect.construct(ServerResponse, args, ExpressResponse) as ServerResponse;
  }
  ExpressResponse.prototype = app.response;
  return { IncomingMessage: ExpressRequest as unknown as typeof IncomingMessage, ServerResponse: ExpressResponse as unknown as typeof ServerResponse };
}

/**
 * Nest's Express adapter, with an HTTP server whose requests and responses are born with Express's
 * prototypes (expressMessageClasses). Why: swapping the prototype of a live object, as Express
 * does per request, made V8 keep about a fifth of everything a request allocates past its end
 * into the old generation (9 MB per young-generation collection at 1,000 requests/s, even for a
 * bare Express app), so a full collection came every 7 s and each put a 50–140 ms p99 second into
 * the ingest latency. With this server nothing per request reaches the old generation.
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
