import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { GraphQLSchemaHost, RESOLVER_NAME_METADATA, RESOLVER_TYPE_METADATA } from '@nestjs/graphql';
import { isNonNullType } from 'graphql';
import { ALLOW_METADATA, type Action, AUTHENTICATED_METADATA, PUBLIC_METADATA, ROLE_ACTIONS, type Role, mayPerformAny } from '@app/auth';
import { authAs } from './support/auth.js';
import { type GraphQLResponse, type TestApp, startTestApp } from './support/test-app.js';

const PLAN = 'hu-2022-2023';
/** I.1.1: responsible prime-ministers-office and ministry-of-finance. */
const MEASURE = 'I.1.1';
const OWN_AGENCY = 'prime-ministers-office';
const OTHER_AGENCY = 'ministry-of-interior';
const ROLES = Object.keys(ROLE_ACTIONS) as Role[];

/**
 * One small selection of every top-level query a role can be refused. The first test holds this
 * list to the resolvers: a new refusable query must be added here, and so is asked below.
 */
const ASK: Readonly<Record<string, string>> = {
  agencyActivity: `agencyActivity(agencyId: "${OWN_AGENCY}") { agencyId }`,
  apiKeys: 'apiKeys { keyId }',
  assessmentHistory: `assessmentHistory(measureCode: "${MEASURE}") { type }`,
  events: 'events(first: 1) { pageInfo { hasNextPage } }',
  fundingSummary: `fundingSummary(planId: "${PLAN}") { allocated }`,
  measuresByStatus: 'measuresByStatus(status: OVERDUE) { code }',
  overdueMeasures: 'overdueMeasures { code }',
  periodApprovals: `periodApprovals(planId: "${PLAN}", periodId: "none") { agencyId }`,
  planProgress: `planProgress(planId: "${PLAN}") { measures }`,
  projectionStatus: 'projectionStatus { name }',
  report: `report(agencyId: "${OWN_AGENCY}", reportId: "none") { reportId }`,
  reportHistory: `reportHistory(agencyId: "${OWN_AGENCY}", reportId: "none") { status }`,
  reports: 'reports(first: 1) { totalCount }',
  returnedPeriods: `returnedPeriods(planId: "${PLAN}") { agencyId }`,
  unsubmittedPeriods: `unsubmittedPeriods(planId: "${PLAN}", asOf: "2022-01-01") { agencyId }`,
  verifyLedger: 'verifyLedger { ok }',
};

interface RootQuery {
  readonly field: string;
  /** The actions its resolver declares; undefined for @Public() / @Authenticated() ones. */
  readonly actions?: readonly Action[];
}

/** Every Query field's resolver with the access it declares, from the running app's metadata. */
function rootQueries(t: TestApp): RootQuery[] {
  const discovery = t.app.get(DiscoveryService);
  const scanner = t.app.get(MetadataScanner);
  const reflector = t.app.get(Reflector);
  const found: RootQuery[] = [];
  for (const wrapper of discovery.getProviders()) {
    const instance: unknown = wrapper.instance;
    if (!instance || typeof instance !== 'object') continue;
    const prototype = Object.getPrototypeOf(instance) as Record<string, unknown> | null;
    if (!prototype) continue;
    for (const name of scanner.getAllMethodNames(prototype)) {
      const method = prototype[name];
      if (typeof method !== 'function' || Reflect.getMetadata(RESOLVER_TYPE_METADATA, method) !== 'Query') continue;
      const targets = [method, instance.constructor];
      const open = reflector.getAllAndOverride<boolean>(PUBLIC_METADATA, targets) || reflector.getAllAndOverride<boolean>(AUTHENTICATED_METADATA, targets);
      const field: unknown = Reflect.getMetadata(RESOLVER_NAME_METADATA, method);
      found.push({ field: typeof field === 'string' ? field : name, actions: open ? undefined : (reflector.getAllAndOverride<Action[]>(ALLOW_METADATA, targets) ?? []) });
    }
  }
  return found;
}

