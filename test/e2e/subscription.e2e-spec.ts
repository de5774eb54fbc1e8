import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { KeyService } from '@app/auth';
import { authHeader, issueTestKey } from './support/auth.js';
import { type TestApp, startTestApp } from './support/test-app.js';
import { waitUntil } from '../support/wait-until.js';

interface Update {
  code: string;
  indicatorValues: Array<{ key: string; exactValue: string }>;
}

/** Subscribes and resolves with the first `count` payloads (or the error). */
function firstUpdates(client: Client, query: string, count: number): { done: Promise<unknown[]> } {
  const received: unknown[] = [];
  const done = new Promise<unknown[]>((resolve, reject) => {
    const unsubscribe = client.subscribe(
      { query },
      {
        next: (value) => {
          received.push(value);
          if (received.length === count) {
            unsubscribe();
            resolve(received);
          }
        },
        error: reject,
        complete: () => resolve(received),
      },
    );
  });
  return { done };
}

describe('measureUpdated subscription (e2e)', () => {
  let t: TestApp;
  let wsUrl: string;
  let moi: Record<string, string>;
  const clients: Client[] = [];
  const connect = (authorization?: string) => {
    const client = createClient({ url: wsUrl, webSocketImpl: WebSocket, connectionParams: authorization ? { authorization } : {}, retryAttempts: 0, lazy: false, onNonLazyError: () => undefined });
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    t = await startTestApp();
    wsUrl = t.url.replace('http://', 'ws://');
    moi = authHeader(await issueTestKey(t, { role: 'AGENCY', agencyId: 'ministry-of-interior' }));
  });
  afterAll(async () => {
    await Promise.all(clients.map(async (c) => c.dispose()));
    await t.close({ removeData: true });
  });

  const record = (reportId: string, participants: number) =>
    t.gql(
      'mutation ($input: RecordTrainingDeliveredInput!) { recordTrainingDelivered(input: $input) { position } }',
      { input: { measureCode: 'II.1.3', reportId, occurredOn: '2023-03-01', title: 'Border control course', participants, days: 1 } },
      moi,
    );

  it('pushes the measure with its new figures after each report on it', async () => {
    const coordinator = `Bearer ${await issueTestKey(t, { role: 'COORDINATOR' })}`;
    const received: Update[] = [];
    let failure: unknown;
    const unsubscribe = connect(coordinator).subscribe(
      { query: 'subscription { measureUpdated(code: "II.1.3") { code indicatorValues { key exactValue } } }' },
      {
        next: (value) => received.push((value.data as { measureUpdated: Update }).measureUpdated),
        error: (error: unknown) => (failure = error),
        complete: () => undefined,
      },
    );
    const figure = (update: Update | undefined, key: string) => Number(update?.indicatorValues.find((v) => v.key === key)?.exactValue);
    try {
      // graphql-ws does not tell when the server has set the subscription up (the connection's
      // ack comes first): report until an update arrives, rather than sleep and hope.
      let probes = 0;
      while (received.length === 0) {
        if (failure) throw failure;
        expect((await record(`probe-${++probes}`, 1)).errors).toBeUndefined();
        for (let i = 0; i < 20 && received.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 25));
      }
      // Every probe after the first one pushed is pushed too, in order: the last one counts them all.
      await waitUntil(() => figure(received.at(-1), 'trainings') === probes, 'the update of the last probe');
      const seen = received.length;
      expect((await record('live-1', 10)).errors).toBeUndefined();
      expect((await record('live-2', 5)).errors).toBeUndefined();
      await waitUntil(() => received.length >= seen + 2, 'two updates after the probes');
      expect(received.slice(seen).map((u) => u.indicatorValues)).toEqual([
        [
          { key: 'trainings', exactValue: String(probes + 1) },
          { key: 'participants', exactValue: String(probes + 10) },
        ],
        [
          { key: 'trainings', exactValue: String(probes + 2) },
          { key: 'participants', exactValue: String(probes + 15) },
        ],
      ]);
      expect(failure).toBeUndefined();
    } finally {
      unsubscribe();
    }
  });

  it('closes a connection whose credential does not authenticate with 4401 Unauthorized and the reason HTTP gives', async () => {
    const closeOf = (authorization: string) =>
      new Promise<{ code: number; reason: string }>((resolve) => {
        const client = createClient({
          url: wsUrl,
          webSocketImpl: WebSocket,
          connectionParams: { authorization },
          retryAttempts: 0,
          lazy: false,
          onNonLazyError: () => undefined,
          on: { closed: (event) => resolve({ code: (event as { code: number }).code, reason: String((event as { reason?: unknown }).reason) }) },
        });
        clients.push(client);
      });
    const revoked = await issueTestKey(t, { role: 'COORDINATOR' });
    await t.app.get(KeyService).revoke(/^apl_([A-Za-z0-9]+)_/.exec(revoked)![1], 'e2e', 'test:e2e');
    const http = await t.gql('{ me { id } }', undefined, { authorization: 'Bearer nope' });
    for (const authorization of ['Bearer nope', 'Bearer apl_AAAAAAAAAAAA_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB', `Bearer ${revoked}`, 'Basic abc']) {
      expect({ authorization, ...(await closeOf(authorization)) }).toEqual({ authorization, code: 4401, reason: http.errors?.[0].message });
    }
    expect(http.errors?.[0].message).toMatch(/Invalid credential/);
  });

  it('keeps the connection of a valid key lacking the right: the operation is refused FORBIDDEN, as over HTTP', async () => {
    const admin = connect(`Bearer ${await issueTestKey(t, { role: 'ADMIN' })}`);
    const refused = JSON.stringify(await firstUpdates(admin, 'subscription { measureUpdated(code: "II.1.3") { code } }', 1).done.then((v) => v, (e: unknown) => e));
    expect(refused).toMatch(/FORBIDDEN/);
    // The same socket still answers what the key may do.
    const me = await firstUpdates(admin, '{ me { role } }', 1).done;
    expect(me).toEqual([{ data: { me: { role: 'ADMIN' } } }]);
  });

  it('pushes to an agency the measures it is responsible for or a partner of, as the measure query reads them', async () => {
    // II.1.3: ministry-of-interior responsible, national-police-headquarters partner.
    for (const agencyId of ['ministry-of-interior', 'national-police-headquarters']) {
      const key = `Bearer ${await issueTestKey(t, { role: 'AGENCY', agencyId })}`;
      const received: Update[] = [];
      let failure: unknown;
      const unsubscribe = connect(key).subscribe(
        { query: 'subscription { measureUpdated(code: "II.1.3") { code indicatorValues { key exactValue } } }' },
        {
          next: (value) => {
            if (value.errors) failure = value.errors;
            else received.push((value.data as { measureUpdated: Update }).measureUpdated);
          },
          error: (error: unknown) => (failure = error),
          complete: () => undefined,
        },
      );
      try {
        let probes = 0;
        while (received.length === 0) {
          if (failure) throw new Error(`${agencyId}: ${JSON.stringify(failure)}`);
          expect((await record(`${agencyId}-probe-${++probes}`, 1)).errors).toBeUndefined();
          for (let i = 0; i < 20 && received.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 25));
        }
        expect(received[0]?.code).toBe('II.1.3');
        expect(received[0]?.indicatorValues.map((v) => v.key)).toEqual(['trainings', 'participants']);
      } finally {
        unsubscribe();
      }
    }
  });

  it('refuses an agency a measure it is not assigned to, and a role that reads no projections', async () => {
    const outcome = async (authorization: string) => {
      const sub = firstUpdates(connect(authorization), 'subscription { measureUpdated(code: "II.1.3") { code } }', 1);
      return JSON.stringify(await sub.done.then((values) => values, (e: unknown) => e));
    };
    const justice = `Bearer ${await issueTestKey(t, { role: 'AGENCY', agencyId: 'ministry-of-justice' })}`;
    const refusal = await outcome(justice);
    expect(refusal).toMatch(/FORBIDDEN/);
    expect(refusal).toMatch(/agency-reads-assigned-measures-only/);
    const admin = `Bearer ${await issueTestKey(t, { role: 'ADMIN' })}`;
    const adminRefusal = await outcome(admin);
    expect(adminRefusal).toMatch(/FORBIDDEN/);
    expect(adminRefusal).toMatch(/role-not-permitted/);
  });

  it('refuses an unknown measure', async () => {
    const coordinator = `Bearer ${await issueTestKey(t, { role: 'COORDINATOR' })}`;
    const sub = firstUpdates(connect(coordinator), 'subscription { measureUpdated(code: "IX.9.9") { code } }', 1);
    const errors = await sub.done.then(
      (values) => values,
      (e: unknown) => e,
    );
    expect(JSON.stringify(errors)).toMatch(/NOT_FOUND/);
  });
});

