import { EVENT_CATALOGUE, type EventTypeSpec, type FieldSpec, minimumOf } from './catalogue.js';
import { ASSESSMENT_CORRECTED, IMPLEMENTATION_LEVELS, MEASURE_ASSESSED, assessmentStreamName } from '../assessment/assessment-events.js';

const KIND: Record<FieldSpec['kind'], string> = {
  count: 'whole number',
  money: 'integer HUF (decimal string)',
  text: 'text',
  boolean: 'true/false',
  enum: 'one of',
  date: 'date YYYY-MM-DD',
};

function fieldRow(f: FieldSpec): string {
  const kind = f.kind === 'enum' ? `one of ${f.values?.map((v) => `\`${v}\``).join(', ')}` : KIND[f.kind];
  const least = f.kind === 'count' || f.kind === 'money' ? `, ≥ ${minimumOf(f)}` : '';
  const bound = f.max !== undefined ? `, ≤ ${f.max.toLocaleString('en')}` : '';
  return `| \`${f.name}\` | ${kind}${least}${bound} | ${f.required ? 'yes' : 'no'} | ${f.description} |`;
}

function section(spec: EventTypeSpec): string {
  const example = {
    measureCode: 'II.1.3',
    reportId: 'moi-2023-0042',
    occurredOn: '2023-05-10',
    ...spec.example,
  };
  return [
    `### ${spec.type}`,
    '',
    `${spec.description} Mutations: \`record${spec.type}\`, \`correct${spec.type}\`.`,
    '',
    '| field | kind | required | meaning |',
    '| --- | --- | --- | --- |',
    ...spec.fields.map(fieldRow),
    '',
    ...(spec.notAllZero ? [`${spec.notAllZero.map((n) => `\`${n}\``).join(' and ')} may not all be 0.`, ''] : []),
    'Example data (the `details` are the fields above):',
    '',
    '```json',
    JSON.stringify(
      {
        planId: 'hu-2022-2023',
        measureCode: example.measureCode,
        agencyId: 'ministry-of-interior',
        reportId: example.reportId,
        occurredOn: example.occurredOn,
        details: spec.example,
      },
      null,
      2,
    ),
    '```',
    '',
  ].join('\n');
}

/** The data every report event shares, as in the examples of the activity types. */
const EXAMPLE_REF = {
  planId: 'hu-2022-2023',
  measureCode: 'II.1.3',
  agencyId: 'ministry-of-interior',
  reportId: 'moi-2023-0042',
  activityType: 'TrainingDelivered',
};

function lifecycleSection(type: string, description: string, data: Record<string, unknown>): string[] {
  return [`### ${type}`, '', description, '', '```json', JSON.stringify({ ...EXAMPLE_REF, ...data }, null, 2), '```', ''];
}

function periodSection(type: string, description: string, data: Record<string, unknown>): string[] {
  const example = { planId: EXAMPLE_REF.planId, agencyId: EXAMPLE_REF.agencyId, periodId: '2023-Q1', ...data };
  return [`### ${type}`, '', description, '', '```json', JSON.stringify(example, null, 2), '```', ''];
}

const CATEGORY_TITLES: Record<EventTypeSpec['category'], string> = {
  activity: 'Activities',
  funds: 'Money',
  milestone: 'Milestones (qualitative results; an indicator counting one is reached once reported)',
};

function assessmentSection(type: string, description: string, over: Record<string, unknown>): string[] {
  const data = {
    planId: 'hu-2022-2023',
    measureCode: 'II.1.3',
    assessmentId: 'nacs-2024-003',
    level: 'SUBSTANTIAL',
    asOf: '2023-12-31',
    narrative: 'Ten of the twelve planned trainings were held; two moved to 2024.',
    evidence: ['BM/1234-5/2024', 'report moi-2023-0042'],
    indicatorComments: [{ indicatorKey: 'trainings', comment: 'Two trainings postponed' }],
    ...over,
  };
  return [`### ${type}`, '', description, '', '```json', JSON.stringify(data, null, 2), '```', ''];
}

