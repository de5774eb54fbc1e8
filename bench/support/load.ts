import { type Socket, connect } from 'node:net';
import autocannon from 'autocannon';

/** What one load run measured. Latencies in milliseconds. */
export interface LoadResult {
  readonly label: string;
  readonly connections: number;
  readonly seconds: number;
  /** Requests answered with HTTP 200 and no GraphQL errors. */
  readonly ok: number;
  /** Non-2xx answers, GraphQL errors, transport errors and timeouts. */
  readonly failed: number;
  /** ok per second of the run. */
  readonly rate: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  /** The first failure seen, to tell what went wrong. */
  readonly firstFailure?: string;
}

export interface GraphqlLoad {
  readonly url: string;
  readonly key: string;
  /** The request body of the n-th request (n counts from 0 over the whole run). */
  readonly body: (n: number) => string;
}

/**
 * Closed-loop load with autocannon: `connections` clients, each sending its next request when
 * the previous one is answered. Each request gets its own body (e.g. a unique reportId).
 */
/** The mutation every ingest figure sends: one TrainingDelivered report, answered with its position. */
export const INGEST_QUERY = 'mutation ($input: RecordTrainingDeliveredInput!) { recordTrainingDelivered(input: $input) { position } }';

/**
 * The ingest load of the benches: request n records report `<prefix>-<tag>-<n>` for measure II.1.3
 * (ministry-of-interior's), so every request is a new report and runs can share a store.
 */
export function trainingReportLoad(url: string, key: string, tag: string, prefix = 'bench'): GraphqlLoad {
  return {
    url,
    key,
    body: (n) =>
      JSON.stringify({
        query: INGEST_QUERY,
        variables: { input: { measureCode: 'II.1.3', reportId: `${prefix}-${tag}-${n}`, occurredOn: '2023-05-02', title: 'Border control course', participants: 12 + (n % 20), days: 1 } },
      }),
  };
}

