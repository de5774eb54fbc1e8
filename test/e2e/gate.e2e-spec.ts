import { Writable } from 'node:stream';
import { jest } from '@jest/globals';
import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { KeyService } from '@app/auth';
import { EVENT_STORE, type EventStore } from '@app/event-store';
import { issueTestKey } from './support/auth.js';
import { type TestApp, startTestApp } from './support/test-app.js';
import { withRateLimitClockStopped } from './support/frozen-clock.js';

/**
 * One table of hostile requests, run against both transports of `/graphql` — HTTP POST and a
 * real graphql-ws client — on a production build (introspection and suggestions off) with a
 * rate limit of 10 operations a minute. Every case must be answered the same way over both.
 */

jest.setTimeout(Number(process.env.E2E_TIMEOUT_MS ?? 120_000));

interface Answer {
  status?: number;
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
  /** graphql-ws: the socket was closed with this code instead of an answer. */
  closed?: number;
  ms: number;
}

interface Send {
  readonly key?: string;
  readonly variables?: Record<string, unknown>;
  readonly headers?: Record<string, string>;
  /** graphql-ws: connection params besides the credential. */
  readonly params?: Record<string, unknown>;
}

type Transport = 'http' | 'ws';

const LIMIT = 10;
const MOI = 'ministry-of-interior';
const TRAINING = 'mutation ($input: RecordTrainingDeliveredInput!) { recordTrainingDelivered(input: $input) { position duplicate } }';
const FUNDS = 'mutation ($input: RecordFundsDisbursedInput!) { recordFundsDisbursed(input: $input) { position } }';
const training = (reportId: string, extra: Record<string, unknown> = {}) => ({
  measureCode: 'II.1.3',
  reportId,
  occurredOn: '2023-03-01',
  title: 'Border control course',
  participants: 12,
  days: 1,
  ...extra,
});
const funds = (amount: unknown) => ({ measureCode: 'II.3.9', reportId: 'f-1', occurredOn: '2023-04-10', amount, source: 'NATIONAL', purpose: 'Grant' });

/** F0 = { me { id } }, Fk = { ...Fk-1 ...Fk-1 }: 2^k expanded fields from a document of about 40·k bytes. */
function fragmentBomb(levels: number): string {
  const fragments = ['fragment F0 on Query { me { id } }'];
  for (let k = 1; k <= levels; k++) fragments.push(`fragment F${k} on Query { ...F${k - 1} ...F${k - 1} }`);
  return `query Bomb { ...F${levels} } ${fragments.join(' ')}`;
}

/**
 * The log lines of every app of this file: nestjs-pino keeps one logger per process, whose
 * destination the first app created decides.
 */
const logLines: string[] = [];
const destination = new Writable({
  write(chunk: Buffer, _encoding, done) {
    logLines.push(...chunk.toString().split('\n').filter(Boolean));
    done();
  },
});

const code = (answer: Answer) => answer.errors?.[0]?.extensions?.code;
const extensionsOf = (answer: Answer) => answer.errors?.[0]?.extensions ?? {};