/** docs/events.md, generated from the catalogue so the two cannot drift (`npm run docs`). */
export function renderEventsDoc(): string {
  const categories = ['activity', 'funds', 'milestone'] as const;
  return [
    '# Event catalogue',
    '',
    '<!-- Generated from libs/domain/src/events/catalogue.ts by `npm run docs`; a test fails when it is stale. -->',
    '',
    'Agencies report activities as events on the stream `activity-<agencyId>/<reportId>`, one stream per report',
    '(stores written by earlier versions also hold `activity-<agencyId>-<reportId>` streams, still read; see docs/architecture.md).',
    'Every activity event has the data `{ planId, measureCode, agencyId, reportId, occurredOn, details }`;',
    "`details` holds the type's own fields below. Every event's metadata holds `agencyId`, `principalId`,",
    '`principalRole`, `recordedAt` (server time), `occurredOn` (the business date), `correlationId`',
    '(the `x-correlation-id` request header, or a new id), `causationId` (the request) and `schemaVersion`.',
    '',
    'A measure accepts the event types its indicators count (see the plan file); `FundsDisbursed` is accepted',
    'for every measure with funding. Counts and money are at least 1 (`≥ 1`): a report of nothing done is not',
    'an activity. The few fields where 0 is a fact worth reporting say `≥ 0` (the catalogue declares them',
    'with `zeroAllowed`).',
    '',
    ...categories.flatMap((c) => [`## ${CATEGORY_TITLES[c]}`, '', ...EVENT_CATALOGUE.filter((s) => s.category === c).map(section)]),
    '## Report lifecycle',
    '',
    ...lifecycleSection(
      'ReportCorrected',
      'Replaces the figures (and possibly the date) of a report; the original stays in the stream. Mutation: ' +
        '`correct<EventType>` (e.g. `correctTrainingDelivered`), whose input has the same fields, enums and rules as ' +
        "`record<EventType>` plus `reportId`, `requestId` (the client's own id of the correction: a retry at any later " +
        'time answers with the first receipt and changes nothing; the same id with other content is a CONFLICT), an ' +
        'optional `expectedRevision` (CONFLICT when the report has changed since) and `reason`. `occurredOn` is optional ' +
        '(absent keeps the date) and must lie in the period of the plan the report was recorded under, also when the ' +
        'measure has since left that plan. `requestId` is absent on corrections stored before it existed.',
      {
        occurredOn: '2023-05-10',
        details: { title: 'Victim identification at border controls', participants: 22, days: 2 },
        reason: 'Two registered participants did not attend',
        requestId: 'moi-2023-0042-fix-1',
      },
    ),
    ...lifecycleSection(
      'ReportRetracted',
      'Withdraws a report: it no longer counts; it stays in the stream. Mutation: `retractReport`, with `reportId`, ' +
        '`requestId`, optional `expectedRevision` and `reason`, as a correction.',
      {
        reason: 'Reported under the wrong measure',
        requestId: 'moi-2023-0042-withdraw',
      },
    ),
    '## Assessments',
    '',
    `Coordinators judge a measure as of a date on the stream \`${assessmentStreamName('<planId>', '<measureCode>')}\` (plan ids are kebab-case, so the first \`_\` ends the plan id:`,
    'no two measures share a stream). One stream per measure holds all its assessments (interim, final), each named by',
    "the coordinator system's own `assessmentId` (a retry is answered, not stored twice). `level` is on the OGP IRM",
    `completion scale plus WITHDRAWN: ${IMPLEMENTATION_LEVELS.map((l) => `\`${l}\``).join(', ')}. The metadata's \`occurredOn\` is the assessment's \`asOf\`.`,
    'How an assessment enters a measure\'s status: [status.md](status.md).',
    '',
    ...assessmentSection(MEASURE_ASSESSED, 'A judgement of the measure as of `asOf`. Mutation: `assessMeasure`.', {}),
    ...assessmentSection(
      ASSESSMENT_CORRECTED,
      'Holds everything the assessment says from then on (`correctAssessment` fills in the evidence and indicator comments it leaves out from what was in force), with a reason; the original stays in the stream. `correctionId` is the client\'s own id. Mutation: `correctAssessment`.',
      { level: 'COMPLETE', correctionId: 'nacs-2024-003-c1', reason: 'The last two trainings were held on 28 December 2023' },
    ),
    '## Reporting periods',
    '',
    'On the stream `period-<planId>/<agencyId>/<periodId>` (one per plan × agency × period; periods are `YYYY-Qn`,',
    '`YYYY-MM` or `YYYY` as the plan reports). The workflow and who takes each step: docs/periods.md. Every event',
    "carries `{ planId, agencyId, periodId, requestId }` (the client's own id of the step: a retry answers with the",
    'first receipt). Metadata as for reports, without `occurredOn`.',
    '',
    ...periodSection('PeriodSubmitted', 'The agency submits the period, once it has ended, for its measures in the plan (`submitPeriod`).', {
      requestId: 'moi-2023-q1-submit',
      measureCodes: ['II.1.3', 'II.3.2'],
      comment: 'Q1 complete',
    }),
    ...periodSection('PeriodApproved', "The coordinator approves it (`approvePeriod`): the agency's reports dated in it are locked.", { requestId: 'natc-2023-q1-moi' }),
    ...periodSection('PeriodReturned', 'The coordinator returns a submission with what to change (`returnPeriod`).', {
      requestId: 'natc-2023-q1-moi-return',
      comment: 'Training participants missing for March',
    }),
    ...periodSection('PeriodReopened', 'The coordinator reopens an approved period with a reason (`reopenPeriod`): unlocked until the next approval.', {
      requestId: 'natc-2023-q1-moi-reopen',
      reason: 'Participant count revised after GRETA questionnaire review',
    }),
    '## Versions',
    '',
    'Every type is at schema version 1. A new version adds an upcaster (libs/domain/src/events/upcasters.ts);',
    'stored events are never rewritten, they are read through the upcaster chain.',
    '',
  ].join('\n');
}
