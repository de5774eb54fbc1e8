/**
 * The catalogue of activity event types agencies report. It is data: the GraphQL mutations,
 * input validation, plan validation (an indicator may only count a known type and field) and
 * the docs are all derived from it. Adding an event type is adding an entry here.
 *
 * Every activity event's data also carries the common fields `measureCode`, `reportId` and
 * `occurredOn` (see activity-event.ts); the fields below are the type's own.
 */

export type FieldKind =
  /** A whole number of things or people, 1 ≤ n ≤ max (0 ≤ n where `zeroAllowed`). */
  | 'count'
  /** Integer Hungarian forints ≥ 1 (≥ 0 where `zeroAllowed`), stored as a decimal string so any amount is exact. */
  | 'money'
  | 'text'
  | 'boolean'
  /** One of `values`. */
  | 'enum'
  /** An ISO calendar date, YYYY-MM-DD. */
  | 'date';

export interface FieldSpec {
  readonly name: string;
  readonly kind: FieldKind;
  readonly required: boolean;
  readonly description: string;
  /** count: the largest plausible value; anything above is refused as absurd. */
  readonly max?: number;
  /**
   * count, money: 0 is a fact worth reporting (an inspection that identified no victims).
   * Absent: the field must be at least 1, since a report of nothing done is not an activity.
   */
  readonly zeroAllowed?: boolean;
  /** enum: the allowed values. */
  readonly values?: readonly string[];
}

export type EventCategory = 'activity' | 'funds' | 'milestone';

export interface EventTypeSpec<Type extends string = string> {
  readonly type: Type;
  readonly category: EventCategory;
  readonly description: string;
  readonly fields: readonly FieldSpec[];
  /** An example of the type's own fields, used in docs and tests. */
  readonly example: Readonly<Record<string, string | number | boolean>>;
  /**
   * Counts that may each be 0 (`zeroAllowed`) but not all at once: a report of new capacity
   * opens a facility, adds places, or both — never neither.
   */
  readonly notAllZero?: readonly string[];
}

/** Funding sources the plans name. */
export const FUNDING_SOURCES = ['national', 'eu', 'swiss-hungarian'] as const;
export type FundingSource = (typeof FUNDING_SOURCES)[number];

const PEOPLE = 1_000_000;
const AUDIENCE = 20_000_000;
const COPIES = 10_000_000;
const SMALL = 10_000;

const text = (name: string, description: string, required = true): FieldSpec => ({
  name,
  kind: 'text',
  required,
  description,
});
const count = (name: string, description: string, max: number, required = true, zeroAllowed = false): FieldSpec => ({
  name,
  kind: 'count',
  required,
  description,
  max,
  ...(zeroAllowed ? { zeroAllowed } : {}),
});
/** A count that may be 0: the activity took place and found none (cases, victims, investigations). */
const countOrNone = (name: string, description: string, max: number, required = true): FieldSpec =>
  count(name, description, max, required, true);
const title = text('title', 'What it was, in a few words.');
const participants = (required = true) =>
  count('participants', 'Number of people who took part.', PEOPLE, required);

/** Milestones share one shape: what was reached, and a reference to the document. */
const milestoneFields = (...extra: FieldSpec[]): FieldSpec[] => [
  title,
  ...extra,
  text('documentRef', 'Reference to the document that evidences it (number, URL, file id).', false),
];

