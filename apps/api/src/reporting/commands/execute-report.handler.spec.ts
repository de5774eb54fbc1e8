/**
 * The report command handler against a real embedded store: how many reads a report costs, and
 * that skipping the read for a new report changes no answer (duplicates, reused ids, races).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { AccessPolicy, type Principal } from '@app/auth';
import { DomainError } from '@app/domain';
import { NO_STREAM, SqliteEventStore } from '@app/event-store';
import { PlanCatalog, loadPlan } from '@app/plan';
import { expandAgencyIds, historyPlan, historyPlanSource } from '../../../../../test/support/history-generator.js';
import { ReportStreamLocator } from '../report-stream-locator.js';
import { ExecuteReportCommand, type ReportRequest } from './execute-report.command.js';
import { ExecuteReportHandler } from './execute-report.handler.js';

const plan = historyPlan();
/** Approved periods by `agency/period`: the lock read model as the handler sees it. */
const approved = new Set<string>();
const reopened = new Set<string>();
const locks = {
  current: async () => (_planId: string, agencyId: string, periodId: string) =>
    approved.has(`${agencyId}/${periodId}`) ? ('APPROVED' as const) : reopened.has(`${agencyId}/${periodId}`) ? ('REOPENED' as const) : ('OPEN' as const),
};
const principal: Principal = { id: 'k1', role: 'AGENCY', agencyId: 'ministry-of-interior', label: 'MoI' };
const target = { measureCode: 'II.1.3' };

function record(reportId: string, participants = 12, as: Principal = principal): ExecuteReportCommand {
  const request: ReportRequest = {
    kind: 'record',
    type: 'TrainingDelivered',
    reportId,
    occurredOn: '2023-05-02',
    details: { title: 'Border control course', participants, days: 1 },
  };
  return new ExecuteReportCommand(request, as, target, 'corr-1');
}

function correct(reportId: string, requestId: string, participants: number, expectedRevision?: bigint, as: Principal = principal): ExecuteReportCommand {
  const request: ReportRequest = {
    kind: 'correct',
    type: 'TrainingDelivered',
    reportId,
    requestId,
    expectedRevision,
    details: { title: 'Border control course', participants, days: 1 },
    reason: 'Attendance sheet checked',
  };
  return new ExecuteReportCommand(request, as, undefined, 'corr-2');
}

function retract(reportId: string, requestId: string, as: Principal = principal): ExecuteReportCommand {
  return new ExecuteReportCommand({ kind: 'retract', reportId, requestId, reason: 'Reported under the wrong measure' }, as, undefined, 'corr-3');
}

