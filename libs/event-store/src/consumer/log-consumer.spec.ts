import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RecordedEvent, SubscriptionFailedError } from '../event-store.port.js';
import { SqliteEventStore } from '../sqlite/sqlite-event-store.js';
import { FaultyEventStore } from '../testing/faulty-event-store.js';
import { ConsumerHandlerError, ConsumerStoppedError, PositionTimeoutError } from './consumer-errors.js';
import { type ConsumerLogger, LogConsumer, LogConsumerBoard, type LogHandler } from './log-consumer.js';
import { waitUntil } from '../../../../test/support/wait-until.js';

/** A handler that keeps what it applied, committing to an array "on disk". */
class Recorder implements LogHandler {
  applied: RecordedEvent[] = [];
  stored: bigint[] = [];
  checkpoint: bigint | undefined;
  commits = 0;
  poison: ((event: RecordedEvent) => boolean) | undefined;
  failCommit = false;
  resets = 0;

  from(): bigint | undefined {
    return this.checkpoint;
  }
  apply(event: RecordedEvent): void {
    if (this.poison?.(event)) throw new Error(`participants must be a whole number, got ${JSON.stringify(event.data)}`);
    this.applied.push(event);
  }
  commit(): void {
    if (this.failCommit) throw new Error('disk full');
    this.commits += 1;
    const last = this.applied[this.applied.length - 1];
    for (const event of this.applied) if (!this.stored.includes(event.position)) this.stored.push(event.position);
    if (last) this.checkpoint = last.position;
  }
  reset(): void {
    this.resets += 1;
    this.applied = [];
    this.stored = [];
    this.checkpoint = undefined;
  }
}

function recordingLogger(): ConsumerLogger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    log: (m) => lines.push(`log ${m}`),
    warn: (m) => lines.push(`warn ${m}`),
    error: (m) => lines.push(`error ${m}`),
  };
}

