import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { ANY, type EventStore, type ReadAllOptions, type RecordedEvent, SqliteEventStore } from '@app/event-store';
import { type Indicator, type Plan, diffPlans } from '@app/plan';
import { COORDINATOR_PROJECTIONS, replayProjections } from './coordinator-projections.js';
import { ProjectionFailedError, ProjectionTimeoutError, ProjectionsStoppedError } from './errors.js';
import { ACTIVITY_PROJECTION as INDICATORS_PROJECTION, activityProjection } from './activity/activity.projection.js';
import type { Projection } from './projection.js';
import { ProjectionRunner, type RunnerLogger } from './projection-runner.js';
import { NO_POSITION, ReadModelStore } from './read-model-store.js';
import { ProjectionSnapshot } from './snapshot.js';
import { DEMO_PLAN_FILE, TestLog, loadTestPlan } from './test-support.js';
import { WAIT_UNTIL_MS, waitUntil } from '../../../test/support/wait-until.js';

const plan = loadTestPlan(DEMO_PLAN_FILE);
const quiet: RunnerLogger = { log: () => undefined, warn: () => undefined, error: () => undefined };
const police = { agencyId: 'river-city-police', measureCode: 'A.1.1' };
const training = (participants: number) => ({ title: 't', participants, days: 1 });

/** Appends events built by a TestLog to a real store, in order; returns the last position. */
async function appendAll(store: SqliteEventStore, events: readonly RecordedEvent[]): Promise<bigint> {
  let position = 0n;
  for (const e of events) position = (await store.append(e.stream, [{ type: e.type, data: e.data, metadata: e.metadata }], ANY)).position;
  return position;
}

