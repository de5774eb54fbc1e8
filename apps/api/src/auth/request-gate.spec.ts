import type { Authenticator } from '@app/auth';
import { print } from 'graphql';
import type { PublicOperations } from './public-operations.js';
import { QueryTooComplexError } from './query-limits.js';
import { RequestGate } from './request-gate.js';
import type { SecurityConfig } from './security-config.js';

const config: SecurityConfig = { maxDepth: 10, maxCost: 1000, maxAliases: 10, maxTokens: 40, introspection: false, suggestions: false, rateLimitPerMinute: 0, bodyLimit: '1mb' };
const anonymous = { authenticate: async () => ({ status: 'anonymous' as const }) } as unknown as Authenticator;
const caller = { transport: 'http' as const, authorization: undefined, address: '127.0.0.1', correlationId: 'c' };
const gateOf = () => new RequestGate(anonymous, {} as PublicOperations, config);
const nested = (depth: number): unknown => (depth === 0 ? 1 : { a: nested(depth - 1) });

describe('RequestGate.admitDocument: a text admitted once is not parsed again (issue 24)', () => {
  it('answers the same parsed document for the same text, and a new one for another text', async () => {
    const gate = gateOf();
    const first = await gate.admitDocument('query A { health { status } }', {}, caller);
    const again = await gate.admitDocument('query A { health { status } }', { x: 1 }, caller);
    const other = await gate.admitDocument('query B { health { status } }', {}, caller);
    expect(again.document).toBe(first.document);
    expect(print(other.document!)).toContain('query B');
    expect(other.document).not.toBe(first.document);
  });

  it('still checks each request\'s variables when its text is remembered', async () => {
    const gate = gateOf();
    await gate.admitDocument('query A { health { status } }', { v: nested(3) }, caller);
    await expect(gate.admitDocument('query A { health { status } }', { v: nested(200) }, caller)).rejects.toBeInstanceOf(QueryTooComplexError);
  });

  it('refuses an oversized text every time, and does not remember a text that does not parse', async () => {
    const gate = gateOf();
    const big = `{ ${'a '.repeat(60)}}`;
    await expect(gate.admitDocument(big, {}, caller)).rejects.toBeInstanceOf(QueryTooComplexError);
    await expect(gate.admitDocument(big, {}, caller)).rejects.toBeInstanceOf(QueryTooComplexError);
    const broken = await gate.admitDocument('query { health ', {}, caller);
    expect(broken.document).toBeUndefined();
    expect((await gate.admitDocument('query { health ', {}, caller)).document).toBeUndefined();
  });
});
