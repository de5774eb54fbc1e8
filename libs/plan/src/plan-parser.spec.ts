import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import {
  PlanFileError,
  formatPlanError,
  loadPlanFile,
  parsePlan,
  planStats,
  sha256Hex,
} from './plan-parser.js';
import type { PlanError } from './plan-validator.js';
import { isIsoDate } from './plan-validator.js';

const FIXTURE = resolve('test/fixtures/plans/demo-plan.yaml');
const REAL_PLAN = resolve('libs/plan/plans/hu-2022-2023.yaml');
const fixtureText = readFileSync(FIXTURE, 'utf8');

// The fixture as a mutable JS value: tests break one rule at a time and check what is reported.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Doc = any;
function variant(edit: (doc: Doc) => void): readonly PlanError[] {
  const doc = parse(fixtureText) as Doc;
  edit(doc);
  const result = parsePlan(stringify(doc), 'variant.yaml');
  expect(result.plan).toBeUndefined();
  return result.errors;
}

/** The single error a variant produces (a rule test that produces more is a bad test). */
function onlyError(edit: (doc: Doc) => void): PlanError {
  const errors = variant(edit);
  expect(errors.map((e) => `${e.path}: ${e.message}`)).toHaveLength(1);
  return errors[0];
}

const M_A11 = 'measure A.1.1 (pillars[0].objectives[0].measures[0])';
const M_B11 = 'measure B.1.1 (pillars[1].objectives[0].measures[0])';
const measure = (doc: Doc, p: number, o: number, m: number) => doc.pillars[p].objectives[o].measures[m];

describe('parsePlan: valid files', () => {
  it('reads the fixture into a plan with defaults filled in', () => {
    const { plan, errors } = parsePlan(fixtureText, 'demo-plan.yaml');
    expect(errors).toEqual([]);
    expect(plan).toBeDefined();
    expect(planStats(plan!)).toEqual({ pillars: 2, objectives: 3, measures: 4, indicators: 7, agencies: 7 });
    const a21 = plan!.pillars[0].objectives[1].measures[0];
    expect(a21.partners).toEqual([]);
    expect(a21.funding).toEqual({ sources: [] });
    // A YAML integer amount is kept as the exact decimal string.
    expect(plan!.budgetPoints[1]).toEqual({
      id: '1b',
      description: 'Yearly support for the helpline',
      amountHuf: '2000000',
      year: 2031,
      recurring: true,
    });
    expect(plan!.legalBasis.date).toBe('2030-01-02');
    expect(a21.indicators[0]).toEqual({
      key: 'study',
      label: 'Study completed',
      event: 'StudyCompleted',
      aggregate: 'milestone',
      target: 1,
    });
  });

  it('keeps money beyond 2^53 exact', () => {
    const errors = parsePlan(fixtureText.replace('amountHuf: 2000000', 'amountHuf: 123456789012345678901'));
    expect(errors.plan?.budgetPoints[1].amountHuf).toBe('123456789012345678901');
  });

  it('reads the shipped plan file', async () => {
    const file = await loadPlanFile(REAL_PLAN);
    expect(file.errors.map(formatPlanError)).toEqual([]);
    const stats = planStats(file.plan!);
    expect([stats.pillars, stats.objectives, stats.measures]).toEqual([4, 18, 46]);
  });
});