/** `path code rule` of each error, sorted: what a test compares. */
const refusals = (errors: GraphQLResponse['errors']): string[] =>
  (errors ?? []).map((e) => `${(e.path ?? []).join('.')} ${String(e.extensions?.code)} ${String(e.extensions?.rule)}`).sort((a, b) => a.localeCompare(b));

const refusedTo = (role: Role, query: RootQuery): boolean => query.actions !== undefined && !mayPerformAny({ id: 'x', role }, query.actions);

describe('partial refusal of top-level queries (e2e)', () => {
  let t: TestApp;
  let queries: RootQuery[];
  const as: Partial<Record<Role, Record<string, string>>> = {};
  const gql = <T = Record<string, unknown>>(query: string, role: Role) => t.gql<T>(query, undefined, as[role]) as Promise<GraphQLResponse<T>>;

  beforeAll(async () => {
    t = await startTestApp();
    queries = rootQueries(t);
    as.AGENCY = await authAs(t, { role: 'AGENCY', agencyId: OWN_AGENCY });
    as.COORDINATOR = await authAs(t, { role: 'COORDINATOR' });
    as.AUDITOR = await authAs(t, { role: 'AUDITOR' });
    as.ADMIN = await authAs(t, { role: 'ADMIN' });
  }, 120_000);
  afterAll(async () => t?.close({ removeData: true }));

  it('makes every Query field some role is refused nullable, and asks each of them below', () => {
    const fields = t.app.get(GraphQLSchemaHost).schema.getQueryType()!.getFields();
    // Every root query was found with its resolver (else the rule below would hold vacuously).
    expect(queries.map((q) => q.field).sort()).toEqual(Object.keys(fields).sort());
    const refusable = queries.filter((q) => ROLES.some((role) => refusedTo(role, q))).map((q) => q.field).sort();
    expect(refusable.filter((field) => isNonNullType(fields[field].type))).toEqual([]);
    expect(refusable).toEqual(Object.keys(ASK).sort());
  });

  it.each(ROLES)('answers %s the fields it may ask and null with one FORBIDDEN error for each it may not', async (role) => {
    const refused = queries.filter((q) => refusedTo(role, q)).map((q) => q.field);
    expect(refused.length).toBeGreaterThan(0);
    const res = await gql<Record<string, unknown>>(`query Mixed { me { role } plans { id } ${refused.map((f) => ASK[f]).join(' ')} }`, role);
    expect(res.status).toBe(200);
    expect(res.data?.me).toEqual({ role });
    expect(res.data?.plans).toEqual([{ id: PLAN }]);
    for (const field of refused) expect(res.data?.[field]).toBeNull();
    expect(refusals(res.errors)).toEqual(refused.map((field) => `${field} FORBIDDEN role-not-permitted`).sort((a, b) => a.localeCompare(b)));
  });

  it("keeps an agency's measure when it also asks a coordinator's roll-up, and the coordinator's answer is whole", async () => {
    const document = `{ measure(code: "${MEASURE}") { code } planProgress(planId: "${PLAN}") { planId measures } fundingSummary(planId: "${PLAN}") { allocated } }`;
    const agency = await gql<{ measure: { code: string }; planProgress: unknown; fundingSummary: unknown }>(document, 'AGENCY');
    expect(agency.data).toEqual({ measure: { code: MEASURE }, planProgress: null, fundingSummary: null });
    expect(agency.errors).toHaveLength(2);
    for (const [error, field] of [[agency.errors![0], 'planProgress'], [agency.errors![1], 'fundingSummary']] as const) {
      expect(error).toMatchObject({ path: [field], extensions: { code: 'FORBIDDEN', rule: 'role-not-permitted' } });
      expect(error.message).toContain(`Query.${field}`);
    }

    const coordinator = await gql<{ measure: { code: string }; planProgress: { planId: string; measures: number }; fundingSummary: { allocated: string } }>(document, 'COORDINATOR');
    expect(coordinator.errors).toBeUndefined();
    const alone = await gql<{ planProgress: unknown }>(`{ planProgress(planId: "${PLAN}") { planId measures } }`, 'COORDINATOR');
    expect(coordinator.data?.measure).toEqual({ code: MEASURE });
    expect(coordinator.data?.planProgress).toEqual(alone.data?.planProgress);
    expect(coordinator.data?.planProgress.measures).toBeGreaterThan(0);
    expect(BigInt(coordinator.data!.fundingSummary.allocated)).toBeGreaterThan(0n);
  });

  it('makes every mutation nullable, so aliased mutations are answered each on its own: one refused keeps the receipts of the others', async () => {
    const mutations = t.app.get(GraphQLSchemaHost).schema.getMutationType()!.getFields();
    expect(Object.keys(mutations).length).toBeGreaterThan(10);
    expect(Object.entries(mutations).filter(([, f]) => isNonNullType(f.type)).map(([name]) => name)).toEqual([]);

    // A coordinator's three assessments in one request, the second with too short a narrative.
    const assess = (alias: string, id: string, narrative: string) =>
      `${alias}: assessMeasure(input: { planId: "${PLAN}", measureCode: "${MEASURE}", assessmentId: "${id}", level: LIMITED, asOf: "2023-06-30", narrative: "${narrative}" }) { assessmentId duplicate }`;
    const assessed = await gql<Record<string, { assessmentId: string; duplicate: boolean } | null>>(
      `mutation { ${assess('a', 'aliases-a', 'Two campaigns started')} ${assess('b', 'aliases-b', 'x')} ${assess('c', 'aliases-c', 'A third assessment')} }`,
      'COORDINATOR',
    );
    expect(assessed.data).toEqual({ a: { assessmentId: 'aliases-a', duplicate: false }, b: null, c: { assessmentId: 'aliases-c', duplicate: false } });
    expect(assessed.errors).toHaveLength(1);
    expect(assessed.errors![0]).toMatchObject({ path: ['b'], extensions: { code: 'BAD_USER_INPUT', field: 'input.narrative' } });

    // An agency's period steps: one ended quarter submitted, one that is no quarter refused, one forbidden.
    const periods = await gql<Record<string, { periodId: string } | null>>(
      `mutation {
        ok: submitPeriod(input: { planId: "${PLAN}", periodId: "2022-Q1", requestId: "aliases-ok" }) { periodId }
        bad: submitPeriod(input: { planId: "${PLAN}", periodId: "2022-05", requestId: "aliases-bad" }) { periodId }
        forbidden: approvePeriod(input: { planId: "${PLAN}", agencyId: "${OWN_AGENCY}", periodId: "2022-Q1", requestId: "aliases-approve" }) { periodId }
      }`,
      'AGENCY',
    );
    expect(periods.data).toEqual({ ok: { periodId: '2022-Q1' }, bad: null, forbidden: null });
    expect(refusals(periods.errors)).toEqual(['bad BAD_USER_INPUT undefined', 'forbidden FORBIDDEN role-not-permitted']);
  });

  it("nulls only the field an agency asks of another agency's reports, beside its own", async () => {
    const res = await gql<{ own: { totalCount: number }; other: unknown; theirs: unknown }>(
      `{ own: reports(first: 1) { totalCount } other: reports(filter: { agencyId: "${OTHER_AGENCY}" }) { totalCount } theirs: report(agencyId: "${OTHER_AGENCY}", reportId: "x") { reportId } }`,
      'AGENCY',
    );
    expect(res.data).toEqual({ own: { totalCount: 0 }, other: null, theirs: null });
    expect(refusals(res.errors)).toEqual(['other FORBIDDEN agency-reads-own-reports-only', 'theirs FORBIDDEN agency-reads-own-reports-only']);
  });
});
