/**
 * Unit tests of the EventStoreDB adapter's pure parts: mapping, error classification, connection
 * strings. The adapter over an imitation client is eventstoredb-event-store.spec.ts.
 */
import { randomUUID } from 'node:crypto';
import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import {
  AccessDeniedError,
  DeadlineExceededError,
  InvalidArgumentError,
  type RecordedEvent as EsdbRecordedEvent,
  UnavailableError,
  UnknownError,
  WrongExpectedVersionError,
} from '@kurrent/kurrentdb-client';
import {
  ANY,
  AppendOutcomeUnknownError,
  EventStoreError,
  EventStoreUnavailableError,
  NO_STREAM,
  STREAM_EXISTS,
  WrongExpectedRevisionError,
} from '../event-store.port.js';
import { normalizeConnectionString, redactConnectionString } from './connection-string.js';
import { failureKind, isTransient, toActualRevision, toStoreError } from './eventstoredb-errors.js';
import { EventStoreDbEventStore } from './eventstoredb-event-store.js';
import {
  comparePositions,
  excludedByFrom,
  isSystemEvent,
  knownPosition,
  reconnectDelay,
  serverFilterFor,
  toClientExpectedRevision,
  toClientPosition,
  toEventData,
  toRecordedEvent,
} from './eventstoredb-mapping.js';

Logger.overrideLogger(false);