describe('parsePlan: syntax and structure', () => {
  it('reports YAML syntax errors with their line', () => {
    const { plan, errors } = parsePlan('id: demo\ntitle: [unclosed\n', 'bad.yaml');
    expect(plan).toBeUndefined();
    expect(errors[0]).toMatchObject({ file: 'bad.yaml', path: '(yaml syntax)', line: expect.any(Number) });
  });

  it('reports duplicate keys in a mapping as a syntax error', () => {
    const { errors } = parsePlan('id: a\nid: b\n');
    expect(errors[0]).toMatchObject({ path: '(yaml syntax)', line: 2, column: 1 });
    expect(errors[0].message).toMatch(/unique/);
  });

  it('refuses an empty document', () => {
    const { errors } = parsePlan('');
    expect(errors).toEqual([{ path: '(document)', message: 'must be a mapping of fields (got nothing)' }]);
  });

  it('refuses an unknown top-level key, suggests the likely field, and points at its line', () => {
    const text = fixtureText.replace(/^pillars:/m, 'pilars:');
    const { errors } = parsePlan(text, 'typo.yaml');
    const line = text.split('\n').findIndex((l) => l.startsWith('pilars:')) + 1;
    expect(errors).toContainEqual(
      expect.objectContaining({
        path: 'pilars',
        message: expect.stringContaining('unknown field "pilars" (did you mean "pillars"?)'),
        line,
        column: 1,
      }),
    );
    expect(errors).toContainEqual(expect.objectContaining({ path: 'pillars', message: 'required field is missing' }));
  });

  it('refuses unknown keys at every level', () => {
    const error = onlyError((doc) => {
      measure(doc, 0, 0, 0).dedline = '2031-01-01';
    });
    expect(error.path).toBe(`${M_A11}.dedline`);
    expect(error.message).toMatch(/unknown field "dedline" \(did you mean "deadline"\?\)/);
  });

  it('reports a missing required field at the field, located at its element', () => {
    const errors = variant((doc) => {
      delete measure(doc, 0, 0, 0).deadline;
    });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ path: `${M_A11}.deadline`, message: 'required field is missing' });
    expect(errors[0].line).toBeGreaterThan(1);
  });

  it('reports an empty value at its key', () => {
    const text = fixtureText.replace('deadline: 2030-06-30', 'deadline:');
    const line = text.split('\n').findIndex((l) => l.trim() === 'deadline:') + 1;
    const { errors } = parsePlan(text);
    expect(errors).toEqual([
      {
        path: 'measure A.1.2 (pillars[0].objectives[0].measures[1]).deadline',
        message: 'required field is empty',
        line,
        column: 13,
      },
    ]);
  });

  it('checks types', () => {
    const error = onlyError((doc) => {
      measure(doc, 0, 0, 0).title = 2031;
    });
    expect(error).toMatchObject({ path: `${M_A11}.title`, message: expect.stringMatching(/^must be text \(got the number 2031\)/) });
    expect(onlyError((doc) => (doc.pillars = { A: 1 })).message).toMatch(/^must be a list/);
    expect(onlyError((doc) => (doc.budgetPoints[1].recurring = 'yes')).message).toBe(
      'must be true or false (got the string "yes")',
    );
    expect(onlyError((doc) => (doc.budgetPoints[1].year = 31)).message).toMatch(/^must be a whole number from 1900/);
    expect(onlyError((doc) => (measure(doc, 0, 0, 0).title = '  ')).message).toBe('must not be blank');
  });
});

describe('parsePlan: reporting periods (issue 19)', () => {
  const withReporting = (reporting: unknown) => {
    const doc = parse(fixtureText) as Doc;
    doc.reporting = reporting;
    return parsePlan(stringify(doc), 'variant.yaml');
  };
  it('reads the period length and the data-entry window; absent means quarters and no window', () => {
    expect(withReporting({ periods: 'month', entryWindowDays: 20 }).plan?.reporting).toEqual({ periods: 'month', entryWindowDays: 20 });
    expect(withReporting({ periods: 'year' }).plan?.reporting).toEqual({ periods: 'year' });
    expect(parsePlan(fixtureText, 'demo.yaml').plan?.reporting).toBeUndefined();
  });
  it('refuses an unknown length, a window out of range, a missing length and unknown fields, at the field', () => {
    expect(onlyError((doc) => (doc.reporting = { periods: 'week' }))).toMatchObject({ path: 'reporting.periods', message: expect.stringMatching(/^must be one of month, quarter, year/) });
    expect(onlyError((doc) => (doc.reporting = { periods: 'quarter', entryWindowDays: -1 }))).toMatchObject({ path: 'reporting.entryWindowDays', message: expect.stringMatching(/^must be a whole number from 0 to 366/) });
    expect(onlyError((doc) => (doc.reporting = { periods: 'quarter', entryWindowDays: 2.5 })).path).toBe('reporting.entryWindowDays');
    expect(onlyError((doc) => (doc.reporting = { entryWindowDays: 3 }))).toMatchObject({ path: 'reporting.periods', message: 'required field is missing' });
    expect(onlyError((doc) => (doc.reporting = { periods: 'quarter', windowDays: 3 })).path).toBe('reporting.windowDays');
    expect(onlyError((doc) => (doc.reporting = 'quarterly')).message).toMatch(/^must be a mapping/);
  });
});

