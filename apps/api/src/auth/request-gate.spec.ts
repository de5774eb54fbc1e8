import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { type Authenticator, ForbiddenError, RULES } from '@app/auth';
import { GraphQLError, print } from 'graphql';
import type { PublicOperations } from './public-operations.js';
import { QueryTooComplexError } from './query-limits.js';
import { type OperationRecord, RequestGate } from './request-gate.js';
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

describe('RequestGate.noteErrors: refusals logged once per rule', () => {
  afterEach(() => jest.restoreAllMocks());

  it('logs one line per rule with the first path and the count, and every code on the record', () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const record: OperationRecord = { transport: 'http', operation: 'Mine', principal: 'k1', role: 'AGENCY', agency: 'a1', units: 1, codes: [] };
    // As graphql-js reports a ForbiddenError thrown by a resolver: located, the original kept.
    const refusal = (path: Array<string | number>, rule: string) => {
      const original = new ForbiddenError('refused', rule);
      return new GraphQLError(original.message, { path, originalError: original, extensions: original.extensions });
    };
    const errors = [
      refusal(['measures', 3, 'status'], RULES.AGENCY_NOT_ASSIGNED_TO_READ),
      refusal(['measures', 3, 'reportCount'], RULES.AGENCY_NOT_ASSIGNED_TO_READ),
      refusal(['measures', 7, 'status'], RULES.AGENCY_NOT_ASSIGNED_TO_READ),
      new GraphQLError('bad', { path: ['measures', 0, 'status'], extensions: { code: 'BAD_USER_INPUT' } }),
      refusal(['planProgress'], RULES.ROLE_NOT_PERMITTED),
    ];
    gateOf().noteErrors(record, errors);
    expect(record.codes).toEqual(['FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'BAD_USER_INPUT', 'FORBIDDEN']);
    expect(warn.mock.calls.map((c) => c[0])).toEqual([
      'FORBIDDEN rule=agency-reads-assigned-measures-only principal=k1 role=AGENCY agency=a1 operation=Mine transport=http path=measures.3.status refusals=3',
      'FORBIDDEN rule=role-not-permitted principal=k1 role=AGENCY agency=a1 operation=Mine transport=http path=planProgress',
    ]);
    // Logged once: the same errors noted again (another plugin hook) add no line.
    gateOf().noteErrors(record, errors);
    expect(warn).toHaveBeenCalledTimes(2);
  });
});
