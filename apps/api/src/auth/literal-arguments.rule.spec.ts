import { buildSchema, parse, specifiedRules, validate } from 'graphql';
import { LiteralArgumentsRule } from './literal-arguments.rule.js';

const schema = buildSchema(`
  input PointInTimeInput { position: String recordedAt: String }
  type Measure { status(asOf: String, at: PointInTimeInput): String fundingStatus(year: Int): String note(asOf: Int): String }
  type Query { measure: Measure }
  type Subscription { measureUpdated(code: String!): Measure }
`);

/** The messages (each a reason) and the literal each names, of a document. */
function refusals(document: string): Array<[string, string]> {
  const parsed = parse(document);
  return validate(schema, parsed, [...specifiedRules, LiteralArgumentsRule]).map((e) => [e.message, document.slice(e.nodes![0].loc!.start, e.nodes![0].loc!.end)]);
}

describe('LiteralArgumentsRule', () => {
  it('refuses a subscription literal that can never be valid, on the value it names', () => {
    expect(refusals('subscription { measureUpdated(code: "II.3.8") { a: status(asOf: "2023-02-30") b: status(asOf: "") fundingStatus(year: 1899) } }')).toEqual([
      ['must be a real calendar date written YYYY-MM-DD (got "2023-02-30")', '"2023-02-30"'],
      ['must be a real calendar date written YYYY-MM-DD (got "")', '""'],
      ['must be a year between 1900 and 2200 (got 1899)', '1899'],
    ]);
    expect(refusals('subscription { measureUpdated(code: "II.3.8") { a: status(at: {}) b: status(at: { position: null }) c: status(at: { position: "1", recordedAt: "x" }) d: status(at: { position: "-1" }) } }')).toEqual([
      ['must give exactly one of position and recordedAt (got neither)', '{}'],
      ['must give exactly one of position and recordedAt (got neither)', '{ position: null }'],
      ['must give exactly one of position and recordedAt (got both)', '{ position: "1", recordedAt: "x" }'],
      ['must be a global position: a whole number written in digits', '"-1"'],
    ]);
  });

  it('leaves valid literals, variables, other types of the same name, null, and queries alone', () => {
    expect(refusals('subscription ($d: String) { measureUpdated(code: "II.3.8") { a: status(asOf: "2023-06-30", at: { position: "12" }) b: status(asOf: $d) c: status(at: null) note(asOf: 3) fundingStatus(year: 2023) } }')).toEqual([]);
    // A query's resolver answers such a value as an error at its field, beside the rest of the answer.
    expect(refusals('{ measure { status(asOf: "2023-02-30") } }')).toEqual([]);
  });
});
