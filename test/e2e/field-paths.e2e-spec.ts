import { jest } from '@jest/globals';
import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { issueTestKey } from './support/auth.js';
import { type TestApp, startTestApp } from './support/test-app.js';

/**
 * One rule for `extensions.field` (README, "Errors"): the path from the operation's argument —
 * `input.participants`, `at.position`, `filter.occurredFrom`, a scalar argument's own name — the
 * same whether the value was written in the document (a literal) or sent as a variable, whoever
 * refused it (GraphQL's coercion, the validation pipe, a decider, a service, an access rule), and
 * over HTTP and graphql-ws alike.
 */

jest.setTimeout(Number(process.env.E2E_TIMEOUT_MS ?? 120_000));

type Role = 'AGENCY' | 'OTHER_AGENCY' | 'COORDINATOR' | 'AUDITOR';
type Transport = 'http' | 'ws';

interface Answer {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; extensions?: Record<string, unknown>; path?: unknown[] }>;
}

/** An enum value: written bare in a literal, as its name in variables. */
class EnumValue {
  constructor(readonly name: string) {}
  toJSON(): string {
    return this.name;
  }
}
const enumValue = (name: string) => new EnumValue(name);

/** A JSON-like value written as a GraphQL literal. */
function literalOf(value: unknown): string {
  if (value instanceof EnumValue) return value.name;
  if (Array.isArray(value)) return `[${value.map(literalOf).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    return `{ ${Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}: ${literalOf(v)}`)
      .join(', ')} }`;
  }
  return JSON.stringify(value);
}

interface Case {
  readonly role: Role;
  readonly operation: 'query' | 'mutation' | 'subscription';
  /** The root field and its arguments: name → [GraphQL type, value]. */
  readonly field: string;
  readonly args: Readonly<Record<string, readonly [string, unknown]>>;
  /** The selection; `inner` writes the arguments of {@link innerArgs} for a field inside it. */
  readonly selection: string | ((inner: string) => string);
  /** Arguments of a field inside the selection (a field resolver's): name → [GraphQL type, value]. */
  readonly innerArgs?: Readonly<Record<string, readonly [string, unknown]>>;
  /** A response key other than the field's name (an alias), read through a fragment. */
  readonly alias?: string;
  readonly code?: string;
  readonly expected: string;
  /** Where the refusal is answered: the first error (default), or a bulk summary row. */
  readonly answeredIn?: (answer: Answer) => Refusal;
  readonly transports?: readonly Transport[];
  /** The first error's reason (BAD_USER_INPUT) or message (other codes), when the case is about its words. */
  readonly says?: RegExp;
  /** Every field listed in the first error's extensions.errors, when the case refuses several at once. */
  readonly listed?: readonly string[];
}

/**
 * The operation with its arguments as literals, and as variables named otherwise than the
 * arguments (`$inputValue` for `input`): the field is named from the argument either way.
 */
function documents(c: Case): { literal: string; variables: string; values: Record<string, unknown> } {
  const written = (args: Case['args'] | undefined, value: (name: string, v: unknown) => string) =>
    Object.entries(args ?? {})
      .map(([name, [, v]]) => `${name}: ${value(name, v)}`)
      .join(', ');
  const call = (value: (name: string, v: unknown) => string) =>
    `${c.alias ? `${c.alias}: ` : ''}${c.field}(${written(c.args, value)}) ${typeof c.selection === 'string' ? c.selection : c.selection(written(c.innerArgs, value))}`;
  const all = { ...c.args, ...c.innerArgs };
  const wrap = (head: string, body: string) => {
    if (!c.alias) return `${head} { ${body} }`;
    const root = c.operation === 'query' ? 'Query' : c.operation === 'mutation' ? 'Mutation' : 'Subscription';
    return `${head} { ...Asked } fragment Asked on ${root} { ${body} }`;
  };
  const definitions = Object.entries(all)
    .map(([name, [type]]) => `$${name}Value: ${type}`)
    .join(', ');
  return {
    literal: wrap(c.operation, call((_name, v) => literalOf(v))),
    variables: wrap(`${c.operation} (${definitions})`, call((name) => `$${name}Value`)),
    values: JSON.parse(JSON.stringify(Object.fromEntries(Object.entries(all).map(([name, [, v]]) => [`${name}Value`, v])))) as Record<string, unknown>,
  };
}

