import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { type GraphQLField, buildSchema, isNonNullType, isObjectType } from 'graphql';
import { AccessPolicy, type AuthContext, ForbiddenError, type Principal } from '@app/auth';
import { type Plan, loadPlanFile } from '@app/plan';
import { expandAgencyIds } from '../../../../test/support/history-generator.js';
import type { Measure } from '../common/models/measure.model.js';
import { toPlanModel } from '../common/plan.mapper.js';
import { MeasureProgressResolver } from './measure-progress.resolver.js';
import type { ProjectionsService } from './projections.service.js';

// The progress fields of Measure refuse per measure (an agency reads only its own measures'). A
// field that can be refused on its own must be nullable in the schema, or one refusal nulls the
// Measure and, through `[Measure!]!`, the whole `measures` answer. These check both halves from
// the resolver itself: which fields refuse, and that schema.gql (checked current by
// test/e2e/schema.e2e-spec.ts) declares exactly those nullable.

const schema = buildSchema(readFileSync('schema.gql', 'utf8'));
const measureType = schema.getType('Measure');
if (!isObjectType(measureType)) throw new Error('Measure is not an object type');

/** Thrown by the projections stub: the field got past its access check. */
class ReachedProjections extends Error {}

describe('MeasureProgressResolver access', () => {
  let plan: Plan;
  let measures: Measure[];
  let resolver: MeasureProgressResolver;
  /** The schema fields of Measure this resolver answers. */
  let fields: GraphQLField<unknown, unknown>[];

  beforeAll(async () => {
    plan = (await loadPlanFile('libs/plan/plans/hu-2022-2023.yaml')).plan!;
    measures = toPlanModel(plan).pillars.flatMap((p) => p.objectives.flatMap((o) => o.measures));
    const projections = {
      snapshotNow: () => {
        throw new ReachedProjections();
      },
    } as unknown as ProjectionsService;
    resolver = new MeasureProgressResolver(projections, new AccessPolicy({ expandAgencies: (ids) => new Set([...ids, ...expandAgencyIds(plan, ids)]) }));
    fields = Object.values(measureType.getFields()).filter((f) => typeof (resolver as unknown as Record<string, unknown>)[f.name] === 'function');
  });

  /** What a field answers for `principal` on `measure`: 'reached' (past its access check), the refusal, or a value. */
  function ask(field: string, measure: Measure, principal: Principal): { reached: true } | { refused: ForbiddenError } | { value: unknown } {
    const context: AuthContext = { principal };
    try {
      const method = (resolver as unknown as Record<string, (m: Measure, args: object, c: AuthContext) => unknown>)[field];
      return { value: method.call(resolver, measure, {}, context) };
    } catch (error) {
      if (error instanceof ReachedProjections) return { reached: true };
      if (error instanceof ForbiddenError) return { refused: error };
      throw error;
    }
  }

  const agency = (agencyId: string): Principal => ({ id: `key-${agencyId}`, role: 'AGENCY', agencyId });

  it('every field that refuses a measure is nullable, and every other answers plan data', () => {
    const measure = measures[0];
    const outsider = plan.agencies.find((a) => a.kind !== 'group' && !measure.responsible.some((r) => r.id === a.id) && !measure.partners.some((p) => p.id === a.id))!;
    const refusing = fields.filter((f) => 'refused' in ask(f.name, measure, agency(outsider.id)));
    expect(refusing.map((f) => f.name).sort()).toEqual(
      ['assessment', 'assessments', 'fundingStatus', 'indicatorValues', 'progress', 'reportCount', 'status', 'statusReason'].sort(),
    );
    expect(refusing.filter((f) => isNonNullType(f.type)).map((f) => f.name)).toEqual([]);
    for (const f of refusing) expect(f.description).toMatch(/FORBIDDEN/);
    // The one field the resolver answers without a check is plan data.
    expect(fields.filter((f) => !refusing.includes(f)).map((f) => f.name)).toEqual(['hasFinishLine']);
  });

  it('refuses an agency every measure it is neither responsible for nor a partner of, naming the measure; reads its own', () => {
    const agencyId = plan.agencies.find((a) => a.kind !== 'group' && plan.pillars.some((p) => p.objectives.some((o) => o.measures.some((m) => m.partners.includes(a.id)))))!.id;
    const own = new Set(measures.filter((m) => new Set(expandAgencyIds(plan, [...m.responsible, ...m.partners].map((a) => a.id))).has(agencyId)).map((m) => m.code));
    expect(own.size).toBeGreaterThan(0);
    expect(own.size).toBeLessThan(measures.length);
    const asked = measures.flatMap((measure) => ['status', 'indicatorValues', 'fundingStatus'].map((field) => ({ measure, field })));
    const answers = asked.map(({ measure, field }) => {
      const answer = ask(field, measure, agency(agencyId));
      const { code, rule, measureCode } = 'refused' in answer ? answer.refused.extensions : ({} as Record<string, unknown>);
      return { field, answer: 'refused' in answer ? { message: answer.refused.message, code, rule, measureCode } : answer };
    });
    expect(answers).toEqual(
      asked.map(({ measure, field }) => ({
        field,
        answer: own.has(measure.code)
          ? { reached: true }
          : {
              message: `Agency ${agencyId} is neither a responsible body nor a partner of measure ${measure.code}, so it may not read its progress (measures(filter: { agency: "${agencyId}" }) lists the agency's own)`,
              code: 'FORBIDDEN',
              rule: 'agency-reads-assigned-measures-only',
              measureCode: measure.code,
            },
      })),
    );
  });

  it('reads every measure for coordinators and auditors; refuses a role without projections naming field and measure', () => {
    for (const role of ['COORDINATOR', 'AUDITOR'] as const) {
      for (const measure of measures) expect(ask('reportCount', measure, { id: `key-${role}`, role })).toEqual({ reached: true });
    }
    const measure = measures[7];
    const answer = ask('reportCount', measure, { id: 'key-admin', role: 'ADMIN' });
    if (!('refused' in answer)) throw new Error('ADMIN was not refused');
    expect(answer.refused.message).toBe(`Role ADMIN may not READ_PROJECTIONS or READ_ASSIGNED_PROJECTIONS (Measure.reportCount of measure ${measure.code})`);
    expect(answer.refused.extensions).toMatchObject({ code: 'FORBIDDEN', rule: 'role-not-permitted' });
    // An agency credential naming no agency reads no measure's progress.
    expect('refused' in ask('status', measure, { id: 'key-x', role: 'AGENCY' })).toBe(true);
  });
});
