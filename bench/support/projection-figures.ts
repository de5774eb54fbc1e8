import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteEventStore } from '@app/event-store';
import { COORDINATOR_PROJECTIONS, replayProjections } from '@app/projections';
import { type GraphqlLoad, type LoadResult, RawHttpPool, pacedLoad, percentiles } from './load.js';
import { processCpuMs } from './machine.js';
import type { BenchServer } from './server-process.js';

// ---------------------------------------------------------------------------------------------
// Figure 2: projection lag while ingesting

export interface LagFigures {
  readonly rate: number;
  readonly ingest: LoadResult;
  /** Ack of a mutation → answer of a read with atLeastPosition = its position (ms). */
  readonly readYourWrites: { p50: number; p99: number; max: number; count: number; failed: number };
  /** The same read without atLeastPosition, sent at the same moments (ms): the baseline. */
  readonly plainRead: { p50: number; p99: number; max: number; count: number; failed: number };
  /** The first failed ingest or read, to tell what went wrong. */
  readonly firstFailure?: string;
  /** projectionStatus polled every `pollMs`: events the slowest projection is behind. */
  readonly lagEvents: { p50: number; p99: number; max: number; polls: number };
  readonly pollMs: number;
  readonly sampleEvery: number;
  /**
   * Every request of the run for a timeline (performance.now() ms): ingest by when it was due,
   * reads by when they were sent (the ack of the report they follow), polls by when they were sent.
   */
  readonly samples: {
    readonly ingest: ReadonlyArray<readonly [due: number, latencyMs: number, ok: boolean, fresh: boolean]>;
    readonly reads: ReadonlyArray<readonly [sent: number, latencyMs: number, withPosition: boolean, ok: boolean]>;
    readonly polls: ReadonlyArray<readonly [sent: number, latencyMs: number, lagEvents: number]>;
  };
}

const POSITION = /"position":"(\d+)"/;

/**
 * Ingests at a fixed rate (paced, open loop) and meanwhile measures how far the projections
 * trail: every `sampleEvery`-th acknowledged report is followed at once by a read that waits
 * for its position (atLeastPosition), alternating with the same read without it; and
 * projectionStatus is polled for the lag in events.
 */
export async function lagFigures(
  server: BenchServer,
  ingest: GraphqlLoad,
  coordinatorKey: string,
  options: { rate: number; seconds: number; sampleEvery?: number; pollMs?: number; drainTimeoutMs?: number },
): Promise<LagFigures> {
  const sampleEvery = options.sampleEvery ?? 10;
  const pollMs = options.pollMs ?? 100;
  const reads = new RawHttpPool(server.url, coordinatorKey, 32);
  const ryw: number[] = [];
  const plain: number[] = [];
  const ingestSamples: Array<readonly [number, number, boolean, boolean]> = [];
  const readSamples: Array<readonly [number, number, boolean, boolean]> = [];
  const pollSamples: Array<readonly [number, number, number]> = [];
  let rywFailed = 0;
  let plainFailed = 0;
  let firstReadFailure: string | undefined;
  const pending: Array<Promise<void>> = [];
  let sampled = 0;
  const readQuery = (position?: string) =>
    JSON.stringify({
      query: position
        ? 'query ($p: String!) { measure(code: "II.1.3") { reportCount(atLeastPosition: $p) } }'
        : '{ measure(code: "II.1.3") { reportCount } }',
      variables: position ? { p: position } : {},
    });
  const onOk = (n: number, body: string) => {
    if (n % sampleEvery !== 0) return;
    const position = POSITION.exec(body)?.[1];
    if (!position) return;
    const withPosition = sampled++ % 2 === 0;
    const acked = performance.now();
    pending.push(
      reads.post(readQuery(withPosition ? position : undefined)).then(
        (res) => {
          const ok = res.status === 200 && !res.body.includes('"errors"');
          readSamples.push([acked, performance.now() - acked, withPosition, ok]);
          if (!ok) firstReadFailure ??= `read: HTTP ${res.status}: ${res.body.slice(0, 300)}`;
          if (withPosition) {
            if (ok) ryw.push(performance.now() - acked);
            else rywFailed += 1;
          } else if (ok) plain.push(performance.now() - acked);
          else plainFailed += 1;
        },
        (error: Error) => {
          firstReadFailure ??= `read: ${error.message}`;
          if (withPosition) rywFailed += 1;
          else plainFailed += 1;
        },
      ),
    );
  };

  // Every connection opened before the run (see RawHttpPool.connect).
  await reads.connect();
  const statusPool = new RawHttpPool(server.url, coordinatorKey, 1);
  await statusPool.connect();
  // The poller: one request at a time, every pollMs, bounded by the run's length.
  const lags: number[] = [];
  let polling = true;
  const poller = (async () => {
    const deadline = performance.now() + (options.seconds + 30) * 1000;
    while (polling && performance.now() < deadline) {
      const started = performance.now();
      try {
        const res = await statusPool.post(JSON.stringify({ query: '{ projectionStatus { name lag } }' }));
        const body = JSON.parse(res.body) as { data?: { projectionStatus: Array<{ lag: string }> } };
        const worst = Math.max(...(body.data?.projectionStatus ?? []).map((p) => Number(p.lag)));
        if (Number.isFinite(worst)) {
          lags.push(worst);
          pollSamples.push([started, performance.now() - started, worst]);
        }
      } catch {
        // a failed poll is just a missing sample
      }
      await new Promise((resolve) => setTimeout(resolve, Math.max(1, pollMs - (performance.now() - started))));
    }
  })();

  const result = await pacedLoad(`recordTrainingDelivered at ${options.rate}/s with lag sampling`, ingest, {
    rate: options.rate,
    seconds: options.seconds,
    onOk,
    onSample: (due, latency, ok, fresh) => ingestSamples.push([due, latency, ok, fresh]),
    drainTimeoutMs: options.drainTimeoutMs,
  });
  polling = false;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.all(pending), new Promise((resolve) => (timer = setTimeout(resolve, options.drainTimeoutMs ?? 15_000)))]);
  clearTimeout(timer);
  await poller;
  reads.close();
  statusPool.close();
  const lagStats = percentiles(lags);
  return {
    rate: options.rate,
    ingest: result,
    readYourWrites: { ...percentiles(ryw), count: ryw.length, failed: rywFailed },
    plainRead: { ...percentiles(plain), count: plain.length, failed: plainFailed },
    lagEvents: { ...lagStats, polls: lags.length },
    firstFailure: result.firstFailure !== undefined ? `ingest: ${result.firstFailure}` : firstReadFailure,
    pollMs,
    sampleEvery,
    samples: { ingest: ingestSamples, reads: readSamples, polls: pollSamples },
  };
}