const MOI = 'ministry-of-interior';
const training = (extra: Record<string, unknown> = {}) => ({
  measureCode: 'II.1.3',
  reportId: 'paths-1',
  occurredOn: '2023-03-01',
  title: 'Border control course',
  participants: 12,
  days: 1,
  ...extra,
});
const TRAINING_INPUT = 'RecordTrainingDeliveredInput!';
interface Refusal {
  readonly code: unknown;
  readonly field: unknown;
  /** The message names the field as `field` does (BAD_USER_INPUT: "input.x must …", "Invalid input.x: …"). */
  readonly messageNamesIt: boolean;
}

/** The first error's code and field. */
function refusalOf(answer: Answer): Refusal {
  const error = answer.errors?.[0];
  const field = error?.extensions?.field;
  const named = typeof field === 'string' && (error?.message.startsWith(`${field} `) || error?.message.startsWith(`Invalid ${field}: `));
  return { code: error?.extensions?.code, field, messageNamesIt: error?.extensions?.code !== 'BAD_USER_INPUT' || named === true };
}

/** A bulk summary row's first error's code and field. */
const rowRefusal = (row: number) => (answer: Answer): Refusal => {
  const summary = answer.data?.recordReports as { rows: Array<{ errors: Array<{ code: string; field: string }> }> } | undefined;
  const error = summary?.rows[row]?.errors[0];
  return { code: error?.code, field: error?.field, messageNamesIt: true };
};

