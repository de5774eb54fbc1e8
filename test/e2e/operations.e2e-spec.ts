import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { parse } from 'yaml';
import type { Plan } from '@app/plan';
import { ProjectionsService } from '../../apps/api/src/projections/projections.service.js';
import { authHeader, issueTestKey } from './support/auth.js';
import { type TestApp, startTestApp } from './support/test-app.js';

const plan = parse(readFileSync('libs/plan/plans/hu-2022-2023.yaml', 'utf8')) as Plan;
const training = plan.pillars
  .flatMap((p) => p.objectives.flatMap((o) => o.measures))
  .find((m) => m.indicators.some((i) => i.event === 'TrainingDelivered'))!;

/** The JSON log lines the app wrote (nestjs-pino keeps one logger per process: this file's first app decides). */
const logLines: Record<string, unknown>[] = [];
const logs = new Writable({
  write(chunk: Buffer, _encoding, done) {
    for (const line of chunk.toString().split('\n')) if (line.trim()) logLines.push(JSON.parse(line) as Record<string, unknown>);
    done();
  },
});

const RECORD = `mutation ($input: RecordTrainingDeliveredInput!) { recordTrainingDelivered(input: $input) { stream position } }`;

describe('operations: health, metrics, logs, correlation (e2e)', () => {
  let t: TestApp;
  let base: string;
  let agency: Record<string, string>;
  let auditor: Record<string, string>;

  const post = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

  const record = (reportId: string, headers: Record<string, string> = {}) =>
    post(
      { query: RECORD, variables: { input: { measureCode: training.code, reportId, occurredOn: '2023-03-01', title: 'Course', participants: 10, days: 1 } } },
      { ...agency, ...headers },
    );

  /** The metadata of the events of a report stream (as an auditor reads them). */
  const metadataOf = async (reportId: string) => {
    const res = await t.gql<{ reportHistory: { events: Array<{ metadata: Record<string, unknown> }> } }>(
      'query ($a: String!, $r: String!) { reportHistory(agencyId: $a, reportId: $r) { events { metadata } } }',
      { a: training.responsible[0], r: reportId },
      auditor,
    );
    expect(res.errors).toBeUndefined();
    return res.data!.reportHistory.events.map((e) => e.metadata);
  };

  const metrics = async () => (await fetch(`${base}/metrics`)).text();

  beforeAll(async () => {
    t = await startTestApp({ env: { LOG_LEVEL: 'info' }, app: { logDestination: logs } });
    base = t.url.replace(/\/graphql$/, '');
    agency = authHeader(await issueTestKey(t, { role: 'AGENCY', agencyId: training.responsible[0] }));
    auditor = authHeader(await issueTestKey(t, { role: 'AUDITOR' }));
  });
  afterAll(async () => {
    await t.close({ removeData: true });
  });

  describe('GraphQL answers are never cached', () => {
    it('says cache-control: no-store on data, on refusals and on validation errors', async () => {
      const answers = [
        await record('no-store-1'),
        await post({ query: '{ measures { code } }' }),
        await post({ query: '{ noSuchField }' }, auditor),
      ];
      expect(answers.map((r) => r.status)).toEqual([200, 401, 400]);
      for (const res of answers) expect(res.headers.get('cache-control')).toBe('no-store');
    });
  });

  describe('health', () => {
    it('GET /health/live answers 200 without a credential', async () => {
      const res = await fetch(`${base}/health/live`);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ status: 'ok', info: { process: { status: 'up' } } });
    });

    it('GET /health/ready checks the store and the projections, without a credential', async () => {
      await t.app.get(ProjectionsService).runner.catchUpToHead(5_000);
      const res = await fetch(`${base}/health/ready`);
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toMatch(/no-store/);
      const body = (await res.json()) as { status: string; info: Record<string, Record<string, unknown>> };
      expect(body.status).toBe('ok');
      expect(body.info.eventStore).toMatchObject({ status: 'up', kind: 'sqlite', headPosition: expect.stringMatching(/^\d+$/) });
      expect(body.info.projections).toMatchObject({ status: 'up', eventsBehind: 0, maxLag: 1000 });
    });

    it('keeps the GraphQL health query', async () => {
      const res = await t.gql<{ health: { status: string } }>('{ health { status } }');
      expect(res.data?.health.status).toBe('ok');
    });
  });

  describe('metrics', () => {
    it('GET /metrics serves the Prometheus text format without a credential, with process metrics', async () => {
      const res = await fetch(`${base}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      const text = await res.text();
      expect(text).toMatch(/^process_cpu_user_seconds_total \d/m);
      expect(text).toMatch(/^nodejs_heap_size_used_bytes \d/m);
      expect(text).toMatch(/^ledger_projection_position\{projection="[a-z-]+"\} \d+/m);
      expect(text).toMatch(/^ledger_projection_lag_positions \d+/m);
    });

    it('counts appends by event type and outcome', async () => {
      const counter = (text: string) => Number(/^ledger_events_appended_total\{event_type="TrainingDelivered",outcome="ok"\} (\d+)/m.exec(text)?.[1] ?? 0);
      const before = counter(await metrics());
      const res = await record('metrics-1');
      expect(res.status).toBe(200);
      expect(counter(await metrics())).toBe(before + 1);
      // The shipped plan was adopted through the same store at start.
      expect(await metrics()).toMatch(/^ledger_events_appended_total\{event_type="PlanAdopted",outcome="ok"\} 1$/m);
    });

    it('times GraphQL operations by type, name and outcome', async () => {
      await post({ query: 'query Probe { health { status } }' });
      await post({ query: '{ nope }' });
      const text = await metrics();
      expect(text).toMatch(/^ledger_graphql_operation_duration_seconds_count\{operation_type="query",operation_name="Probe",outcome="ok"\} [1-9]/m);
      expect(text).toMatch(/^ledger_graphql_operation_duration_seconds_count\{operation_type="unknown",operation_name="anonymous",outcome="error"\} [1-9]/m);
      expect(text).toMatch(/^ledger_graphql_operation_duration_seconds_count\{operation_type="mutation",operation_name="anonymous",outcome="ok"\} [1-9]/m);
    });

    it('has a store errors counter', async () => {
      expect(await metrics()).toMatch(/^# TYPE ledger_event_store_errors_total counter$/m);
    });
  });

  describe('correlation id', () => {
    it('round-trips: request header → response header → event metadata → log lines', async () => {
      const res = await record('correlated-1', { 'x-correlation-id': 'case-4711.retry:1' });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-correlation-id')).toBe('case-4711.retry:1');
      const [metadata] = await metadataOf('correlated-1');
      expect(metadata).toMatchObject({ correlationId: 'case-4711.retry:1' });
      expect(metadata.causationId).toEqual(expect.any(String));

      const line = logLines.find((l) => l.msg === 'request completed' && l.correlationId === 'case-4711.retry:1');
      expect(line).toMatchObject({ req: { id: 'case-4711.retry:1', method: 'POST', url: '/graphql' }, res: { statusCode: 200 } });
    });

    it('honours x-request-id, and makes a UUID when the caller sends nothing sane', async () => {
      const byRequestId = await record('correlated-2', { 'x-request-id': 'lb-0001' });
      expect(byRequestId.headers.get('x-correlation-id')).toBe('lb-0001');
      expect((await metadataOf('correlated-2'))[0]).toMatchObject({ correlationId: 'lb-0001' });

      const insane = await record('correlated-3', { 'x-correlation-id': 'has spaces and {braces}' });
      const generated = insane.headers.get('x-correlation-id');
      expect(generated).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect((await metadataOf('correlated-3'))[0]).toMatchObject({ correlationId: generated });
    });

    it('puts the request id and correlation id on log lines written while serving the request', async () => {
      await post({ query: '{ plans { id } }' }, { 'x-correlation-id': 'no-credential-1' });
      const lines = logLines.filter((l) => l.correlationId === 'no-credential-1');
      // The refusal logged by the gatekeeper, and the request line.
      expect(lines.map((l) => l.msg)).toEqual(expect.arrayContaining([expect.stringMatching(/^UNAUTHENTICATED/), 'request completed']));
      for (const line of lines) expect(line).toMatchObject({ req: { id: 'no-credential-1' } });
    });
  });

  describe('logs', () => {
    it('are JSON outside development, at LOG_LEVEL, and never hold a credential', async () => {
      expect(logLines.length).toBeGreaterThan(0);
      expect(logLines.every((l) => typeof l.level === 'number' && typeof l.time === 'string')).toBe(true);
      expect(logLines.some((l) => l.context === 'PlanAutoload' && /^Plan \S+ adopted/.test(String(l.msg)))).toBe(true);
      // Nest's start-up narration (a line per module and route) is at debug, under LOG_LEVEL=info.
      expect(logLines.filter((l) => ['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory'].includes(String(l.context)))).toEqual([]);
      expect(logLines.some((l) => /plan\(s\) in the catalog/.test(String(l.msg)))).toBe(false);
      const text = JSON.stringify(logLines);
      expect(text).not.toMatch(/apl_[A-Za-z0-9]{8,}_/);
      expect(text).not.toMatch(/[Bb]earer /);
    });
  });

  describe('readiness', () => {
    it('answers 503 naming the projections when they have stopped', async () => {
      await t.app.get(ProjectionsService).runner.stop();
      const res = await fetch(`${base}/health/ready`);
      expect(res.status).toBe(503);
      const body = (await res.json()) as { status: string; error: Record<string, Record<string, unknown>> };
      expect(body.status).toBe('error');
      expect(body.error.projections).toMatchObject({ status: 'down', state: 'stopped' });
      expect((await fetch(`${base}/health/live`)).status).toBe(200);
    });

    it('logs not being ready once, in one line without a stack trace, however often it is probed', async () => {
      const from = logLines.length;
      for (let i = 0; i < 3; i++) expect((await fetch(`${base}/health/ready`)).status).toBe(503);
      const lines = logLines.slice(from);
      // With the probe of the test before: four failed probes, one line.
      const readiness = logLines.filter((l) => l.context === 'Readiness');
      expect(readiness).toHaveLength(1);
      expect(readiness[0]).toMatchObject({ level: 40 });
      expect(readiness[0].msg).toMatch(/^Not ready: projections: the projection runner is stopped \(stopped, at position \d+\); consumers down: projections stopped \(applied up to position \d+\): [^;]+$/);
      // Neither Terminus's "Health Check has failed!" nor pino-http's 503 line with its stack.
      expect(lines.filter((l) => (l.level as number) >= 50)).toEqual([]);
      expect(JSON.stringify(lines)).not.toMatch(/Health Check has failed|failed with status code 503|\\n\s+at /);
    });
  });
});
