/**
 * The report command handler against a real embedded store: how many reads a report costs, and
 * that skipping the read for a new report changes no answer (duplicates, reused ids, races).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { AccessPolicy, type Principal } from '@app/auth';
import { DomainError, type ReportCommand } from '@app/domain';
import { SqliteEventStore } from '@app/event-store';
import { PlanCatalog, loadPlan } from '@app/plan';
import { expandAgencyIds, historyPlan, historyPlanSource } from '../../../../../test/support/history-generator.js';
import { ExecuteReportCommand } from './execute-report.command.js';
import { ExecuteReportHandler, latestToday } from './execute-report.handler.js';

const plan = historyPlan();
const principal: Principal = { id: 'k1', role: 'AGENCY', agencyId: 'ministry-of-interior', label: 'MoI' };
const target = { measureCode: 'II.1.3' };

function record(reportId: string, participants = 12): ExecuteReportCommand {
  const command: ReportCommand = {
    kind: 'record',
    type: 'TrainingDelivered',
    agencyId: 'ministry-of-interior',
    reportId,
    occurredOn: '2023-05-02',
    details: { title: 'Border control course', participants, days: 1 },
  };
  return new ExecuteReportCommand(command, principal, target, 'corr-1');
}

describe('ExecuteReportHandler', () => {
  let dir: string;
  let store: SqliteEventStore;
  let catalog: PlanCatalog;
  let handler: ExecuteReportHandler;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'apl-report-handler-'));
    store = SqliteEventStore.open(join(dir, 'events.db'));
    await loadPlan(store, plan, historyPlanSource(plan));
    catalog = new PlanCatalog(store, { log: () => undefined, error: () => undefined });
    await catalog.start();
    const policy = new AccessPolicy({ expandAgencies: (ids) => new Set([...ids, ...expandAgencyIds(plan, ids)]) });
    handler = new ExecuteReportHandler(store, catalog, policy);
  });
  afterEach(async () => {
    await catalog.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('records a new report with one append and no read of its stream', async () => {
    const reads = jest.spyOn(store, 'readStream');
    const receipt = await handler.execute(record('r-1'));
    expect(receipt).toMatchObject({ stream: 'activity-ministry-of-interior-r-1', revision: '0', duplicate: false });
    expect(reads).not.toHaveBeenCalled();
  });

  it('answers a repeat with the first receipt, and a reused id with a conflict, after reading', async () => {
    const first = await handler.execute(record('r-2'));
    const reads = jest.spyOn(store, 'readStream');
    await expect(handler.execute(record('r-2'))).resolves.toMatchObject({ eventId: first.eventId, position: first.position, revision: first.revision, duplicate: true });
    expect(reads).toHaveBeenCalledTimes(1);
    const refusal = await handler.execute(record('r-2', 13)).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(DomainError);
    expect(refusal).toMatchObject({ code: 'CONFLICT', extra: { field: 'reportId' } });
    expect((await store.readStream('activity-ministry-of-interior-r-2')).length).toBe(1);
  });

  it('stores one event for 50 identical concurrent requests, all with its receipt', async () => {
    const receipts = await Promise.all(Array.from({ length: 50 }, () => handler.execute(record('r-3'))));
    expect(receipts.filter((r) => !r.duplicate)).toHaveLength(1);
    expect(new Set(receipts.map((r) => r.eventId)).size).toBe(1);
    expect((await store.readStream('activity-ministry-of-interior-r-3')).length).toBe(1);
  });
});

describe('latestToday', () => {
  it('is the date in UTC+14, changing at 10:00 UTC, whatever order the instants come in', () => {
    const cases: Array<[string, string]> = [
      ['2023-05-02T09:59:59.999Z', '2023-05-02'],
      ['2023-05-02T10:00:00.000Z', '2023-05-03'],
      ['2023-05-02T09:00:00.000Z', '2023-05-02'],
      ['2023-05-03T09:59:59.999Z', '2023-05-03'],
      ['2023-12-31T10:00:00.000Z', '2024-01-01'],
      ['1969-12-31T09:59:59.999Z', '1969-12-31'],
      ['1969-12-31T10:00:00.000Z', '1970-01-01'],
      ['2023-05-02T10:00:00.000Z', '2023-05-03'],
    ];
    for (const [instant, date] of cases) expect({ instant, date: latestToday(new Date(instant)) }).toEqual({ instant, date });
  });
});