describe('measureUpdated: literal arguments that can never be valid (e2e)', () => {
  let t: TestApp;
  let client: Client;

  beforeAll(async () => {
    t = await startTestApp();
    const auditor = `Bearer ${await issueTestKey(t, { role: 'AUDITOR' })}`;
    client = createClient({ url: t.url.replace('http://', 'ws://'), webSocketImpl: WebSocket, connectionParams: { authorization: auditor }, retryAttempts: 0, lazy: false, onNonLazyError: () => undefined });
  });
  afterAll(async () => {
    await client.dispose();
    await t.close({ removeData: true });
  });

  /** The errors the subscription answers when it subscribes (no update is ever made here). */
  const refusalOf = (query: string) =>
    new Promise<Array<{ extensions?: Record<string, unknown> }>>((resolve, reject) => {
      client.subscribe({ query }, { next: () => reject(new Error('an update came, not a refusal')), error: (e: unknown) => resolve(e as never), complete: () => reject(new Error('completed without a refusal')) });
    });

  it.each([
    ['a day that does not exist', 'a: status(asOf: "2023-02-30")', 'asOf', 'must be a real calendar date written YYYY-MM-DD (got "2023-02-30")'],
    ['an empty asOf', 'progress(asOf: "")', 'asOf', 'must be a real calendar date written YYYY-MM-DD (got "")'],
    ['a year out of range', 'fundingStatus(year: -1) { disbursed }', 'year', 'must be a year between 1900 and 2200 (got -1)'],
    ['an empty point in time', 'reportCount(at: {})', 'at', 'must give exactly one of position and recordedAt (got neither)'],
    ['a position that is no number', 'reportCount(at: { position: "x1" })', 'at.position', 'must be a global position: a whole number written in digits'],
  ])('refuses %s when subscribing, BAD_USER_INPUT naming the field', async (_name, selection, field, reason) => {
    const errors = await refusalOf(`subscription { measureUpdated(code: "II.3.8") { code ${selection} } }`);
    expect(errors.map((e) => ({ code: e.extensions?.code, field: e.extensions?.field, reason: e.extensions?.reason }))).toEqual([{ code: 'BAD_USER_INPUT', field, reason }]);
  });
});
