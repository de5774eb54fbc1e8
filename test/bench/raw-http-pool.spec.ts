import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { RawHttpPool, pacedLoad } from '../../bench/support/load.js';

/**
 * The benchmarks' paced client must open its connections before a measured run and never
 * during it: a Node server accepts one new connection per turn of its event loop, so a
 * connection opened while the server is busy waits in the listen queue with its first request
 * (figure 2's read-your-writes p99 was that queue). Checked against a plain node:http server
 * that counts the connections it accepted and the requests each one carried.
 */
describe('RawHttpPool (bench/support/load.ts)', () => {
  let server: Server;
  let url: string;
  const perConnection = new Map<Socket, number>();
  const bodies: string[] = [];

  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        bodies.push(body);
        perConnection.set(req.socket, (perConnection.get(req.socket) ?? 0) + 1);
        const answer = JSON.stringify({ data: { ok: true } });
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer) });
        res.end(answer);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(() => {
    perConnection.clear();
    bodies.length = 0;
  });

  it('connect() opens every connection and has each answered once before returning', async () => {
    const pool = new RawHttpPool(url, 'key', 5);
    try {
      await pool.connect();
      expect(pool.size).toBe(5);
      expect([...perConnection.values()]).toEqual([1, 1, 1, 1, 1]);
      expect(bodies.every((b) => b.includes('__typename'))).toBe(true);
    } finally {
      pool.close();
    }
  });

  it('after connect(), requests go round robin over the open connections and open none', async () => {
    const pool = new RawHttpPool(url, 'key', 4);
    try {
      await pool.connect();
      const answers = [];
      for (let i = 0; i < 8; i++) answers.push(await pool.post(JSON.stringify({ n: i })));
      expect(answers.every((a) => a.status === 200 && !a.fresh)).toBe(true);
      expect(pool.size).toBe(4);
      expect(perConnection.size).toBe(4);
      // One handshake and two requests on each: none left idle to time out.
      expect([...perConnection.values()]).toEqual([3, 3, 3, 3]);
    } finally {
      pool.close();
    }
  });

  it('pacedLoad opens its connections before the first request is due, and no more while it runs', async () => {
    const result = await pacedLoad('test', { url, key: 'key', body: (n) => JSON.stringify({ n }) }, { rate: 200, seconds: 0.5, maxInFlight: 3 });
    expect(result.ok).toBe(100);
    expect(result.failed).toBe(0);
    expect(perConnection.size).toBe(3);
    const requests = [...perConnection.values()].reduce((a, b) => a + b, 0);
    expect(requests).toBe(100 + 3);
  }, 30_000);
});
