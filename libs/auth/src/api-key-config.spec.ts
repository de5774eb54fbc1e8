import { loadConfig } from '@app/config';
import { generateApiKey } from './api-key.js';

describe('ADMIN_API_KEY and the API key format', () => {
  it('the configuration schema accepts the keys this library issues', () => {
    for (let i = 0; i < 20; i++) {
      const { key } = generateApiKey();
      expect(loadConfig({ ADMIN_API_KEY: key }).adminApiKey).toBe(key);
    }
  });

  it('and refuses what parseApiKey refuses', () => {
    for (const bad of ['apl_short_' + 'x'.repeat(43), 'apl_abcdefgh12_tooShort', 'key_abcdefgh1234_' + 'x'.repeat(43)]) {
      expect(() => loadConfig({ ADMIN_API_KEY: bad })).toThrow(/ADMIN_API_KEY/);
    }
  });
});
