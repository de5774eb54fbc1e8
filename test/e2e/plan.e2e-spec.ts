import { resolve } from 'node:path';
import { KeyService } from '@app/auth';
import { EVENT_STORE, type EventStore } from '@app/event-store';
import { type TestApp, startTestApp } from './support/test-app.js';

const PLAN_FILES = ['demo-plan.yaml', 'second-plan.yaml'].map((f) => resolve('test/fixtures/plans', f)).join(',');

/** A COORDINATOR credential: the plan queries need READ_PLAN. */
async function readerHeaders(t: TestApp): Promise<Record<string, string>> {
  const issued = await t.app.get(KeyService, { strict: false }).issue({ role: 'COORDINATOR', label: 'plan e2e' }, 'test:e2e');
  return { authorization: `Bearer ${issued.key}` };
}

async function planEventTypes(t: TestApp, planId: string): Promise<string[]> {
  const store = t.app.get<EventStore>(EVENT_STORE, { strict: false });
  return (await store.readStream(`plan-${planId}`)).map((e) => e.type);
}

describe('plans over GraphQL (e2e)', () => {
  let t: TestApp;
  let headers: Record<string, string>;
  const gql = <T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>) => t.gql<T>(query, variables, headers);

  beforeAll(async () => {
    t = await startTestApp({ env: { PLAN_FILES } });
    headers = await readerHeaders(t);
  });
  afterAll(async () => {
    await t?.close({ removeData: true });
  });

  it('adopts the plan files on an empty store', async () => {
    expect(await planEventTypes(t, 'demo-2030')).toEqual(['PlanAdopted']);
    expect(await planEventTypes(t, 'demo-2032')).toEqual(['PlanAdopted']);
    const res = await gql<{ plans: Array<{ id: string; title: string; period: { from: string; to: string } }> }>(
      '{ plans { id title period { from to } } }',
    );
    expect(res.errors).toBeUndefined();
    expect(res.data?.plans).toEqual([
      { id: 'demo-2030', title: 'Demonstration Action Plan 2030-2031', period: { from: '2030-01-01', to: '2031-12-31' } },
      { id: 'demo-2032', title: 'Demonstration Action Plan 2032', period: { from: '2032-01-01', to: '2032-12-31' } },
    ]);
  });

  it('serves one plan with its structure, budget and register; null for an unknown id', async () => {
    const res = await gql<{ plan: Record<string, unknown>; none: null }>(`{
      plan(id: "demo-2030") {
        id legalBasis { decision date title }
        budgetPoints { id amountHuf year recurring chapter { id } }
        pillars { code title objectives { code measures { code } } }
        agencies { id kind members { id } }
      }
      none: plan(id: "no-such-plan") { id }
    }`);
    expect(res.errors).toBeUndefined();
    expect(res.data?.none).toBeNull();
    const plan = res.data!.plan;
    expect(plan.legalBasis).toEqual({ decision: '7/2030 (I. 2.)', date: '2030-01-02', title: 'Decision on the demonstration action plan' });
    expect(plan.budgetPoints).toEqual([
      { id: '1a', amountHuf: '50000000', year: 2031, recurring: false, chapter: { id: 'example-ministry' } },
      { id: '1b', amountHuf: '2000000', year: 2031, recurring: true, chapter: null },
    ]);
    expect(plan.pillars).toEqual([
      {
        code: 'A',
        title: 'Prevention',
        objectives: [
          { code: 'A.1', measures: [{ code: 'A.1.1' }, { code: 'A.1.2' }] },
          { code: 'A.2', measures: [{ code: 'A.2.1' }] },
        ],
      },
      { code: 'B', title: 'Victim support', objectives: [{ code: 'B.1', measures: [{ code: 'B.1.1' }] }] },
    ]);
    expect(plan.agencies).toContainEqual({
      id: 'ngo-roundtable',
      kind: 'GROUP',
      members: [{ id: 'helping-hands' }, { id: 'harbour-shelter' }, { id: 'coordination-forum' }],
    });
    expect(plan.agencies).toContainEqual({ id: 'helping-hands', kind: 'NGO', members: null });
  });

  it('serves a measure with agencies, money as exact strings and indicators', async () => {
    const res = await gql<{ measure: Record<string, unknown> }>(`{
      measure(code: "B.1.1") {
        code title planId pillarCode objectiveCode deadline means indicatorText fundingText partnersText
        responsible { id name kind }
        partners { id kind }
        funding { sources allocations { amountHuf year recurring purpose budgetPoint source } }
        indicators { key label event aggregate field target }
      }
    }`);
    expect(res.errors).toBeUndefined();
    expect(res.data?.measure).toEqual({
      code: 'B.1.1',
      title: 'New shelter places',
      planId: 'demo-2030',
      pillarCode: 'B',
      objectiveCode: 'B.1',
      deadline: '2031-12-31',
      means: 'investment',
      indicatorText: 'new places created',
      fundingText: 'HUF 50 million in 2031 and HUF 2 million a year from 2031',
      partnersText: null,
      responsible: [{ id: 'example-ministry', name: 'Ministry of Examples', kind: 'MINISTRY' }],
      partners: [
        { id: 'harbour-shelter', kind: 'NGO' },
        { id: 'coordination-forum', kind: 'GROUP' },
      ],
      funding: {
        sources: ['NATIONAL', 'EU'],
        allocations: [
          { amountHuf: '50000000', year: 2031, recurring: false, purpose: 'construction', budgetPoint: '1a', source: 'NATIONAL' },
          { amountHuf: '2000000', year: 2031, recurring: true, purpose: 'helpline', budgetPoint: '1b', source: null },
        ],
      },
      indicators: [
        { key: 'places', label: 'New places', event: 'CapacityCreated', aggregate: 'SUM', field: 'places', target: 6 },
        { key: 'disbursed', label: 'Money paid', event: 'FundsDisbursed', aggregate: 'SUM', field: 'amount', target: null },
      ],
    });
  });

  it('answers NOT_FOUND for an unknown measure', async () => {
    const res = await gql('{ measure(code: "Z.9.9") { code } }');
    expect(res.data?.measure).toBeNull();
    expect(res.errors?.[0]).toMatchObject({ message: 'No measure "Z.9.9" in any adopted plan', extensions: { code: 'NOT_FOUND' } });
    const inPlan = await gql('{ measure(code: "B.1.1", planId: "demo-2032") { code } }');
    expect(inPlan.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });

  it('asks for planId when a code exists in several plans', async () => {
    const res = await gql('{ measure(code: "A.1.1") { code } }');
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'planId' });
    const chosen = await gql<{ measure: { title: string } }>('{ measure(code: "A.1.1", planId: "demo-2032") { title } }');
    expect(chosen.data?.measure.title).toBe('Follow-up trainings');
  });

  it('filters measures by plan, pillar, objective, agency and deadline', async () => {
    const codes = async (filter: string) => {
      const res = await gql<{ measures: Array<{ planId: string; code: string }> }>(`{ measures${filter} { planId code } }`);
      expect(res.errors).toBeUndefined();
      return res.data!.measures.map((m) => `${m.planId}:${m.code}`);
    };
    expect(await codes('')).toHaveLength(5);
    expect(await codes('(filter: { planId: "demo-2030", pillar: "A" })')).toEqual(['demo-2030:A.1.1', 'demo-2030:A.1.2', 'demo-2030:A.2.1']);
    expect(await codes('(filter: { objective: "A.1" })')).toEqual(['demo-2030:A.1.1', 'demo-2030:A.1.2', 'demo-2032:A.1.1']);
    // helping-hands is a partner of A.1.1, and of A.1.2 and B.1.1 through the groups it is in.
    expect(await codes('(filter: { agency: "helping-hands" })')).toEqual(['demo-2030:A.1.1', 'demo-2030:A.1.2', 'demo-2030:B.1.1']);
    expect(await codes('(filter: { agency: "example-ministry", planId: "demo-2032" })')).toEqual(['demo-2032:A.1.1']);
    expect(await codes('(filter: { deadlineFrom: "2031-01-01", deadlineTo: "2031-12-31" })')).toEqual([
      'demo-2030:A.1.1',
      'demo-2030:A.2.1',
      'demo-2030:B.1.1',
    ]);
  });

  it('refuses bad deadline filters with the field and the reason', async () => {
    const bad = await gql('{ measures(filter: { deadlineFrom: "2031-02-30" }) { code } }');
    expect(bad.errors?.[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'filter.deadlineFrom',
      reason: 'must be a real calendar date written YYYY-MM-DD (got "2031-02-30")',
    });
    const reversed = await gql('{ measures(filter: { deadlineFrom: "2031-06-01", deadlineTo: "2031-01-01" }) { code } }');
    expect(reversed.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.deadlineTo' });
  });

  it('refuses a plan, pillar, objective or agency the plans do not have, naming the field and what there is, instead of an empty list', async () => {
    const refused = async (filter: string) => (await gql(`{ measures(filter: ${filter}) { code } }`)).errors?.[0];
    expect((await refused('{ planId: "demo-2099" }'))?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.planId', reason: 'is not an adopted plan (got "demo-2099"; plans: demo-2030, demo-2032)' });
    expect((await refused('{ pillar: "Z" }'))?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.pillar', reason: 'is not a pillar of any adopted plan (got "Z"; pillars: A, B)' });
    // B is a pillar of demo-2030 only.
    expect((await refused('{ planId: "demo-2032", pillar: "B" }'))?.extensions).toMatchObject({ field: 'filter.pillar', reason: 'is not a pillar of plan demo-2032 (got "B"; pillars: A)' });
    expect((await refused('{ objective: "A.9" }'))?.extensions).toMatchObject({ field: 'filter.objective', reason: expect.stringContaining('is not an objective of any adopted plan (got "A.9"; objectives: A.1, A.2') });
    expect((await refused('{ agency: "nobody" }'))?.extensions).toMatchObject({ field: 'filter.agency', reason: expect.stringContaining('is not an agency of the register of any adopted plan') });
    expect((await refused('{ agency: "helping-hands", planId: "demo-2032" }'))?.extensions).toMatchObject({ field: 'filter.agency', reason: expect.stringContaining('plan demo-2032') });
  });

  it('lists agencies of one plan or of all plans', async () => {
    const one = await gql<{ agencies: Array<{ id: string }> }>('{ agencies(planId: "demo-2032") { id name kind } }');
    expect(one.data?.agencies).toEqual([
      { id: 'example-ministry', name: 'Ministry of Examples', kind: 'MINISTRY' },
      { id: 'valley-police', name: 'Valley Police', kind: 'POLICE' },
    ]);
    const all = await gql<{ agencies: Array<{ id: string; members: Array<{ id: string }> | null }> }>(
      '{ agencies { id members { id } } }',
    );
    expect(all.data?.agencies).toHaveLength(8);
    expect(all.data?.agencies.find((a) => a.id === 'coordination-forum')?.members?.map((m) => m.id)).toEqual([
      'example-ministry',
      'river-city-police',
      'ngo-roundtable',
    ]);
  });

  it('refuses the plan queries without a credential', async () => {
    const res = await t.gql('{ plans { id } }');
    expect(res.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('does not adopt again when restarted on the same data', async () => {
    const dataDir = t.dataDir;
    await t.close();
    t = await startTestApp({ dataDir, env: { PLAN_FILES } });
    headers = await readerHeaders(t);
    expect(await planEventTypes(t, 'demo-2030')).toEqual(['PlanAdopted']);
    expect(await planEventTypes(t, 'demo-2032')).toEqual(['PlanAdopted']);
    const res = await gql<{ plans: Array<{ id: string }> }>('{ plans { id } }');
    expect(res.data?.plans.map((p) => p.id)).toEqual(['demo-2030', 'demo-2032']);
  });
});

describe('the shipped plan (e2e)', () => {
  let t: TestApp | undefined;
  const saved = process.env.PLAN_FILES;

  afterAll(async () => {
    await t?.close({ removeData: true });
    if (saved !== undefined) process.env.PLAN_FILES = saved;
  });

  it('is adopted by default on a first start', async () => {
    delete process.env.PLAN_FILES;
    t = await startTestApp();
    const headers = await readerHeaders(t);
    const res = await t.gql<{ plans: Array<{ id: string }>; measures: Array<{ code: string }> }>(
      '{ plans { id } measures { code } }',
      undefined,
      headers,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data?.plans).toEqual([{ id: 'hu-2022-2023' }]);
    expect(res.data?.measures).toHaveLength(46);
  });
});