// ---------------------------------------------------------------------------------------------
// Figure 3: coordinator queries

export const QUERIES = {
  /** The baseline: the same measure, plan fields only (no read model involved). */
  planOnly: '{ measure(code: "II.1.3") { code title deadline } }',
  measure: '{ measure(code: "II.1.3") { code reportCount status progress indicatorValues { key value progress } } }',
  measures: '{ measures { code reportCount status progress indicatorValues { key value progress } } }',
} as const;

/** Waits (bounded) until every projection reports lag 0 and state live. */
export async function waitForProjections(server: BenchServer, coordinatorKey: string, timeoutMs: number): Promise<number> {
  const started = performance.now();
  for (;;) {
    try {
      const data = await server.gql<{ projectionStatus: Array<{ lag: string; state: string }> }>('{ projectionStatus { lag state } }', {}, coordinatorKey);
      if (data.projectionStatus.length > 0 && data.projectionStatus.every((p) => p.lag === '0' && p.state === 'live')) return performance.now() - started;
    } catch {
      // not ready yet
    }
    if (performance.now() - started > timeoutMs) throw new Error(`projections did not catch up within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * Waits (bounded) until the server's CPU stays below `maxShare` of a core for one `windowMs`:
 * after the projections caught up, the api still links the log into the audit hash chain and
 * builds the point-in-time snapshots in the background, and queries measured meanwhile would
 * measure that work. Returns the time waited, in ms.
 */
export async function waitForIdle(server: BenchServer, timeoutMs: number, options: { maxShare?: number; windowMs?: number } = {}): Promise<number> {
  const maxShare = options.maxShare ?? 0.1;
  const windowMs = options.windowMs ?? 1_000;
  const started = performance.now();
  const pid = server.child.pid!;
  for (;;) {
    const before = processCpuMs(pid);
    const t0 = performance.now();
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    const after = processCpuMs(pid);
    if (before === undefined || after === undefined) return performance.now() - started;
    if ((after - before) / (performance.now() - t0) < maxShare) return performance.now() - started;
    if (performance.now() - started > timeoutMs) throw new Error(`the server did not settle (CPU < ${Math.round(maxShare * 100)}% of a core) within ${timeoutMs} ms`);
  }
}

// ---------------------------------------------------------------------------------------------
// Figure 5: point-in-time queries

/** The figure 3 `measure` query with every read-model field asked `at` a position ($p). */
export const PIT_QUERY =
  'query ($p: String!) { measure(code: "II.1.3") { code reportCount(at: { position: $p }) status(at: { position: $p }) progress(at: { position: $p }) indicatorValues(at: { position: $p }) { key value progress } } }';

/** Where in the log the positions asked lie: a band starting at this share of the head. */
export const PIT_POINTS = [
  { name: 'early', at: 0.1 },
  { name: 'middle', at: 0.5 },
  { name: 'late', at: 0.9 },
] as const;

export interface LatencyFigures {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
  readonly count: number;
  readonly failed: number;
  readonly firstFailure?: string;
}

export interface PitFigures {
  readonly head: bigint;
  readonly points: ReadonlyArray<{ readonly name: string; readonly from: bigint; readonly to: bigint; readonly latency: LatencyFigures }>;
  /** The same query without `at`, same key, same client. */
  readonly baseline: LatencyFigures;
}

/** A small deterministic generator (mulberry32): the same positions on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * Point-in-time latency, one client, requests back to back: for each point, `requests` queries
 * at distinct positions drawn from a band of `spread` of the log after it (so neither the
 * api's cache of evaluated positions nor one snapshot serves them all: each folds the events
 * between its snapshot and its position), beside the same query without `at`. Bounded by
 * `seconds` per row and by count.
 */
export async function pitFigures(server: BenchServer, auditorKey: string, options: { requests: number; seconds: number; spread?: number }): Promise<PitFigures> {
  const head = BigInt((await server.gql<{ health: { headPosition: string } }>('{ health { headPosition } }')).health.headPosition);
  const spread = options.spread ?? 0.05;
  const pool = new RawHttpPool(server.url, auditorKey, 1);
  const run = async (body: (i: number) => string): Promise<LatencyFigures> => {
    const latencies: number[] = [];
    let failed = 0;
    let firstFailure: string | undefined;
    const deadline = performance.now() + options.seconds * 1000;
    for (let i = 0; i < options.requests && performance.now() < deadline; i++) {
      const t0 = performance.now();
      try {
        const res = await pool.post(body(i));
        if (res.status === 200 && !res.body.includes('"errors"')) latencies.push(performance.now() - t0);
        else {
          failed += 1;
          firstFailure ??= `HTTP ${res.status}: ${res.body.slice(0, 300)}`;
        }
      } catch (error) {
        failed += 1;
        firstFailure ??= (error as Error).message;
      }
    }
    return { ...percentiles(latencies), count: latencies.length, failed, firstFailure };
  };
  try {
    const plain = JSON.stringify({ query: QUERIES.measure });
    // Warm-up: the code paths of both queries, not the positions measured.
    for (let i = 0; i < 5; i++) {
      await pool.post(plain);
      await pool.post(JSON.stringify({ query: PIT_QUERY, variables: { p: String(head) } }));
    }
    const baseline = await run(() => plain);
    const points: Array<PitFigures['points'][number]> = [];
    for (const [index, point] of PIT_POINTS.entries()) {
      const from = BigInt(Math.floor(Number(head) * point.at));
      const width = Math.max(1, Math.floor(Number(head) * spread));
      const next = random(index + 1);
      const latency = await run(() => JSON.stringify({ query: PIT_QUERY, variables: { p: String(from + BigInt(Math.floor(next() * width))) } }));
      points.push({ name: point.name, from, to: from + BigInt(width), latency });
    }
    return { head, points, baseline };
  } finally {
    pool.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Figure 4: rebuild

export interface RebuildFigures {
  readonly events: number;
  readonly projections: readonly string[];
  /**
   * replayProjections: every coordinator projection from position 0 into a fresh read-model
   * file (its durationMs: read, fold, store); `afterSeconds`: the rest of the call, the state
   * digests for the rebuild proof and closing the file.
   */
  readonly rebuild: { seconds: number; rate: number; afterSeconds: number };
  /** EventStore.readAll through the adapter, folding nothing. */
  readonly adapterRead: { seconds: number; rate: number };
  /** better-sqlite3 iterating the rows and parsing data and metadata, folding nothing. */
  readonly rawRead: { seconds: number; rate: number };
}

export async function rebuildFigures(storeFile: string, workDir: string): Promise<RebuildFigures> {
  const store = SqliteEventStore.open(storeFile);
  try {
    const started = performance.now();
    const replay = await replayProjections({ store, file: join(workDir, 'read-models-rebuild.db'), logger: { log: () => {}, warn: () => {}, error: () => {} } });
    const wholeSeconds = (performance.now() - started) / 1000;
    const rebuild = { seconds: replay.durationMs / 1000, rate: replay.events / (replay.durationMs / 1000), afterSeconds: wholeSeconds - replay.durationMs / 1000 };

    let count = 0;
    let t = performance.now();
    for await (const event of store.readAll()) if (event.position > 0n) count += 1;
    const adapterSeconds = (performance.now() - t) / 1000;

    const db = new Database(storeFile, { readonly: true });
    let rawCount = 0;
    t = performance.now();
    try {
      for (const row of db.prepare('SELECT * FROM events ORDER BY position').iterate() as IterableIterator<{ data: string; metadata: string }>) {
        JSON.parse(row.data);
        JSON.parse(row.metadata);
        rawCount += 1;
      }
    } finally {
      db.close();
    }
    const rawSeconds = (performance.now() - t) / 1000;
    return {
      events: replay.events,
      projections: COORDINATOR_PROJECTIONS.map((p) => p.name),
      rebuild,
      adapterRead: { seconds: adapterSeconds, rate: count / adapterSeconds },
      rawRead: { seconds: rawSeconds, rate: rawCount / rawSeconds },
    };
  } finally {
    await store.close();
  }
}