describe('parsePlan: identifiers and references', () => {
  it('requires kebab-case plan and agency ids', () => {
    expect(onlyError((doc) => (doc.id = 'Demo_2030'))).toMatchObject({
      path: 'id',
      message: expect.stringContaining('"Demo_2030" is not a kebab-case id'),
    });
    const error = onlyError((doc) => {
      doc.agencies.push({ id: 'River City', name: 'x', kind: 'police' });
    });
    expect(error).toMatchObject({ path: 'agency River City (agencies[7]).id', message: expect.stringContaining('kebab-case') });
  });

  it('refuses an unknown agency among the responsible bodies', () => {
    const error = onlyError((doc) => {
      measure(doc, 0, 0, 0).responsible.push('nobody-at-all');
    });
    expect(error).toMatchObject({
      path: `${M_A11}.responsible[1]`,
      message: 'unknown agency id "nobody-at-all": it is not in the plan\'s agencies',
      line: expect.any(Number),
    });
  });

  it('refuses an unknown partner, group member and budget chapter', () => {
    expect(onlyError((doc) => measure(doc, 1, 0, 0).partners.push('ghost')).path).toBe(`${M_B11}.partners[2]`);
    expect(onlyError((doc) => doc.agencies[5].members.push('ghost')).path).toBe(
      'agency coordination-forum (agencies[5]).members[3]',
    );
    expect(onlyError((doc) => (doc.budgetPoints[0].chapter = 'ghost')).path).toBe('budget point 1a (budgetPoints[0]).chapter');
  });

  it('refuses an agency listed twice in one list, and an empty responsible list', () => {
    expect(onlyError((doc) => measure(doc, 0, 0, 0).responsible.push('river-city-police')).message).toBe(
      'agency "river-city-police" is listed twice',
    );
    expect(onlyError((doc) => (measure(doc, 0, 0, 0).responsible = []))).toMatchObject({
      path: `${M_A11}.responsible`,
      message: 'must name at least one agency',
    });
  });

  it('checks group membership', () => {
    expect(onlyError((doc) => (doc.agencies[0].members = ['river-city-police']))).toMatchObject({
      path: 'agency example-ministry (agencies[0]).members',
      message: 'only agencies of kind "group" have members (this one is "ministry")',
    });
    expect(onlyError((doc) => delete doc.agencies[5].members).message).toBe('a group must list its members');
    expect(onlyError((doc) => doc.agencies[5].members.push('coordination-forum')).message).toBe(
      'a group cannot be a member of itself',
    );
    expect(onlyError((doc) => (doc.agencies[1].kind = 'army')).message).toMatch(/^must be one of ministry, police/);
  });

  it('refuses duplicate pillar, objective and measure codes, agency ids, budget point ids and indicator keys', () => {
    const dupPillar = onlyError((doc) => {
      doc.pillars[1].code = 'A';
      doc.pillars[1].objectives = [];
    });
    expect(dupPillar).toMatchObject({
      path: 'pillar A (pillars[1]).code',
      message: 'duplicate pillar code "A" (first defined at pillars[0])',
    });

    const dupObjective = onlyError((doc) => {
      doc.pillars[0].objectives[1].code = 'A.1';
      doc.pillars[0].objectives[1].measures = [];
    });
    expect(dupObjective).toMatchObject({
      path: 'objective A.1 (pillars[0].objectives[1]).code',
      message: 'duplicate objective code "A.1" (first defined at pillars[0].objectives[0])',
    });

    const dupMeasure = onlyError((doc) => (measure(doc, 0, 0, 1).code = 'A.1.1'));
    expect(dupMeasure).toMatchObject({
      path: 'measure A.1.1 (pillars[0].objectives[0].measures[1]).code',
      message: 'duplicate measure code "A.1.1" (first defined at pillars[0].objectives[0].measures[0])',
    });

    const dupAgency = onlyError((doc) => doc.agencies.push({ id: 'helping-hands', name: 'Again', kind: 'ngo' }));
    expect(dupAgency).toMatchObject({
      path: 'agency helping-hands (agencies[7]).id',
      message: 'duplicate agency id "helping-hands" (first defined at agencies[3])',
    });

    const dupBudgetPoint = onlyError((doc) => doc.budgetPoints.push({ ...doc.budgetPoints[0], description: 'again' }));
    expect(dupBudgetPoint).toMatchObject({
      path: 'budget point 1a (budgetPoints[2]).id',
      message: 'duplicate budget point id "1a" (first defined at budgetPoints[0])',
    });

    const dupIndicator = onlyError((doc) => (measure(doc, 0, 0, 0).indicators[1].key = 'trainings'));
    expect(dupIndicator).toMatchObject({
      path: `measure A.1.1 indicator trainings (pillars[0].objectives[0].measures[0].indicators[1]).key`,
      message: 'duplicate indicator key "trainings" (first defined at pillars[0].objectives[0].measures[0].indicators[0])',
    });
  });

  it('requires an objective code to extend its pillar code and a measure code its objective code', () => {
    expect(onlyError((doc) => (doc.pillars[1].objectives[0].code = 'A.9'))).toMatchObject({
      path: 'objective A.9 (pillars[1].objectives[0]).code',
      message: 'objective code "A.9" does not belong to its pillar: it must start with "B."',
    });
    // Not a prefix match on the bare text: "A.10.1" does not belong to objective "A.1".
    expect(onlyError((doc) => (measure(doc, 0, 0, 0).code = 'A.10.1'))).toMatchObject({
      path: 'measure A.10.1 (pillars[0].objectives[0].measures[0]).code',
      message: 'measure code "A.10.1" does not belong to its objective: it must start with "A.1."',
    });
  });
});

