import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { Plan } from '@app/plan';
import { authAs } from './support/auth.js';
import { type GraphQLResponse, type TestApp, startTestApp } from './support/test-app.js';

const plan = parse(readFileSync('libs/plan/plans/hu-2022-2023.yaml', 'utf8')) as Plan;
const measures = plan.pillars.flatMap((p) => p.objectives.flatMap((o) => o.measures));
const trainingMeasures = measures.filter((m) => m.indicators.some((i) => i.event === 'TrainingDelivered'));
const first = trainingMeasures[0];
const second = trainingMeasures.find((m) => m.responsible[0] !== first.responsible[0])!;
const [agencyA, agencyB] = [first.responsible[0], second.responsible[0]];

const SUMMARY = 'agencyId reportId measureCode eventType occurredOn details status corrections retractionReason stream position';
interface Summary {
  agencyId: string;
  reportId: string;
  details: Record<string, unknown>;
  status: string;
  corrections: number;
  retractionReason: string | null;
  stream: string;
}

describe('looking a report up by its reportId (e2e)', () => {
  let t: TestApp;
  let auth: Record<'a' | 'b' | 'coordinator' | 'auditor' | 'admin', Record<string, string>>;
  const record = async (who: Record<string, string>, measureCode: string, reportId: string, participants: number) => {
    const res = await t.gql<{ recordTrainingDelivered: { position: string } }>(
      'mutation ($i: RecordTrainingDeliveredInput!) { recordTrainingDelivered(input: $i) { position } }',
      { i: { measureCode, reportId, occurredOn: '2023-03-01', title: 'Victim identification', participants, days: 1 } },
      who,
    );
    expect(res.errors).toBeUndefined();
    return res.data!.recordTrainingDelivered.position;
  };
  const lookUp = (who: Record<string, string>, agencyId: string, reportId: string, position?: string) =>
    t.gql<{ report: Summary }>(`query ($a: ID!, $r: String!, $p: String) { report(agencyId: $a, reportId: $r, atLeastPosition: $p) { ${SUMMARY} } }`, { a: agencyId, r: reportId, p: position }, who);
  const codeOf = (res: GraphQLResponse) => [res.errors?.[0]?.extensions?.code, res.errors?.[0]?.extensions?.rule ?? res.errors?.[0]?.extensions?.field];

  beforeAll(async () => {
    t = await startTestApp();
    auth = {
      a: await authAs(t, { role: 'AGENCY', agencyId: agencyA }),
      b: await authAs(t, { role: 'AGENCY', agencyId: agencyB }),
      coordinator: await authAs(t, { role: 'COORDINATOR' }),
      auditor: await authAs(t, { role: 'AUDITOR' }),
      admin: await authAs(t, { role: 'ADMIN' }),
    };
  }, 60_000);
  afterAll(async () => {
    await t.close({ removeData: true });
  });

  it("answers a report's current state and where its history is, to a coordinator and an auditor for any agency, to an agency for its own", async () => {
    const position = await record(auth.a, first.code, 'lookup-1', 12);
    for (const who of [auth.coordinator, auth.auditor, auth.a]) {
      const res = await lookUp(who, agencyA, 'lookup-1', position);
      expect(res.errors).toBeUndefined();
      expect(res.data!.report).toMatchObject({ agencyId: agencyA, reportId: 'lookup-1', measureCode: first.code, eventType: 'TrainingDelivered', status: 'ACTIVE', corrections: 0, details: { participants: 12 } });
      expect(res.data!.report.stream).toContain('lookup-1');
    }
    // As it now stands: a correction and a retraction show, with the count of corrections.
    const corrected = await t.gql<{ correctTrainingDelivered: { position: string } }>(
      'mutation { correctTrainingDelivered(input: { reportId: "lookup-1", requestId: "lookup-1-fix", reason: "two left early", title: "Victim identification", participants: 10, days: 1 }) { position } }',
      undefined,
      auth.a,
    );
    const afterCorrection = await lookUp(auth.coordinator, agencyA, 'lookup-1', corrected.data!.correctTrainingDelivered.position);
    expect(afterCorrection.data!.report).toMatchObject({ corrections: 1, details: { participants: 10 }, status: 'ACTIVE' });
    const retracted = await t.gql<{ retractReport: { position: string } }>('mutation { retractReport(input: { reportId: "lookup-1", requestId: "lookup-1-out", reason: "wrong measure" }) { position } }', undefined, auth.a);
    const afterRetraction = await lookUp(auth.auditor, agencyA, 'lookup-1', retracted.data!.retractReport.position);
    expect(afterRetraction.data!.report).toMatchObject({ status: 'RETRACTED', retractionReason: 'wrong measure', corrections: 1 });
    // The stream it names is the history reportHistory answers.
    const history = await t.gql<{ reportHistory: { stream: string; events: unknown[] } }>(`{ reportHistory(agencyId: "${agencyA}", reportId: "lookup-1") { stream events { type } } }`, undefined, auth.auditor);
    expect(history.data!.reportHistory).toMatchObject({ stream: afterRetraction.data!.report.stream, events: [{ type: 'TrainingDelivered' }, { type: 'ReportCorrected' }, { type: 'ReportRetracted' }] });
  }, 60_000);

  it("refuses an agency another agency's report and roles that read no reports, before saying whether it exists; NOT_FOUND otherwise", async () => {
    const position = await record(auth.a, first.code, 'lookup-2', 5);
    expect(codeOf(await lookUp(auth.b, agencyA, 'lookup-2', position))).toEqual(['FORBIDDEN', 'agency-reads-own-reports-only']);
    expect(codeOf(await lookUp(auth.b, agencyA, 'no-such-report'))).toEqual(['FORBIDDEN', 'agency-reads-own-reports-only']);
    expect(codeOf(await lookUp(auth.admin, agencyA, 'lookup-2'))).toEqual(['FORBIDDEN', 'role-not-permitted']);
    expect(codeOf(await lookUp(auth.coordinator, agencyA, 'no-such-report'))).toEqual(['NOT_FOUND', 'reportId']);
    expect(codeOf(await lookUp(auth.coordinator, agencyB, 'lookup-2', position))).toEqual(['NOT_FOUND', 'reportId']);
  }, 60_000);

  it('finds a reportId across agencies with the reports filter, for a coordinator; an agency still sees only its own', async () => {
    await record(auth.a, first.code, 'shared-id', 7);
    const position = await record(auth.b, second.code, 'shared-id', 8);
    const list = async (who: Record<string, string>, filter: string) =>
      (await t.gql<{ reports: { totalCount: number; edges: Array<{ node: { agencyId: string; reportId: string } }> } }>(`{ reports(filter: ${filter}, atLeastPosition: "${position}") { totalCount edges { node { agencyId reportId } } } }`, undefined, who)).data!.reports;
    const everywhere = await list(auth.coordinator, '{ reportId: "shared-id" }');
    expect(everywhere.edges.map((e) => e.node.agencyId).sort()).toEqual([agencyA, agencyB].sort());
    expect((await list(auth.coordinator, `{ reportId: "shared-id", agencyId: "${agencyB}" }`)).edges.map((e) => e.node)).toEqual([{ agencyId: agencyB, reportId: 'shared-id' }]);
    expect((await list(auth.a, '{ reportId: "shared-id" }')).edges.map((e) => e.node)).toEqual([{ agencyId: agencyA, reportId: 'shared-id' }]);
    expect((await list(auth.coordinator, '{ reportId: "never-used" }')).totalCount).toBe(0);
  }, 60_000);

  it('answers a filter naming a measure or activity type no plan has with BAD_USER_INPUT, not an empty list', async () => {
    for (const [filter, field] of [['{ measureCode: "II.9.9" }', 'measureCode'], ['{ eventType: "TrainingDelivred" }', 'eventType']]) {
      const res = await t.gql(`{ reports(filter: ${filter}) { totalCount } }`, undefined, auth.coordinator);
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: `filter.${field}` });
    }
    // A real measure without reports is an empty list, as before.
    const none = await t.gql<{ reports: { totalCount: number } }>(`{ reports(filter: { measureCode: "${second.code}", reportId: "never-used" }) { totalCount } }`, undefined, auth.coordinator);
    expect(none.errors).toBeUndefined();
    expect(none.data!.reports.totalCount).toBe(0);
  }, 60_000);

  it('refuses a filter date that is no day of the calendar, naming the field and the value, as every date input does', async () => {
    for (const [field, value] of [['occurredFrom', '2023-02-30'], ['occurredTo', '2023-13-01'], ['occurredFrom', '1/3/2023']]) {
      const res = await t.gql(`{ reports(filter: { ${field}: "${value}" }) { totalCount } }`, undefined, auth.coordinator);
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: `filter.${field}` });
      expect(res.errors?.[0]?.message).toContain(`(got "${value}")`);
    }
  }, 60_000);
});
