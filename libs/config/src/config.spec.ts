import { BULK_REPORT_BYTES, CONFIG_VARIABLES, ConfigError, loadConfig, loadPlanFilesEnv, sizeInBytes } from './config.js';

describe('loadConfig', () => {
  it('has defaults for a fresh machine', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ nodeEnv: 'development', port: 3000, logLevel: 'info' });
    expect(config.dataDir).toMatch(/data$/);
    expect(config.eventStoreConnectionString).toBeUndefined();
  });

  it.each([
    ['PORT', 'abc', /PORT must be a whole number from 0 to 65535 \(got "abc"\)/],
    ['PORT', '70000', /PORT must be a whole number/],
    ['HOST', 'every interface', /HOST must be an IP address such as 127.0.0.1 or 0.0.0.0, or a host name \(got "every interface"\)/],
    ['HOST', 'http://0.0.0.0', /HOST must be an IP address/],
    ['NODE_ENV', 'prod', /NODE_ENV must be one of development, production, test \(got "prod"\)/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL must be one of/],
    ['EVENTSTORE_CONNECTION_STRING', 'http://x', /EVENTSTORE_CONNECTION_STRING must be an EventStoreDB connection string/],
  ])('refuses %s=%s naming the variable', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });

  it('listens on loopback unless HOST says otherwise', () => {
    expect(loadConfig({}).host).toBe('127.0.0.1');
    expect(loadConfig({ NODE_ENV: 'production' }).host).toBe('127.0.0.1');
    for (const host of ['0.0.0.0', '::', '::1', '10.1.2.3', 'localhost', 'api.internal']) expect(loadConfig({ HOST: host }).host).toBe(host);
  });

  it('accepts an EventStoreDB connection string, in every spelling of the scheme KurrentDB uses', () => {
    for (const value of [
      'esdb://localhost:2113?tls=false',
      'esdb+discover://a,b,c:2113',
      'kurrent://admin:changeit@localhost:2113?tls=false',
      'kurrent+discover://db:2113',
      'kurrentdb://localhost:2113',
      'kdb://localhost:2113',
    ]) {
      expect(loadConfig({ EVENTSTORE_CONNECTION_STRING: value }).eventStoreConnectionString).toBe(value);
    }
  });

  it('has the defaults of every other variable', () => {
    expect(loadConfig({ NODE_ENV: 'production' })).toMatchObject({
      logFormat: 'json',
      planFiles: undefined,
      readYourWritesTimeoutMs: 5000,
      readinessMaxLag: 1000,
      pointInTime: { interval: 2500, maxSnapshots: 400, warmSeconds: 30 },
      graphql: { maxDepth: 10, maxCost: 50_000, maxAliases: 30, maxTokens: 10_000, introspection: false },
      rateLimitPerMinute: 600,
      httpBodyLimit: '5mb',
      adminApiKey: undefined,
      jwt: undefined,
    });
    expect(loadConfig({})).toMatchObject({ logFormat: 'pretty', graphql: { introspection: true } });
    expect(loadConfig({ NODE_ENV: 'development', LOG_FORMAT: 'json' }).logFormat).toBe('json');
  });

  it('derives HTTP_BODY_LIMIT from BULK_MAX_ROWS when unset, so a full recordReports batch fits (at least 1mb)', () => {
    expect(loadConfig({}).httpBodyLimit).toBe('5mb');
    expect(loadConfig({ BULK_MAX_ROWS: '40000' }).httpBodyLimit).toBe('20mb');
    expect(loadConfig({ BULK_MAX_ROWS: '50' }).httpBodyLimit).toBe('1mb');
    expect(loadConfig({ HTTP_BODY_LIMIT: '1MB', BULK_MAX_ROWS: '2048' }).httpBodyLimit).toBe('1mb');
    expect(loadConfig({ HTTP_BODY_LIMIT: '6000kb' }).httpBodyLimit).toBe('6000kb');
    expect(sizeInBytes(loadConfig({ BULK_MAX_ROWS: '12345' }).httpBodyLimit)).toBeGreaterThanOrEqual(12_345 * BULK_REPORT_BYTES);
  });

  it.each([
    [{ HTTP_BODY_LIMIT: '1mb' }, /HTTP_BODY_LIMIT \(1mb\) cannot carry a recordReports request of BULK_MAX_ROWS \(10000\) reports: .* at least 5mb/],
    [{ HTTP_BODY_LIMIT: '4mb', BULK_MAX_ROWS: '20000' }, /HTTP_BODY_LIMIT \(4mb\) .*BULK_MAX_ROWS \(20000\).* at least 10mb/],
    [{ HTTP_BODY_LIMIT: '100000b', BULK_MAX_ROWS: '200' }, /HTTP_BODY_LIMIT \(100000b\) .*BULK_MAX_ROWS \(200\)/],
  ])('refuses at start a body limit that cannot carry BULK_MAX_ROWS reports, naming both: %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('reads the point-in-time tuning', () => {
    const env = { POINT_IN_TIME_SNAPSHOT_INTERVAL: '10000', POINT_IN_TIME_MAX_SNAPSHOTS: '100', POINT_IN_TIME_WARM_SECONDS: '0' };
    expect(loadConfig(env).pointInTime).toEqual({ interval: 10_000, maxSnapshots: 100, warmSeconds: 0 });
  });

  it('reads PLAN_FILES as a list, "none" as none', () => {
    expect(loadConfig({ PLAN_FILES: ' a.yaml, plans/b.yml ' }).planFiles).toEqual(['a.yaml', 'plans/b.yml']);
    expect(loadConfig({ PLAN_FILES: 'none' }).planFiles).toEqual([]);
    expect(loadPlanFilesEnv('')).toBeUndefined();
  });

  it.each([
    ['LOG_FORMAT', 'xml', /LOG_FORMAT must be one of json, pretty/],
    ['READINESS_MAX_LAG', '-1', /READINESS_MAX_LAG must be a whole number/],
    ['READ_YOUR_WRITES_TIMEOUT_MS', '0', /READ_YOUR_WRITES_TIMEOUT_MS must be a whole number from 1 to 60000/],
    ['PLAN_FILES', 'plan.json', /PLAN_FILES .*"plan.json" is not a YAML file name/],
    ['HTTP_BODY_LIMIT', '1 GB', /HTTP_BODY_LIMIT must be a size/],
    ['GRAPHQL_INTROSPECTION', 'yes', /GRAPHQL_INTROSPECTION must be true or false/],
    ['POINT_IN_TIME_SNAPSHOT_INTERVAL', '10', /POINT_IN_TIME_SNAPSHOT_INTERVAL must be a whole number from 100 to 10000000/],
    ['POINT_IN_TIME_MAX_SNAPSHOTS', '1', /POINT_IN_TIME_MAX_SNAPSHOTS must be a whole number from 2 to 1000000/],
    ['POINT_IN_TIME_WARM_SECONDS', 'soon', /POINT_IN_TIME_WARM_SECONDS must be a whole number from 0 to 86400/],
    ['AUTH_JWT_AUDIENCE', 'ledger', /AUTH_JWT_ISSUER is required when AUTH_JWT_AUDIENCE is set/],
  ])('refuses %s=%s naming the variable', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });

  it('refuses a PEM key that is not one, before anything starts', () => {
    expect(() => loadConfig({ AUTH_JWT_ISSUER: 'https://idp/', AUTH_JWT_PUBLIC_KEY: 'garbage' })).toThrow(/AUTH_JWT_PUBLIC_KEY must be a PEM public key/);
  });

  it('reports every bad variable at once, one a line', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'abc', LOG_LEVEL: 'loud', ADMIN_API_KEY: 'hunter2' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const configError = error as ConfigError;
    expect(configError.variable).toBe('PORT');
    expect(configError.problems.map((p) => p.variable)).toEqual(['PORT', 'LOG_LEVEL', 'ADMIN_API_KEY']);
    expect(configError.message.split('\n')).toHaveLength(3);
    expect(configError.message).not.toMatch(/hunter2/);
  });

  it('describes every variable once', () => {
    const names = CONFIG_VARIABLES.map((v) => v.name);
    expect(new Set(names).size).toBe(names.length);
    for (const variable of CONFIG_VARIABLES) expect(variable.meaning.length).toBeGreaterThan(5);
  });
});