describe('LogConsumer', () => {
  let dir: string;
  let inner: SqliteEventStore;
  let store: FaultyEventStore;
  let consumer: LogConsumer | undefined;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'apl-consumer-'));
    inner = SqliteEventStore.open(join(dir, 'events.db'), { pollIntervalMs: 10 });
    store = new FaultyEventStore(inner);
  });

  afterEach(async () => {
    await consumer?.stop();
    consumer = undefined;
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const append = async (stream: string, n: number, type = 'Thing') => {
    const result = await store.append(stream, Array.from({ length: n }, (_, i) => ({ type, data: { i } })), 'any');
    return result.position;
  };

  const make = (handler: LogHandler, extra: Partial<ConstructorParameters<typeof LogConsumer>[0]> = {}) =>
    (consumer = new LogConsumer({ name: 'test', store, handler, retry: { minMs: 1, maxMs: 5 }, batchIntervalMs: 5, ...extra }));

  it('catches up, goes live, applies each event once in order and commits its checkpoint', async () => {
    await append('a-1', 3);
    const handler = new Recorder();
    const c = make(handler, { batchSize: 2 });
    expect(c.state).toBe('created');
    c.start();
    await c.waitForPosition(3n, 10_000);
    const last = await append('a-2', 4);
    await c.waitForPosition(last, 10_000);
    expect(handler.applied.map((e) => e.position)).toEqual([1n, 2n, 3n, 4n, 5n, 6n, 7n]);
    await c.stop();
    expect(handler.checkpoint).toBe(7n);
    expect(c.status()).toMatchObject({ name: 'test', state: 'stopped', position: 7n, checkpoint: 7n });
  });

  it('filters and starts after the handler checkpoint', async () => {
    await append('a-1', 2);
    await append('b-1', 2);
    await append('a-2', 1);
    const handler = new Recorder();
    handler.checkpoint = 1n;
    const c = make(handler, { filter: { streamPrefixes: ['a-'] } });
    c.start();
    await c.waitForPosition(5n, 10_000);
    expect(handler.applied.map((e) => [e.stream, e.position])).toEqual([
      ['a-1', 2n],
      ['a-2', 5n],
    ]);
  });

  it('resumes after a transient failure of the catch-up read, then of the subscription', async () => {
    await append('a-1', 2);
    const logger = recordingLogger();
    const handler = new Recorder();
    store.failNext(2, () => new Error('ECONNRESET'), 'readAll');
    const c = make(handler, { logger });
    c.start();
    await c.waitForPosition(2n, 10_000);
    expect(store.failures).toBe(2);
    expect(c.status().failures).toBe(2);
    expect(logger.lines.some((l) => l.startsWith('warn test: reading the event store failed after position 0 (ECONNRESET); retrying'))).toBe(true);

    await waitUntil(() => c.state === 'live');
    store.dropSubscriptions();
    const last = await append('a-2', 3);
    await c.waitForPosition(last, 10_000);
    await waitUntil(() => c.state === 'live');
    expect(handler.applied.map((e) => e.position)).toEqual([1n, 2n, 3n, 4n, 5n]);
    expect(c.status().failures).toBe(3);
    expect(c.status().reason).toBeUndefined();
  });

  it('shows retrying with the reason while the store keeps failing, and recovers when it heals', async () => {
    await append('a-1', 1);
    const handler = new Recorder();
    store.failAlways(() => new Error('store unreachable'));
    const board = new LogConsumerBoard();
    const c = make(handler, { board });
    c.start();
    await waitUntil(() => c.status().failures >= 3);
    expect(board.statuses()).toEqual([expect.objectContaining({ name: 'test', state: 'retrying', reason: 'store unreachable' })]);
    store.heal();
    await c.waitForPosition(1n, 10_000);
    await waitUntil(() => c.state === 'live');
  });

  it('fails visibly at an event its handler cannot apply, keeping what came before and nothing of it', async () => {
    await append('a-1', 2);
    await append('a-bad', 1, 'Poison');
    await append('a-2', 1);
    const logger = recordingLogger();
    const handler = new Recorder();
    handler.poison = (e) => e.type === 'Poison';
    const board = new LogConsumerBoard();
    const c = make(handler, { logger, board });
    const waiting = c.waitForPosition(4n, 10_000);
    c.start();
    const error = await waiting.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConsumerHandlerError);
    expect(error).toMatchObject({ position: 3n });
    expect(c.state).toBe('failed');
    expect(c.status()).toMatchObject({ position: 2n, checkpoint: 2n });
    expect(c.status().reason).toMatch(/^at position 3: cannot apply Poison of a-bad: participants must be a whole number/);
    expect(handler.stored).toEqual([1n, 2n]);
    expect(logger.lines.find((l) => l.startsWith('error'))).toMatch(/^error test failed at position 3: .*participants/);
    expect(board.statuses()[0].state).toBe('failed');
    // Later waits get the same answer at once, and no retry happened.
    await expect(c.waitForPosition(4n, 10_000)).rejects.toBe(error);
    expect(store.failures).toBe(0);
  });

  it('waits for a handler that applies asynchronously, in order, and fails at one whose promise rejects', async () => {
    await append('a-1', 3);
    await append('a-bad', 1, 'Poison');
    await append('a-2', 1);
    const applied: bigint[] = [];
    const c = make({
      from: () => undefined,
      // Later events settle sooner: order must come from the consumer waiting, not from timing.
      apply: (event) =>
        new Promise<void>((resolve, reject) =>
          setTimeout(() => {
            if (event.type === 'Poison') reject(new Error('not a thing'));
            else {
              applied.push(event.position);
              resolve();
            }
          }, Number(5n - event.position)),
        ),
    });
    const waiting = c.waitForPosition(5n, 10_000).then(
      () => undefined,
      (e: unknown) => e,
    );
    c.start();
    const error = await waiting;
    expect(error).toBeInstanceOf(ConsumerHandlerError);
    expect(error).toMatchObject({ position: 4n });
    expect(applied).toEqual([1n, 2n, 3n]);
    expect(c.status()).toMatchObject({ state: 'failed', position: 3n });
    expect(c.status().reason).toMatch(/^at position 4: cannot apply Poison of a-bad: not a thing/);
  });

  it('treats an error the predicate calls permanent as a failure, not a retry', async () => {
    class AccessDenied extends Error {}
    await append('a-1', 1);
    store.failNext(1, () => new AccessDenied('access denied'), 'readAll');
    const c = make(new Recorder(), { isPermanent: (e) => e instanceof AccessDenied });
    c.start();
    await waitUntil(() => c.state === 'failed');
    expect(c.status()).toMatchObject({ state: 'failed', reason: 'at position 0: access denied', failures: 1 });
  });

  it("by default fails on a store adapter's permanent subscription error instead of retrying it", async () => {
    await append('a-1', 1);
    store.failNext(1, () => new SubscriptionFailedError('access denied to $all'), 'readAll');
    const c = make(new Recorder());
    c.start();
    await waitUntil(() => c.state === 'failed');
    expect(c.status()).toMatchObject({ state: 'failed', reason: 'at position 0: access denied to $all', failures: 1 });
  });

  it('fails when the handler cannot store its checkpoint', async () => {
    await append('a-1', 1);
    const handler = new Recorder();
    handler.failCommit = true;
    const c = make(handler);
    c.start();
    await waitUntil(() => c.state === 'failed');
    expect(c.status().reason).toMatch(/cannot store what was applied: disk full/);
  });

  it('has one wait behaviour: resolves when reached, rejects on timeout and on stop', async () => {
    const c = make(new Recorder());
    c.start();
    await waitUntil(() => c.state === 'live');
    await expect(c.waitForPosition(0n, 1)).resolves.toBeUndefined();
    const timeout = await c.waitForPosition(99n, 5).catch((e: unknown) => e);
    expect(timeout).toBeInstanceOf(PositionTimeoutError);
    expect(timeout).toMatchObject({ position: 99n, reached: 0n, timeoutMs: 5 });
    const pending = c.waitForPosition(99n, 60_000);
    await c.stop();
    await expect(pending).rejects.toBeInstanceOf(ConsumerStoppedError);
    await expect(c.waitForPosition(99n, 60_000)).rejects.toBeInstanceOf(ConsumerStoppedError);
  });

  it('waits for the commit when visibleAt is commit', async () => {
    await append('a-1', 2);
    const handler = new Recorder();
    const c = make(handler, { visibleAt: 'commit', batchSize: 1_000, batchIntervalMs: 60_000 });
    c.start();
    await c.waitForPosition(2n, 10_000);
    expect(handler.checkpoint).toBe(2n);
  });

  it('restarts from the reset checkpoint when asked (a rebuild)', async () => {
    await append('a-1', 3);
    const handler = new Recorder();
    const c = make(handler);
    c.start();
    await c.waitForPosition(3n, 10_000);
    await c.restart();
    await waitUntil(() => handler.resets === 1 && handler.applied.length === 3);
    expect(handler.applied.map((e) => e.position)).toEqual([1n, 2n, 3n]);
  });

  it('catchUp reads in the foreground up to a bound and throws a failure instead of retrying', async () => {
    await append('a-1', 5);
    const handler = new Recorder();
    const c = make(handler);
    await c.catchUp({ until: 3n });
    expect(handler.stored).toEqual([1n, 2n, 3n]);
    store.failNext(1, () => new Error('gone'), 'readAll');
    await expect(c.catchUp()).rejects.toThrow('gone');
  });

  it('says so when the store ends the subscription', async () => {
    const logger = recordingLogger();
    const c = make(new Recorder(), { logger, mode: 'follow' });
    c.start();
    await waitUntil(() => c.state === 'live');
    await inner.close();
    await waitUntil(() => c.state === 'stopped');
    expect(c.status().reason).toBe('the event store ended the subscription');
    expect(logger.lines.some((l) => l.startsWith('warn test: the event store ended the subscription'))).toBe(true);
  });
});
