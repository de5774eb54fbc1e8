import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import request from 'supertest';
import { dashboardFiles, graphiqlPage } from './dashboard.module.js';

describe('dashboard files', () => {
  let dir: string;
  const app = () => {
    const server = express();
    server.get(['/dashboard', '/dashboard/*path'], dashboardFiles(dir));
    server.get('/graphql', graphiqlPage(dir), (_req, res) => res.json({ from: 'apollo' }));
    return server;
  };
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'apl-dashboard-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('answers 503 naming the build command while nothing is built, then serves the build without a restart', async () => {
    const server = app();
    const missing = await request(server).get('/dashboard/');
    expect(missing.status).toBe(503);
    expect(missing.text).toContain('npm run build:dashboard');
    expect((await request(server).get('/graphql').set('accept', 'text/html')).text).toContain('GraphiQL (built with the dashboard) is not built');

    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<div id="root"></div>');
    writeFileSync(join(dir, 'graphiql.html'), '<div id="graphiql"></div>');
    writeFileSync(join(dir, 'assets', 'app-1234.js'), 'export {}');
    const page = await request(server).get('/dashboard/');
    expect(page.status).toBe(200);
    expect(page.text).toContain('id="root"');
    expect(page.headers['cache-control']).toBe('public, max-age=0');
    const asset = await request(server).get('/dashboard/assets/app-1234.js');
    expect(asset.headers['cache-control']).toContain('immutable');
  });

  it('redirects /dashboard to /dashboard/, gives the app for page paths and 404 for unknown files', async () => {
    writeFileSync(join(dir, 'index.html'), '<div id="root"></div>');
    const server = app();
    expect((await request(server).get('/dashboard')).headers.location).toBe('/dashboard/');
    expect((await request(server).get('/dashboard/measures')).text).toContain('id="root"');
    expect((await request(server).get('/dashboard/assets/none.js')).status).toBe(404);
    expect((await request(server).get('/dashboard/../package.json')).status).toBe(404);
    expect((await request(server).get('/dashboard/%2e%2e/%2e%2e/etc/passwd')).status).toBe(404);
    expect((await request(server).get('/dashboard/assets/..%2f..%2findex.html')).status).not.toBe(200);
  });

  it('gives GraphiQL to a browser and every GraphQL request to Apollo', async () => {
    writeFileSync(join(dir, 'index.html'), '');
    writeFileSync(join(dir, 'graphiql.html'), '<div id="graphiql"></div>');
    const server = app();
    expect((await request(server).get('/graphql').set('accept', 'text/html,application/xhtml+xml,*/*;q=0.8')).text).toContain('id="graphiql"');
    expect((await request(server).get('/graphql').set('accept', 'application/json')).body).toEqual({ from: 'apollo' });
    expect((await request(server).get('/graphql?query={health{status}}').set('accept', 'text/html')).body).toEqual({ from: 'apollo' });
  });
});