describe('parsePlan: dates', () => {
  it('knows real calendar dates', () => {
    expect(isIsoDate('2032-02-29')).toBe(true);
    expect(isIsoDate('2031-02-29')).toBe(false);
    expect(isIsoDate('2023-02-30')).toBe(false);
    expect(isIsoDate('2023-13-01')).toBe(false);
    expect(isIsoDate('2023-1-01')).toBe(false);
  });

  it('refuses a deadline that is not a real date', () => {
    expect(onlyError((doc) => (measure(doc, 1, 0, 0).deadline = '2023-02-30'))).toMatchObject({
      path: `${M_B11}.deadline`,
      message: '"2023-02-30" is not a real calendar date',
    });
    expect(onlyError((doc) => (measure(doc, 1, 0, 0).deadline = '31 December 2023')).message).toBe(
      'must be an ISO date YYYY-MM-DD (got the string "31 December 2023")',
    );
    expect(onlyError((doc) => (doc.legalBasis.date = '2030-04-31')).path).toBe('legalBasis.date');
  });

  it('requires the period to start before it ends', () => {
    expect(onlyError((doc) => (doc.period.to = '2029-12-31'))).toMatchObject({
      path: 'period.to',
      message: 'the period ends (2029-12-31) before it starts (2030-01-01)',
    });
  });
});

