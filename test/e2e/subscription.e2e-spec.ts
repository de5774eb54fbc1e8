import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { authHeader, issueTestKey } from './support/auth.js';
import { type TestApp, startTestApp } from './support/test-app.js';

interface Update {
  code: string;
  indicatorValues: Array<{ key: string; exactValue: string }>;
}

/** Subscribes and resolves with the first `count` payloads (or the error). */
function firstUpdates(client: Client, query: string, count: number): { done: Promise<unknown[]>; ready: Promise<void> } {
  const received: unknown[] = [];
  let ready!: () => void;
  const readyPromise = new Promise<void>((resolve) => (ready = resolve));
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
  // graphql-ws acknowledges the connection before the subscription is registered server-side;
  // a short pause after `connected` lets the server set it up before the test reports.
  client.on('connected', () => setTimeout(ready, 200));
  return { done, ready: readyPromise };
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
    const sub = firstUpdates(
      connect(coordinator),
      'subscription { measureUpdated(code: "II.1.3") { code indicatorValues { key exactValue } } }',
      2,
    );
    await sub.ready;
    expect((await record('live-1', 10)).errors).toBeUndefined();
    expect((await record('live-2', 5)).errors).toBeUndefined();
    const updates = (await sub.done) as Array<{ data: { measureUpdated: Update } }>;
    expect(updates.map((u) => u.data.measureUpdated.indicatorValues)).toEqual([
      [
        { key: 'trainings', exactValue: '1' },
        { key: 'participants', exactValue: '10' },
      ],
      [
        { key: 'trainings', exactValue: '2' },
        { key: 'participants', exactValue: '15' },
      ],
    ]);
  });

  it('refuses a connection without a valid credential', async () => {
    const sub = firstUpdates(connect('Bearer nope'), 'subscription { measureUpdated(code: "II.1.3") { code } }', 1);
    await expect(sub.done).rejects.toBeDefined();
  });

  it('refuses a role that may not read projections', async () => {
    const sub = firstUpdates(connect(moi.authorization), 'subscription { measureUpdated(code: "II.1.3") { code } }', 1);
    const errors = await sub.done.then(
      (values) => values,
      (e: unknown) => e,
    );
    expect(JSON.stringify(errors)).toMatch(/FORBIDDEN/);
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
