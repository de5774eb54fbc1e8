/**
 * The lock lookup of the report write path (docs/periods.md, "Consistency"): it waits for the
 * runner only when a period event is in the part of the log the runner has not applied yet.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AppConfig } from '@app/config';
import { NO_STREAM, SqliteEventStore } from '@app/event-store';
import { ProjectionTimeoutError } from '@app/projections';
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
});
