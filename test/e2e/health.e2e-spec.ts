import { type TestApp, startTestApp } from './support/test-app.js';

describe('health (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close({ removeData: true });
  });

  it('answers the health query over HTTP on the embedded store', async () => {
    const res = await t.gql<{ health: { status: string; store: string; headPosition: string } }>(
      '{ health { status store headPosition version } }',
    );
    expect(res.status).toBe(200);
    expect(res.errors).toBeUndefined();
    expect(res.data?.health.status).toBe('ok');
    expect(res.data?.health.store).toBe('sqlite');
    expect(res.data?.health.headPosition).toMatch(/^\d+$/);
  });

  it('reports a bad query with a code and no stack trace', async () => {
    const res = await t.gql('{ nope }');
    expect(res.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(JSON.stringify(res)).not.toMatch(/stacktrace|at .*\.js:\d+/);
  });
});
