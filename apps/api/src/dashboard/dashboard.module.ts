import { existsSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import { Inject, Logger, type MiddlewareConsumer, Module, type NestModule, RequestMethod } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { APP_CONFIG, type AppConfig } from '@app/config';

/**
 * Where `npm run build:dashboard` writes the dashboard (apps/dashboard, Vite): relative to the
 * working directory, like PLAN_FILES — the repository root, or /app in the image.
 */
export const DASHBOARD_DIST = resolve('apps/dashboard/dist');

const NOT_BUILT =
  'The dashboard is not built. Run `npm run build:dashboard` (npm start does it) and reload this page.\n';

/**
 * The coordinators' dashboard at /dashboard/ and the local GraphiQL at GET /graphql (both bundled
 * by apps/dashboard: nothing is fetched from the internet). Plain files, no credential: every
 * figure they show comes from /graphql with the user's key, through the api's access rules.
 * GraphiQL is served only when introspection is on (see auth/graphql-options.ts), as before.
 */
@Module({})
export class DashboardModule implements NestModule {
  private readonly logger = new Logger('Dashboard');

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  configure(consumer: MiddlewareConsumer): void {
    if (!isBuilt(DASHBOARD_DIST)) this.logger.warn(`No dashboard build in ${DASHBOARD_DIST}: /dashboard answers 503 until \`npm run build:dashboard\``);
    consumer
      .apply(dashboardFiles(DASHBOARD_DIST))
      .forRoutes({ path: 'dashboard', method: RequestMethod.GET }, { path: 'dashboard/*path', method: RequestMethod.GET });
    if (this.config.graphql.introspection) consumer.apply(graphiqlPage(DASHBOARD_DIST)).forRoutes({ path: 'graphql', method: RequestMethod.GET });
  }
}

/** Checked on each request: a build made while the api runs is served without a restart. */
const isBuilt = (dir: string): boolean => existsSync(resolve(dir, 'index.html'));

/** GET /dashboard/…: the built files of `dir`, the app for page paths, 503 with the remedy when not built. */
export function dashboardFiles(dir: string) {
  return (req: Request, res: Response): void => {
    const path = new URL(req.originalUrl, 'http://x').pathname;
    // Relative asset URLs resolve against /dashboard/, not /.
    if (path === '/dashboard') return res.redirect(301, '/dashboard/');
    // `..` segments resolved by URL may lead out of /dashboard/: nothing there is ours to serve.
    if (!path.startsWith('/dashboard/')) {
      res.status(404).type('text/plain').send('Not found\n');
      return;
    }
    if (!isBuilt(dir)) {
      res.status(503).type('text/plain').send(NOT_BUILT);
      return;
    }
    const file = decodeURIComponent(path.slice('/dashboard/'.length)) || 'index.html';
    const hashed = file.startsWith('assets/');
    // Vite names assets by content hash: cached for good. Pages are re-checked on each load.
    res.sendFile(file, { root: dir, dotfiles: 'deny', immutable: hashed, maxAge: hashed ? '365d' : 0, lastModified: !hashed }, (error?: Error) => {
      if (!error || res.headersSent) return;
      // An unknown page path gets the app (its router says "no such page"); an unknown file a 404.
      if (hashed || file.includes(sep) || file.includes('/') || file.includes('.')) res.status(404).type('text/plain').send('Not found\n');
      else res.sendFile('index.html', { root: dir, maxAge: 0 });
    });
  };
}

/** A browser asking for /graphql (HTML, no query) gets GraphiQL; every GraphQL GET goes on to Apollo. */
export function graphiqlPage(dir: string) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const wantsPage = req.accepts(['application/json', 'application/graphql-response+json', 'text/html']) === 'text/html' && req.query.query === undefined;
    if (!wantsPage) return next();
    if (!isBuilt(dir)) {
      res.status(503).type('text/plain').send(NOT_BUILT.replace('The dashboard is', 'GraphiQL (built with the dashboard) is'));
      return;
    }
    res.sendFile('graphiql.html', { root: dir, maxAge: 0 });
  };
}