describe('parsePlan: indicators', () => {
  const IND = (i: number, key: string) => `measure A.1.1 indicator ${key} (pillars[0].objectives[0].measures[0].indicators[${i}])`;
  const edit = (i: number, change: Record<string, unknown>) => (doc: Doc) => {
    const indicator = measure(doc, 0, 0, 0).indicators[i];
    for (const [k, v] of Object.entries(change)) {
      if (v === undefined) delete indicator[k];
      else indicator[k] = v;
    }
  };

  it('refuses an event type outside the catalogue', () => {
    expect(onlyError(edit(0, { event: 'TrainingHeld' }))).toMatchObject({
      path: `${IND(0, 'trainings')}.event`,
      message: 'event type "TrainingHeld" is not in the event catalogue',
    });
  });

  it('refuses a field the event type does not have', () => {
    expect(onlyError(edit(1, { field: 'attendees' }))).toMatchObject({
      path: `${IND(1, 'participants')}.field`,
      message: '"attendees" is not a field of TrainingDelivered (its fields: title, participants, days, audience)',
    });
  });

  it('sums only count and money fields', () => {
    expect(onlyError(edit(1, { field: 'audience' })).message).toBe(
      '"sum" needs a count or money field; "audience" of TrainingDelivered is text',
    );
  });

  it('requires a field for sum and distinct, and refuses one for count and milestone', () => {
    expect(onlyError(edit(1, { field: undefined })).message).toBe('aggregate "sum" needs a field of the event to add up');
    expect(onlyError(edit(1, { aggregate: 'distinct', field: undefined })).message).toBe(
      'aggregate "distinct" needs a field of the event to tell apart',
    );
    expect(onlyError(edit(0, { field: 'participants' }))).toMatchObject({
      path: `${IND(0, 'trainings')}.field`,
      message: 'aggregate "count" counts events and takes no field',
    });
    expect(onlyError(edit(0, { aggregate: 'milestone', field: 'title' })).message).toBe(
      'aggregate "milestone" counts events and takes no field',
    );
    expect(onlyError(edit(0, { aggregate: 'average' })).message).toBe(
      'must be one of count, sum, distinct, milestone (got the string "average")',
    );
  });

  it('allows distinct on any field of the type', () => {
    const doc = parse(fixtureText) as Doc;
    Object.assign(measure(doc, 0, 0, 0).indicators[1], { aggregate: 'distinct', field: 'audience' });
    expect(parsePlan(stringify(doc)).errors).toEqual([]);
  });

  it('narrows a count to the events whose field has a value (where)', () => {
    const indicatorOf = (change: Record<string, unknown>) => {
      const doc = parse(fixtureText) as Doc;
      Object.assign(measure(doc, 0, 0, 0).indicators[0], change);
      const parsed = parsePlan(stringify(doc));
      expect(parsed.errors).toEqual([]);
      return parsed.plan?.pillars[0].objectives[0].measures[0].indicators[0];
    };
    expect(indicatorOf({ where: { audience: 'border police' } })?.where).toEqual({ field: 'audience', equals: 'border police' });
    expect(indicatorOf({ event: 'InspectionConducted', where: { joint: true } })?.where).toEqual({ field: 'joint', equals: true });
    expect(indicatorOf({ event: 'CampaignConducted', aggregate: 'milestone', where: { scope: 'NATIONAL' } })?.where).toEqual({ field: 'scope', equals: 'NATIONAL' });
  });

  it('refuses a where that is not one comparable field of the event with a value of its kind', () => {
    expect(onlyError(edit(0, { where: { audience: 'police', title: 'x' } }))).toMatchObject({
      path: `${IND(0, 'trainings')}.where`,
      message: expect.stringContaining('must name one field of the event and the value it must have') as unknown,
    });
    expect(onlyError(edit(1, { where: { audience: 'police' } })).message).toBe('narrows count and milestone indicators only (this one is "sum")');
    expect(onlyError(edit(0, { where: { attendees: 'police' } }))).toMatchObject({
      path: `${IND(0, 'trainings')}.where.attendees`,
      message: '"attendees" is not a field of TrainingDelivered (its fields: title, participants, days, audience)',
    });
    expect(onlyError(edit(0, { where: { participants: 10 } })).message).toBe(
      '"where" compares a boolean, enum, text or date field; participants of TrainingDelivered is count',
    );
    expect(onlyError(edit(0, { event: 'InspectionConducted', where: { joint: 'yes' } })).message).toBe(
      'must be true or false: joint of InspectionConducted is a boolean field (got the string "yes")',
    );
    expect(onlyError(edit(0, { event: 'CampaignConducted', where: { scope: 'REGIONAL' } })).message).toBe(
      'must be one of NATIONAL, LOCAL (got the string "REGIONAL")',
    );
  });

  it('requires a non-negative number as target', () => {
    expect(onlyError(edit(0, { target: -1 }))).toMatchObject({
      path: `${IND(0, 'trainings')}.target`,
      message: 'must be a non-negative number (got the number -1)',
    });
    expect(onlyError(edit(0, { target: 'ten' })).message).toBe('must be a non-negative number (got the string "ten")');
    const doc = parse(fixtureText) as Doc;
    measure(doc, 0, 0, 0).indicators[0].target = 2.5;
    expect(parsePlan(stringify(doc)).plan?.pillars[0].objectives[0].measures[0].indicators[0].target).toBe(2.5);
  });

  it('requires camelCase or kebab-case keys', () => {
    expect(onlyError(edit(0, { key: 'Trainings Delivered' })).message).toBe(
      '"Trainings Delivered" is not a camelCase or kebab-case key',
    );
  });
});