describe('EventStoreDB mapping helpers', () => {
  it('maps every expected revision to the client', () => {
    expect(toClientExpectedRevision(NO_STREAM)).toBe('no_stream');
    expect(toClientExpectedRevision(STREAM_EXISTS)).toBe('stream_exists');
    expect(toClientExpectedRevision(ANY)).toBe('any');
    expect(toClientExpectedRevision(0n)).toBe(0n);
    expect(toClientExpectedRevision(41n)).toBe(41n);
    expect(() => toClientExpectedRevision(-1n)).toThrow(EventStoreError);
  });

  it('reads the actual revision of a conflict, negative meaning no stream', () => {
    expect(toActualRevision(5n)).toBe(5n);
    expect(toActualRevision(0n)).toBe(0n);
    expect(toActualRevision('no_stream')).toBe(NO_STREAM);
    expect(toActualRevision(-1n)).toBe(NO_STREAM);
    expect(toActualRevision(undefined)).toBe(NO_STREAM);
  });

  it('turns the client conflict into WrongExpectedRevisionError with our stream and expectation', () => {
    const clientError = new WrongExpectedVersionError(undefined, { streamName: 's-1', expected: 3n, current: 7n });
    const error = toStoreError(clientError, 'append to "s-1"', { stream: 's-1', expected: 3n });
    expect(error).toBeInstanceOf(WrongExpectedRevisionError);
    expect(error).toMatchObject({ stream: 's-1', expected: 3n, actual: 7n });

    const absent = toStoreError(
      new WrongExpectedVersionError(undefined, { streamName: 's-2', expected: 'stream_exists', current: 'no_stream' }),
      'append',
      { stream: 's-2', expected: STREAM_EXISTS },
    );
    expect(absent).toMatchObject({ stream: 's-2', expected: STREAM_EXISTS, actual: NO_STREAM });

    // Older servers: legacy numbers in the error metadata.
    const legacy = toStoreError(
      new WrongExpectedVersionError(undefined, { streamName: 's-3', expected: -1n, current: -1n }),
      'append',
    );
    expect(legacy).toMatchObject({ stream: 's-3', expected: NO_STREAM, actual: NO_STREAM });
  });

  it('classifies failures: transient and lost answers are retryable, an append whose answer was lost is outcome-unknown', () => {
    const unavailable = new UnavailableError(undefined, 'connect ECONNREFUSED');
    const wrapped = toStoreError(unavailable, 'read $all');
    expect(wrapped).toBeInstanceOf(EventStoreUnavailableError);
    expect(wrapped).toMatchObject({ retryable: true });
    expect(wrapped.message).toContain('could not read $all');
    expect(wrapped.cause).toBe(unavailable);

    for (const lost of [new DeadlineExceededError(undefined, 'deadline'), new UnavailableError(undefined, 'reset'), new UnknownError(undefined, 'RST_STREAM')]) {
      const error = toStoreError(lost, 'append to "s"', { stream: 's', expected: 4n });
      expect(error).toBeInstanceOf(AppendOutcomeUnknownError);
      expect(error).toMatchObject({ stream: 's', expected: 4n, retryable: true });
      expect(error.message).toContain('may or may not have been committed');
    }
    // A raw gRPC status the client left unconverted.
    expect(failureKind(Object.assign(new Error('14 UNAVAILABLE'), { code: 14 }))).toBe('lost-answer');

    for (const permanent of [new AccessDeniedError(undefined, 'Access denied'), new InvalidArgumentError('bad'), new Error('mapping failed')]) {
      const error = toStoreError(permanent, 'append to "s"', { stream: 's', expected: ANY });
      expect(error).toBeInstanceOf(EventStoreError);
      expect(error).not.toBeInstanceOf(AppendOutcomeUnknownError);
      expect(error).toMatchObject({ retryable: false });
      expect(isTransient(permanent)).toBe(false);
    }
    expect(isTransient(unavailable)).toBe(true);
    const ours = new WrongExpectedRevisionError('s', 1n, 2n);
    expect(toStoreError(ours, 'x')).toBe(ours);
  });

  it('recognises system events by type or stream', () => {
    expect(isSystemEvent({ type: '$metadata', streamId: 'plan-1' })).toBe(true);
    expect(isSystemEvent({ type: 'PlanAdopted', streamId: '$$plan-1' })).toBe(true);
    expect(isSystemEvent({ type: '$>', streamId: '$ce-plan' })).toBe(true);
    expect(isSystemEvent({ type: 'PlanAdopted', streamId: 'plan-1' })).toBe(false);
  });

  it('treats `from` as exclusive in both directions', () => {
    expect(excludedByFrom(10n, 10n, 'forwards')).toBe(true);
    expect(excludedByFrom(9n, 10n, 'forwards')).toBe(true);
    expect(excludedByFrom(11n, 10n, 'forwards')).toBe(false);
    expect(excludedByFrom(10n, 10n, 'backwards')).toBe(true);
    expect(excludedByFrom(11n, 10n, 'backwards')).toBe(true);
    expect(excludedByFrom(9n, 10n, 'backwards')).toBe(false);
  });

  it('converts and orders positions as bigints', () => {
    expect(toClientPosition(12345678901234567890n)).toEqual({ commit: 12345678901234567890n, prepare: 12345678901234567890n });
    expect(comparePositions({ commit: 1n, prepare: 1n }, { commit: 2n, prepare: 0n })).toBe(-1);
    expect(comparePositions({ commit: 2n, prepare: 2n }, { commit: 2n, prepare: 1n })).toBe(1);
    expect(comparePositions({ commit: 2n, prepare: 2n }, { commit: 2n, prepare: 2n })).toBe(0);
    expect(knownPosition(0xffff_ffff_ffff_ffffn)).toBeUndefined();
    expect(knownPosition(-1n)).toBeUndefined();
    expect(knownPosition(42n)).toBe(42n);
  });

  it('backs off from 100 ms doubling up to 5 s', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 50, 5000].map(reconnectDelay)).toEqual([100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000]);
  });

  it('picks a server-side filter, always keeping system events out when nothing narrower applies', () => {
    expect(serverFilterFor({ streamPrefixes: ['activity-'], eventTypes: ['MeetingHeld'] })).toMatchObject({
      filterOn: 'streamName',
      prefixes: ['activity-'],
    });
    expect(serverFilterFor({ eventTypes: ['MeetingHeld'] })).toMatchObject({ filterOn: 'eventType', prefixes: ['MeetingHeld'] });
    const none = serverFilterFor(undefined);
    expect(none).toMatchObject({ filterOn: 'eventType', regex: '^[^$].*' });
    expect(serverFilterFor({ streamPrefixes: [] })).toEqual(none);
    expect(serverFilterFor({ streamPrefixes: [''] })).toEqual(none);
    // With a checkpoint callback: every search window, so a resumed subscription does not rescan.
    const reached: bigint[] = [];
    const withCheckpoints = serverFilterFor({ streamPrefixes: ['plan-'] }, (p) => reached.push(p.commit));
    expect(withCheckpoints).toMatchObject({ filterOn: 'streamName', checkpointInterval: 1 });
    void withCheckpoints.checkpointReached?.(undefined as never, { commit: 77n, prepare: 77n });
    expect(reached).toEqual([77n]);
  });

  it('builds JSON events, keeping a given id', () => {
    const id = randomUUID();
    const kept = toEventData({ id, type: 'MeetingHeld', data: { a: 1 }, metadata: { agencyId: 'x' } });
    expect(kept).toMatchObject({ id, type: 'MeetingHeld', contentType: 'application/json', data: { a: 1 }, metadata: { agencyId: 'x' } });
    const generated = toEventData({ type: 'Counted', data: 3 });
    expect(generated.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(generated.data).toBe(3);
    expect(generated.metadata).toBeUndefined();
    expect(() => toEventData({ id: 'not-a-uuid', type: 'X', data: {} })).toThrow(EventStoreError);
  });

  it('maps a client event, with {} for absent or non-JSON metadata', () => {
    const created = new Date('2024-05-01T10:00:00Z');
    const base = {
      streamId: 'plan-1',
      id: randomUUID(),
      isJson: true as const,
      revision: 4n,
      type: 'PlanAdopted',
      created,
      data: { code: 'II.1.3' },
      metadata: { agencyId: 'a' },
      position: { commit: 9007199254740993n, prepare: 9007199254740993n },
    };
    expect(toRecordedEvent(base as EsdbRecordedEvent)).toEqual({
      id: base.id,
      type: 'PlanAdopted',
      stream: 'plan-1',
      revision: 4n,
      position: 9007199254740993n,
      data: { code: 'II.1.3' },
      metadata: { agencyId: 'a' },
      created,
    });
    expect(toRecordedEvent({ ...base, metadata: undefined } as EsdbRecordedEvent).metadata).toEqual({});
    expect(toRecordedEvent({ ...base, metadata: new Uint8Array([1, 2]) } as EsdbRecordedEvent).metadata).toEqual({});
    expect(() => toRecordedEvent({ ...base, position: undefined } as EsdbRecordedEvent)).toThrow(EventStoreError);
    expect(() =>
      toRecordedEvent({ ...base, position: { commit: 0xffff_ffff_ffff_ffffn, prepare: 0n } } as EsdbRecordedEvent),
    ).toThrow(/22\.6/);
  });

  it('never shows credentials of a connection string and accepts the KurrentDB spellings', () => {
    expect(redactConnectionString('esdb://admin:changeit@db:2113?tls=false')).toBe('esdb://***@db:2113?tls=false');
    expect(redactConnectionString('esdb://db:2113?tls=false')).toBe('esdb://db:2113?tls=false');
    expect(redactConnectionString('esdb+discover://u:p@a@x,y:2113')).toBe('esdb+discover://***@x,y:2113');
    // One spelling for the client (which warns on the console about esdb://).
    expect(normalizeConnectionString('esdb://db:2113?tls=false')).toBe('kurrentdb://db:2113?tls=false');
    expect(normalizeConnectionString('ESDB+discover://a,b:2113')).toBe('kurrentdb+discover://a,b:2113');
    expect(normalizeConnectionString('kurrentdb://db:2113?tls=false')).toBe('kurrentdb://db:2113?tls=false');
    expect(normalizeConnectionString('kdb+discover://db:2113')).toBe('kurrentdb+discover://db:2113');
    expect(normalizeConnectionString('kurrent://admin:changeit@db:2113?tls=false')).toBe('kurrentdb://admin:changeit@db:2113?tls=false');
    expect(normalizeConnectionString('KURRENT+DISCOVER://a,b:2113')).toBe('kurrentdb+discover://a,b:2113');
    expect(normalizeConnectionString(' esdb://db:2113 ')).toBe('kurrentdb://db:2113');
  });

  it('connect() names the server without credentials when it cannot reach it', async () => {
    const warn = jest.spyOn(console, 'warn');
    const error = await EventStoreDbEventStore.connect('esdb://admin:s3cret@127.0.0.1:1?tls=false', { timeoutMs: 5_000 }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(EventStoreError);
    expect(error?.message).toContain('Cannot connect to EventStoreDB at esdb://***@127.0.0.1:1?tls=false');
    expect(error?.message).not.toContain('s3cret');
    expect(error).toMatchObject({ retryable: true });
    expect(error?.message).toMatch(/no server answered|ECONNREFUSED|no answer within/);
    // A KurrentDB spelling is parsed, not refused as an invalid connection string.
    const kurrent = await EventStoreDbEventStore.connect('kurrent://127.0.0.1:1?tls=false', { timeoutMs: 5_000 }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(kurrent?.message).toContain('Cannot connect to EventStoreDB at kurrent://127.0.0.1:1?tls=false');
    expect(warn).not.toHaveBeenCalled(); // the esdb:// string above gave no deprecation warning either
    warn.mockRestore();
  }, 30_000);
});
