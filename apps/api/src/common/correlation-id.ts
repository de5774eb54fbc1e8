import { randomUUID } from 'node:crypto';

/** The header a caller may send to tie its request to its own logs; echoed on every response. */
export const CORRELATION_ID_HEADER = 'x-correlation-id';
/** Accepted as the correlation id too when x-correlation-id is absent (proxies often set it). */
export const REQUEST_ID_HEADER = 'x-request-id';

/** What a caller-supplied id may look like: short, printable, no spaces or separators of log formats. */
const SANE_ID = /^[A-Za-z0-9._:-]{1,100}$/;

interface RequestLike {
  readonly id?: unknown;
  readonly headers?: Readonly<Record<string, string | string[] | undefined>>;
}

interface ResponseLike {
  setHeader(name: string, value: string): unknown;
}

function header(req: RequestLike, name: string): string | undefined {
  const value = req.headers?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first !== undefined && SANE_ID.test(first) ? first : undefined;
}

/**
 * The request's id, which is also its correlation id: a sane incoming x-correlation-id, else a
 * sane x-request-id, else a new UUID. pino-http calls this once per request (genReqId) and
 * stores it as `req.id`; it is echoed in the x-correlation-id response header, written on every
 * log line of the request, and recorded in the metadata of the events the request appends.
 */
export function assignRequestId(req: RequestLike, res?: ResponseLike): string {
  const id = header(req, CORRELATION_ID_HEADER) ?? header(req, REQUEST_ID_HEADER) ?? randomUUID();
  res?.setHeader(CORRELATION_ID_HEADER, id);
  return id;
}

/**
 * The correlation id of a request: the id the logging middleware gave it (one source of truth),
 * or, for a request that did not pass through it, what {@link assignRequestId} would choose.
 */
export function correlationIdOf(req: RequestLike | undefined): string {
  if (req && typeof req.id === 'string' && SANE_ID.test(req.id)) return req.id;
  return assignRequestId(req ?? {});
}
