/**
 * CPU of the request gate's first step (RequestGate.admitDocument) per request, for the ingest
 * document, with the admitted-document cache against the checks it skips (lex, parse, expanded
 * size: what every request paid before issue 24), alternating in one process:
 *
 *   node --import @swc-node/register/esm-register bench/gate-admit.ts [--rounds 5] [--calls 20000]
 */
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { parse } from 'graphql';
import type { Authenticator } from '@app/auth';
import type { PublicOperations } from '../apps/api/src/auth/public-operations.js';
import { assertDocumentText, assertExpandedSize } from '../apps/api/src/auth/query-limits.js';
import { RequestGate } from '../apps/api/src/auth/request-gate.js';

const { values: args } = parseArgs({ options: { rounds: { type: 'string', default: '5' }, calls: { type: 'string', default: '20000' } } });
const QUERY = 'mutation ($input: RecordTrainingDeliveredInput!) { recordTrainingDelivered(input: $input) { position } }';
const variables = { input: { measureCode: 'II.1.3', reportId: 'r1', occurredOn: '2023-05-02', title: 'Border control course', participants: 12, days: 1 } };
const config = { maxDepth: 10, maxCost: 1000, maxAliases: 10, maxTokens: 1000, introspection: false, suggestions: false, rateLimitPerMinute: 0, bodyLimit: '1mb' };
const authenticator = { authenticate: async () => ({ status: 'anonymous' as const }) } as unknown as Authenticator;
const gate = new RequestGate(authenticator, {} as PublicOperations, config);
const caller = { transport: 'http' as const, authorization: undefined, address: '127.0.0.1', correlationId: 'c' };

const cpuUs = async (calls: number, fn: () => unknown) => {
  const start = process.cpuUsage();
  for (let i = 0; i < calls; i++) await fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / calls;
};
const calls = Number(args.calls);
for (let round = 0; round < Number(args.rounds); round++) {
  const cached = await cpuUs(calls, () => gate.admitDocument(QUERY, variables, caller));
  const checks = await cpuUs(calls, () => {
    assertDocumentText(QUERY, { maxTokens: config.maxTokens });
    assertExpandedSize(parse(QUERY, { maxTokens: config.maxTokens }), config.maxTokens);
  });
  process.stdout.write(`round ${round + 1}: admitDocument ${cached.toFixed(1)} µs/request; the lex, parse and size check it skips: ${checks.toFixed(1)} µs/request\n`);
}