export async function autocannonLoad(
  label: string,
  load: GraphqlLoad,
  options: { connections: number; seconds: number; overallRate?: number },
): Promise<LoadResult> {
  let n = 0;
  let graphqlErrors = 0;
  let firstFailure: string | undefined;
  const instance = autocannon({
    url: load.url,
    connections: options.connections,
    duration: options.seconds,
    timeout: 30,
    overallRate: options.overallRate,
    // autocannon's coordinated-omission correction assumes an interval of ceil(1/rate) ms (1 ms
    // here) and would fill the histogram with made-up short latencies; we report raw latencies.
    ignoreCoordinatedOmission: options.overallRate !== undefined ? true : undefined,
    requests: [
      {
        method: 'POST',
        path: '/graphql',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${load.key}` },
        setupRequest: (req) => ({ ...req, body: load.body(n++) }),
        onResponse: (status, body) => {
          if (status === 200 && !body.includes('"errors"')) return;
          graphqlErrors += status === 200 ? 1 : 0;
          firstFailure ??= `HTTP ${status}: ${body.slice(0, 300)}`;
        },
      },
    ],
  });
  const result = await instance;
  const failed = result.non2xx + result.errors + result.timeouts + graphqlErrors;
  const ok = result['2xx'] - graphqlErrors;
  return {
    label,
    connections: options.connections,
    seconds: result.duration,
    ok,
    failed,
    rate: ok / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    firstFailure,
  };
}

/** Node's http server default (`Keep-Alive: timeout=5`), used until the server says otherwise. */
const DEFAULT_KEEP_ALIVE_MS = 5_000;
const KEEP_ALIVE_MARGIN_MS = 1_000;

/**
 * A minimal HTTP/1.1 keep-alive client on raw sockets, one request at a time per socket: far
 * cheaper on CPU than node:http, which matters when the load generator shares two cores with
 * the server.
 */
class RawHttpConnection {
  private readonly socket: Socket;
  private chunks: Buffer[] = [];
  private size = 0;
  private current?: (status: number, body: string) => void;
  private failed?: (error: Error) => void;
  broken = false;

  /** Settles once the TCP connection is established (rejects if it fails first). */
  readonly ready: Promise<void>;
  /** Answers received on this connection so far. */
  answered = 0;

  constructor(port: number, host: string) {
    this.socket = connect({ port, host, noDelay: true });
    this.ready = new Promise<void>((resolve, reject) => {
      this.socket.once('connect', () => resolve());
      this.socket.once('error', reject);
    });
    this.ready.catch(() => undefined);
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.on('error', (error) => this.fail(error));
    this.socket.on('close', () => this.fail(new Error('connection closed')));
  }

  /** Taken by a request (set synchronously when handed out, cleared when its answer is in). */
  reserved = false;

  /** When the last answer arrived, and how long the server keeps an idle connection open. */
  private lastAnswer = performance.now();
  private keepAliveMs = DEFAULT_KEEP_ALIVE_MS;

  get idle(): boolean {
    if (this.reserved || this.current || this.broken) return false;
    // The server closes a connection idle for its keep-alive timeout; a request written just as
    // it does so is reset. Like undici, stop reusing a connection a second before that.
    if (performance.now() - this.lastAnswer > this.keepAliveMs - KEEP_ALIVE_MARGIN_MS) {
      this.close();
      return false;
    }
    return true;
  }

  send(head: string, body: string, onResponse: (status: number, body: string) => void, onError: (error: Error) => void): void {
    this.current = onResponse;
    this.failed = onError;
    this.socket.write(head + body);
  }

  close(): void {
    this.broken = true;
    this.socket.destroy();
  }

  private fail(error: Error): void {
    this.broken = true;
    const failed = this.failed;
    this.current = undefined;
    this.failed = undefined;
    this.reserved = false;
    failed?.(error);
  }

  private onData(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    const all = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.size);
    const headerEnd = all.indexOf('\r\n\r\n');
    if (headerEnd < 0) return;
    const head = all.subarray(0, headerEnd).toString('latin1');
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    if (!length) {
      this.fail(new Error(`response without content-length: ${head.slice(0, 200)}`));
      return;
    }
    const end = headerEnd + 4 + Number(length[1]);
    if (all.length < end) {
      this.chunks = [all];
      return;
    }
    const keepAlive = /\r\nkeep-alive:\s*timeout=(\d+)/i.exec(head);
    if (keepAlive) this.keepAliveMs = Number(keepAlive[1]) * 1000;
    this.lastAnswer = performance.now();
    const status = Number(head.slice(9, 12));
    const body = all.subarray(headerEnd + 4, end).toString('utf8');
    const rest = all.subarray(end);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.size = rest.length;
    this.answered += 1;
    const done = this.current;
    this.current = undefined;
    this.failed = undefined;
    this.reserved = false;
    done?.(status, body);
  }
}

/** A pool of raw keep-alive connections to one GraphQL endpoint; requests wait for an idle one. */
export class RawHttpPool {
  private readonly target: URL;
  private readonly pool: RawHttpConnection[] = [];
  private readonly waiting: Array<() => void> = [];
  private closed = false;
  private next = 0;

  constructor(
    url: string,
    private readonly key: string,
    private readonly maxConnections: number,
  ) {
    this.target = new URL(url);
  }

  get size(): number {
    return this.pool.length;
  }

  /**
   * Opens all `maxConnections` connections now and has the server answer one `{ __typename }`
   * on each, so that a measured run opens none and every connection has been accepted: a Node
   * server accepts one new connection per turn of its event loop (libuv ≥ 1.45, "unix: don't
   * accept() connections in a loop"), and while the loop is busy a connection waits in the
   * listen queue — the kernel has completed its handshake, so the client already sees it open —
   * with its first request, for as many turns as there are connections queued before it.
   */
  async connect(): Promise<void> {
    while (this.pool.length < this.maxConnections) this.pool.push(new RawHttpConnection(Number(this.target.port), this.target.hostname));
    await Promise.all(this.pool.map((c) => c.ready));
    const handshake = JSON.stringify({ query: '{ __typename }' });
    await Promise.all(
      this.pool.map(async (conn) => {
        conn.reserved = true;
        const { status, body } = await this.send(conn, handshake);
        if (status !== 200) throw new Error(`handshake request failed: HTTP ${status} ${body.slice(0, 200)}`);
      }),
    );
  }

  /**
   * POSTs `body`; resolves with the status, the body, and whether it was the first request on a
   * connection opened for it; rejects on a transport error.
   */
  async post(body: string): Promise<{ status: number; body: string; fresh: boolean }> {
    const conn = await this.idleConnection();
    const fresh = conn.answered === 0;
    return { ...(await this.send(conn, body)), fresh };
  }

  private send(conn: RawHttpConnection, body: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const head =
        `POST ${this.target.pathname} HTTP/1.1\r\nHost: ${this.target.host}\r\nContent-Type: application/json\r\n` +
        `Authorization: Bearer ${this.key}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: keep-alive\r\n\r\n`;
      conn.send(
        head,
        body,
        (status, text) => {
          this.release();
          resolve({ status, body: text });
        },
        (error) => {
          this.release();
          reject(error);
        },
      );
    });
  }

  close(): void {
    this.closed = true;
    for (const conn of this.pool) conn.close();
    this.waiting.length = 0;
  }

  private async idleConnection(): Promise<RawHttpConnection> {
    for (;;) {
      if (this.closed) throw new Error('pool closed');
      // Round robin from the last one taken: every connection is used in turn, so none sits
      // idle until the server's keep-alive timeout (and is then replaced by a new one).
      for (let k = 0; k < this.pool.length; k++) {
        const i = (this.next + k) % this.pool.length;
        if (this.pool[i].idle) {
          this.next = i + 1;
          this.pool[i].reserved = true;
          return this.pool[i];
        }
      }
      for (let i = this.pool.length - 1; i >= 0; i--) if (this.pool[i].broken) this.pool.splice(i, 1);
      if (this.pool.length < this.maxConnections) {
        const conn = new RawHttpConnection(Number(this.target.port), this.target.hostname);
        conn.reserved = true;
        this.pool.push(conn);
        return conn;
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }

  private release(): void {
    // Let the first waiter look for the connection that just became idle.
    queueMicrotask(() => this.waiting.shift()?.());
  }
}

const failureOf = (status: number, body: string): string | undefined =>
  status === 200 && !body.includes('"errors"') ? undefined : `HTTP ${status}: ${body.slice(0, 300)}`;

/** Connections of the paced client: as many as the closed-loop 64-client rows use. */
export const PACED_CONNECTIONS = 64;

/**
 * Open-loop load at a fixed rate: request i is due at start + i/rate whatever happened to the
 * others; it goes out on an idle connection (of `maxInFlight`, default {@link PACED_CONNECTIONS},
 * all opened before the first is due, see RawHttpPool.connect) or waits in this process for
 * one, and its latency is measured from when it was due, so a stall shows in full (no
 * coordinated omission). Bounded by `seconds` and by count. `onOk` sees every successful answer.
 */
export async function pacedLoad(
  label: string,
  load: GraphqlLoad,
  options: {
    rate: number;
    seconds: number;
    maxInFlight?: number;
    drainTimeoutMs?: number;
    onOk?: (n: number, body: string) => void;
    /**
     * Every answered request: when it was due and its latency (performance.now() ms), whether it
     * succeeded, and whether it went out on a connection opened for it.
     */
    onSample?: (due: number, latencyMs: number, ok: boolean, fresh: boolean) => void;
  },
): Promise<LoadResult> {
  const pool = new RawHttpPool(load.url, load.key, options.maxInFlight ?? PACED_CONNECTIONS);
  await pool.connect();
  const total = Math.round(options.rate * options.seconds);
  const interval = 1000 / options.rate;
  const latencies: number[] = [];
  let failed = 0;
  let firstFailure: string | undefined;
  let outstanding = 0;
  let drained: (() => void) | undefined;
  let stopped = false;

  const fire = (n: number, due: number) => {
    outstanding += 1;
    const settle = (failure: string | undefined, body: string, fresh = false) => {
      if (stopped) return;
      options.onSample?.(due, performance.now() - due, failure === undefined, fresh);
      if (failure === undefined) {
        latencies.push(performance.now() - due);
        options.onOk?.(n, body);
      } else {
        failed += 1;
        firstFailure ??= failure;
      }
      outstanding -= 1;
      if (outstanding === 0) drained?.();
    };
    pool.post(load.body(n)).then(
      (res) => settle(failureOf(res.status, res.body), res.body, res.fresh),
      (error: Error) => settle(error.message, ''),
    );
  };

  const start = performance.now() + 5;
  let i = 0;
  while (i < total) {
    const now = performance.now();
    if (now > start + options.seconds * 1000 + 1000) break; // hard stop if the loop itself lags
    while (i < total && start + i * interval <= now) {
      fire(i, start + i * interval);
      i += 1;
    }
    const wait = start + i * interval - performance.now();
    // Timers have 1 ms granularity: requests due within the same millisecond go out together;
    // no busy waiting, which would take CPU from the server.
    await new Promise<void>((resolve) => setTimeout(resolve, Math.max(1, Math.floor(wait))));
  }
  const sentSeconds = (performance.now() - start) / 1000;
  if (outstanding > 0) {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      new Promise<void>((resolve) => (drained = resolve)),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, options.drainTimeoutMs ?? 30_000))),
    ]);
    clearTimeout(timer);
  }
  if (outstanding > 0) {
    failed += outstanding;
    firstFailure ??= `${outstanding} requests still unanswered ${((options.drainTimeoutMs ?? 30_000) / 1000).toFixed(0)} s after the last was sent`;
  }
  stopped = true;
  const connections = pool.size;
  pool.close();
  return { label, connections, seconds: sentSeconds, ok: latencies.length, failed, rate: latencies.length / sentSeconds, ...percentiles(latencies), firstFailure };
}

/** p50, p95, p99 and max of latencies in ms (NaN when empty). */
export function percentiles(latencies: number[]): { p50: number; p95: number; p99: number; max: number } {
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (q: number) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]);
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), max: sorted.length ? sorted[sorted.length - 1] : NaN };
}
