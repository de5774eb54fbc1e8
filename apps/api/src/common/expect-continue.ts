import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/**
 * Routes whose handler decides whether it wants the body of a request sent with `Expect:
 * 100-continue` (RFC 9110 §10.1.1), and calls {@link continueBody} once it does: the upload
 * answers 401/403 (its guard) or 413 (a Content-Length over BULK_MAX_FILE_BYTES) before the
 * client sends a byte of the file. Every other route is sent `100 Continue` at once, as Node does.
 */
const HANDLER_DECIDES_CONTINUE: ReadonlyArray<{ readonly method: string; readonly path: string }> = [{ method: 'POST', path: '/imports/reports' }];

/** Requests whose client waits for `100 Continue` and has not been sent it. */
const awaitingContinue = new WeakSet<IncomingMessage>();

/**
 * Takes over Node's answer to `Expect: 100-continue` (its 'checkContinue' event; without a
 * listener Node sends `100 Continue` before any handler runs). A request left waiting is answered
 * with `Connection: close` unless its handler asks for the body: the client then never sends it,
 * and the connection does not wait for a body that will not come.
 */
export function deferContinue(server: Server): void {
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '').split('?')[0].replace(/\/+$/, '');
    if (HANDLER_DECIDES_CONTINUE.some((route) => route.method === req.method && route.path === path)) {
      awaitingContinue.add(req);
      res.setHeader('Connection', 'close');
    } else {
      res.writeContinue();
    }
    server.emit('request', req, res);
  });
}

/** Whether the client of `req` waits for `100 Continue` before it sends the body. */
export function awaitsContinue(req: IncomingMessage): boolean {
  return awaitingContinue.has(req);
}

/** Asks a client waiting on `Expect: 100-continue` for its body (no-op for any other request). */
export function continueBody(req: IncomingMessage, res: ServerResponse): void {
  if (!awaitingContinue.delete(req)) return;
  res.removeHeader('Connection');
  res.writeContinue();
}
