import { type TestApp, startTestApp } from './support/test-app.js';

/**
 * GraphQL over HTTP (graphql.github.io/graphql-over-http): media types and status codes as
 * Apollo Server 5 implements them for this api.
 */
const GRAPHQL_RESPONSE = 'application/graphql-response+json';

describe('GraphQL over HTTP (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { PLAN_FILES: 'none' } });
  });
  afterAll(async () => {
    await t.close({ removeData: true });
  });

  const post = (body: unknown, accept?: string, headers: Record<string, string> = {}) =>
    fetch(t.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(accept ? { accept } : {}), ...headers },
      body: JSON.stringify(body),
    });
  const get = (query: string, accept?: string) =>
    fetch(`${t.url}?query=${encodeURIComponent(query)}`, {
      // A non-simple request: Apollo's CSRF prevention refuses GETs without such a header.
      headers: { 'apollo-require-preflight': 'true', ...(accept ? { accept } : {}) },
    });

  it(`answers with ${GRAPHQL_RESPONSE} when the client accepts it`, async () => {
    const res = await post({ query: '{ health { status } }' }, `${GRAPHQL_RESPONSE}, application/json;q=0.9`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(`${GRAPHQL_RESPONSE}; charset=utf-8`);
    expect(await res.json()).toEqual({ data: { health: { status: 'ok' } } });
  });

  it('answers with application/json to clients that only accept that (or send no accept header)', async () => {
    const json = await post({ query: '{ health { status } }' }, 'application/json');
    expect(json.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const none = await post({ query: '{ health { status } }' });
    expect(none.status).toBe(200);
    expect(none.headers.get('content-type')).toMatch(/^application\/(graphql-response\+)?json; charset=utf-8$/);
  });

  it('refuses a media type it cannot produce with 406', async () => {
    const res = await post({ query: '{ health { status } }' }, 'text/html');
    expect(res.status).toBe(406);
  });

  it.each([
    ['a parse error', '{ health { status ', 'GRAPHQL_PARSE_FAILED'],
    ['a validation error', '{ nope }', 'GRAPHQL_VALIDATION_FAILED'],
  ])(`answers %s with 400 under ${GRAPHQL_RESPONSE}`, async (_, query, code) => {
    const res = await post({ query }, GRAPHQL_RESPONSE);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe(`${GRAPHQL_RESPONSE}; charset=utf-8`);
    const body = (await res.json()) as { data?: unknown; errors: Array<{ extensions: { code: string } }> };
    expect(body.data).toBeUndefined();
    expect(body.errors[0].extensions.code).toBe(code);
  });

  it('answers a request without a query with 400', async () => {
    const res = await post({}, GRAPHQL_RESPONSE);
    expect(res.status).toBe(400);
  });

  it('answers 401 to an operation that needs a credential and has none', async () => {
    const res = await post({ query: '{ plans { id } }' }, GRAPHQL_RESPONSE);
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toBe(`${GRAPHQL_RESPONSE}; charset=utf-8`);
    expect(((await res.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('answers 401 to a bad credential', async () => {
    const res = await post({ query: '{ health { status } }' }, GRAPHQL_RESPONSE, { authorization: 'Bearer apl_nosuchkey000_' + 'x'.repeat(43) });
    expect(res.status).toBe(401);
  });

  it('runs queries over GET', async () => {
    const res = await get('{ health { status } }', GRAPHQL_RESPONSE);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(`${GRAPHQL_RESPONSE}; charset=utf-8`);
    expect(await res.json()).toEqual({ data: { health: { status: 'ok' } } });
  });

  it('refuses a mutation over GET with 405 and Allow: POST, before authentication', async () => {
    const res = await get('mutation { revokeApiKey(keyId: "abcdefgh1234", reason: "x") { keyId } }', GRAPHQL_RESPONSE);
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
  });

  it('refuses a GET without a preflight header (CSRF prevention) with 400', async () => {
    const res = await fetch(`${t.url}?query=${encodeURIComponent('{ health { status } }')}`);
    expect(res.status).toBe(400);
  });

  it.each(['PUT', 'PATCH', 'DELETE'])('refuses %s on /graphql with 405 and Allow: GET, POST', async (method) => {
    const res = await fetch(t.url, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ health { status } }' }) });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, POST');
  });
});
