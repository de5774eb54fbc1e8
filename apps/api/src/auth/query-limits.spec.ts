import { buildSchema, type DocumentNode, parse, type OperationDefinitionNode } from 'graphql';
import { analyzeOperation, assertDocumentText, assertExpandedSize, assertVariablesNesting, expandedSize, assertWithinLimits, fragmentsOf, QueryTooComplexError } from './query-limits.js';

const schema = buildSchema(`
  type Query {
    health: Health!
    plans: [Plan!]!
    plan(id: ID!): Plan
    events(first: Int = 100): [Event!]!
    search(limit: Int): [Event!]
  }
  type Health { status: String! }
  type Plan { id: ID! tags: [String!]! pillars: [Pillar!]! owner: Agency }
  type Pillar { code: String! measures: [Measure!]! }
  type Measure { code: String! partners: [Agency!]! }
  type Agency { id: ID! members: [Agency!] }
  type Event { id: ID! agency: Agency }
`);

function metrics(query: string, variables: Record<string, unknown> = {}) {
  const document = parse(query);
  const operation = document.definitions.find((d) => d.kind === 'OperationDefinition') as OperationDefinitionNode;
  return analyzeOperation(schema, operation, fragmentsOf(document.definitions), variables, 5);
}

describe('query depth', () => {
  it.each([
    ['{ health { status } }', 2],
    ['{ plan(id: "x") { id } }', 2],
    ['{ plans { pillars { measures { partners { members { members { id } } } } } } }', 7],
    ['{ plans { ...P } } fragment P on Plan { pillars { measures { code } } }', 4],
    ['{ plans { ... on Plan { owner { id } } } }', 3],
    ['{ __schema { types { fields { type { ofType { ofType { name } } } } } } }', 0],
  ])('%s has depth %i', (query, depth) => {
    expect(metrics(query).depth).toBe(depth);
  });
});

describe('query cost', () => {
  it('costs nothing for leaves and 1 per object', () => {
    expect(metrics('{ health { status } }').cost).toBe(1);
    expect(metrics('{ plan(id: "x") { id owner { id } } }').cost).toBe(2);
  });

  it('multiplies by the default list size (5) for lists without a size argument', () => {
    // plans: 5 × (1 + pillars 5 × (1 + measures 5 × 1))
    expect(metrics('{ plans { pillars { measures { code } } } }').cost).toBe(5 * (1 + 5 * (1 + 5)));
  });

  it('does not multiply lists of scalars', () => {
    expect(metrics('{ plan(id: "x") { tags } }').cost).toBe(1);
  });

  it('uses the size argument as sent, from a variable, or its default', () => {
    expect(metrics('{ events(first: 20) { id } }').cost).toBe(20);
    expect(metrics('query ($n: Int) { events(first: $n) { id } }', { n: 7 }).cost).toBe(7);
    expect(metrics('query ($n: Int = 3) { events(first: $n) { id } }').cost).toBe(3);
    expect(metrics('{ events { id } }').cost).toBe(100);
    expect(metrics('{ search(limit: 2) { agency { id } } }').cost).toBe(2 * (1 + 1));
    expect(metrics('{ search { id } }').cost).toBe(5);
  });

  it('multiplies nested lists', () => {
    expect(metrics('{ events(first: 1000) { agency { members { members { id } } } } }').cost).toBe(1000 * (1 + 1 * (1 + 5 * (1 + 5))));
  });

  it('counts fragments where they are spread, every time', () => {
    const once = metrics('{ plans { ...P } } fragment P on Plan { owner { id } }').cost;
    const twice = metrics('{ a: plans { ...P } b: plans { ...P } } fragment P on Plan { owner { id } }').cost;
    expect(twice).toBe(2 * once);
  });
});

describe('aliases', () => {
  it('are counted, in fragments too', () => {
    expect(metrics('{ a: health { status } b: health { s: status } }').aliases).toBe(3);
    expect(metrics('{ plans { ...P } } fragment P on Plan { x: id y: id }').aliases).toBe(2);
  });
});

describe('assertWithinLimits', () => {
  const limits = { maxDepth: 10, maxCost: 5000, maxAliases: 30, maxTokens: 1000 };

  it('passes what is within every limit', () => {
    expect(() => assertWithinLimits({ depth: 10, cost: 5000, aliases: 30, size: 1000 }, limits)).not.toThrow();
  });

  it.each([
    [{ depth: 11, cost: 1, aliases: 0, size: 1 }, 10, /depth 11 exceeds the limit of 10/],
    [{ depth: 2, cost: 5001, aliases: 0, size: 1 }, 5000, /cost 5001 exceeds the limit of 5000/],
    [{ depth: 2, cost: 1, aliases: 31, size: 1 }, 30, /31 aliases, more than the limit of 30/],
    [{ depth: 2, cost: 1, aliases: 0, size: 1001 }, 1000, /expands to 1001 fields through its fragments, more than the limit of 1000/],
  ])('refuses %j with QUERY_TOO_COMPLEX and the limit', (m, limit, message) => {
    let error: unknown;
    try {
      assertWithinLimits(m, limits);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(QueryTooComplexError);
    expect((error as QueryTooComplexError).message).toMatch(message);
    expect((error as QueryTooComplexError).extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit });
  });
});

