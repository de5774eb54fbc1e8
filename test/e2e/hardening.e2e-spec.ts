import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { KeyRegistry, apiKeyStream } from '@app/auth';
import { EVENT_STORE, type EventStore } from '@app/event-store';
import { PlanCatalog } from '@app/plan';
import { authHeader, issueTestKey } from './support/auth.js';
import { type GraphQLResponse, type TestApp, startTestApp } from './support/test-app.js';
import { withRateLimitClockStopped } from './support/frozen-clock.js';

const code = (res: GraphQLResponse) => res.errors?.[0]?.extensions?.code;

/** Deeper than the default limit of 10: plans › agencies › members ×8 › id = 11 levels. */
const DEEP = `{ plans { agencies { ${'members { '.repeat(8)}id${' }'.repeat(8)} } } }`;
/** A whole plan tree with agencies and indicators: within the default cost limit (about 25,000). */
const TREE = '{ plans { pillars { objectives { measures { responsible { members { id } } partners { id } indicators { key } } } } } }';
/** Within the depth limit, but lists nest two levels deeper than TREE: over 50,000. */
const COSTLY = '{ plans { pillars { objectives { measures { responsible { members { members { members { id } } } } partners { id } indicators { key } } } } } }';

async function post(t: TestApp, body: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(t.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
}

describe('GraphQL hardening (e2e), production mode', () => {
  let t: TestApp;
  let auditor: Record<string, string>;

  beforeAll(async () => {
    t = await startTestApp({ env: { NODE_ENV: 'production' } });
    auditor = authHeader(await issueTestKey(t, { role: 'AUDITOR' }));
  });
  afterAll(async () => {
    await t.close({ removeData: true });
  });

  describe('depth and cost are checked before anything runs', () => {
    const spyOnPlans = () => jest.spyOn(t.app.get(PlanCatalog), 'plans');
    let plans: ReturnType<typeof spyOnPlans>;
    beforeEach(() => {
      plans = spyOnPlans();
    });
    afterEach(() => plans.mockRestore());

    it('refuses a query deeper than 10 with the limit, and no resolver runs', async () => {
      const res = await t.gql(DEEP, undefined, auditor);
      expect(res.status).toBe(400);
      expect(code(res)).toBe('QUERY_TOO_COMPLEX');
      expect(res.errors?.[0].message).toMatch(/depth 11 exceeds the limit of 10/);
      expect(res.errors?.[0].extensions?.limit).toBe(10);
      expect(res.data).toBeUndefined();
      expect(plans).not.toHaveBeenCalled();
    });

    it('refuses a query costlier than 50000 with the limit, and no resolver runs', async () => {
      const res = await t.gql(COSTLY, undefined, auditor);
      expect(res.status).toBe(400);
      expect(code(res)).toBe('QUERY_TOO_COMPLEX');
      expect(res.errors?.[0].message).toMatch(/cost \d+ exceeds the limit of 50000/);
      expect(plans).not.toHaveBeenCalled();
    });

    it('answers a whole plan tree within the default cost limit', async () => {
      const res = await t.gql(TREE, undefined, auditor);
      expect(res.errors).toBeUndefined();
    });

    it('answers the same data asked within the limits (the resolver does run)', async () => {
      const res = await t.gql<{ plans: unknown[] }>('{ plans { pillars { objectives { measures { code } } } } }', undefined, auditor);
      expect(res.errors).toBeUndefined();
      expect(res.data?.plans.length).toBeGreaterThan(0);
      expect(plans).toHaveBeenCalledTimes(1);
    });

    it('refuses more than 30 aliases', async () => {
      const query = `{ ${Array.from({ length: 31 }, (_, i) => `a${i}: plans { id }`).join(' ')} }`;
      const res = await t.gql(query, undefined, auditor);
      expect(code(res)).toBe('QUERY_TOO_COMPLEX');
      expect(res.errors?.[0].message).toMatch(/31 aliases, more than the limit of 30/);
      expect(plans).not.toHaveBeenCalled();
    });
  });

  it('gives no "Did you mean" suggestions', async () => {
    const res = await t.gql('{ helth { status } }');
    expect(code(res)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(res.errors?.[0].message).toContain('Cannot query field "helth"');
    expect(JSON.stringify(res)).not.toMatch(/Did you mean/);
  });

  it('has introspection off', async () => {
    const res = await t.gql('{ __schema { queryType { name } } }', undefined, auditor);
    expect(code(res)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(res.data).toBeUndefined();
  });

  // The default HTTP_BODY_LIMIT follows BULK_MAX_ROWS: 10,000 reports at 512 bytes, 5mb.
  it('refuses a body over the default limit (5mb) with 413 and a GraphQL-shaped error, no stack trace', async () => {
    const body = JSON.stringify({ query: '{ health { status } }', variables: { padding: 'x'.repeat(5_300_000) } });
    const response = await post(t, body, auditor);
    expect(response.status).toBe(413);
    const json = (await response.json()) as GraphQLResponse;
    // The code an upload over its limit answers, naming what was too large and the setting.
    expect(json.errors?.[0].extensions).toEqual({ code: 'PAYLOAD_TOO_LARGE', field: 'body', reason: 'is larger than 5mb (HTTP_BODY_LIMIT)', limit: '5mb' });
    expect(json.errors?.[0].message).toMatch(/^body is larger than 5mb \(HTTP_BODY_LIMIT\)/);
    expect(JSON.stringify(json)).not.toMatch(/at .*\.js:\d+/);
  });

  it('accepts a body just under the limit', async () => {
    const body = JSON.stringify({ query: '{ health { status } }', variables: { padding: 'x'.repeat(5_200_000) } });
    expect((await post(t, body)).status).toBe(200);
  });

  it('refuses malformed JSON with 400 and no stack trace', async () => {
    const response = await post(t, '{"query": ');
    expect(response.status).toBe(400);
    const text = await response.text();
    expect(JSON.parse(text)).toMatchObject({ errors: [{ extensions: { code: 'BAD_REQUEST' } }] });
    expect(text).not.toMatch(/at .*\.js:\d+/);
  });

  it('refuses batched requests', async () => {
    const response = await post(t, JSON.stringify([{ query: '{ health { status } }' }, { query: '{ health { status } }' }]));
    expect(response.status).toBe(400);
  });

  it('keeps CSRF prevention on: a simple GET without a preflight header is refused', async () => {
    const response = await fetch(`${t.url}?query=${encodeURIComponent('{ health { status } }')}`);
    expect(response.status).toBe(400);
  });
});

describe('rate limiting (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ env: { RATE_LIMIT_PER_MINUTE: '5', PLAN_FILES: 'none' } });
  });
  afterAll(async () => {
    await t.close({ removeData: true });
  });

  it('refuses a principal over its budget with RATE_LIMITED, 429 and Retry-After; others are unaffected', async () => {
    const a = authHeader(await issueTestKey(t, { role: 'COORDINATOR' }));
    const b = authHeader(await issueTestKey(t, { role: 'COORDINATOR' }));
    const response = await withRateLimitClockStopped(async () => {
      for (let i = 0; i < 5; i++) expect((await t.gql('{ me { id } }', undefined, a)).errors).toBeUndefined();
      return post(t, JSON.stringify({ query: '{ me { id } }' }), a);
    });
    expect(response.status).toBe(429);
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const json = (await response.json()) as GraphQLResponse;
    expect(json.errors?.[0].extensions).toMatchObject({ code: 'RATE_LIMITED', limit: 5 });
    expect(json.errors?.[0].extensions?.retryAfter).toBe(Number(response.headers.get('retry-after')));
    expect(json.errors?.[0].message).toMatch(/retry after \d+ s/);

    expect((await t.gql('{ me { id } }', undefined, b)).errors).toBeUndefined();
  });
});

