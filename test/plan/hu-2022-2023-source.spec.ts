/**
 * Proves that the plan file libs/plan/plans/hu-2022-2023.yaml says what Government Decision
 * 1228/2022 (IV. 14.) and its Appendix 1 say (test/fixtures/action-plan-2022-2023.txt): the
 * structure, every measure's rows A–F, the agency register, and that every indicator counts an
 * event type and field the catalogue knows.
 *
 * The YAML is read with the `yaml` package directly, not with the plan loader, so this test
 * checks the data on its own terms.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { EVENT_CATALOGUE, eventTypeSpec } from '@app/domain';
import type { Agency, AgencyKind, Indicator, Measure, Plan } from '@app/plan';
import { deadlineToIso, normalizeWhitespace, parseActionPlanSource, type SourceMeasure } from './source-parser.js';

const SOURCE_TEXT = readFileSync(new URL('../fixtures/action-plan-2022-2023.txt', import.meta.url), 'utf8');
const source = parseActionPlanSource(SOURCE_TEXT);
const plan = parse(readFileSync(new URL('../../libs/plan/plans/hu-2022-2023.yaml', import.meta.url), 'utf8')) as Plan;

const sourceMeasures: SourceMeasure[] = source.pillars.flatMap((p) => p.objectives.flatMap((o) => o.measures));
const planMeasures: Measure[] = plan.pillars.flatMap((p) => p.objectives.flatMap((o) => o.measures));
const planMeasure = new Map(planMeasures.map((m) => [m.code, m]));
const agencyById = new Map(plan.agencies.map((a) => [a.id, a]));
const agencyByName = new Map(plan.agencies.map((a) => [a.name, a]));
const MEASURE_CODES = sourceMeasures.map((m) => m.code);

/** What is wrong with an indicator against the event catalogue; empty when nothing is. */
function indicatorProblems(indicator: Indicator): string[] {
  const problems: string[] = [];
  const at = `${indicator.key}:`;
  if (!/^[a-z][a-zA-Z0-9-]*$/.test(indicator.key)) problems.push(`${at} key is not camelCase or kebab-case`);
  if (!indicator.label?.trim()) problems.push(`${at} no label`);
  const spec = eventTypeSpec(indicator.event);
  if (!spec) return [...problems, `${at} event ${indicator.event} is not in the catalogue`];
  const field = indicator.field === undefined ? undefined : spec.fields.find((f) => f.name === indicator.field);
  if (indicator.field !== undefined && !field) problems.push(`${at} ${indicator.event} has no field ${indicator.field}`);
  switch (indicator.aggregate) {
    case 'sum':
      if (field?.kind !== 'count' && field?.kind !== 'money') problems.push(`${at} sum needs a count or money field`);
      break;
    case 'distinct':
      if (!field) problems.push(`${at} distinct needs a field`);
      break;
    case 'count':
    case 'milestone':
      if (indicator.field !== undefined) problems.push(`${at} ${indicator.aggregate} takes no field`);
      break;
    default: {
      const unknown: never = indicator.aggregate;
      problems.push(`${at} unknown aggregate ${String(unknown)}`);
    }
  }
  if (indicator.target !== undefined) {
    if (!Number.isInteger(indicator.target) || indicator.target <= 0) problems.push(`${at} target is not a positive integer`);
    if (indicator.aggregate === 'milestone') problems.push(`${at} a milestone has no target`);
  }
  return problems;
}

/** Row B / F say "-" or "–" when there is nothing. */
const isNone = (text: string) => text === '-' || text === '–';

const AGENCY_KINDS: readonly AgencyKind[] = [
  'ministry',
  'police',
  'prosecution',
  'judiciary',
  'child-protection',
  'social-services',
  'government-office',
  'authority',
  'education',
  'ngo',
  'other',
  'group',
];

/**
 * The agencies whose name occurs in `text`, as whole words; a name found only inside a longer
 * name that also occurs there does not count. Returns them in order of appearance, and what is
 * left of the text once every found name is cut out.
 */