const participantsOf = async (store: SqliteEventStore, stream: string): Promise<unknown> => {
  const last = (await store.readStream(stream)).at(-1);
  return (last?.data as { details?: { participants?: number } } | undefined)?.details?.participants;
};

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
    handler = new ExecuteReportHandler(store, catalog, policy, new ReportStreamLocator(store), locks);
  });
  afterEach(async () => {
    await catalog.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('records a new report with one append and no read of its stream', async () => {
    const reads = jest.spyOn(store, 'readStream');
    const receipt = await handler.execute(record('r-1'));
    expect(receipt).toMatchObject({ stream: 'activity-ministry-of-interior/r-1', revision: '0', duplicate: false });
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
    expect((await store.readStream('activity-ministry-of-interior/r-2')).length).toBe(1);
  });

  it('stores one event for 50 identical concurrent requests, all with its receipt', async () => {
    const receipts = await Promise.all(Array.from({ length: 50 }, () => handler.execute(record('r-3'))));
    expect(receipts.filter((r) => !r.duplicate)).toHaveLength(1);
    expect(new Set(receipts.map((r) => r.eventId)).size).toBe(1);
    expect((await store.readStream('activity-ministry-of-interior/r-3')).length).toBe(1);
  });
  it('answers a late retry of an earlier correction with its first receipt and changes nothing (issue 16.1)', async () => {
    await handler.execute(record('r-4', 24));
    const first = await handler.execute(correct('r-4', 'fix-a', 22));
    await handler.execute(correct('r-4', 'fix-b', 21));
    const head = await store.headPosition();
    const retry = await handler.execute(correct('r-4', 'fix-a', 22));
    expect(retry).toMatchObject({ eventId: first.eventId, position: first.position, revision: '1', duplicate: true });
    expect(await store.headPosition()).toBe(head);
    expect(await participantsOf(store, 'activity-ministry-of-interior/r-4')).toBe(21);
    const stale = await handler.execute(correct('r-4', 'fix-c', 20, 1n)).catch((error: unknown) => error);
    expect(stale).toMatchObject({ code: 'CONFLICT', extra: { field: 'expectedRevision' } });
    await expect(handler.execute(correct('r-4', 'fix-c', 20, 2n))).resolves.toMatchObject({ revision: '3', duplicate: false });
    const withdrawn = await handler.execute(retract('r-4', 'withdraw-a'));
    await expect(handler.execute(retract('r-4', 'withdraw-a'))).resolves.toMatchObject({ eventId: withdrawn.eventId, duplicate: true });
  });

  it('checks a correction against the plan the report was recorded under after its measure left the plan (issue 16.2)', async () => {
    await handler.execute(record('r-6', 10));
    const without: typeof plan = {
      ...plan,
      pillars: plan.pillars.map((p) => ({
        ...p,
        objectives: p.objectives.map((o) => ({ ...o, measures: o.measures.filter((m) => m.code !== 'II.1.3') })).filter((o) => o.measures.length > 0),
      })),
    };
    expect((await loadPlan(store, without, historyPlanSource(without))).outcome).toBe('amended');
    await catalog.waitForPosition(await store.headPosition(), 60_000);
    expect(() => catalog.findMeasure('II.1.3')).toThrow(/II\.1\.3/);
    const head = await store.headPosition();
    for (const occurredOn of ['2023-02-30', '2031-01-01', '1900-01-01', '2021-12-31']) {
      const request: ReportRequest = { kind: 'correct', type: 'TrainingDelivered', reportId: 'r-6', requestId: `fix-${occurredOn}`, occurredOn, details: { title: 'Border control course', participants: 9, days: 1 }, reason: 'Date checked' };
      await expect(handler.execute(new ExecuteReportCommand(request, principal, undefined, 'c'))).rejects.toMatchObject({ code: 'BAD_USER_INPUT', extra: { field: 'occurredOn' } });
    }
    expect(await store.headPosition()).toBe(head);
    const fine: ReportRequest = { kind: 'correct', type: 'TrainingDelivered', reportId: 'r-6', requestId: 'fix-ok', occurredOn: '2023-05-03', details: { title: 'Border control course', participants: 9, days: 1 }, reason: 'Date checked' };
    await expect(handler.execute(new ExecuteReportCommand(fine, principal, undefined, 'c'))).resolves.toMatchObject({ revision: '1', duplicate: false });
  });

  it('refuses a record, a correction and a retraction dated in an approved period, storing nothing (issue 19)', async () => {
    await handler.execute(record('r-7', 10));
    approved.add('ministry-of-interior/2023-Q2');
    try {
      const head = await store.headPosition();
      for (const attempt of [record('r-8', 10), correct('r-7', 'fix-l', 11), retract('r-7', 'withdraw-l')]) {
        await expect(handler.execute(attempt)).rejects.toMatchObject({ code: 'FORBIDDEN', extra: { rule: 'period-locked', period: '2023-Q2' } });
      }
      expect(await store.headPosition()).toBe(head);
      // Another agency's reports in the same quarter are not locked by this agency's approval.
      approved.delete('ministry-of-interior/2023-Q2');
      approved.add('other-agency/2023-Q2');
      await expect(handler.execute(correct('r-7', 'fix-l', 11))).resolves.toMatchObject({ duplicate: false });
    } finally {
      approved.clear();
    }
  });

  it("closes a plan's data-entry window N days after a period ends; a reopened period takes changes again (issue 19)", async () => {
    await handler.execute(record('r-9', 10));
    expect((await loadPlan(store, { ...plan, reporting: { periods: 'quarter', entryWindowDays: 30 } }, historyPlanSource(plan))).outcome).toBe('amended');
    await catalog.waitForPosition(await store.headPosition(), 60_000);
    const head = await store.headPosition();
    await expect(handler.execute(record('r-10', 10))).rejects.toMatchObject({ code: 'FORBIDDEN', extra: { rule: 'entry-window-closed', period: '2023-Q2' } });
    await expect(handler.execute(correct('r-9', 'fix-w', 11))).rejects.toMatchObject({ extra: { rule: 'entry-window-closed' } });
    expect(await store.headPosition()).toBe(head);
    reopened.add('ministry-of-interior/2023-Q2');
    try {
      await expect(handler.execute(correct('r-9', 'fix-w', 11))).resolves.toMatchObject({ duplicate: false });
    } finally {
      reopened.clear();
    }
  });

  it('refuses a principal without an agency before anything is read, naming the rule', async () => {
    const reads = jest.spyOn(store, 'readStream');
    const refusal = await handler.execute(correct('r-5', 'fix-a', 3, undefined, { id: 'k2', role: 'AGENCY', label: 'no agency' })).catch((e: unknown) => e);
    expect(refusal).toMatchObject({ extensions: { code: 'FORBIDDEN', rule: 'agency-principal-without-agency' } });
    const coordinator = await handler.execute(record('r-5', 3, { id: 'k3', role: 'COORDINATOR', label: 'c' })).catch((e: unknown) => e);
    expect(coordinator).toMatchObject({ extensions: { code: 'FORBIDDEN', rule: 'role-not-permitted' } });
    expect(reads).not.toHaveBeenCalled();
  });
});

