import { ConfigError } from '@app/config';
import { NoSchemaIntrospectionCustomRule } from 'graphql';
import { graphqlTransportOptions } from './graphql-options.js';
import type { RequestGate } from './request-gate.js';
import { loadSecurityConfig } from './security-config.js';

describe('security configuration', () => {
  it('has the documented defaults', () => {
    expect(loadSecurityConfig({ nodeEnv: 'production' }, {})).toEqual({
      maxDepth: 10,
      maxCost: 50_000,
      maxAliases: 30,
      maxTokens: 10000,
      introspection: false,
      suggestions: false,
      rateLimitPerMinute: 600,
      bodyLimit: '5mb',
      jwt: undefined,
      adminApiKey: undefined,
    });
  });

  it('turns introspection and suggestions on in development only, introspection overridable', () => {
    expect(loadSecurityConfig({ nodeEnv: 'development' }, {})).toMatchObject({ introspection: true, suggestions: true });
    expect(loadSecurityConfig({ nodeEnv: 'test' }, {})).toMatchObject({ introspection: false, suggestions: false });
    expect(loadSecurityConfig({ nodeEnv: 'production' }, { GRAPHQL_INTROSPECTION: 'true' }).introspection).toBe(true);
    expect(loadSecurityConfig({ nodeEnv: 'development' }, { GRAPHQL_INTROSPECTION: 'false' }).introspection).toBe(false);
  });

  it("maps to the Apollo options: the gate's rules and parse options, no batching, no IDE without introspection", () => {
    const config = loadSecurityConfig({ nodeEnv: 'production' }, {});
    const gate = { config, validationRules: [NoSchemaIntrospectionCustomRule], parseOptions: { maxTokens: config.maxTokens } } as unknown as RequestGate;
    expect(graphqlTransportOptions(gate)).toMatchObject({
      validationRules: [NoSchemaIntrospectionCustomRule],
      graphiql: false,
      allowBatchedHttpRequests: false,
      parseOptions: { maxTokens: 10000 },
      includeStacktraceInErrorResponses: false,
      subscriptions: { 'graphql-ws': expect.objectContaining({ path: '/graphql', onSubscribe: expect.any(Function) }) },
    });
  });

  it.each([
    [{ GRAPHQL_MAX_DEPTH: '0' }, 'GRAPHQL_MAX_DEPTH'],
    [{ GRAPHQL_MAX_COST: 'lots' }, 'GRAPHQL_MAX_COST'],
    [{ GRAPHQL_INTROSPECTION: 'yes' }, 'GRAPHQL_INTROSPECTION'],
    [{ RATE_LIMIT_PER_MINUTE: '-1' }, 'RATE_LIMIT_PER_MINUTE'],
    [{ HTTP_BODY_LIMIT: '1 GB' }, 'HTTP_BODY_LIMIT'],
    [{ ADMIN_API_KEY: 'hunter2' }, 'ADMIN_API_KEY'],
    [{ AUTH_JWT_JWKS_URL: 'https://idp/jwks' }, 'AUTH_JWT_ISSUER'],
  ])('refuses %j naming the variable', (env, variable) => {
    expect(() => loadSecurityConfig({ nodeEnv: 'production' }, env)).toThrow(ConfigError);
    expect(() => loadSecurityConfig({ nodeEnv: 'production' }, env)).toThrow(new RegExp(`^Invalid configuration: ${variable} `));
  });

  it('never echoes a bad ADMIN_API_KEY', () => {
    expect(() => loadSecurityConfig({ nodeEnv: 'production' }, { ADMIN_API_KEY: 'hunter2-secret' })).not.toThrow(/hunter2/);
  });
});
