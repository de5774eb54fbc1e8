import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore, embeddedStoreFile } from '@app/event-store';
import { ledger, savedDataDir } from '../support/cli.js';
import { authAs } from './support/auth.js';
import { MOI, PLAN } from './support/season.js';
import { type TestApp, startTestApp } from './support/test-app.js';

/**
 * A ledger's own export must import: every family of events the api's deciders write — reports
 * with their corrections and retractions, coordinators' assessments and their corrections,
 * reporting periods through submission, return, approval and reopening, plans and keys — recorded
 * here through the API, exported with `ledger export` and imported into an empty store with
 * `ledger import`, which must take every line and give the same chain head (found by a fresh
 * tester: an export holding an assessment was refused, so it could be neither a backup nor a move).
 */
describe('ledger export, then ledger import, of a ledger that holds every kind of event (e2e)', () => {
  let t: TestApp;
  let target: string;
  const restoreDataDir = savedDataDir();

  beforeAll(async () => {
    t = await startTestApp();
    target = mkdtempSync(join(tmpdir(), 'apl-e2e-import-'));
  }, 60_000);
  afterAll(async () => {
    restoreDataDir();
    await t.close({ removeData: true });
    rmSync(target, { recursive: true, force: true });
  });

  it('imports every line into an empty store, with the same chain head', async () => {
    const agency = await authAs(t, { role: 'AGENCY', agencyId: MOI });
    const coordinator = await authAs(t, { role: 'COORDINATOR' });
    const ok = async (query: string, who: Record<string, string>, variables?: Record<string, unknown>) => {
      const res = await t.gql(query, variables, who);
      expect(res.errors).toBeUndefined();
      return res.data!;
    };
    const training = (reportId: string, participants: number) => ({ measureCode: 'II.1.3', reportId, occurredOn: '2023-05-02', title: 'Border control course', participants, days: 1 });
    await ok('mutation ($i: RecordTrainingDeliveredInput!) { recordTrainingDelivered(input: $i) { position } }', agency, { i: training('exp-1', 12) });
    await ok('mutation ($i: RecordTrainingDeliveredInput!) { recordTrainingDelivered(input: $i) { position } }', agency, { i: training('exp-2', 8) });
    await ok('mutation ($i: CorrectTrainingDeliveredInput!) { correctTrainingDelivered(input: $i) { position } }', agency, {
      i: { ...training('exp-1', 14), measureCode: undefined, requestId: 'exp-1-fix', reason: 'two came late' },
    });
    await ok('mutation { retractReport(input: { reportId: "exp-2", requestId: "exp-2-out", reason: "entered twice" }) { position } }', agency);
    await ok(
      'mutation { assessMeasure(input: { measureCode: "II.1.3", assessmentId: "exp-a1", level: SUBSTANTIAL, asOf: "2023-06-30", narrative: "Most trainings held", evidence: ["BM/1/2023"], indicatorComments: [{ indicatorKey: "trainings", comment: "two postponed" }] }) { position } }',
      coordinator,
    );
    await ok(
      'mutation { correctAssessment(input: { measureCode: "II.1.3", assessmentId: "exp-a1", correctionId: "exp-a1-fix", reason: "counted again", level: LIMITED, asOf: "2023-06-30", narrative: "Fewer held than said" }) { position } }',
      coordinator,
    );
    const period = (name: string, input: Record<string, unknown>, who: Record<string, string>) =>
      ok(`mutation ($i: ${name.charAt(0).toUpperCase()}${name.slice(1)}Input!) { ${name}(input: $i) { position } }`, who, { i: { planId: PLAN, periodId: '2023-Q2', ...input } });
    await period('submitPeriod', { requestId: 'exp-sub-1' }, agency);
    await period('returnPeriod', { agencyId: MOI, requestId: 'exp-ret', comment: 'participants missing' }, coordinator);
    await period('submitPeriod', { requestId: 'exp-sub-2' }, agency);
    await period('approvePeriod', { agencyId: MOI, requestId: 'exp-app' }, coordinator);
    await period('reopenPeriod', { agencyId: MOI, requestId: 'exp-reo', reason: 'a training was missed' }, coordinator);

    const file = join(target, 'ledger.ndjson');
    process.env.DATA_DIR = t.dataDir;
    const exported = await ledger('export', '--out', file);
    expect(exported.code).toBe(0);
    const head = /chain head ([0-9a-f]{64}@\d+)/.exec(exported.stdout + exported.stderr)?.[1];
    expect(head).toBeDefined();
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as { id: string; type: string; stream: string });
    expect(new Set(lines.map((e) => e.type))).toEqual(
      new Set([
        'PlanAdopted',
        'ApiKeyIssued',
        'TrainingDelivered',
        'ReportCorrected',
        'ReportRetracted',
        'MeasureAssessed',
        'AssessmentCorrected',
        'PeriodSubmitted',
        'PeriodReturned',
        'PeriodApproved',
        'PeriodReopened',
      ]),
    );

    process.env.DATA_DIR = join(target, 'imported');
    const imported = await ledger('import', file, '--create');
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
    const store = SqliteEventStore.open(embeddedStoreFile(join(target, 'imported')));
    const stored: Array<{ id: string; type: string; stream: string }> = [];
    for await (const e of store.readAll()) stored.push({ id: e.id, type: e.type, stream: e.stream });
    await store.close();
    expect(stored).toEqual(lines.map(({ id, type, stream }) => ({ id, type, stream })));
    const verified = await ledger('verify', '--head', head!);
    expect(verified.code).toBe(0);

    // An auditor reading the moved ledger sees each event recorded when it was, not when it was imported.
    const history = async (app: TestApp) => {
      const res = await app.gql<{ reportHistory: { events: Array<{ type: string; recordedAt: string; committedAt: string; metadata: { recordedAt: string } }> } }>(
        `{ reportHistory(agencyId: "${MOI}", reportId: "exp-1") { events { type recordedAt committedAt metadata } } }`,
        undefined,
        await authAs(app, { role: 'AUDITOR' }),
      );
      expect(res.errors).toBeUndefined();
      return res.data!.reportHistory.events;
    };
    const before = await history(t);
    const moved = await startTestApp({ dataDir: join(target, 'imported') });
    try {
      const after = await history(moved);
      expect(after.map((e) => [e.type, e.recordedAt])).toEqual(before.map((e) => [e.type, e.recordedAt]));
      for (const e of after) expect(e.recordedAt).toBe(e.metadata.recordedAt);
      expect(after.map((e) => e.committedAt)).not.toEqual(before.map((e) => e.committedAt));
    } finally {
      await moved.close();
    }
  }, 180_000);
});
