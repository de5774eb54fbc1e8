import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { Params } from 'nestjs-pino';
import { type DestinationStream, type Level, type LevelWithSilent, levels, stdTimeFunctions } from 'pino';
import type { AppConfig } from '@app/config';
import { assignRequestId } from '../common/correlation-id.js';

/** Where a request's id lives once pino-http has given it one. */
type LoggedRequest = IncomingMessage & { id?: unknown; graphql?: unknown };

/** Headers that carry credentials: never written to a log, whoever logs a request or its headers. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  '*.headers.authorization',
  '*.headers.cookie',
];

const LEVEL_VALUES: Readonly<Record<string, number>> = levels.values;

/**
 * Probes and scrapes arrive every few seconds: logged at debug, not info, whatever their status
 * (a 503 of /health/ready while the projections catch up is expected; the readiness log says it
 * in one line per change, without pino-http's "failed with status code 503" stack trace).
 */
const QUIET_PATHS = new Set(['/health/live', '/health/ready', '/metrics']);

/** Whether pino-pretty can be loaded (it is a dev dependency: absent from the production image). */
function prettyAvailable(): boolean {
  try {
    createRequire(import.meta.url).resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}

/**
 * The nestjs-pino configuration: one pino logger for Nest's own logs, every `new Logger(...)` of
 * the code base and the request log of pino-http.
 *
 * - Every request gets an id (genReqId) which is also its correlation id: a sane incoming
 *   x-correlation-id / x-request-id, else a UUID, echoed in the x-correlation-id response header.
 *   Each line logged while serving the request carries `req.id` and `correlationId`.
 * - Requests are logged compactly (id, method, url, remote address, status, and for GraphQL the
 *   operation: name, type, principal, rate units, error codes): no headers, and credential
 *   headers are redacted wherever something logs them.
 * - LOG_LEVEL sets the level; LOG_FORMAT=pretty (development default) prints through
 *   pino-pretty, json (otherwise) one object a line on stdout.
 *
 * `destination` replaces stdout (tests read the lines). nestjs-pino keeps one pino-http instance
 * per process: the first application created in a process decides level and destination.
 */
export function loggerParams(config: Pick<AppConfig, 'logLevel' | 'logFormat'>, destination?: DestinationStream): Params {
  const pretty = !destination && config.logFormat === 'pretty' && prettyAvailable();
  const threshold = LEVEL_VALUES[config.logLevel];
  const options: NonNullable<Exclude<Params['pinoHttp'], DestinationStream | unknown[]>> = {
    level: config.logLevel,
    timestamp: stdTimeFunctions.isoTime,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    genReqId: (req, res) => assignRequestId(req as LoggedRequest, res),
    // At the end of a request, the GraphQL operation the gate recorded (auth/request-gate.ts):
    // the same fields graphql-ws operations log on their own line.
    customProps: (req) => {
      const { id, graphql } = req as LoggedRequest;
      return graphql ? { correlationId: id, graphql } : { correlationId: id };
    },
    serializers: {
      req: (req: { id?: unknown; method?: string; url?: string; remoteAddress?: string }) => ({
        id: req.id,
        method: req.method,
        url: req.url,
        remoteAddress: req.remoteAddress,
      }),
      res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
    },
    customLogLevel: (req: IncomingMessage, res: ServerResponse, error?: Error): LevelWithSilent => {
      const level: Level = QUIET_PATHS.has((req.url ?? '').split('?')[0]) ? 'debug' : error || res.statusCode >= 500 ? 'error' : 'info';
      // A line below LOG_LEVEL would be dropped anyway: 'silent' spares pino-http building it
      // (its bindings and message, on every request).
      return LEVEL_VALUES[level] >= threshold ? level : 'silent';
    },
    ...(pretty && {
      transport: {
        target: 'pino-pretty',
        options: {
          singleLine: true,
          translateTime: 'SYS:HH:MM:ss.l',
          ignore: 'pid,hostname,context,req,res',
          messageFormat: '{if context}[{context}] {end}{msg}{if req.method} {req.method} {req.url}{end}{if res.statusCode} {res.statusCode}{end}',
        },
      },
    }),
  };
  return { pinoHttp: destination ? [options, destination] : options };
}
