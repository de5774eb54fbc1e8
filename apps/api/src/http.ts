import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
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
