import type { IncomingMessage, ServerResponse } from 'node:http';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { Options } from 'pino-http';
import { assignRequestId, correlationIdOf } from '../common/correlation-id.js';
import { REDACTED_PATHS, loggerParams } from './logger-params.js';

const options = (params: ReturnType<typeof loggerParams>): Options => {
  const pinoHttp = params.pinoHttp;
  return (Array.isArray(pinoHttp) ? pinoHttp[0] : pinoHttp) as Options;
};

const response = () => {
  const headers: Record<string, string> = {};
  return { headers, setHeader: (name: string, value: string) => (headers[name] = value) };
};

describe('request ids (correlation ids)', () => {
  it('honours a sane x-correlation-id, then x-request-id, and echoes it', () => {
    const res = response();
    expect(assignRequestId({ headers: { 'x-correlation-id': 'abc-1', 'x-request-id': 'r-2' } }, res)).toBe('abc-1');
    expect(res.headers).toEqual({ 'x-correlation-id': 'abc-1' });
    expect(assignRequestId({ headers: { 'x-request-id': 'r-2' } })).toBe('r-2');
  });

  it('makes a UUID for absent, too long or odd ids', () => {
    for (const value of [undefined, '', 'a b', 'x'.repeat(101), '{"json":1}', 'line\nbreak']) {
      expect(assignRequestId({ headers: { 'x-correlation-id': value } })).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('reads the id the middleware gave the request (one source of truth)', () => {
    expect(correlationIdOf({ id: 'given-1', headers: { 'x-correlation-id': 'other' } })).toBe('given-1');
    expect(correlationIdOf({ headers: { 'x-correlation-id': 'hdr-1' } })).toBe('hdr-1');
    expect(correlationIdOf(undefined)).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('logger parameters', () => {
  it('honours LOG_LEVEL and prints JSON unless pretty is asked for', () => {
    const json = options(loggerParams({ logLevel: 'debug', logFormat: 'json' }));
    expect(json.level).toBe('debug');
    expect(json.transport).toBeUndefined();
    const pretty = options(loggerParams({ logLevel: 'info', logFormat: 'pretty' }));
    expect(pretty.transport).toMatchObject({ target: 'pino-pretty' });
  });

  it('writes to a given destination, never through a transport', () => {
    const destination = new Writable({ write: (_c, _e, done) => done() });
    const params = loggerParams({ logLevel: 'info', logFormat: 'pretty' }, destination);
    expect(Array.isArray(params.pinoHttp)).toBe(true);
    expect(options(params).transport).toBeUndefined();
  });

  it('logs requests without headers, and redacts credentials wherever they are logged', () => {
    const o = options(loggerParams({ logLevel: 'info', logFormat: 'json' }));
    const serialize = (o.serializers as Record<string, (value: unknown) => unknown>).req;
    expect(serialize({ id: 'x', method: 'POST', url: '/graphql', headers: { authorization: 'Bearer apl_secret' }, remoteAddress: '::1' })).toEqual({
      id: 'x',
      method: 'POST',
      url: '/graphql',
      remoteAddress: '::1',
    });

    const lines: string[] = [];
    const logger = pino({ redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, { write: (line: string) => lines.push(line) });
    logger.info({ req: { headers: { authorization: 'Bearer apl_secret', cookie: 'c' } }, headers: { authorization: 'Bearer t' } }, 'm');
    expect(lines.join('')).not.toMatch(/Bearer|apl_secret/);
  });

  it('logs failures at error, probes and scrapes at debug (failed ones too), the rest at info', () => {
    const level = options(loggerParams({ logLevel: 'debug', logFormat: 'json' })).customLogLevel!;
    const req = (url: string) => ({ url }) as IncomingMessage;
    const res = (statusCode: number) => ({ statusCode }) as ServerResponse;
    expect(level(req('/graphql'), res(200), undefined)).toBe('info');
    expect(level(req('/graphql'), res(401), undefined)).toBe('info');
    expect(level(req('/graphql'), res(500), undefined)).toBe('error');
    expect(level(req('/graphql'), res(200), new Error('x'))).toBe('error');
    expect(level(req('/health/ready'), res(200), undefined)).toBe('debug');
    expect(level(req('/metrics?x=1'), res(200), undefined)).toBe('debug');
    // Not ready while catching up is expected: ReadinessLog says so once, not a line per probe.
    expect(level(req('/health/ready'), res(503), undefined)).toBe('debug');
    const info = options(loggerParams({ logLevel: 'info', logFormat: 'json' })).customLogLevel!;
    expect(info(req('/health/ready?probe=1'), res(503), undefined)).toBe('silent');
  });

  it('says silent for a request line below LOG_LEVEL, so pino-http does not build it', () => {
    const req = (url: string) => ({ url }) as IncomingMessage;
    const res = (statusCode: number) => ({ statusCode }) as ServerResponse;
    const warn = options(loggerParams({ logLevel: 'warn', logFormat: 'json' })).customLogLevel!;
    expect(warn(req('/graphql'), res(200), undefined)).toBe('silent');
    expect(warn(req('/health/ready'), res(200), undefined)).toBe('silent');
    expect(warn(req('/graphql'), res(500), undefined)).toBe('error');
    const info = options(loggerParams({ logLevel: 'info', logFormat: 'json' })).customLogLevel!;
    expect(info(req('/health/ready'), res(200), undefined)).toBe('silent');
    expect(info(req('/graphql'), res(200), undefined)).toBe('info');
    const fatal = options(loggerParams({ logLevel: 'fatal', logFormat: 'json' })).customLogLevel!;
    expect(fatal(req('/graphql'), res(500), undefined)).toBe('silent');
  });
});