describe('parsePlan: period statistics', () => {
  const stats = { key: 'inv', label: 'Investigations', event: 'InvestigationStatisticsReported', aggregate: 'sum', field: 'investigationsOpened' };
  const withIndicator = (indicator: object) => (doc: Doc) => measure(doc, 0, 0, 0).indicators.push(indicator);

  it('requires indicators over reports that cover a period to say how overlapping periods count', () => {
    expect(onlyError(withIndicator(stats)).message).toMatch(/^is required: InvestigationStatisticsReported reports each cover a period .*"supersede"/);
    expect(onlyError(withIndicator({ ...stats, overlappingPeriods: 'sum' })).message).toBe('must be one of supersede (got the string "sum")');
    expect(onlyError(withIndicator({ ...stats, aggregate: 'distinct', overlappingPeriods: 'supersede' })).message).toBe('works with count and sum indicators only (got distinct)');
    expect(onlyError(withIndicator({ key: 'x', label: 'x', event: 'MeetingHeld', aggregate: 'count', overlappingPeriods: 'supersede' })).message).toMatch(
      /applies only to event types whose reports cover a period/,
    );
    const doc = parse(fixtureText) as Doc;
    withIndicator({ ...stats, overlappingPeriods: 'supersede' })(doc);
    const parsed = parsePlan(stringify(doc), 'variant.yaml');
    expect(parsed.errors).toEqual([]);
    expect(parsed.plan!.pillars[0].objectives[0].measures[0].indicators.at(-1)).toMatchObject({ overlappingPeriods: 'supersede' });
  });
});