const CASES: ReadonlyArray<readonly [string, Case]> = [
  [
    'a single mutation, refused by the validation pipe',
    { role: 'AGENCY', operation: 'mutation', field: 'recordTrainingDelivered', args: { input: [TRAINING_INPUT, training({ participants: 0 })] }, selection: '{ position }', expected: 'input.participants' },
  ],
  [
    'a single mutation, refused by the decider',
    { role: 'AGENCY', operation: 'mutation', field: 'recordTrainingDelivered', args: { input: [TRAINING_INPUT, training({ occurredOn: '2021-06-01' })] }, selection: '{ position }', expected: 'input.occurredOn' },
  ],
  [
    'a single mutation, refused by the decider through an alias and a fragment',
    { role: 'AGENCY', operation: 'mutation', field: 'recordTrainingDelivered', alias: 'sent', args: { input: [TRAINING_INPUT, training({ measureCode: 'IX.9.9' })] }, selection: '{ position }', expected: 'input.measureCode' },
  ],
  [
    'a single mutation, refused by an access rule naming the field',
    { role: 'OTHER_AGENCY', operation: 'mutation', field: 'recordTrainingDelivered', args: { input: [TRAINING_INPUT, training()] }, selection: '{ position }', code: 'FORBIDDEN', expected: 'input.measureCode' },
  ],
  [
    'a single mutation, refused by GraphQL coercion',
    { role: 'AGENCY', operation: 'mutation', field: 'recordTrainingDelivered', args: { input: [TRAINING_INPUT, training({ participants: 1.5 })] }, selection: '{ position }', expected: 'input.participants' },
  ],
  [
    'a period mutation, refused by the period decider',
    { role: 'AGENCY', operation: 'mutation', field: 'submitPeriod', args: { input: ['SubmitPeriodInput!', { periodId: '2023-Q7', requestId: 'paths-q7' }] }, selection: '{ status }', expected: 'input.periodId' },
  ],
  [
    'an assessment, refused by the assessment decider',
    {
      role: 'COORDINATOR',
      operation: 'mutation',
      field: 'assessMeasure',
      args: {
        input: [
          'AssessMeasureInput!',
          { measureCode: 'II.1.3', assessmentId: 'paths-a', level: enumValue('LIMITED'), asOf: '2023-06-30', narrative: 'Half of the courses held', indicatorComments: [{ indicatorKey: 'nope', comment: 'c' }] },
        ],
      },
      selection: '{ position }',
      expected: 'input.indicatorComments[0].indicatorKey',
    },
  ],
  [
    'the bulk mutation, a row refused',
    {
      role: 'AGENCY',
      operation: 'mutation',
      field: 'recordReports',
      args: { input: ['RecordReportsInput!', { dryRun: true, reports: [{ trainingDelivered: training() }, { trainingDelivered: training({ reportId: 'paths-2', occurredOn: '2023-02-30' }) }] }] },
      selection: '{ status rows { errors { code field } } }',
      expected: 'input.reports[1].trainingDelivered.occurredOn',
      answeredIn: rowRefusal(1),
    },
  ],
  [
    'the bulk mutation, refused as a whole',
    { role: 'AGENCY', operation: 'mutation', field: 'recordReports', args: { input: ['RecordReportsInput!', { reports: [] }] }, selection: '{ status }', expected: 'input.reports' },
  ],
  [
    'an `at` the validation pipe refuses',
    { role: 'AUDITOR', operation: 'query', field: 'planProgress', args: { planId: ['ID!', 'hu-2022-2023'], at: ['PointInTimeInput', { position: '-1' }] }, selection: '{ asOf }', expected: 'at.position' },
  ],
  [
    'an `at` beyond the log',
    { role: 'AUDITOR', operation: 'query', field: 'planProgress', args: { planId: ['ID!', 'hu-2022-2023'], at: ['PointInTimeInput', { position: '99999999' }] }, selection: '{ asOf }', expected: 'at.position' },
  ],
  [
    'an `at` of the reports list beyond the log',
    { role: 'AUDITOR', operation: 'query', field: 'reports', args: { filter: ['ReportFilterInput', { measureCode: 'II.1.3' }], at: ['PointInTimeInput', { position: '99999999' }] }, selection: '{ totalCount }', expected: 'at.position' },
  ],
  [
    'an `at` of one report beyond the log',
    {
      role: 'AUDITOR',
      operation: 'query',
      field: 'report',
      args: { agencyId: ['ID!', MOI], reportId: ['String!', 'paths-1'], at: ['PointInTimeInput', { position: '99999999' }] },
      selection: '{ status }',
      expected: 'at.position',
    },
  ],
  [
    'an `at` of a field of a measure',
    {
      role: 'AUDITOR',
      operation: 'query',
      field: 'measure',
      alias: 'm',
      args: { code: ['String!', 'II.1.3'] },
      innerArgs: { at: ['PointInTimeInput', { position: 'x1' }] },
      selection: (inner) => `{ reportCount(${inner}) }`,
      expected: 'at.position',
    },
  ],
  [
    'an events filter the history service refuses',
    { role: 'AUDITOR', operation: 'query', field: 'events', args: { first: ['Int', 1], filter: ['EventFilter', { occurredFrom: '2023-02-30' }] }, selection: '{ edges { cursor } }', expected: 'filter.occurredFrom' },
  ],
  [
    'a reports filter the resolver refuses',
    { role: 'COORDINATOR', operation: 'query', field: 'reports', args: { filter: ['ReportFilterInput', { occurredFrom: '2023-03-01', occurredTo: '2023-01-01' }] }, selection: '{ totalCount }', expected: 'filter.occurredTo' },
  ],
  [
    'a measures filter naming no pillar',
    { role: 'COORDINATOR', operation: 'query', field: 'measures', args: { filter: ['MeasureFilter', { pillar: 'Z' }] }, selection: '{ code }', expected: 'filter.pillar' },
  ],
  [
    'a scalar argument',
    { role: 'AUDITOR', operation: 'query', field: 'events', args: { first: ['Int', 501] }, selection: '{ edges { cursor } }', expected: 'first' },
  ],
  // An argument given is never read as if it were absent (empty point, empty date, empty id).
  [
    'an empty `at`',
    { role: 'AUDITOR', operation: 'query', field: 'planProgress', args: { planId: ['ID!', 'hu-2022-2023'], at: ['PointInTimeInput', {}] }, selection: '{ position }', expected: 'at', says: /^must give exactly one of position and recordedAt \(got neither\)$/ },
  ],
  [
    'an `at` with a null position, on a field of a measure',
    {
      role: 'AUDITOR',
      operation: 'query',
      field: 'measure',
      alias: 'm',
      args: { code: ['String!', 'II.1.3'] },
      innerArgs: { at: ['PointInTimeInput', { position: null }] },
      selection: (inner) => `{ reportCount(${inner}) }`,
      expected: 'at',
      says: /position and recordedAt/,
    },
  ],
  [
    'an empty `at` of a period query',
    { role: 'AUDITOR', operation: 'query', field: 'returnedPeriods', args: { at: ['PointInTimeInput', { recordedAt: null }] }, selection: '{ periodId }', expected: 'at' },
  ],
  [
    'an `at` whose position has more digits than any log',
    { role: 'AUDITOR', operation: 'query', field: 'fundingSummary', args: { planId: ['ID!', 'hu-2022-2023'], at: ['PointInTimeInput', { position: '99999999999999999999999' }] }, selection: '{ allocated }', expected: 'at.position', says: /^is beyond the end of the log \(its last position is \d+\)$/ },
  ],
  [
    'an empty asOf',
    { role: 'COORDINATOR', operation: 'query', field: 'planProgress', args: { planId: ['ID!', 'hu-2022-2023'], asOf: ['String', ''] }, selection: '{ asOf }', expected: 'asOf', says: /^must be a real calendar date written YYYY-MM-DD \(got ""\)$/ },
  ],
  [
    'an empty asOf of a field of a measure',
    { role: 'COORDINATOR', operation: 'query', field: 'measure', args: { code: ['String!', 'II.1.3'] }, innerArgs: { asOf: ['String', ''] }, selection: (inner) => `{ status(${inner}) }`, expected: 'asOf', says: /\(got ""\)$/ },
  ],
  [
    'an empty asOf of a period query',
    { role: 'COORDINATOR', operation: 'query', field: 'unsubmittedPeriods', args: { asOf: ['String', ''] }, selection: '{ periodId }', expected: 'asOf', says: /\(got ""\)$/ },
  ],
  [
    'an empty planId of a plan-wide list',
    { role: 'COORDINATOR', operation: 'query', field: 'overdueMeasures', args: { planId: ['ID', ''] }, selection: '{ code }', expected: 'planId', says: /^must not be empty/ },
  ],
  [
    'a year out of range on a field of a measure, as on fundingSummary',
    { role: 'COORDINATOR', operation: 'query', field: 'measure', args: { code: ['String!', 'II.3.3'] }, innerArgs: { year: ['Int', -1] }, selection: (inner) => `{ fundingStatus(${inner}) { disbursed } }`, expected: 'year', says: /^must be a year between 1900 and 2200 \(got -1\)$/ },
  ],
  // NOT_FOUND of an argument's value names the argument, and no position when none was given.
  [
    'an empty pillar of a measures filter',
    { role: 'COORDINATOR', operation: 'query', field: 'measures', args: { filter: ['MeasureFilter', { pillar: '' }] }, selection: '{ code }', expected: 'filter.pillar', says: /^is not a pillar of any adopted plan \(got ""/ },
  ],
  [
    'an empty head to verify against',
    { role: 'AUDITOR', operation: 'query', field: 'verifyLedger', args: { head: ['String', ''] }, selection: '{ ok }', expected: 'head' },
  ],
  [
    'the agencies of a plan no one adopted',
    { role: 'COORDINATOR', operation: 'query', field: 'agencies', args: { planId: ['ID', 'nope'] }, selection: '{ id }', code: 'NOT_FOUND', expected: 'planId' },
  ],
  [
    'a measure of a plan no one adopted',
    { role: 'COORDINATOR', operation: 'query', field: 'measure', args: { code: ['String!', 'II.1.3'], planId: ['ID', 'nope'] }, selection: '{ title }', code: 'NOT_FOUND', expected: 'planId' },
  ],
  [
    'a plan no one adopted',
    { role: 'COORDINATOR', operation: 'query', field: 'planProgress', args: { planId: ['ID!', 'nope'] }, selection: '{ asOf }', code: 'NOT_FOUND', expected: 'planId', says: /^No plan nope is adopted in the ledger$/ },
  ],
  [
    'a measure code no plan has',
    { role: 'COORDINATOR', operation: 'query', field: 'measure', args: { code: ['String!', 'X.1'] }, selection: '{ title }', code: 'NOT_FOUND', expected: 'code' },
  ],
  // Before the plan was adopted: every query and field about it says so, naming `at`.
  ...(
    [
      ['planProgress', { planId: ['ID!', 'hu-2022-2023'] }, '{ asOf }'],
      ['fundingSummary', { planId: ['ID!', 'hu-2022-2023'] }, '{ allocated }'],
      ['measuresByStatus', { status: ['MeasureStatus!', enumValue('NOT_STARTED')], planId: ['ID', 'hu-2022-2023'] }, '{ code }'],
      ['periodApprovals', { planId: ['ID', 'hu-2022-2023'] }, '{ periodId }'],
    ] as const
  ).map(
    ([field, args, selection]): readonly [string, Case] => [
      `${field} before the plan was adopted`,
      { role: 'AUDITOR', operation: 'query', field, args: { ...args, at: ['PointInTimeInput', { recordedAt: '2000-01-01T00:00:00Z' }] }, selection, code: 'NOT_FOUND', expected: 'at', says: /^No plan hu-2022-2023 at position 0: the ledger then held no events$/ },
    ],
  ),
  ...['reportCount', 'assessments { level }', 'fundingStatus { disbursed }'].map(
    (selected): readonly [string, Case] => [
      `Measure.${selected.split(' ')[0]} before the plan was adopted`,
      {
        role: 'AUDITOR',
        operation: 'query',
        field: 'measure',
        args: { code: ['String!', 'II.3.3'] },
        innerArgs: { at: ['PointInTimeInput', { recordedAt: '2000-01-01T00:00:00Z' }] },
        selection: (inner) => `{ ${selected.replace(/^(\w+)/, `$1(${inner})`)} }`,
        code: 'NOT_FOUND',
        expected: 'at',
        says: /^No measure II.3.3 at position 0: the ledger then held no events$/,
      },
    ],
  ),
  [
    'an assessment with several bad fields, all listed at once',
    {
      role: 'COORDINATOR',
      operation: 'mutation',
      field: 'assessMeasure',
      args: {
        input: [
          'AssessMeasureInput!',
          { measureCode: 'II.1.3', assessmentId: 'paths-many', level: enumValue('LIMITED'), asOf: '2023-06-30', narrative: 'xy', evidence: [''], indicatorComments: [{ indicatorKey: 'nope', comment: '' }] },
        ],
      },
      selection: '{ position }',
      expected: 'input.narrative',
      listed: ['input.narrative', 'input.evidence[0]', 'input.indicatorComments[0].indicatorKey', 'input.indicatorComments[0].comment'],
    },
  ],
  [
    'a subscription argument',
    { role: 'AGENCY', operation: 'subscription', field: 'measureUpdated', args: { code: ['String!', 12] }, selection: '{ code }', expected: 'code', transports: ['ws'] },
  ],
];

describe.each<Transport>(['http', 'ws'])('extensions.field over %s (e2e)', (transport) => {
  let t: TestApp;
  const keys = new Map<Role, string>();
  const clients = new Map<Role, Client>();

  beforeAll(async () => {
    t = await startTestApp();
    keys.set('AGENCY', await issueTestKey(t, { role: 'AGENCY', agencyId: MOI }));
    // II.1.3 is the Ministry of Interior's with the National Police HQ only.
    keys.set('OTHER_AGENCY', await issueTestKey(t, { role: 'AGENCY', agencyId: 'hungarian-baptist-aid' }));
    keys.set('COORDINATOR', await issueTestKey(t, { role: 'COORDINATOR' }));
    keys.set('AUDITOR', await issueTestKey(t, { role: 'AUDITOR' }));
  });
  afterAll(async () => {
    await Promise.all([...clients.values()].map(async (client) => client.dispose()));
    await t.close({ removeData: true });
  });

  async function ask(role: Role, query: string, variables?: Record<string, unknown>): Promise<Answer> {
    const key = keys.get(role)!;
    if (transport === 'http') return t.gql(query, variables, { authorization: `Bearer ${key}` });
    let client = clients.get(role);
    if (!client) {
      client = createClient({ url: t.url.replace('http://', 'ws://'), webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${key}` }, retryAttempts: 0, lazy: true, lazyCloseTimeout: 60_000 });
      clients.set(role, client);
    }
    const socket = client;
    return new Promise<Answer>((resolve, reject) => {
      let answer: Answer = {};
      socket.subscribe(
        { query, variables },
        {
          next: (value) => (answer = value as Answer),
          error: (error: unknown) => (Array.isArray(error) ? resolve({ errors: error as Answer['errors'] }) : reject(error as Error)),
          complete: () => resolve(answer),
        },
      );
    });
  }

  it.each(CASES.filter(([, c]) => (c.transports ?? ['http', 'ws']).includes(transport)))('%s: the same path as a literal and as a variable', async (_name, c) => {
    const { literal, variables, values } = documents(c);
    const answers = [await ask(c.role, literal), await ask(c.role, variables, values)];
    const expected = { code: c.code ?? 'BAD_USER_INPUT', field: c.expected, messageNamesIt: true };
    expect(answers.map((answer) => (c.answeredIn ?? refusalOf)(answer))).toEqual([expected, expected]);
    // The words (reason, or message of another code) and the fields listed, where the case names them.
    const said = answers.map((answer) => {
      const error = answer.errors?.[0];
      const words = String((c.code ?? 'BAD_USER_INPUT') === 'BAD_USER_INPUT' ? error?.extensions?.reason : error?.message);
      return {
        // The words themselves when they differ, so a failure shows them.
        says: c.says === undefined ? 'not asked' : c.says.test(words) ? 'as meant' : words,
        listed: c.listed === undefined ? undefined : (error?.extensions?.errors as Array<{ field: string }> | undefined)?.map((e) => e.field),
      };
    });
    const meant = { says: c.says === undefined ? 'not asked' : 'as meant', listed: c.listed };
    expect(said).toEqual([meant, meant]);
  });
});