function agenciesNamedIn(text: string): { ids: string[]; residue: string } {
  const hits: { start: number; end: number; id: string }[] = [];
  for (const agency of plan.agencies) {
    const escaped = agency.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    for (const match of text.matchAll(new RegExp(`(?<![\\w'])${escaped}(?![\\w'])`, 'g'))) {
      hits.push({ start: match.index, end: match.index + agency.name.length, id: agency.id });
    }
  }
  const kept = hits
    .filter((h) => !hits.some((o) => o !== h && o.start <= h.start && o.end >= h.end && o.end - o.start > h.end - h.start))
    .sort((a, b) => a.start - b.start);
  let residue = text;
  for (const hit of [...kept].reverse()) residue = residue.slice(0, hit.start) + ' ' + residue.slice(hit.end);
  return { ids: [...new Set(kept.map((h) => h.id))], residue };
}

describe('the source reader', () => {
  it('finds 4 pillars, 18 objectives and 46 measures, each with rows A–F', () => {
    expect(source.pillars.map((p) => p.code)).toEqual(['I', 'II', 'III', 'IV']);
    expect(source.pillars.flatMap((p) => p.objectives)).toHaveLength(18);
    expect(sourceMeasures).toHaveLength(46);
    expect(new Set(MEASURE_CODES).size).toBe(46);
    for (const pillar of source.pillars) {
      for (const objective of pillar.objectives) {
        expect(objective.code.startsWith(`${pillar.code}.`)).toBe(true);
        expect(objective.measures.length).toBeGreaterThan(0);
        for (const measure of objective.measures) {
          expect(measure.code.startsWith(`${objective.code}.`)).toBe(true);
          for (const text of Object.values(measure.rows)) expect(text).not.toBe('');
        }
      }
    }
  });

  it('strips heading decoration and joins rows split by page breaks', () => {
    const titles = source.pillars.map((p) => p.title);
    expect(titles).toEqual([
      'Prevention',
      'Victim identification, referral of victims, victim assistance',
      'Judiciary, law enforcement',
      'Partnership',
    ]);
    for (const text of [...titles, ...source.pillars.flatMap((p) => p.objectives.map((o) => o.title))]) {
      expect(text).not.toMatch(/[*#]/);
    }
    const rows = (code: string) => sourceMeasures.find((m) => m.code === code)!.rows;
    expect(rows('I.1.3').F).toBe(
      'HUF 70 million – additional funding for 2023 allocated by the Government Decision adopting the new Action Plan',
    );
    expect(rows('II.1.1').B).toMatch(/Ministry of Justice, National Crime Prevention Council$/);
    expect(rows('II.3.3').E).toMatch(/2x6 persons, designated for victims of trafficking specifically$/);
    expect(rows('III.1.1').B).toBe('National Police Headquarters, Office of the Prosecutor General, National Office for the Judiciary');
    expect(rows('IV.2.2').C).toMatch(/reprinted as well as electronically published/);
    expect(rows('III.4.2').B).toBe("Prime Minister's Office, county and capital government offices");
    // The colophon after the last table is not part of the last measure.
    expect(rows('IV.5.2').F).toBe('to be implemented from national and European Union funds');
  });

  it('converts deadlines to ISO dates', () => {
    expect(deadlineToIso('31 December 2023')).toBe('2023-12-31');
    expect(deadlineToIso('1 January 2024')).toBe('2024-01-01');
    expect(() => deadlineToIso('contingent on the rate of implementation')).toThrow(/Not a deadline date/);
  });
});

describe('plan hu-2022-2023: identity', () => {
  it('names the decision and the period', () => {
    expect(plan.id).toBe('hu-2022-2023');
    expect(SOURCE_TEXT).toContain(plan.title);
    expect(plan.legalBasis).toMatchObject({ decision: '1228/2022 (IV. 14.)', date: '2022-04-14' });
    expect(source.decisionText).toContain(`Decision ${plan.legalBasis.decision} of the Government`);
    expect(normalizeWhitespace(source.decisionText.replace(/\*\*/g, ''))).toContain(plan.legalBasis.title ?? '(no title)');
    expect(plan.period).toEqual({ from: '2022-01-01', to: '2023-12-31' });
  });
});

describe('plan hu-2022-2023: structure', () => {
  it('has the pillars of the source, with their titles', () => {
    expect(plan.pillars.map((p) => [p.code, p.title])).toEqual(source.pillars.map((p) => [p.code, p.title]));
  });

  it('has the 18 objectives of the source, with their titles, under the same pillars', () => {
    const objectives = (pillars: readonly { code: string; objectives: readonly { code: string; title: string }[] }[]) =>
      pillars.flatMap((p) => p.objectives.map((o) => [p.code, o.code, o.title]));
    expect(objectives(plan.pillars)).toHaveLength(18);
    expect(objectives(plan.pillars)).toEqual(objectives(source.pillars));
  });

  it('has the 46 measures of the source, in order, under the same objectives', () => {
    const measures = (pillars: readonly { objectives: readonly { code: string; measures: readonly { code: string }[] }[] }[]) =>
      pillars.flatMap((p) => p.objectives.flatMap((o) => o.measures.map((m) => [o.code, m.code])));
    expect(measures(plan.pillars)).toHaveLength(46);
    expect(measures(plan.pillars)).toEqual(measures(source.pillars));
  });
});

describe.each(MEASURE_CODES)('measure %s', (code) => {
  const src = sourceMeasures.find((m) => m.code === code)!;
  const measure = planMeasure.get(code)!;

  it('is in the plan file', () => {
    expect(measure).toBeDefined();
  });

  it('has the title and rows B, C, D, E, F of the source', () => {
    expect({
      title: normalizeWhitespace(measure.title),
      partnersText: normalizeWhitespace(measure.partnersText ?? ''),
      means: normalizeWhitespace(measure.means),
      deadline: measure.deadline,
      indicatorText: normalizeWhitespace(measure.indicatorText),
      fundingText: normalizeWhitespace(measure.fundingText),
    }).toEqual({
      title: src.title,
      partnersText: src.rows.B,
      means: src.rows.C,
      deadline: deadlineToIso(src.rows.D),
      indicatorText: src.rows.E,
      fundingText: src.rows.F,
    });
  });

  it('keeps its texts already normalised', () => {
    for (const text of [measure.title, measure.partnersText!, measure.means, measure.indicatorText, measure.fundingText]) {
      expect(text).toBe(normalizeWhitespace(text));
    }
  });

  it('is the responsibility of exactly the bodies listed in A', () => {
    // In the appendix, A always separates bodies with ", " (the comma-less lists of ministers
    // occur only in the decision part).
    const names = src.rows.A.split(', ');
    for (const name of names) {
      expect({ name, registered: agencyByName.has(name) }).toEqual({ name, registered: true });
      expect(agencyByName.get(name)!.kind).not.toBe('group');
    }
    expect(measure.responsible).toEqual(names.map((name) => agencyByName.get(name)!.id));
  });

  it('has as partners exactly the bodies and groups named in B', () => {
    // "-" or "–" in B: no partners, and nothing left over.
    const { ids, residue } = agenciesNamedIn(isNone(src.rows.B) ? '' : src.rows.B);
    expect([...measure.partners].sort()).toEqual([...ids].sort());
    // Nothing named in B is missing from the register: what remains is connecting words.
    const connectors = residue
      .replace(/\b(full membership of the|members of the|and especially the|and the|and)\b/g, ' ')
      .replace(/[\s,()]+/g, ' ')
      .trim();
    expect(connectors).toBe('');
  });

  it('names only registered agencies, never a group as responsible', () => {
    expect([...measure.responsible, ...measure.partners].filter((id) => !agencyById.has(id))).toEqual([]);
    expect(measure.responsible.filter((id) => agencyById.get(id)?.kind === 'group')).toEqual([]);
  });

  it('gives the funding sources its funding text names', () => {
    const text = src.rows.F;
    const expected = isNone(text)
      ? []
      : [
          ...(/\bnational\b|Government Decision|\bbudget\b/.test(text) ? ['national'] : []),
          ...(/European Union funds/.test(text) ? ['eu'] : []),
          ...(/Swiss–Hungarian Cooperation Program/.test(text) ? ['swiss-hungarian'] : []),
        ];
    expect([...measure.funding.sources].sort()).toEqual(expected.sort());
  });

  it('has machine indicators that count catalogued event types and fields', () => {
    expect(measure.indicators.length).toBeGreaterThanOrEqual(1);
    const keys = measure.indicators.map((i) => i.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(measure.indicators.flatMap(indicatorProblems)).toEqual([]);
  });
});

describe('plan hu-2022-2023: agency register', () => {
  it('has unique kebab-case ids and unique names of a known kind', () => {
    const ids = plan.agencies.map((a) => a.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(plan.agencies.map((a) => a.name)).size).toBe(ids.length);
    for (const agency of plan.agencies) {
      expect(agency.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(AGENCY_KINDS).toContain(agency.kind);
    }
  });

  it('writes every name exactly as the plan does', () => {
    const text = normalizeWhitespace(SOURCE_TEXT);
    const missing = plan.agencies.filter((a) => !text.includes(a.name)).map((a) => a.name);
    expect(missing).toEqual([]);
  });

  it('gives members to groups only, and only registered non-group agencies as members', () => {
    const problems = plan.agencies.flatMap((agency): string[] => {
      if (agency.kind !== 'group') return agency.members === undefined ? [] : [`${agency.id}: not a group, has members`];
      if (!Array.isArray(agency.members)) return [`${agency.id}: a group without a members list`];
      return agency.members.flatMap((member) => {
        const found = agencyById.get(member);
        if (!found) return [`${agency.id}: member ${member} is not registered`];
        return found.kind === 'group' ? [`${agency.id}: member ${member} is a group`] : [];
      });
    });
    expect(problems).toEqual([]);
  });

  it('registers every body named in rows A and B and in the decision', () => {
    const namesInRows = sourceMeasures.flatMap((m) => [
      ...m.rows.A.split(', '),
      ...agenciesNamedIn(m.rows.B).ids.map((id) => agencyById.get(id)!.name),
    ]);
    for (const name of namesInRows) expect(agencyByName.has(name)).toBe(true);
    const mustHave = [
      'Ministry of Interior',
      'Ministry of Justice',
      'Ministry of Human Capacities',
      'Ministry of Finance',
      "Prime Minister's Office",
      'Ministry of Innovation and Technology',
      'Ministry of Foreign Affairs and Trade',
      'EURES National Coordination Office',
      'National Police Headquarters',
      'Office of the Prosecutor General',
      'National Office for the Judiciary',
      'Curia',
      'National Crime Prevention Council',
      'National Media and Infocommunications Authority',
      "Hungarian Rectors' Conference",
      'Family-Friendly Hungary Center',
      'Hungarian Baptist Aid',
      'University of Public Service',
      'Margit Slachta National Institute for Social Policy',
      'Directorate-General for Social Affairs and Child Protection',
      'National Child Protection Service',
    ];
    expect(mustHave.filter((name) => !agencyByName.has(name))).toEqual([]);
    expect(agencyById.get('ministry-of-interior')?.name).toBe('Ministry of Interior');
    expect(agencyById.get('national-police-headquarters')?.name).toBe('National Police Headquarters');
    expect(agencyById.get('office-of-the-prosecutor-general')?.name).toBe('Office of the Prosecutor General');
    expect(agencyById.get('national-office-for-the-judiciary')?.name).toBe('National Office for the Judiciary');
  });

  it('has the groups the plan names, with the members the text justifies', () => {
    const group = (id: string): Agency => {
      const agency = agencyById.get(id);
      expect({ id, kind: agency?.kind }).toEqual({ id, kind: 'group' });
      return agency!;
    };
    const ncm = group('national-coordination-mechanism');
    // II.1.1 and I.1.2: "full membership of the National Coordination Mechanism and NGO
    // Roundtable, and especially the …" — these are members.
    for (const id of [
      'prime-ministers-office',
      'ministry-of-justice',
      'ministry-of-interior',
      'national-crime-prevention-council',
      'national-police-headquarters',
    ]) {
      expect(ncm.members).toContain(id);
    }
    for (const id of ncm.members!) expect(agencyById.get(id)!.kind).not.toMatch(/^(ngo|group)$/);
    expect(group('ngo-roundtable').members).toContain('hungarian-baptist-aid');
    expect(group('organizations-operating-sheltered-accommodations').members).toContain('hungarian-baptist-aid');
    group('county-and-capital-government-offices');
    group('universities-offering-higher-education-in-social-work');
  });

  it('refers only to registered agencies anywhere in the plan', () => {
    const used = [
      ...planMeasures.flatMap((m) => [...m.responsible, ...m.partners]),
      ...plan.agencies.flatMap((a) => a.members ?? []),
      ...plan.budgetPoints.flatMap((b) => (b.chapter ? [b.chapter] : [])),
    ];
    expect(used.filter((id) => !agencyById.has(id))).toEqual([]);
  });
});

describe('plan hu-2022-2023: indicators', () => {
  it('gives every measure at least one indicator over the event catalogue', () => {
    const known = new Set<string>(EVENT_CATALOGUE.map((s) => s.type));
    expect(planMeasures.filter((m) => m.indicators.length === 0).map((m) => m.code)).toEqual([]);
    const unknown = planMeasures.flatMap((m) => m.indicators.filter((i) => !known.has(i.event)).map((i) => `${m.code}:${i.event}`));
    expect(unknown).toEqual([]);
  });

  it.each([
    ['I.1.1', 'CampaignConducted', 'count', undefined],
    ['I.1.2', 'TrainingDelivered', 'count', undefined],
    ['I.1.2', 'CampaignConducted', 'count', undefined],
    ['I.1.2', 'MediaActivityCarriedOut', 'count', undefined],
    ['I.1.3', 'CapacityCreated', 'distinct', 'location'],
    ['I.3.1', 'CampaignConducted', 'sum', 'peopleReached'],
    ['I.4.1', 'ItDevelopmentDelivered', 'milestone', undefined],
    ['I.4.2', 'CaseFollowUpConducted', 'sum', 'cases'],
    ['I.5.1', 'CourseIntroduced', 'count', undefined],
    ['II.1.1', 'MaterialProduced', 'sum', 'copies'],
    ['II.1.2', 'MechanismEstablished', 'milestone', undefined],
    ['II.1.3', 'TrainingDelivered', 'count', undefined],
    ['II.1.3', 'TrainingDelivered', 'sum', 'participants'],
    ['II.1.4', 'ProfessionalEventHeld', 'milestone', undefined],
    ['II.1.5', 'VictimRepatriated', 'sum', 'victims'],
    ['II.2.1', 'MechanismEstablished', 'count', undefined],
    ['II.2.2', 'TrainingDelivered', 'sum', 'days'],
    ['II.2.2', 'TrainingDelivered', 'sum', 'participants'],
    ['II.3.4', 'LegalConsultationProvided', 'sum', 'consultations'],
    ['II.3.6', 'GrantDeedSigned', 'milestone', undefined],
    ['II.3.6', 'FundsDisbursed', 'count', undefined],
    ['II.3.7', 'ProtocolAdopted', 'milestone', undefined],
    ['II.3.10', 'CapacityCreated', 'sum', 'places'],
    ['II.4.1', 'AccessRightsIssued', 'sum', 'accessRights'],
    ['II.4.1', 'LegislationAmended', 'milestone', undefined],
    ['III.2.1', 'PerformanceHeld', 'count', undefined],
    ['III.2.2', 'InspectionConducted', 'count', undefined],
    ['III.2.3', 'InvestigationStatisticsReported', 'sum', 'investigationsOpened'],
    ['III.2.4', 'ExpertAppointed', 'sum', 'experts'],
    ['III.3.1', 'MeetingHeld', 'sum', 'casesExamined'],
    ['III.4.2', 'InspectionConducted', 'count', undefined],
    ['III.4.2', 'GuidanceIssued', 'count', undefined],
    ['IV.1.1', 'PublicationIssued', 'sum', 'publications'],
    ['IV.2.2', 'MaterialProduced', 'sum', 'copies'],
    ['IV.2.2', 'MaterialDistributed', 'sum', 'copies'],
    ['IV.3.1', 'ProposalSubmitted', 'milestone', undefined],
    ['IV.5.1', 'StudyVisitConducted', 'count', undefined],
    ['IV.5.2', 'JointInvestigationTeamFormed', 'count', undefined],
  ])('%s counts %s (%s %s)', (code, event, aggregate, field) => {
    const found = planMeasure.get(code)!.indicators.filter(
      (i) => i.event === event && i.aggregate === aggregate && i.field === field,
    );
    expect(found).toHaveLength(1);
  });

  it('III.2.2 counts joint inspections only, as its indicator text says', () => {
    const [indicator] = planMeasure.get('III.2.2')!.indicators;
    expect(planMeasure.get('III.2.2')!.indicatorText).toBe('number of joint inspections');
    // The file's form, `where: { joint: true }` (read raw here, not through the validator).
    expect((indicator as unknown as { where: unknown }).where).toEqual({ joint: true });
  });
});