describe.each<Transport>(['http', 'ws'])('the request gate over %s (e2e, production)', (transport) => {
  let t: TestApp;
  const clients: Client[] = [];
  let counter = 0;
  const unique = (prefix: string) => `${prefix}-${transport}-${(counter += 1)}`;

  beforeAll(async () => {
    t = await startTestApp({
      env: { NODE_ENV: 'production', RATE_LIMIT_PER_MINUTE: String(LIMIT), LOG_LEVEL: 'info' },
      app: { logDestination: destination },
    });
  });
  afterAll(async () => {
    await Promise.all(clients.map(async (client) => client.dispose()));
    await t.close({ removeData: true });
  });

  const key = (role: 'AGENCY' | 'COORDINATOR' | 'AUDITOR' | 'ADMIN' = 'AGENCY') =>
    issueTestKey(t, { role, agencyId: role === 'AGENCY' ? MOI : undefined });

  /** One connection per credential and params (as a client keeps its socket open). */
  const sockets = new Map<string, { client: Client; closed: { code?: number } }>();
  function socket(send: Send) {
    const id = JSON.stringify([send.key, send.params]);
    let found = sockets.get(id);
    if (!found) {
      const closed: { code?: number } = {};
      const client = createClient({
        url: t.url.replace('http://', 'ws://'),
        webSocketImpl: WebSocket,
        connectionParams: { ...(send.key && { authorization: `Bearer ${send.key}` }), ...send.params },
        retryAttempts: 0,
        lazy: true,
        // The socket stays open between operations, as a client's does.
        lazyCloseTimeout: 60_000,
        on: { closed: (event) => (closed.code = (event as { code?: number }).code) },
      });
      clients.push(client);
      found = { client, closed };
      sockets.set(id, found);
    }
    return found;
  }

  async function ask(query: string, send: Send = {}): Promise<Answer> {
    const started = performance.now();
    if (transport === 'http') {
      const response = await fetch(t.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(send.key && { authorization: `Bearer ${send.key}` }), ...send.headers },
        body: JSON.stringify({ query, variables: send.variables }),
      });
      const body = (await response.json()) as Omit<Answer, 'ms'>;
      return { ...body, status: response.status, ms: performance.now() - started };
    }
    const { client, closed } = socket(send);
    return new Promise<Answer>((resolve) => {
      let answer: Omit<Answer, 'ms'> = {};
      client.subscribe(
        { query, variables: send.variables, extensions: send.headers?.['x-correlation-id'] ? { correlationId: send.headers['x-correlation-id'] } : undefined },
        {
          next: (value) => (answer = value as Omit<Answer, 'ms'>),
          error: (error: unknown) => {
            const ms = performance.now() - started;
            if (Array.isArray(error)) resolve({ errors: error as Answer['errors'], ms });
            else resolve({ closed: (error as { code?: number }).code ?? closed.code ?? -1, ms });
          },
          complete: () => resolve({ ...answer, ms: performance.now() - started }),
        },
      );
    });
  }

  describe('document limits and schema privacy', () => {
    it('has introspection off', async () => {
      const answer = await ask('{ __schema { types { name } } }', { key: await key('AUDITOR') });
      expect(code(answer)).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(answer.data ?? undefined).toBeUndefined();
    });

    it('gives no "Did you mean" suggestion for a misspelt root field', async () => {
      const answer = await ask('{ helth { status } }', { key: await key('AUDITOR') });
      expect(code(answer)).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(answer.errors?.[0].message).toContain('Cannot query field "helth"');
      expect(JSON.stringify(answer)).not.toMatch(/Did you mean/);
    });

    it.each([31, 60])('refuses %i aliases', async (count) => {
      const query = `{ ${Array.from({ length: count }, (_, i) => `a${i}: plans { id }`).join(' ')} }`;
      const answer = await ask(query, { key: await key('AUDITOR') });
      expect(code(answer)).toBe('QUERY_TOO_COMPLEX');
      expect(answer.errors?.[0].message).toMatch(new RegExp(`${count} aliases, more than the limit of 30`));
    });

    it('refuses a query deeper than 10', async () => {
      const answer = await ask(`{ plans { agencies { ${'members { '.repeat(8)}id${' }'.repeat(8)} } } }`, { key: await key('AUDITOR') });
      expect(code(answer)).toBe('QUERY_TOO_COMPLEX');
      expect(answer.errors?.[0].message).toMatch(/depth 11 exceeds the limit of 10/);
    });

    it('refuses a query costlier than the limit', async () => {
      const costly = '{ plans { pillars { objectives { measures { responsible { members { members { members { id } } } } partners { id } indicators { key } } } } } }';
      const answer = await ask(costly, { key: await key('AUDITOR') });
      expect(code(answer)).toBe('QUERY_TOO_COMPLEX');
      expect(answer.errors?.[0].message).toMatch(/cost \d+ exceeds the limit of 50000/);
    });

    it.each([20, 30, 60, 900])('refuses the fragment bomb %i levels deep with QUERY_TOO_COMPLEX, at once, and keeps serving', async (levels) => {
      const answer = await ask(fragmentBomb(levels), { key: await key('COORDINATOR') });
      expect(code(answer)).toBe('QUERY_TOO_COMPLEX');
      expect(answer.errors?.[0].message).toMatch(/expands to (\d+|over 2\^53) fields through its fragments, more than the limit of 10000/);
      // Refused before validation, which took 2.4 s at depth 20 and would take tens of minutes at
      // 30: the test's timeout bounds that; query-limits.spec.ts proves the check linear by
      // counting reads, not by a clock a loaded machine would stretch.
      expect((await fetch(t.url.replace('/graphql', '/health/live'))).status).toBe(200);
    });

    it('refuses a literal nested 3,000 deep cleanly, without "Maximum call stack"', async () => {
      const answer = await ask(`{ measure(code: ${'['.repeat(3000)}"x"${']'.repeat(3000)}) { code } }`, { key: await key('COORDINATOR') });
      expect(code(answer)).toBe('QUERY_TOO_COMPLEX');
      expect(answer.errors?.[0].message).toMatch(/nests brackets more than 128 deep/);
      expect(JSON.stringify(answer)).not.toMatch(/call stack/i);
    });

    it('refuses variables nested 3,000 deep cleanly', async () => {
      let deep: unknown = 'x';
      for (let i = 0; i < 3000; i++) deep = [deep];
      const answer = await ask('query ($c: String!) { measure(code: $c) { code } }', { key: await key('COORDINATOR'), variables: { c: deep } });
      expect(code(answer)).toBe('QUERY_TOO_COMPLEX');
      expect(JSON.stringify(answer)).not.toMatch(/call stack/i);
    });

    it('refuses a document that does not parse with GRAPHQL_PARSE_FAILED', async () => {
      const answer = await ask('{ plans { id }', { key: await key('AUDITOR') });
      expect(code(answer)).toBe('GRAPHQL_PARSE_FAILED');
    });
  });

  describe('credentials', () => {
    it('refuses an operation without a credential, and answers health', async () => {
      expect(code(await ask('{ me { id } }'))).toBe('UNAUTHENTICATED');
      expect((await ask('{ health { status } }')).data).toEqual({ health: { status: 'ok' } });
    });

    it('refuses an invalid credential (HTTP 401; graphql-ws closes the connection 4401 Unauthorized)', async () => {
      const answer = await ask('{ me { id } }', { key: 'apl_AAAAAAAAAAAA_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB' });
      const refusal = transport === 'http' ? { status: answer.status, code: code(answer) } : { closed: answer.closed };
      expect(refusal).toEqual(transport === 'http' ? { status: 401, code: 'UNAUTHENTICATED' } : { closed: 4401 });
    });

    it('refuses the next operation of a revoked key', async () => {
      const agency = await key();
      expect((await ask('{ me { id } }', { key: agency })).errors).toBeUndefined();
      const keyId = /^apl_([A-Za-z0-9]+)_/.exec(agency)![1];
      await t.app.get(KeyService).revoke(keyId, 'e2e', 'test:e2e');
      const after = await ask(TRAINING, { key: agency, variables: { input: training(unique('revoked')) } });
      expect(code(after)).toBe('UNAUTHENTICATED');
    });

    it('applies the access rule of each field', async () => {
      const answer = await ask('{ events(first: 1) { edges { cursor } } }', { key: await key('COORDINATOR') });
      expect(code(answer)).toBe('FORBIDDEN');
    });
  });

  describe('rate limit: operations, not requests', () => {
    it('stores 10 reports sent in a row and refuses the rest with RATE_LIMITED', async () => {
      const agency = await key();
      const answers: Answer[] = [];
      await withRateLimitClockStopped(async () => {
        for (let i = 0; i < 15; i++) answers.push(await ask(TRAINING, { key: agency, variables: { input: training(unique('row')) } }));
      });
      expect(answers.filter((a) => !a.errors).length).toBe(LIMIT);
      expect(answers.slice(LIMIT).map(code)).toEqual(Array(5).fill('RATE_LIMITED'));
      expect(extensionsOf(answers[LIMIT])).toMatchObject({ limit: LIMIT, retryAfter: expect.any(Number) });
      // HTTP answers 429; graphql-ws has no status.
      expect(answers[LIMIT].status).toBe(transport === 'http' ? 429 : undefined);
    });

    it('counts each root field of a mutation: 30 aliased records against a budget of 10 store nothing', async () => {
      const agency = await key();
      const fields = Array.from({ length: 30 }, (_, i) => `r${i}: recordTrainingDelivered(input: { measureCode: "II.1.3", reportId: "${unique('alias')}", occurredOn: "2023-03-01", title: "x", participants: 1, days: 1 }) { position }`);
      const answer = await ask(`mutation { ${fields.join(' ')} }`, { key: agency });
      expect(code(answer)).toBe('RATE_LIMITED');
      expect(answer.errors?.[0].message).toMatch(/counts 30/);
      const store = t.app.get<EventStore>(EVENT_STORE);
      const all: string[] = [];
      for await (const event of store.readAll()) all.push(JSON.stringify(event.data));
      expect(all.some((data) => data.includes(`alias-${transport}`))).toBe(false);
      // 5 aliased records take 5 units of the 9 left, and are stored.
      const five = fields.slice(0, 5).map((f) => f.replace(/alias-[a-z]+-\d+/, unique('five')));
      expect((await ask(`mutation { ${five.join(' ')} }`, { key: agency })).errors).toBeUndefined();
    });

    it('counts documents that fail to parse', async () => {
      const coordinator = await key('COORDINATOR');
      await withRateLimitClockStopped(async () => {
        for (let i = 0; i < LIMIT; i++) expect(code(await ask('{ nope', { key: coordinator }))).toBe('GRAPHQL_PARSE_FAILED');
        expect(code(await ask('{ me { id } }', { key: coordinator }))).toBe('RATE_LIMITED');
      });
    });
  });

  describe('bad input: BAD_USER_INPUT with field and reason, no suggestion, as variables and as literals', () => {
    const cases: Array<[string, string, Record<string, unknown>, string, RegExp]> = [
      ['a fractional Int', TRAINING, { input: training('x', { participants: 1.5 }) }, 'input.participants', /./],
      ['an oversized Int', TRAINING, { input: training('x', { participants: 2 ** 31 }) }, 'input.participants', /./],
      ['a string Int', TRAINING, { input: training('x', { participants: '12' }) }, 'input.participants', /./],
      ['a misspelt input field', TRAINING, { input: { ...training('x'), participant: 3 } }, 'input.participant', /./],
      ['a missing input field', TRAINING, { input: { ...training('x'), title: undefined } }, 'input.title', /./],
      ['an unknown enum value', FUNDS, { input: { ...funds('100'), source: 'NATIONL' } }, 'input.source', /./],
      ['money in exponent form', FUNDS, { input: funds('1.2e6') }, 'input.amount', /./],
      ['money with a thousands separator', FUNDS, { input: funds('1,000') }, 'input.amount', /./],
      ['money with decimals', FUNDS, { input: funds('12.50') }, 'input.amount', /./],
      ['empty money', FUNDS, { input: funds('') }, 'input.amount', /./],
      ['money as a JSON number above 2^53', FUNDS, { input: funds(2 ** 53 + 2) }, 'input.amount', /money is a string/],
      ['an instant without an offset', '{ events(first: 1, filter: { recordedTo: "2026-11-25T12:00:00" }) { edges { cursor } } }', {}, 'filter.recordedTo', /./],
      ['a year as an instant', 'query ($f: EventFilter) { events(first: 1, filter: $f) { edges { cursor } } }', { f: { recordedFrom: '2026' } }, 'filter.recordedFrom', /./],
      ['"1" as an instant', '{ planProgress(planId: "hu-2022-2023", at: { recordedAt: "1" }) { byStatus { achieved } } }', {}, 'at.recordedAt', /./],
      ['a US date as an instant', '{ events(first: 1, filter: { recordedFrom: "12/31/2026" }) { edges { cursor } } }', {}, 'filter.recordedFrom', /./],
    ];

    it.each(cases)('%s', async (_name, query, variables, field, reason) => {
      const agency = await key(query.includes('events') || query.includes('planProgress') ? 'AUDITOR' : 'AGENCY');
      const answer = await ask(query, { key: agency, variables });
      expect(code(answer)).toBe('BAD_USER_INPUT');
      expect(extensionsOf(answer)).toMatchObject({ field, reason: expect.any(String) });
      expect(answer.errors?.[0].message).toMatch(reason);
      expect(JSON.stringify(answer)).not.toMatch(/Did you mean|9007199254740994|9007199254740992/);
    });

    it.each([
      ['participants: 1.5', 'input.participants'],
      ['participants: 2147483648', 'input.participants'],
      ['participants: "12"', 'input.participants'],
      ['participants: 12, participant: 3', 'input.participant'],
    ])('a literal %s', async (literal, field) => {
      const query = `mutation { recordTrainingDelivered(input: { measureCode: "II.1.3", reportId: "lit", occurredOn: "2023-03-01", title: "x", days: 1, ${literal} }) { position } }`;
      const answer = await ask(query, { key: await key() });
      expect(code(answer)).toBe('BAD_USER_INPUT');
      expect(extensionsOf(answer)).toMatchObject({ field, reason: expect.any(String) });
      expect(JSON.stringify(answer)).not.toMatch(/Did you mean/);
    });

    it.each([
      ['amount: "1,000", source: NATIONAL', 'input.amount'],
      ['amount: 1.2e6, source: NATIONAL', 'input.amount'],
      ['amount: "", source: NATIONAL', 'input.amount'],
      ['amount: "100", source: NATIONL', 'input.source'],
    ])('a literal %s', async (literal, field) => {
      const query = `mutation { recordFundsDisbursed(input: { measureCode: "II.3.9", reportId: "lit", occurredOn: "2023-04-10", purpose: "x", ${literal} }) { position } }`;
      const answer = await ask(query, { key: await key() });
      expect(code(answer)).toBe('BAD_USER_INPUT');
      expect(extensionsOf(answer)).toMatchObject({ field, reason: expect.any(String) });
      expect(JSON.stringify(answer)).not.toMatch(/Did you mean/);
    });

    it('a missing required argument names it', async () => {
      const answer = await ask('mutation { recordTrainingDelivered { position } }', { key: await key() });
      expect(code(answer)).toBe('BAD_USER_INPUT');
      expect(extensionsOf(answer)).toMatchObject({ field: 'input', reason: 'required, but not provided' });
    });
  });

  describe('errors, logs, correlation', () => {
    it('masks a store failure as INTERNAL_SERVER_ERROR with an errorId, never its raw message', async () => {
      const store = t.app.get<EventStore>(EVENT_STORE);
      const agency = await key();
      const append = jest.spyOn(store, 'append').mockImplementationOnce(async () => {
        throw new Error('SQLITE_BUSY: database is locked');
      });
      try {
        const answer = await ask(TRAINING, { key: agency, variables: { input: training(unique('locked')) } });
        expect(code(answer)).toBe('INTERNAL_SERVER_ERROR');
        expect(extensionsOf(answer).errorId).toEqual(expect.any(String));
        expect(JSON.stringify(answer)).not.toMatch(/SQLITE|locked/);
      } finally {
        append.mockRestore();
      }
    });

    it('writes one request log line with the operation and the correlation id sent, which the stored event carries', async () => {
      const agency = await key();
      const reportId = unique('corr');
      const correlationId = `corr-${transport}-${Date.now()}`;
      const send: Send =
        transport === 'http'
          ? { key: agency, headers: { 'x-correlation-id': correlationId } }
          : { key: agency, params: { correlationId } };
      expect((await ask(`mutation Corr ${TRAINING.slice('mutation '.length)}`, { ...send, variables: { input: training(reportId) } })).errors).toBeUndefined();
      const history = await ask(`{ reportHistory(agencyId: "${MOI}", reportId: "${reportId}") { events { metadata } } }`, { key: agency });
      const events = (history.data!.reportHistory as { events: Array<{ metadata: { correlationId: string } }> }).events;
      expect(events[0].metadata.correlationId).toBe(correlationId);
      const line = logLines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.correlationId === correlationId && l.graphql);
      if (!line) throw new Error(`no line for ${correlationId} in:\n${logLines.filter((l) => l.includes(correlationId) || l.includes('graphql-ws')).join('\n')}`);
      expect(line?.graphql).toMatchObject({ transport, operation: 'Corr', type: 'mutation', principal: expect.any(String), units: 1, codes: [] });
      expect(JSON.stringify(line)).not.toContain(agency);
    });

    it('logs the code the client was answered: a user\'s input refused in a Measure field resolver is BAD_USER_INPUT, not a server error', async () => {
      const auditor = await key('AUDITOR');
      for (const [name, field] of [
        ['BadAsOf', 'status(asOf: "2023-02-30")'],
        ['BadAt', 'status(at: { position: "99999999" })'],
      ] as const) {
        const correlationId = `typo-${name}-${transport}-${Date.now()}`;
        const send: Send = transport === 'http' ? { key: auditor, headers: { 'x-correlation-id': correlationId } } : { key: auditor, params: { correlationId } };
        const answer = await ask(`query ${name} { measure(code: "II.1.3") { code ${field} } }`, send);
        expect(code(answer)).toBe('BAD_USER_INPUT');
        const line = logLines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.correlationId === correlationId && l.graphql);
        if (!line) throw new Error(`no line for ${correlationId}`);
        expect((line.graphql as { codes: string[] }).codes).toEqual(['BAD_USER_INPUT']);
        expect(logLines.some((l) => l.includes(correlationId) && /INTERNAL_SERVER_ERROR|errorId=/.test(l))).toBe(false);
      }
    });
  });
});

