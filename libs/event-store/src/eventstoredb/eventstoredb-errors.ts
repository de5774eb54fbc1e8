/**
 * Client failures in port terms: which are conflicts, which are transient (retryable), which
 * leave an append's outcome unknown, and which are permanent. The classification follows the
 * client 6.x's own (`convertToCommandError`: gRPC status and the server's `exception` metadata).
 */
import {
  ErrorType,
  type AppendStreamState,
  WrongExpectedVersionError,
  isCommandError,
} from '@kurrent/kurrentdb-client';
import {
  ANY,
  AppendOutcomeUnknownError,
  EventStoreError,
  EventStoreUnavailableError,
  type ExpectedRevision,
  NO_STREAM,
  STREAM_EXISTS,
  WrongExpectedRevisionError,
} from '../event-store.port.js';
import { describeError } from './eventstoredb-mapping.js';

/** gRPC status codes of a raw ServiceError that the client did not convert. */
const LOST_ANSWER_CODES = new Set([
  1, // CANCELLED
  2, // UNKNOWN
  4, // DEADLINE_EXCEEDED
  10, // ABORTED
  13, // INTERNAL
  14, // UNAVAILABLE
]);

/** How a failure behaves for the caller. */
export type FailureKind =
  /** The server refused before doing anything, but may not later (no leader, unreachable). */
  | 'transient'
  /** The call may have reached the server and been carried out; its answer was lost. */
  | 'lost-answer'
  /** It fails the same way until something changes (access denied, bad argument, limits). */
  | 'permanent';

/** Classifies a client failure (see {@link FailureKind}). */
export function failureKind(error: unknown): FailureKind {
  if (error instanceof Error && isCommandError(error)) {
    switch (error.type) {
      case ErrorType.NOT_LEADER:
        return 'transient';
      case ErrorType.UNAVAILABLE:
      case ErrorType.DEADLINE_EXCEEDED:
      case ErrorType.TIMEOUT:
      case ErrorType.CANCELLED:
      // What the client makes of any other gRPC status, e.g. a stream reset by a restarting
      // node: the call may have been carried out.
      case ErrorType.UNKNOWN:
        return 'lost-answer';
      default:
        return 'permanent';
    }
  }
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'number' && LOST_ANSWER_CODES.has(code)) return 'lost-answer';
  return 'permanent';
}

/** Whether a subscription dropped by this failure should be resubscribed (else it ends). */
export function isTransient(error: unknown): boolean {
  return failureKind(error) !== 'permanent';
}

/**
 * A client failure in port terms: a wrong expected version becomes
 * {@link WrongExpectedRevisionError}; during an append, a lost answer (deadline, connection
 * dropped) becomes {@link AppendOutcomeUnknownError}; a transient failure
 * {@link EventStoreUnavailableError}; anything else a permanent {@link EventStoreError}. Ours pass
 * through unchanged.
 */
export function toStoreError(
  error: unknown,
  operation: string,
  append?: { stream: string; expected: ExpectedRevision },
): Error {
  if (error instanceof WrongExpectedRevisionError || error instanceof EventStoreError) return error;
  if (error instanceof WrongExpectedVersionError) {
    const stream = append?.stream ?? error.streamName;
    const expected = append?.expected ?? fromClientExpectedRevision(error.expectedState);
    return new WrongExpectedRevisionError(stream, expected, toActualRevision(error.actualState));
  }
  const message = `EventStoreDB could not ${operation}: ${describeError(error)}`;
  switch (failureKind(error)) {
    case 'lost-answer':
      if (append) return new AppendOutcomeUnknownError(append.stream, append.expected, { cause: error });
      return new EventStoreUnavailableError(message, { cause: error });
    case 'transient':
      return new EventStoreUnavailableError(message, { cause: error });
    default:
      return new EventStoreError(message, { cause: error, retryable: false });
  }
}

/**
 * The stream's actual revision from a client conflict report: a revision, or NO_STREAM. Older
 * servers report an absent stream as -1 in error metadata, so any negative value means absent.
 */
export function toActualRevision(actual: bigint | 'no_stream' | undefined): bigint | typeof NO_STREAM {
  if (actual === undefined || actual === 'no_stream' || actual < 0n) return NO_STREAM;
  return actual;
}

function fromClientExpectedRevision(expected: AppendStreamState): ExpectedRevision {
  if (typeof expected !== 'bigint') return expected;
  // Error metadata of older servers uses the legacy numbers: -1 no stream, -2 any, -4 exists.
  if (expected === -1n) return NO_STREAM;
  if (expected === -4n) return STREAM_EXISTS;
  if (expected < 0n) return ANY;
  return expected;
}