describe('parsePlan: money and funding', () => {
  const ALLOC = (i: number) => `${M_B11}.funding.allocations[${i}]`;

  it('refuses negative and non-integer amounts', () => {
    expect(onlyError((doc) => (measure(doc, 1, 0, 0).funding.allocations[0].amountHuf = '-5'))).toMatchObject({
      path: `${ALLOC(0)}.amountHuf`,
      message: 'must not be negative (got the string "-5")',
    });
    expect(onlyError((doc) => (measure(doc, 1, 0, 0).funding.allocations[0].amountHuf = -5)).message).toBe(
      'must not be negative (got -5)',
    );
    expect(onlyError((doc) => (measure(doc, 1, 0, 0).funding.allocations[1].amountHuf = '12.5')).message).toBe(
      'must be a whole number of HUF written as digits only, e.g. "12000000" (got the string "12.5")',
    );
    expect(onlyError((doc) => (doc.budgetPoints[0].amountHuf = 1.5))).toMatchObject({
      path: 'budget point 1a (budgetPoints[0]).amountHuf',
      message: expect.stringContaining('(got the number 1.5)'),
    });
    expect(onlyError((doc) => (doc.budgetPoints[0].amountHuf = '12 000')).message).toMatch(/digits only/);
  });

  it('tells an allocation with no amount stated ("unstated") from 0, and refuses one under a budget point or left empty', () => {
    const doc = parse(fixtureText) as Doc;
    measure(doc, 1, 0, 0).funding.allocations.push({ amountHuf: 'unstated', year: 2030, purpose: 'study' }, { amountHuf: 0, year: 2030, purpose: 'nothing' });
    const parsed = parsePlan(stringify(doc), 'variant.yaml');
    expect(parsed.errors).toEqual([]);
    const [, , unstated, zero] = parsed.plan!.pillars[1].objectives[0].measures[0].funding.allocations!;
    expect(unstated).toEqual({ year: 2030, purpose: 'study' });
    expect(zero).toMatchObject({ amountHuf: '0', year: 2030 });
    expect(onlyError((d) => (measure(d, 1, 0, 0).funding.allocations[0].amountHuf = 'unstated'))).toMatchObject({
      path: `${ALLOC(0)}.amountHuf`,
      message: 'must be stated for an allocation counted under budget point "1a"',
    });
    // Left empty is not "unstated": the file must say which.
    expect(onlyError((d) => (measure(d, 1, 0, 0).funding.allocations[0].amountHuf = null)).message).toBe('required field is empty');
  });

  it('requires an allocation budget point to name a budget point of the plan', () => {
    expect(onlyError((doc) => (measure(doc, 1, 0, 0).funding.allocations[1].budgetPoint = '9z'))).toMatchObject({
      path: `${ALLOC(1)}.budgetPoint`,
      message: 'unknown budget point "9z": it is not in the plan\'s budgetPoints',
    });
  });

  it('knows the funding sources', () => {
    expect(onlyError((doc) => measure(doc, 1, 0, 0).funding.sources.push('lottery'))).toMatchObject({
      path: `${M_B11}.funding.sources[2]`,
      message: 'must be one of national, eu, swiss-hungarian (got the string "lottery")',
    });
    expect(onlyError((doc) => measure(doc, 1, 0, 0).funding.sources.push('eu')).message).toBe('source "eu" is listed twice');
    expect(onlyError((doc) => (measure(doc, 1, 0, 0).funding.allocations[0].source = 'mint')).path).toBe(`${ALLOC(0)}.source`);
  });
});

describe('plan files', () => {
  it('loads a file with its sha256', async () => {
    const file = await loadPlanFile(FIXTURE);
    expect(file.file).toBe(FIXTURE);
    expect(file.sha256).toBe(sha256Hex(readFileSync(FIXTURE)));
    expect(file.plan?.id).toBe('demo-2030');
  });

  it('tells a missing file apart from an invalid one', async () => {
    await expect(loadPlanFile('test/fixtures/plans/nope.yaml')).rejects.toMatchObject({
      name: 'PlanFileError',
      reason: 'not-found',
    });
    await expect(loadPlanFile('test/fixtures/plans/nope.yaml')).rejects.toBeInstanceOf(PlanFileError);
  });

  it('formats errors as file:line:column: path: message', () => {
    expect(formatPlanError({ file: 'a.yaml', line: 3, column: 5, path: 'period.to', message: 'bad' })).toBe(
      'a.yaml:3:5: period.to: bad',
    );
    expect(formatPlanError({ path: 'id', message: 'bad' })).toBe('id: bad');
  });
});
