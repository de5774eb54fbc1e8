import { readFileSync } from 'node:fs';
import { GraphQLError, type GraphQLFormattedError, buildSchema, execute, getNamedType, isInputObjectType, isObjectType, parse } from 'graphql';
import { DomainError } from '@app/domain';
import { createErrorFormatter } from './format-error.js';
import { argumentPath } from './input-errors.js';

const schema = buildSchema(`
  input Report { title: String participants: Int rows: [Row!] }
  input Row { amount: Int }
  input At { position: String recordedAt: String }
  input Filter { occurredFrom: String occurredTo: String }
  type Measure { count(at: At, asOf: String): Int }
  type Query { measure(code: String!): Measure events(first: Int, filter: Filter, at: At): Boolean }
  type Mutation { record(input: Report!, note: String): Boolean }
`);

describe('argumentPath', () => {
  const args = schema.getMutationType()!.getFields().record.args;
  const queryArgs = schema.getQueryType()!.getFields().events.args;

  it('names a field of an input object from the argument that holds it', () => {
    expect(argumentPath('participants', args)).toBe('input.participants');
    expect(argumentPath('rows[2].amount', args)).toBe('input.rows[2].amount');
    expect(argumentPath('occurredTo', queryArgs)).toBe('filter.occurredTo');
    expect(argumentPath('position', queryArgs)).toBe('at.position');
  });

  it('keeps a path that starts at an argument, so nothing is prefixed twice', () => {
    expect(argumentPath('input.participants', args)).toBe('input.participants');
    expect(argumentPath('input', args)).toBe('input');
    expect(argumentPath('note', args)).toBe('note');
    expect(argumentPath('at.position', queryArgs)).toBe('at.position');
    expect(argumentPath('first', queryArgs)).toBe('first');
  });

  it('keeps a name no argument holds (a value the caller did not send)', () => {
    expect(argumentPath('agencyId', args)).toBe('agencyId');
    expect(argumentPath('amount', args)).toBe('amount');
  });
});

describe('the api schema, for argumentPath', () => {
  // argumentPath keeps a name two input arguments hold, or one that is also an argument's name,
  // as it is: in this schema no field has such a name, so every bare name finds its argument.
  it('has no field whose input arguments share a field name, or hold one named like an argument', () => {
    const api = buildSchema(readFileSync('schema.gql', 'utf8'));
    const doubtful: string[] = [];
    for (const type of Object.values(api.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith('__')) continue;
      for (const field of Object.values(type.getFields())) {
        const names = new Set(field.args.map((argument) => argument.name));
        const holders = new Map<string, string[]>();
        for (const argument of field.args) {
          const input = getNamedType(argument.type);
          if (!isInputObjectType(input)) continue;
          for (const name of Object.keys(input.getFields())) holders.set(name, [...(holders.get(name) ?? []), argument.name]);
        }
        for (const [name, args] of holders) if (args.length > 1 || names.has(name)) doubtful.push(`${type.name}.${field.name}: ${name} in ${args.join(', ')}`);
      }
    }
    expect(doubtful).toEqual([]);
  });
});

describe('the error formatter on execution errors', () => {
  const format = createErrorFormatter(false, () => schema);

  /** Runs `query` with resolvers that throw `thrown` and formats its first error as Apollo would. */
  async function formatted(query: string, thrown: () => unknown, variableValues?: Record<string, unknown>): Promise<GraphQLFormattedError> {
    const fail = () => {
      throw thrown();
    };
    const rootValue = { record: fail, events: fail, measure: () => ({ count: fail }) };
    const result = await execute({ schema, document: parse(query), rootValue, variableValues });
    const error = result.errors![0] as GraphQLError;
    return format(error.toJSON(), error);
  }

  it('prefixes a decider’s bare field with its argument, in the field, the listed errors and the message', async () => {
    const violations = [
      { field: 'participants', reason: 'must be at least 1' },
      { field: 'rows[0].amount', reason: 'is required' },
    ];
    const answer = await formatted('mutation { record(input: { title: "t" }) }', () => DomainError.fromViolations(violations));
    expect(answer.message).toBe('input.participants must be at least 1 (and 1 more problem)');
    expect(answer.extensions).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'input.participants',
      reason: 'must be at least 1',
      errors: [
        { field: 'input.participants', reason: 'must be at least 1' },
        { field: 'input.rows[0].amount', reason: 'is required' },
      ],
    });
  });

  it('finds the field through aliases, fragments and variables, and on a field resolver', async () => {
    const aliased = await formatted('query ($f: Filter) { ...F } fragment F on Query { e: events(filter: $f) }', () => DomainError.badInput('occurredTo', 'is before occurredFrom'), { f: {} });
    expect(aliased.extensions).toMatchObject({ field: 'filter.occurredTo' });
    const nested = await formatted('{ measure(code: "x") { count(at: { position: "1" }) } }', () => DomainError.badInput('position', 'is beyond the log'));
    expect(nested).toMatchObject({ message: 'at.position is beyond the log', extensions: { field: 'at.position' } });
  });

  it('leaves argument paths and scalar arguments as they are', async () => {
    expect((await formatted('{ events(first: 0) }', () => DomainError.badInput('first', 'must be at least 1'))).extensions).toMatchObject({ field: 'first' });
    expect((await formatted('{ events(at: {}) }', () => DomainError.badInput('at.position', 'is beyond the log'))).extensions).toMatchObject({ field: 'at.position' });
  });

  it('gives a GraphQL error carrying a field (an access rule’s) the same path', async () => {
    const answer = await formatted('mutation { record(input: {}) }', () => new GraphQLError('No', { extensions: { code: 'FORBIDDEN', rule: 'r', field: 'title' } }));
    expect(answer.extensions).toEqual({ code: 'FORBIDDEN', rule: 'r', field: 'input.title' });
  });
});