describe('graphql-ws: credentials checked per operation and for live subscriptions', () => {
  let t: TestApp;
  const clients: Client[] = [];
  beforeAll(async () => {
    t = await startTestApp({ env: { NODE_ENV: 'production' } });
  });
  afterAll(async () => {
    await Promise.all(clients.map(async (client) => client.dispose()));
    await t.close({ removeData: true });
  });

  const connect = (key: string) => {
    const client = createClient({ url: t.url.replace('http://', 'ws://'), webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${key}` }, retryAttempts: 0 });
    clients.push(client);
    return client;
  };

  it('ends a live subscription with UNAUTHENTICATED soon after its key is revoked', async () => {
    const coordinator = await issueTestKey(t, { role: 'COORDINATOR' });
    const agency = await issueTestKey(t, { role: 'AGENCY', agencyId: MOI });
    const client = connect(coordinator);
    const received: unknown[] = [];
    const ended = new Promise<{ errors?: Array<{ extensions?: { code?: string } }> }>((resolve, reject) => {
      client.subscribe(
        { query: 'subscription { measureUpdated(code: "II.1.3") { code } }' },
        {
          next: (value) => {
            received.push(value);
            if (value.errors) resolve({ errors: value.errors as never });
          },
          error: reject,
          complete: () => resolve({}),
        },
      );
    });
    // The subscription is live once an update arrives.
    const gql = (query: string, variables?: Record<string, unknown>) => t.gql(query, variables, { authorization: `Bearer ${agency}` });
    for (let i = 0, started = Date.now(); received.length === 0 && Date.now() - started < 60_000; i++) {
      expect((await gql(TRAINING, { input: training(`live-${i}`) })).errors).toBeUndefined();
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(received.length).toBeGreaterThan(0);
    await t.app.get(KeyService).revoke(/^apl_([A-Za-z0-9]+)_/.exec(coordinator)![1], 'e2e', 'test:e2e');
    const end = await ended;
    // Checked every 250 ms; how soon is not asserted (a loaded machine stretches any bound), that
    // it ends, with UNAUTHENTICATED, is.
    expect(end.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('refuses a message that is not JSON by closing the socket (4400), as HTTP answers 400', async () => {
    const socket = new WebSocket(t.url.replace('http://', 'ws://'), 'graphql-transport-ws');
    const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
    await new Promise((resolve) => socket.on('open', resolve));
    socket.send('{"type": ');
    expect(await closed).toBe(4400);
  });

  it('refuses a message larger than HTTP_BODY_LIMIT by closing the socket (1009)', async () => {
    const coordinator = await issueTestKey(t, { role: 'COORDINATOR' });
    const client = connect(coordinator);
    const closed = await new Promise<unknown>((resolve) => {
      client.subscribe({ query: '{ me { id } }', variables: { padding: 'x'.repeat(5_300_000) } }, { next: () => undefined, error: resolve, complete: () => resolve('completed') });
    });
    expect((closed as { code?: number }).code).toBe(1009);
  });
});
