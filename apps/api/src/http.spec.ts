import { IncomingMessage, type Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { PrototypedExpressAdapter } from './http.js';

describe('PrototypedExpressAdapter', () => {
  let adapter: PrototypedExpressAdapter;
  let server: Server;
  let app: Express;
  let url: string;
  /** The prototypes of the last request and response as Node made them, before Express saw them. */
  const arrived: { request?: object | null; response?: object | null } = {};

  beforeAll(async () => {
    adapter = new PrototypedExpressAdapter();
    adapter.initHttpServer({});
    app = adapter.getInstance<Express>();
    app.get('/probe', (req, res) => {
      res.json({ path: req.path, host: req.get('host') !== undefined, isRequest: req instanceof IncomingMessage, isResponse: res instanceof ServerResponse });
    });
    server = adapter.getHttpServer() as Server;
    server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
      arrived.request = Object.getPrototypeOf(req) as object | null;
      arrived.response = Object.getPrototypeOf(res) as object | null;
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it("has Node make requests and responses with Express's prototypes, so Express does not swap them", async () => {
    const res = await fetch(`${url}/probe`);
    expect(await res.json()).toEqual({ path: '/probe', host: true, isRequest: true, isResponse: true });
    expect(arrived.request).toBe(app.request);
    expect(arrived.response).toBe(app.response);
  });

  it('serves keep-alive requests one after another on the same connection', async () => {
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${url}/probe?i=${i}`);
      expect(res.status).toBe(200);
      await res.json();
    }
    const missing = await fetch(`${url}/nowhere`);
    expect(missing.status).toBe(404);
    await missing.text();
  });
});