/** F0 = { me { id } }-like, Fk spreads Fk-1 twice: 2^k expanded fields from about 40 bytes a level. */
function fragmentBomb(levels: number, leaf = 'plans { id }'): string {
  const fragments = [`fragment F0 on Query { ${leaf} }`];
  for (let k = 1; k <= levels; k++) fragments.push(`fragment F${k} on Query { ...F${k - 1} ...F${k - 1} }`);
  return `{ ...F${levels} } ${fragments.join(' ')}`;
}

/** Counts how often each fragment's selection set is read: once per fragment if analysed once. */
function countingReads(document: DocumentNode): Map<string, number> {
  const reads = new Map<string, number>();
  for (const definition of document.definitions) {
    if (definition.kind !== 'FragmentDefinition') continue;
    const name = definition.name.value;
    const selectionSet = definition.selectionSet;
    Object.defineProperty(definition, 'selectionSet', {
      get: () => {
        reads.set(name, (reads.get(name) ?? 0) + 1);
        return selectionSet;
      },
    });
  }
  return reads;
}

describe('fragments are analysed once (linear in the document)', () => {
  it('measures each fragment once however often it is spread', () => {
    const m = metrics(fragmentBomb(3));
    expect(m).toEqual({ depth: 2, cost: 8 * 5, aliases: 0, size: 8 * 2 });
    expect(metrics('{ a: plans { ...P } b: plans { ...P } } fragment P on Plan { x: owner { id } }')).toEqual({
      depth: 3,
      cost: 2 * 5 * (1 + 1),
      aliases: 4,
      size: 2 * 3,
    });
  });

  it.each([20, 30, 60, 200])('measures a fragment bomb %i levels deep reading each fragment once, and refuses it', (levels) => {
    const document = parse(fragmentBomb(levels));
    const reads = countingReads(document);
    const operation = document.definitions.find((d) => d.kind === 'OperationDefinition') as OperationDefinitionNode;
    const m = analyzeOperation(schema, operation, fragmentsOf(document.definitions), {}, 5);
    expect(m.size).toBe(2 ** levels * 2);
    expect(() => assertWithinLimits(m, { maxDepth: 10, maxCost: 50_000, maxAliases: 30, maxTokens: 10_000 })).toThrow(QueryTooComplexError);
    // Linear: every fragment read once, whatever it expands to (the count does not depend on the machine).
    expect([...reads.values()]).toEqual(Array(levels + 1).fill(1));
    // Microseconds when idle (a few ms measured); the bound only says "not exponential" on a busy machine.
  });

  it('does not loop on a fragment cycle (a validation error, refused before this runs)', () => {
    expect(metrics('{ ...A } fragment A on Query { plans { id } ...B } fragment B on Query { ...A }').size).toBe(2);
  });
});

describe('assertDocumentText', () => {
  const limits = { maxTokens: 10_000, maxNesting: 128 };

  it('refuses brackets nested 3,000 deep before the parser could overflow the stack', () => {
    for (const [open, close] of [['[', ']'], ['{a:', '}']]) {
      const text = `{ plan(id: ${open.repeat(3000)}1${close.repeat(3000)}) { id } }`;
      expect(() => assertDocumentText(text, limits)).toThrow(/nests brackets more than 128 deep/);
    }
    expect(() => assertDocumentText(`${'{ a '.repeat(3000)}${'}'.repeat(3000)}`, limits)).toThrow(QueryTooComplexError);
  });

  it('passes real documents, and leaves lexical errors to the parser', () => {
    expect(() => assertDocumentText('{ plans { pillars { measures { code } } } }', limits)).not.toThrow();
    expect(() => assertDocumentText('{ plan(id: "x") { id } } # a comment {{{{', limits)).not.toThrow();
    expect(() => assertDocumentText('{ plan(id: "unterminated', limits)).not.toThrow();
  });

  it('refuses more tokens than the limit', () => {
    expect(() => assertDocumentText(`{ ${'a '.repeat(20)}}`, { maxTokens: 10 })).toThrow(/more than 10 tokens/);
  });
});

describe('assertVariablesNesting', () => {
  it('refuses JSON variables nested deeper than the limit, without recursion', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(() => assertVariablesNesting({ input: deep })).toThrow(/Variables nest more than 128 deep/);
    expect(() => assertVariablesNesting({ input: { a: [{ b: [1, 2] }] } })).not.toThrow();
    expect(() => assertVariablesNesting(undefined)).not.toThrow();
  });
});

describe('expandedSize (before validation, without a schema)', () => {
  it('counts fields once fragments are expanded, each fragment once', () => {
    expect(expandedSize(parse('{ a { b c } d }'))).toBe(4);
    expect(expandedSize(parse('{ ...F ...F } fragment F on Query { a { b } }'))).toBe(4);
    expect(expandedSize(parse(fragmentBomb(3)))).toBe(16);
    expect(expandedSize(parse('{ ...A } fragment A on Query { x ...B } fragment B on Query { ...A }'))).toBe(1);
  });

  it('refuses a 900-level fragment bomb (about 9,000 tokens), reading each fragment once', () => {
    const document = parse(fragmentBomb(900), { maxTokens: 10_000 });
    const reads = countingReads(document);
    expect(() => assertExpandedSize(document, 10_000)).toThrow(/expands to over 2\^53 fields through its fragments, more than the limit of 10000/);
    expect([...reads.values()]).toEqual(Array(901).fill(1));
  });
});