describe('admin bootstrap (e2e)', () => {
  it('in development on an empty registry issues one ADMIN key and logs it once with a banner', async () => {
    const logged = jest.spyOn(Logger.prototype, 'log');
    const t = await startTestApp({ env: { NODE_ENV: 'development', PLAN_FILES: 'none' } });
    try {
      const lines = logged.mock.calls.map((call) => String(call[0]));
      const banners = lines.filter((line) => line.includes('it will not be shown again'));
      expect(banners).toHaveLength(1);
      const key = /apl_[A-Za-z0-9]+_[A-Za-z0-9_-]+/.exec(banners[0])![0];
      const me = await t.gql<{ me: { role: string } }>('{ me { role } }', undefined, authHeader(key));
      expect(me.data?.me.role).toBe('ADMIN');

      // Development also has introspection and suggestions on.
      expect((await t.gql('{ __schema { queryType { name } } }')).errors).toBeUndefined();
      expect((await t.gql('{ helth { status } }')).errors?.[0].message).toMatch(/Did you mean "health"/);
    } finally {
      logged.mockRestore();
      await t.close({ removeData: false });
    }
    // A restart on the same data issues nothing more.
    const again = jest.spyOn(Logger.prototype, 'log');
    const t2 = await startTestApp({ dataDir: t.dataDir, env: { NODE_ENV: 'development', PLAN_FILES: 'none' } });
    try {
      expect(again.mock.calls.some((call) => String(call[0]).includes('will not be shown again'))).toBe(false);
      expect(t2.app.get(KeyRegistry).size).toBe(1);
    } finally {
      again.mockRestore();
      await t2.close({ removeData: true });
    }
  });

  it('registers ADMIN_API_KEY idempotently in any environment', async () => {
    const key = `apl_OpsAdminKey1_${'S3cr3t-'.repeat(7)}`;
    const t = await startTestApp({ env: { NODE_ENV: 'production', ADMIN_API_KEY: key, PLAN_FILES: 'none' } });
    await t.close();
    const t2 = await startTestApp({ dataDir: t.dataDir, env: { NODE_ENV: 'production', ADMIN_API_KEY: key, PLAN_FILES: 'none' } });
    try {
      const me = await t2.gql<{ me: { id: string; role: string } }>('{ me { id role } }', undefined, authHeader(key));
      expect(me.data?.me).toEqual({ id: 'OpsAdminKey1', role: 'ADMIN' });
      const events = await t2.app.get<EventStore>(EVENT_STORE).readStream(apiKeyStream('OpsAdminKey1'));
      expect(events.map((e) => e.type)).toEqual(['ApiKeyIssued']);
      expect(JSON.stringify(events.map((e) => e.data))).not.toContain('S3cr3t');
    } finally {
      await t2.close({ removeData: true });
    }
  });
});