describe('ExecuteReportHandler: stream names (issue 16.3)', () => {
  let dir: string;
  let store: SqliteEventStore;
  let catalog: PlanCatalog;
  let handler: ExecuteReportHandler;
  const acme: Principal = { id: 'k-acme', role: 'AGENCY', agencyId: 'acme', label: 'acme' };
  const acmeEast: Principal = { id: 'k-east', role: 'AGENCY', agencyId: 'acme-east', label: 'acme-east' };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'apl-report-streams-'));
    store = SqliteEventStore.open(join(dir, 'events.db'));
    await loadPlan(store, plan, historyPlanSource(plan));
    catalog = new PlanCatalog(store, { log: () => undefined, error: () => undefined });
    await catalog.start();
  });
  afterEach(async () => {
    await catalog.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const start = () => {
    // Both agencies are assigned to every measure here: only the stream names are under test.
    const policy = new AccessPolicy({ expandAgencies: (ids) => new Set([...ids, 'acme', 'acme-east']) });
    handler = new ExecuteReportHandler(store, catalog, policy, new ReportStreamLocator(store), locks);
  };

  it('keeps two agencies whose ids and report ids spell the same legacy name apart', async () => {
    start();
    const east = await handler.execute(record('r3', 5, acmeEast));
    const mine = await handler.execute(record('east-r3', 7, acme));
    expect([east.stream, mine.stream]).toEqual(['activity-acme-east/r3', 'activity-acme/east-r3']);
    expect(mine.duplicate).toBe(false);
    // acme retracting its own east-r3 leaves acme-east's r3 alone.
    await handler.execute(retract('east-r3', 'w-1', acme));
    expect((await store.readStream('activity-acme-east/r3')).map((e) => e.type)).toEqual(['TrainingDelivered']);
  });

  /** Events as c902ab3 wrote them: `activity-<agencyId>-<reportId>`, nothing else different. */
  async function writeLegacyReport(agencyId: string, reportId: string, participants: number): Promise<string> {
    const stream = `activity-${agencyId}-${reportId}`;
    await store.append(
      stream,
      [
        {
          type: 'TrainingDelivered',
          data: { planId: plan.id, measureCode: 'II.1.3', agencyId, reportId, occurredOn: '2023-05-02', details: { title: 'Border control course', participants, days: 1 } },
          metadata: { agencyId, principalId: 'old', principalRole: 'AGENCY', recordedAt: '2023-05-03T08:00:00.000Z', occurredOn: '2023-05-02', correlationId: 'c', causationId: 'c', schemaVersion: 1 },
        },
      ],
      NO_STREAM,
    );
    return stream;
  }

  it('upgrades a store written with the legacy naming: its reports are found, retried and corrected in place', async () => {
    const legacy = await writeLegacyReport('acme-east', 'r1', 12);
    start();
    // A retry of the legacy record is idempotent: the first receipt, nothing new.
    const head = await store.headPosition();
    const retry = await handler.execute(record('r1', 12, acmeEast));
    expect(retry).toMatchObject({ stream: legacy, revision: '0', duplicate: true });
    expect(await store.headPosition()).toBe(head);
    // A reused id with other content is still a conflict, and a correction lands on the legacy stream.
    await expect(handler.execute(record('r1', 13, acmeEast))).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(handler.execute(correct('r1', 'fix-1', 11, undefined, acmeEast))).resolves.toMatchObject({ stream: legacy, revision: '1' });
    // A new report in the same store gets the unambiguous name.
    await expect(handler.execute(record('r2', 4, acmeEast))).resolves.toMatchObject({ stream: 'activity-acme-east/r2' });
  });

  it("never lets a legacy stream of another agency answer for this one", async () => {
    const legacy = await writeLegacyReport('acme-east', 'r1', 12);
    start();
    // acme's "east-r1" spells acme-east's legacy stream name: not found, not correctable, and
    // recording it makes acme's own report on the new name.
    await expect(handler.execute(correct('east-r1', 'fix-1', 3, undefined, acme))).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(handler.execute(retract('east-r1', 'w-1', acme))).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(handler.execute(record('east-r1', 99, acme))).resolves.toMatchObject({ stream: 'activity-acme/east-r1', duplicate: false });
    expect(await store.readStream(legacy)).toHaveLength(1);
    expect(await participantsOf(store, legacy)).toBe(12);
  });
});