export const EVENT_CATALOGUE = [
  // Activities
  {
    type: 'MeetingHeld',
    category: 'activity',
    description: 'A meeting took place: working group, round table, coordination or bilateral meeting.',
    fields: [
      title,
      {
        name: 'meetingKind',
        kind: 'enum',
        required: true,
        description: 'What kind of meeting it was.',
        values: ['WORKING_GROUP', 'ROUND_TABLE', 'COORDINATION', 'BILATERAL', 'INTERNATIONAL', 'OTHER'],
      },
      participants(false),
      countOrNone('casesExamined', 'Number of cases the meeting examined.', SMALL, false),
    ],
    example: { title: 'Working group on online advertising', meetingKind: 'WORKING_GROUP', participants: 12 },
  },
  {
    type: 'TrainingDelivered',
    category: 'activity',
    description: 'A training (course, session, workshop) was delivered.',
    fields: [
      title,
      participants(),
      count('days', 'Training days delivered.', 1_000),
      text('audience', 'Who was trained (e.g. border police officers).', false),
    ],
    example: { title: 'Victim identification at border controls', participants: 24, days: 2 },
  },
  {
    type: 'InspectionConducted',
    category: 'activity',
    description: 'An inspection or monitoring check was conducted.',
    fields: [
      text('inspectionKind', 'What was inspected (e.g. labour inspection, access monitoring).'),
      { name: 'joint', kind: 'boolean', required: true, description: 'Conducted jointly with another body.' },
      text('location', 'Where (county, town or site).', false),
      countOrNone('victimsIdentified', 'Presumed victims identified during the inspection.', SMALL, false),
    ],
    example: { inspectionKind: 'labour inspection', joint: true, location: 'Győr', victimsIdentified: 1 },
  },
  {
    type: 'CampaignConducted',
    category: 'activity',
    description: 'An awareness-raising or prevention campaign was run.',
    fields: [
      title,
      {
        name: 'scope',
        kind: 'enum',
        required: true,
        description: 'Whether the campaign was national or local.',
        values: ['NATIONAL', 'LOCAL'],
      },
      count('peopleReached', 'Number of people the campaign reached.', AUDIENCE, false),
      text('channel', 'Where it ran (online, schools, events, media).', false),
    ],
    example: { title: 'Work abroad safely', scope: 'NATIONAL', peopleReached: 150000, channel: 'online' },
  },
  {
    type: 'MediaActivityCarriedOut',
    category: 'activity',
    description: 'A media appearance or other media activity (interview, broadcast, article in the press).',
    fields: [title, text('channel', 'The medium.'), count('peopleReached', 'Estimated audience.', AUDIENCE, false)],
    example: { title: 'Radio interview with a survivor', channel: 'Kossuth Rádió', peopleReached: 50000 },
  },
  {
    type: 'PreventionProgramDelivered',
    category: 'activity',
    description: 'A prevention programme session was held (schools, children’s homes, foster care).',
    fields: [title, participants(), text('institution', 'The institution where it was held.', false)],
    example: { title: 'Safe relationships — secondary school module', participants: 30, institution: 'Miskolc vocational school' },
  },
  {
    type: 'ProfessionalEventHeld',
    category: 'activity',
    description: 'A professional event (conference, demonstration, simulation exercise) was held.',
    fields: [title, participants(false)],
    example: { title: 'Demonstration of the EKAT follow-up module', participants: 40 },
  },
  {
    type: 'CaseFollowUpConducted',
    category: 'activity',
    description: 'Victims who left sheltered accommodation were followed up.',
    fields: [count('cases', 'Number of case follow-ups carried out.', SMALL)],
    example: { cases: 3 },
  },
  {
    type: 'CourseIntroduced',
    category: 'activity',
    description: 'A higher-education course now covers trafficking in human beings.',
    fields: [
      text('institution', 'The university or college.'),
      text('courseTitle', 'The course.'),
      { name: 'standalone', kind: 'boolean', required: true, description: 'A course on the phenomenon alone.' },
    ],
    example: { institution: 'ELTE Faculty of Social Sciences', courseTitle: 'Human trafficking and social work', standalone: true },
  },
  {
    type: 'MaterialProduced',
    category: 'activity',
    description: 'Information material was produced or printed (information cards, handbooks, leaflets).',
    fields: [text('material', 'The material.'), count('copies', 'Copies produced.', COPIES)],
    example: { material: 'Information card on assistance', copies: 5000 },
  },
  {
    type: 'MaterialDistributed',
    category: 'activity',
    description: 'Copies of information material were distributed.',
    fields: [text('material', 'The material.'), count('copies', 'Copies distributed.', COPIES), text('recipients', 'To whom.', false)],
    example: { material: 'SANSZ handbook', copies: 800, recipients: 'child welfare services' },
  },
  {
    type: 'LegalConsultationProvided',
    category: 'activity',
    description: 'Victims received consultations with a lawyer.',
    fields: [count('consultations', 'Number of consultations.', SMALL)],
    example: { consultations: 4 },
  },
  {
    type: 'VictimRepatriated',
    category: 'activity',
    description: 'Victims identified abroad were returned home under the return and reintegration programme.',
    fields: [count('victims', 'Number of victims returned.', SMALL), text('fromCountry', 'Country they returned from.', false)],
    example: { victims: 2, fromCountry: 'Netherlands' },
  },
  {
    type: 'VictimPlaced',
    category: 'activity',
    description: 'Victims were placed in care (e.g. an old people’s home, a children’s home).',
    fields: [count('victims', 'Number of victims placed.', SMALL), text('facility', 'Where they were placed.')],
    example: { victims: 1, facility: 'State-financed old people’s home, Pécs' },
  },
  {
    type: 'CapacityCreated',
    category: 'activity',
    description: 'New capacity was created: places, facilities (halfway houses, homes), service locations.',
    fields: [
      text('facilityKind', 'What was created (halfway house, designated places, service location).'),
      text('location', 'Where.'),
      countOrNone('facilities', 'New facilities or locations opened (0 when only places were added).', 1_000),
      countOrNone('places', 'New places (beds, seats) created (0 when only a location opened).', SMALL),
    ],
    notAllZero: ['facilities', 'places'],
    example: { facilityKind: 'halfway house', location: 'Budapest', facilities: 1, places: 4 },
  },
  {
    type: 'AccessRightsIssued',
    category: 'activity',
    description: 'Access rights to a system were issued (e.g. to the EKAT system).',
    fields: [count('accessRights', 'Number of access rights issued.', PEOPLE), text('recipients', 'Who received them.', false)],
    example: { accessRights: 25, recipients: 'county hospitals' },
  },
  {
    type: 'PerformanceHeld',
    category: 'activity',
    description: 'A theatre or drama-pedagogy performance was held.',
    fields: [title, count('audience', 'Number of people in the audience.', SMALL, false)],
    example: { title: "I'll Stand Up for You", audience: 120 },
  },
  {
    type: 'StudyVisitConducted',
    category: 'activity',
    description: 'A study visit took place (hosted or abroad).',
    fields: [text('destination', 'Where (country, city or host body).'), participants(false)],
    example: { destination: 'Vienna, Federal Criminal Police Office', participants: 6 },
  },
  {
    type: 'JointInvestigationTeamFormed',
    category: 'activity',
    description: 'A joint investigation team was set up with another country.',
    fields: [text('partnerCountries', 'The partner countries.'), text('caseRef', 'The case reference.', false)],
    example: { partnerCountries: 'Austria, Germany', caseRef: 'JIT-2023-07' },
  },
  {
    type: 'ExpertAppointed',
    category: 'activity',
    description: 'Specialised experts (e.g. prosecutors) were appointed.',
    fields: [count('experts', 'Number of experts appointed.', SMALL), text('role', 'The role they were appointed to.')],
    example: { experts: 20, role: 'county prosecutor specialised in trafficking' },
  },
  {
    type: 'InvestigationStatisticsReported',
    category: 'activity',
    description: 'Periodic statistics on investigations of trafficking offences.',
    fields: [
      { name: 'periodStart', kind: 'date', required: true, description: 'First day of the period covered.' },
      { name: 'periodEnd', kind: 'date', required: true, description: 'Last day of the period covered.' },
      countOrNone('investigationsOpened', 'Investigations opened in the period.', PEOPLE),
      count('averageDurationDays', 'Average duration of the investigations closed in the period, in days.', 100_000, false),
    ],
    example: { periodStart: '2023-01-01', periodEnd: '2023-03-31', investigationsOpened: 41, averageDurationDays: 290 },
  },
  {
    type: 'PublicationIssued',
    category: 'activity',
    description: 'Articles or studies were published.',
    fields: [title, count('publications', 'Number of articles or studies.', SMALL), text('medium', 'Journal or outlet.', false)],
    example: { title: 'Thematic issue on human trafficking', publications: 9, medium: 'Belügyi Szemle' },
  },
  {
    type: 'GuidanceIssued',
    category: 'activity',
    description: 'Guidance was issued to bodies (e.g. to government offices).',
    fields: [title, text('recipients', 'To whom.')],
    example: { title: 'Guidance on EKAT access checks', recipients: 'county government offices' },
  },
  // Money
  {
    type: 'FundsDisbursed',
    category: 'funds',
    description: 'Money was paid out for a measure.',
    fields: [
      { name: 'amount', kind: 'money', required: true, description: 'Amount paid, in integer HUF.' },
      {
        name: 'source',
        kind: 'enum',
        required: true,
        description: 'Where the money came from.',
        values: FUNDING_SOURCES,
      },
      text('purpose', 'What it paid for.'),
      text('beneficiary', 'Who received it.', false),
    ],
    example: { amount: '66000000', source: 'national', purpose: 'Construction of the first facility', beneficiary: 'DGSACP' },
  },
  // Milestones: qualitative results; an indicator counting one is reached once it is reported.
  {
    type: 'StudyCompleted',
    category: 'milestone',
    description: 'A study, feasibility study, analysis or overview was completed.',
    fields: milestoneFields(),
    example: { title: 'Feasibility study on therapeutic care', documentRef: 'BM/1234/2022' },
  },
  {
    type: 'LegislationAmended',
    category: 'milestone',
    description: 'A piece of legislation was amended or adopted.',
    fields: milestoneFields(text('legalAct', 'The act or decree.')),
    example: { title: 'Obligation to report in the Health Care Act', legalAct: 'Act CLIV of 1997' },
  },
  {
    type: 'ProtocolAdopted',
    category: 'milestone',
    description: 'A protocol or procedure was elaborated and adopted.',
    fields: milestoneFields(),
    example: { title: 'Emergency protocol for revealed shelter addresses' },
  },
  {
    type: 'ItDevelopmentDelivered',
    category: 'milestone',
    description: 'An IT development was delivered and put into use.',
    fields: milestoneFields(text('system', 'The system.')),
    example: { title: 'Follow-up module', system: 'EKAT' },
  },
  {
    type: 'MechanismEstablished',
    category: 'milestone',
    description: 'A mechanism (referral mechanism, coordinator network) was established.',
    fields: milestoneFields(text('location', 'Where it operates (county, nationwide).', false)),
    example: { title: 'County anti-trafficking coordinator network', location: 'Borsod-Abaúj-Zemplén' },
  },
  {
    type: 'GrantDeedSigned',
    category: 'milestone',
    description: 'A deed of support (grant agreement) was signed.',
    fields: milestoneFields(
      text('beneficiary', 'Who receives the grant.'),
      { name: 'amount', kind: 'money', required: false, description: 'Amount granted, in integer HUF.' },
    ),
    example: { title: 'Annual support for the men’s shelter', beneficiary: 'Hungarian Baptist Aid', amount: '30000000' },
  },
  {
    type: 'ProposalSubmitted',
    category: 'milestone',
    description: 'A proposal was submitted to the Government or another decision maker.',
    fields: milestoneFields(text('addressee', 'To whom it was submitted.')),
    example: { title: 'Proposal on accession to the Convention', addressee: 'Government' },
  },
] as const satisfies readonly EventTypeSpec[];

/** The activity event types, as a literal union: `'MeetingHeld' | 'TrainingDelivered' | …`. */
export type ActivityEventType = (typeof EVENT_CATALOGUE)[number]['type'];

const BY_TYPE: ReadonlyMap<string, EventTypeSpec<ActivityEventType>> = new Map(
  EVENT_CATALOGUE.map((spec): [string, EventTypeSpec<ActivityEventType>] => [spec.type, spec]),
);

export function eventTypeSpec(type: string): EventTypeSpec<ActivityEventType> | undefined {
  return BY_TYPE.get(type);
}

export function isActivityEventType(type: string): type is ActivityEventType {
  return BY_TYPE.has(type);
}

export const ACTIVITY_EVENT_TYPES: readonly ActivityEventType[] = EVENT_CATALOGUE.map((s) => s.type);

/** The least value a count or money field takes: 0 where the catalogue allows it, else 1. */
export function minimumOf(field: FieldSpec): 0 | 1 {
  return field.zeroAllowed === true ? 0 : 1;
}
