/**
 * The lock lookup of the report write path (docs/periods.md, "Consistency"): it waits for the
 * runner only when a period event is in the part of the log the runner has not applied yet.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { jest } from '@jest/globals';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AppConfig } from '@app/config';
import { NO_STREAM, SqliteEventStore } from '@app/event-store';
import { ProjectionTimeoutError, ProjectionsStoppedError } from '@app/projections';
import { ProjectionsService } from './projections.service.js';

const periodEvent = (type: string, requestId: string) => ({
  type,
  data: { planId: 'p', agencyId: 'a', periodId: '2023-Q1', requestId, measureCodes: [] },
  metadata: { recordedAt: '2024-01-02T00:00:00.000Z' },
});

describe('ProjectionsService as the period lock read model', () => {
  let dir: string;
  let store: SqliteEventStore;
  let service: ProjectionsService;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'apl-period-locks-'));
    store = SqliteEventStore.open(join(dir, 'events.db'));
    service = new ProjectionsService(store, { dataDir: dir, readYourWritesTimeoutMs: 300 } as AppConfig);
  });
  afterEach(async () => {
    await service.beforeApplicationShutdown();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers at once while no period event is unapplied, and waits for one that is', async () => {
    await store.append(
      'activity-a/r1',
      [{ type: 'MeetingHeld', data: { planId: 'p', measureCode: 'I.1.1', agencyId: 'a', reportId: 'r1', occurredOn: '2023-02-01', details: { title: 'Working group', meetingKind: 'WORKING_GROUP', participants: 5 } }, metadata: {} }],
      NO_STREAM,
    );
    // The runner has not started: nothing is applied, but no period event is pending either.
    expect((await service.current())('p', 'a', '2023-Q1')).toBe('OPEN');
    await store.append('period-p/a/2023-Q1', [periodEvent('PeriodSubmitted', 's1'), periodEvent('PeriodApproved', 'a1')], NO_STREAM);
    // An approval the runner has not applied is never decided past: the lookup waits (here until TIMEOUT).
    await expect(service.current()).rejects.toBeInstanceOf(ProjectionTimeoutError);
    await service.onApplicationBootstrap();
    expect((await service.current())('p', 'a', '2023-Q1')).toBe('APPROVED');
    expect((await service.current())('p', 'b', '2023-Q1')).toBe('OPEN');
  });

  it('reads no part of the log while the runner has applied all of it (the usual case)', async () => {
    await service.onApplicationBootstrap();
    await store.append('period-p/a/2023-Q1', [periodEvent('PeriodSubmitted', 's1'), periodEvent('PeriodApproved', 'a1')], NO_STREAM);
    await service.runner.catchUpToHead(10_000);
    const reads = jest.spyOn(store, 'readAll');
    expect((await service.current())('p', 'a', '2023-Q1')).toBe('APPROVED');
    expect(reads).not.toHaveBeenCalled();
    // A period event the runner has not applied (it is stopped): the tail is read, and the
    // lookup waits for the runner instead of answering from a stale model (here: stopped).
    await service.runner.stop();
    await store.append('period-p/a/2023-Q2', [periodEvent('PeriodSubmitted', 's2')], NO_STREAM);
    await expect(service.current()).rejects.toBeInstanceOf(ProjectionsStoppedError);
    expect(reads).toHaveBeenCalledTimes(1);
  });

  it('lookups begun in one turn share a read of the head, made after each of them began', async () => {
    await service.onApplicationBootstrap();
    await service.runner.catchUpToHead(10_000);
    const heads = jest.spyOn(store, 'headPosition');
    // Each lookup's answer is taken as soon as it resolves: the read model moves between ticks.
    const statusNow = () => service.current().then((lookup) => lookup('p', 'a', '2023-Q1'));
    expect(await Promise.all(Array.from({ length: 20 }, statusNow))).toEqual(Array.from({ length: 20 }, () => 'OPEN'));
    expect(heads).toHaveBeenCalledTimes(2);
    // A report committed before the shared read, and applied by the runner at once: no tail to read.
    const reads = jest.spyOn(store, 'readAll');
    const first0 = statusNow();
    const reported = store.append('activity-a/r9', [{ type: 'MeetingHeld', data: { planId: 'p', measureCode: 'I.1.1', agencyId: 'a', reportId: 'r9', occurredOn: '2023-02-01', details: { title: 'Working group', meetingKind: 'WORKING_GROUP', participants: 5 } }, metadata: {} }], NO_STREAM);
    expect(await Promise.all([first0, ...Array.from({ length: 5 }, statusNow)])).toEqual(Array.from({ length: 6 }, () => 'OPEN'));
    await reported;
    expect(reads).not.toHaveBeenCalled();
    const first = statusNow();
    // Committed after the first lookup of this turn read the head, before the later ones' shared read.
    const approved = store.append('period-p/a/2023-Q1', [periodEvent('PeriodSubmitted', 's1'), periodEvent('PeriodApproved', 'a1')], NO_STREAM);
    const later = Array.from({ length: 5 }, statusNow);
    expect(await first).toBe('OPEN');
    expect(await Promise.all(later)).toEqual(Array.from({ length: 5 }, () => 'APPROVED'));
    await approved;
  });
});