describe('ExecuteReportHandler.executeMany', () => {
  let dir: string;
  let store: SqliteEventStore;
  let catalog: PlanCatalog;
  let handler: ExecuteReportHandler;
  let lockReads: number;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'apl-report-batch-'));
    store = SqliteEventStore.open(join(dir, 'events.db'));
    await loadPlan(store, plan, historyPlanSource(plan));
    catalog = new PlanCatalog(store, { log: () => undefined, error: () => undefined });
    await catalog.start();
    const policy = new AccessPolicy({ expandAgencies: (ids) => new Set([...ids, ...expandAgencyIds(plan, ids)]) });
    lockReads = 0;
    const counted = { current: () => ((lockReads += 1), locks.current()) };
    handler = new ExecuteReportHandler(store, catalog, policy, new ReportStreamLocator(store), counted);
  });
  afterEach(async () => {
    await catalog.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers each report as execute would, reading the locks once and appending the batch in one transaction', async () => {
    await handler.execute(record('stored-1', 5));
    const foreign: Principal = { id: 'k2', role: 'AGENCY', label: 'a key bound to no agency' };
    const commits = store.commitCount;
    lockReads = 0;
    const outcomes = await handler.executeMany(
      [record('b-1'), record('stored-1', 5), record('stored-1', 6), correct('b-1', 'fix-1', 30), record('b-2', 7, foreign), record('b-1'), retract('nope', 'w-1')],
      { dryRun: false, atomic: false },
    );
    expect(lockReads).toBe(1);
    // The first try assumed every recorded report new; stored-1 is not, so that append was refused
    // whole and the batch decided again on the streams read: one more transaction, not one per row.
    expect(store.commitCount - commits).toBe(2);
    const codeOf = (error: unknown) => (error as { code?: string }).code ?? (error as { extensions?: { code?: string } }).extensions?.code;
    expect(outcomes.map((o) => (o.ok ? o.status : codeOf(o.error)))).toEqual([
      'CREATED',
      'DUPLICATE',
      'CONFLICT',
      'CREATED',
      'FORBIDDEN',
      'DUPLICATE',
      'NOT_FOUND',
    ]);
    const [created, , , corrected, , repeat] = outcomes.map((o) => (o.ok ? o.receipt : undefined));
    expect(corrected).toMatchObject({ stream: 'activity-ministry-of-interior/b-1', revision: '1', duplicate: false });
    expect(repeat).toMatchObject({ eventId: created!.eventId, position: created!.position, duplicate: true });
    expect(await participantsOf(store, 'activity-ministry-of-interior/b-1')).toBe(30);
    // Each stored event is what the single path stores, its metadata included.
    const [event] = await store.readStream('activity-ministry-of-interior/b-1');
    expect(event.metadata).toMatchObject({ agencyId: 'ministry-of-interior', principalId: 'k1', correlationId: 'corr-1', occurredOn: '2023-05-02' });
  });

  it('atomic: one refusal stores nothing and the others answer VALID; none, and all are stored at once', async () => {
    const head = await store.headPosition();
    const refused = await handler.executeMany([record('a-1'), record('a-2', 0), record('a-3')], { dryRun: false, atomic: true });
    expect(refused.map((o) => (o.ok ? o.status : 'REFUSED'))).toEqual(['VALID', 'REFUSED', 'VALID']);
    expect(await store.headPosition()).toBe(head);
    // A reused report id beside a refusal is answered as the conflict it is, not as VALID.
    await handler.execute(record('stored-2', 5));
    const codeOf = (error: unknown) => (error as { code?: string }).code ?? (error as { extensions?: { code?: string } }).extensions?.code;
    const withConflict = await handler.executeMany([record('stored-2', 6), record('a-2', 0), record('a-1')], { dryRun: false, atomic: true });
    expect(withConflict.map((o) => (o.ok ? o.status : codeOf(o.error)))).toEqual(['CONFLICT', expect.any(String), 'VALID']);
    const commits = store.commitCount;
    const stored = await handler.executeMany([record('a-1'), record('a-3')], { dryRun: false, atomic: true });
    expect(stored.map((o) => o.ok && o.status)).toEqual(['CREATED', 'CREATED']);
    expect(store.commitCount - commits).toBe(1);
  });
});