describe('ProjectionRunner over the SQLite event store', () => {
  let dir: string;
  let store: SqliteEventStore;
  let readModels: ReadModelStore;
  let runner: ProjectionRunner | undefined;
  let log: TestLog;

  const file = () => join(dir, 'read-models.db');
  const newRunner = (options: { projections?: readonly Projection[]; batchSize?: number; logger?: RunnerLogger } = {}) =>
    new ProjectionRunner({
      store,
      readModels,
      projections: options.projections ?? COORDINATOR_PROJECTIONS,
      batchSize: options.batchSize ?? 100,
      batchIntervalMs: 20,
      logger: options.logger ?? quiet,
    });
  const snapshot = (r: ProjectionRunner) => new ProjectionSnapshot(r);
  const trainings = (r: ProjectionRunner) => snapshot(r).evaluate('demo-2030', 'A.1.1', '2030-06-01')!.indicators[0].value;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'apl-projections-'));
    store = SqliteEventStore.open(join(dir, 'events.db'), { pollIntervalMs: 20 });
    readModels = ReadModelStore.open(file());
    log = new TestLog();
    log.adopt(plan);
  });
  afterEach(async () => {
    await runner?.stop();
    runner = undefined;
    readModels.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('applies live events and answers once it has reached a position', async () => {
    runner = newRunner();
    await runner.start();
    await appendAll(store, log.events);
    const r1 = log.report('TrainingDelivered', { ...police, reportId: 'r1' }, '2030-02-01', training(10));
    const position = await appendAll(store, [r1]);
    await runner.waitForPosition(position, WAIT_UNTIL_MS);
    expect(runner.position).toBe(position);
    expect(trainings(runner)).toBe(1n);

    const correction = log.correct(r1, '2030-02-01', training(12));
    const retraction = log.retract(r1);
    const last = await appendAll(store, [correction, retraction]);
    await runner.waitForPosition(last, WAIT_UNTIL_MS);
    expect(trainings(runner)).toBe(0n);
    expect(await runner.lag()).toBe(0n);
    expect(runner.state).toBe('live');
    // Live batches end by time (20 ms here): then model and checkpoint are on disk.
    await waitUntil(() => readModels.checkpoint(INDICATORS_PROJECTION)?.position === last, 'the live batch committed');
    expect(readModels.checkpoint(INDICATORS_PROJECTION)).toEqual({ version: activityProjection.version, position: last });
  });

  it('stores read model and checkpoint together per batch (size or interval, whichever first)', async () => {
    for (let i = 0; i < 250; i++) log.report('TrainingDelivered', { ...police, reportId: `r${i}` }, '2030-02-01', training(1));
    const head = await appendAll(store, log.events);
    runner = newRunner({ batchSize: 100 });
    await runner.start();
    await runner.waitForPosition(head, WAIT_UNTIL_MS);
    // The interval commits the tail of the catch-up too.
    await waitUntil(() => runner!.status().every((s) => s.committedPosition === head), 'the tail of the catch-up committed');
    for (const status of runner.status()) expect(status).toMatchObject({ position: head, committedPosition: head });
    expect(readModels.checkpoint(INDICATORS_PROJECTION)).toEqual({ version: activityProjection.version, position: head });
  });

  it('resumes from its checkpoint after a restart, and a rebuild from 0 gives the same digests', async () => {
    for (let i = 0; i < 40; i++) log.report('TrainingDelivered', { ...police, reportId: `r${i}` }, '2030-02-01', training(i));
    let head = await appendAll(store, log.events);
    runner = newRunner();
    await runner.start();
    await runner.waitForPosition(head, WAIT_UNTIL_MS);
    await runner.stop();

    // While it is down: more reports, a correction, a retraction.
    const more = new TestLog();
    for (let i = 40; i < 50; i++) more.report('TrainingDelivered', { ...police, reportId: `r${i}` }, '2030-03-01', training(i));
    head = await appendAll(store, more.events);
    const first = log.events[2];
    head = await appendAll(store, [log.correct(first, '2030-04-01', training(100)), log.retract(log.events[3])]);

    const messages: string[] = [];
    runner = newRunner({ logger: { ...quiet, log: (m) => messages.push(m) } });
    await runner.start();
    expect(messages.some((m) => m.split('; ').some((part) => part.startsWith(`activity v${activityProjection.version}:`) && part.includes(`resuming after position ${head - 12n}`)))).toBe(true);
    await runner.waitForPosition(head, WAIT_UNTIL_MS);
    expect(trainings(runner)).toBe(49n);
    const live = runner.digests();

    const rebuilt = await replayProjections({ store, file: join(dir, 'rebuilt.db'), logger: quiet });
    expect(rebuilt.position).toBe(head);
    expect(rebuilt.digests).toEqual(live);

    // The one-off build wrote its whole state once at the end: a runner resumes from that file.
    const rebuiltModels = ReadModelStore.open(join(dir, 'rebuilt.db'));
    try {
      const resumed = new ProjectionRunner({ store, readModels: rebuiltModels, projections: COORDINATOR_PROJECTIONS, logger: quiet });
      await resumed.replay();
      expect(resumed.eventsRead).toBe(0);
      expect(resumed.digests()).toEqual(live);
    } finally {
      rebuiltModels.close();
    }

    // In place, while running.
    const readBefore = runner.eventsRead;
    await runner.rebuild([INDICATORS_PROJECTION]);
    // Rebuilt once it has read the log again from the start.
    await waitUntil(() => runner!.eventsRead > readBefore && isDeepStrictEqual(runner!.digests(), live), 'the rebuilt digests');
    await runner.waitForPosition(head, WAIT_UNTIL_MS);
    expect(runner.digests()).toEqual(live);
  });

  it('replays up to a given position only', async () => {
    const r1 = log.report('TrainingDelivered', { ...police, reportId: 'r1' }, '2030-02-01', training(1));
    log.report('TrainingDelivered', { ...police, reportId: 'r2' }, '2030-02-01', training(1));
    await appendAll(store, log.events);
    const result = await replayProjections({ store, file: join(dir, 'until.db'), until: r1.position, logger: quiet });
    expect(result.position).toBe(r1.position);
  });

  it('rebuilds a projection whose version changed', async () => {
    log.report('TrainingDelivered', { ...police, reportId: 'r1' }, '2030-02-01', training(1));
    const head = await appendAll(store, log.events);
    runner = newRunner();
    await runner.start();
    await runner.waitForPosition(head, WAIT_UNTIL_MS);
    await runner.stop();
    const digests = runner.digests();

    const bumped = COORDINATOR_PROJECTIONS.map((p) => (p.name === INDICATORS_PROJECTION ? { ...p, version: p.version + 1 } : p));
    const warnings: string[] = [];
    runner = newRunner({ projections: bumped, logger: { ...quiet, warn: (m) => warnings.push(m) } });
    await runner.start();
    expect(warnings).toEqual([`activity: stored version ${activityProjection.version}, definition version ${activityProjection.version + 1}: rebuilding from position 0`]);
    expect(runner.status().find((s) => s.name === INDICATORS_PROJECTION)!.position).toBe(0n);
    await runner.waitForPosition(head, WAIT_UNTIL_MS);
    expect(runner.digests()).toEqual(digests);
    expect(readModels.checkpoint(INDICATORS_PROJECTION)?.version).toBe(activityProjection.version + 1);
  });

  it('rebuilds by itself when an amendment needs figures it did not keep', async () => {
    log.report('TrainingDelivered', { ...police, reportId: 'r1' }, '2030-02-01', { ...training(1), audience: 'judges' });
    log.report('TrainingDelivered', { ...police, reportId: 'r2' }, '2030-02-01', { ...training(1), audience: 'police' });
    await appendAll(store, log.events);
    runner = newRunner();
    await runner.start();
    const amended = structuredClone(plan) as Plan & { pillars: Array<{ objectives: Array<{ measures: Array<{ indicators: Indicator[] }> }> }> };
    const audiences: Indicator = { key: 'audiences', label: 'Audiences', event: 'TrainingDelivered', aggregate: 'distinct', field: 'audience' };
    amended.pillars[0].objectives[0].measures[0].indicators.push(audiences);
    const head = await appendAll(store, [log.amend(plan.id, diffPlans(plan, amended))]);
    await runner.waitForPosition(head, WAIT_UNTIL_MS);
    // The position is reached before the stale state is noticed at the batch end; then it is rebuilt.
    const audiencesValue = () => snapshot(runner!).evaluate('demo-2030', 'A.1.1', '2030-06-01')?.indicators.find((i) => i.indicator.key === 'audiences')?.value;
    await waitUntil(() => audiencesValue() === 2n, 'the rebuilt audiences indicator');
    await runner.waitForPosition(head, WAIT_UNTIL_MS);
    expect(audiencesValue()).toBe(2n);
  });

  it('waitForPosition rejects with a typed timeout error, and with a stopped error on stop', async () => {
    runner = newRunner();
    await runner.start();
    const error = await runner.waitForPosition(999n, 30).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProjectionTimeoutError);
    expect(error).toMatchObject({ position: 999n, reached: 0n, timeoutMs: 30 });
    const pending = runner.waitForPosition(999n, WAIT_UNTIL_MS);
    await runner.stop();
    await expect(pending).rejects.toBeInstanceOf(ProjectionsStoppedError);
    runner = undefined;
  });

  it('stops at an event a projection cannot apply, keeping the state before it', async () => {
    const failing: Projection = {
      name: 'failing',
      version: 1,
      eventTypes: new Set(['Boom']),
      evolve: () => {
        throw new Error('bug');
      },
    };
    const errors: string[] = [];
    runner = newRunner({ projections: [...COORDINATOR_PROJECTIONS, failing], logger: { ...quiet, error: (m) => errors.push(m) } });
    await runner.start();
    await appendAll(store, log.events);
    const boom = (await store.append('x', [{ type: 'Boom', data: {} }], ANY)).position;
    await expect(runner.waitForPosition(boom, WAIT_UNTIL_MS)).rejects.toBeInstanceOf(ProjectionFailedError);
    expect(runner.state).toBe('failed');
    expect(runner.status().find((s) => s.name === 'failing')!.position).toBe(boom - 1n);
    expect(errors[0]).toContain(`projections failed at position ${boom}: projection failing cannot apply the event: bug`);
    expect(readModels.checkpoint('failing')?.position).toBe(boom - 1n);
  });

  it('applies an event that several projections look at to all of them or to none', async () => {
    const counting = (name: string, failOn?: number): Projection => ({
      name,
      version: 1,
      eventTypes: new Set(['Tick']),
      evolve: (state, event) => {
        const n = (event.data as { n: number }).n;
        if (n === failOn) throw new Error(`${name} cannot take ${n}`);
        return [{ table: 't', group: '', key: String(n), value: n }];
      },
    });
    const first = counting('first');
    const second = counting('second', 3);
    // Between the two, a projection of other types: it only moves its position on.
    runner = newRunner({ projections: [first, ...COORDINATOR_PROJECTIONS, second] });
    await runner.start();
    let last = 0n;
    for (const n of [1, 2]) last = (await store.append('tick', [{ type: 'Tick', data: { n } }], ANY)).position;
    await runner.waitForPosition(last, 5000);
    expect(runner.status().map((s) => [s.name, s.entries])).toContainEqual(['first', 2]);
    expect(runner.status().map((s) => [s.name, s.entries])).toContainEqual(['second', 2]);
    const bad = (await store.append('tick', [{ type: 'Tick', data: { n: 3 } }], ANY)).position;
    await expect(runner.waitForPosition(bad, 5000)).rejects.toBeInstanceOf(ProjectionFailedError);
    // `first` evolved it without error, yet took none of it: `second` could not.
    expect(runner.view('first').get({ name: 't' }, '', '3')).toBeUndefined();
    expect(runner.status().map((s) => [s.name, s.entries, s.position])).toEqual(
      runner.status().map((s) => [s.name, s.name === 'first' || s.name === 'second' ? 2 : s.entries, last]),
    );
  });

  it('stops at a report whose fields do not have their declared kinds, counting none of it in any projection', async () => {
    const errors: string[] = [];
    runner = newRunner({ logger: { ...quiet, error: (m) => errors.push(m) } });
    await runner.start();
    log.report('TrainingDelivered', { ...police, reportId: 'r1' }, '2030-02-01', training(10));
    const good = await appendAll(store, log.events);
    await runner.waitForPosition(good, WAIT_UNTIL_MS);
    const bad = log.report('TrainingDelivered', { ...police, reportId: 'r2' }, '2030-02-02', { title: 't', participants: 'many' as never, days: 1 });
    const badPosition = await appendAll(store, [bad]);
    const error = await runner.waitForPosition(badPosition, WAIT_UNTIL_MS).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProjectionFailedError);
    expect(error).toMatchObject({ projection: 'activity', eventPosition: badPosition });
    expect(runner.state).toBe('failed');
    expect(runner.consumerStatus()).toMatchObject({ name: 'projections', state: 'failed', position: good });
    expect(runner.consumerStatus().reason).toMatch(/details\.participants must be a whole number.*"many"/);
    expect(errors[0]).toContain(`projections failed at position ${badPosition}`);
    // Neither the count nor any other projection took it in; every checkpoint stays before it.
    expect(trainings(runner)).toBe(1n);
    expect(runner.status().map((s) => s.position)).toEqual(runner.status().map(() => good));
    expect(readModels.checkpoint('activity')?.position).toBe(good);
  });

  it('retries when reading the store fails, and carries on from where it was', async () => {
    log.report('TrainingDelivered', { ...police, reportId: 'r1' }, '2030-02-01', training(1));
    const head = await appendAll(store, log.events);
    // The first read is the plan scan of a build from 0; the second, the catch-up, fails.
    let reads = 0;
    const flaky: EventStore = Object.create(store, {
      readAll: {
        value: (options?: ReadAllOptions) => {
          if (++reads === 2) throw new Error('connection lost');
          return store.readAll(options);
        },
      },
    });
    const warnings: string[] = [];
    runner = new ProjectionRunner({ store: flaky, readModels, projections: COORDINATOR_PROJECTIONS, logger: { ...quiet, warn: (m) => warnings.push(m) } });
    await runner.start();
    await runner.waitForPosition(head, WAIT_UNTIL_MS);
    expect(warnings).toEqual([expect.stringMatching(/^projections: reading the event store failed after position \d+ \(connection lost\); retrying in 500 ms$/)]);
    expect(trainings(runner)).toBe(1n);
  });

  it('starts from nothing on an empty store', async () => {
    runner = newRunner();
    await runner.start();
    expect(runner.position).toBe(0n);
    expect(await runner.lag()).toBe(0n);
    await runner.catchUpToHead(1000);
    expect(readModels.checkpoint('plans')).toEqual({ version: 1, position: NO_POSITION });
  });
});
