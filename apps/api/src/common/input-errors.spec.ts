import { buildSchema, getOperationAST, parse, validate, type GraphQLError } from 'graphql';
import { valueErrorsAsBadInput, variableErrors, withoutSuggestions } from './input-errors.js';

const schema = buildSchema(`
  enum Source { EU NATIONAL }
  input Row { amount: Int! source: Source! }
  input Report { title: String! participants: Int! rows: [Row!] }
  type Query { ok: Boolean }
  type Mutation { record(input: Report!, note: String): Boolean }
`);

function literalErrors(query: string, suggestions = false) {
  const document = parse(query);
  return valueErrorsAsBadInput(document, validate(schema, document), suggestions).map(plain);
}

function plain(error: GraphQLError): { message: string; code?: unknown; field?: unknown; reason?: unknown } {
  const { http: _http, ...extensions } = error.extensions;
  return { message: error.message, ...extensions };
}

function variableProblems(variables: Record<string, unknown>, suggestions = false) {
  const document = parse('mutation ($input: Report!) { record(input: $input) }');
  return variableErrors(schema, getOperationAST(document)!, variables, suggestions).map(plain);
}

describe('value errors of literals', () => {
  it.each([
    ['participants: 1.5', 'input.participants', /Int cannot represent non-integer value: 1\.5/],
    ['participants: "12"', 'input.participants', /Int cannot represent non-integer value: "12"/],
    ['participants: 2147483648', 'input.participants', /non 32-bit signed integer/],
    ['participants: 3, participant: 3', 'input.participant', /not defined by type "Report"$/],
    ['participants: 3, rows: [{ amount: 1, source: EU }, { amount: 2, source: NATIONL }]', 'input.rows[1].source', /does not exist in "Source" enum$/],
    ['participants: 3, rows: [{ source: EU }]', 'input.rows[0].amount', /required type "Int!" was not provided/],
  ])('record(input: { title: "t", %s }) names %s', (literal, field, reason) => {
    const [error, ...more] = literalErrors(`mutation { record(input: { title: "t", ${literal} }) }`);
    expect(more).toEqual([]);
    expect(error).toMatchObject({ code: 'BAD_USER_INPUT', field, reason: expect.stringMatching(reason) });
    expect(error.message).toBe(`Invalid ${field}: ${String(error.reason)}`);
  });

  it('names a missing required argument and a missing input field', () => {
    expect(literalErrors('mutation { record }')).toMatchObject([{ code: 'BAD_USER_INPUT', field: 'input', reason: 'required, but not provided' }]);
    expect(literalErrors('mutation { record(input: { participants: 1 }) }')).toMatchObject([{ field: 'input.title' }]);
  });

  it('keeps suggestions only when asked (development)', () => {
    expect(JSON.stringify(literalErrors('mutation { record(input: { title: "t", participant: 1 }) }'))).not.toMatch(/Did you mean/);
    expect(literalErrors('mutation { record(input: { title: "t", participants: 1, participant: 1 }) }', true)[0].reason).toMatch(/Did you mean "participants"/);
  });

  it('leaves other validation errors as they are', () => {
    const document = parse('{ nope }');
    const errors = validate(schema, document);
    expect(valueErrorsAsBadInput(document, errors, false)).toEqual(errors);
  });
});

describe('value errors of variables', () => {
  it.each([
    [{ title: 't', participants: 1.5 }, 'input.participants'],
    [{ title: 't', participants: '12' }, 'input.participants'],
    [{ title: 't', participants: 1, participant: 1 }, 'input.participant'],
    [{ participants: 1 }, 'input.title'],
    [{ title: 't', participants: 1, rows: [{ amount: 1, source: 'EU' }, { amount: 1, source: 'NATIONL' }] }, 'input.rows[1].source'],
  ])('%j names %s', (input, field) => {
    const [error] = variableProblems({ input });
    expect(error).toMatchObject({ code: 'BAD_USER_INPUT', field, reason: expect.any(String) });
    expect(JSON.stringify(error)).not.toMatch(/Did you mean/);
  });

  it('reports every bad value, names a missing variable, never quotes a rounded number', () => {
    expect(variableProblems({ input: { title: 1, participants: 'x' } }).map((e) => e.field)).toEqual(['input.title', 'input.participants']);
    expect(variableProblems({})).toMatchObject([{ field: 'input', reason: 'required, but not provided' }]);
    const [big] = variableProblems({ input: { title: 't', participants: JSON.parse('9007199254740993') as number } });
    expect(big.reason).toMatch(/a number beyond 2\^53/);
    expect(JSON.stringify(big)).not.toContain('9007199254740992');
  });

  it('names the value from the argument the variable is passed to, as a literal in its place is named', () => {
    const problems = (query: string, variables: Record<string, unknown>) => {
      const document = parse(query);
      return variableErrors(schema, getOperationAST(document)!, variables, false, document).map((e) => e.extensions.field);
    };
    expect(problems('mutation ($r: Report!) { record(input: $r) }', { r: { title: 't', participants: 1.5 } })).toEqual(['input.participants']);
    expect(problems('mutation ($r: Report!) { record(input: $r) }', {})).toEqual(['input']);
    expect(problems('mutation ($row: Row!) { record(input: { title: "t", participants: 1, rows: [{ amount: 1, source: EU }, $row] }) }', { row: { amount: 'x', source: 'EU' } })).toEqual([
      'input.rows[1].amount',
    ]);
    expect(problems('mutation ($p: Int!) { ...F } fragment F on Mutation { done: record(input: { title: "t", participants: $p }) }', { p: 'x' })).toEqual(['input.participants']);
    // Used nowhere (an unused variable is a validation error already): its own name.
    expect(problems('mutation ($n: Int!) { record(input: { title: "t", participants: 1 }) }', { n: 'x' })).toEqual(['n']);
  });
});

describe('withoutSuggestions', () => {
  it('drops every form of "Did you mean"', () => {
    expect(withoutSuggestions('Cannot query field "helth" on type "Query". Did you mean "health"?')).toBe('Cannot query field "helth" on type "Query".');
    expect(withoutSuggestions('Value "OVERDU" does not exist in "Status" enum. Did you mean the enum value "OVERDUE"?')).toBe('Value "OVERDU" does not exist in "Status" enum.');
    expect(withoutSuggestions('x. Did you mean "a" or "b"?')).toBe('x.');
  });
});
