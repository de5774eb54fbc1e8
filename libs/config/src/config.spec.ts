import { ConfigError, loadConfig } from './config.js';

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
    ['NODE_ENV', 'prod', /NODE_ENV must be one of development, production, test \(got "prod"\)/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL must be one of/],
    ['EVENTSTORE_CONNECTION_STRING', 'http://x', /EVENTSTORE_CONNECTION_STRING must be an EventStoreDB connection string/],
  ])('refuses %s=%s naming the variable', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });

  it('accepts an EventStoreDB connection string', () => {
    expect(loadConfig({ EVENTSTORE_CONNECTION_STRING: 'esdb://localhost:2113?tls=false' }).eventStoreConnectionString).toBe(
      'esdb://localhost:2113?tls=false',
    );
  });
});
