import { generateApiKey, hashSecret, parseApiKey, verifySecret, formatApiKey, KEY_ID_LENGTH } from './api-key.js';

describe('API keys', () => {
  it('have the form apl_<keyId>_<secret> with a 12-character id and a 32-byte base64url secret', () => {
    const { key, keyId, secret } = generateApiKey();
    expect(key).toBe(`apl_${keyId}_${secret}`);
    expect(keyId).toMatch(new RegExp(`^[A-Za-z0-9]{${KEY_ID_LENGTH}}$`));
    expect(Buffer.from(secret, 'base64url')).toHaveLength(32);
    expect(generateApiKey().key).not.toBe(key);
  });

  it('parse back to id and secret, even when the secret contains "_"', () => {
    const secret = `ab_${'x'.repeat(41)}`;
    expect(parseApiKey(formatApiKey('AbCdEf123456', secret))).toEqual({ keyId: 'AbCdEf123456', secret });
    const generated = generateApiKey();
    expect(parseApiKey(generated.key)).toEqual({ keyId: generated.keyId, secret: generated.secret });
  });

  it.each([
    ['', 'empty'],
    ['Bearer apl_x', 'not a key'],
    ['apl_short_secret', 'short secret'],
    [`apl_${'a'.repeat(12)}`, 'no secret'],
    [`apl_bad-id!!!!_${'x'.repeat(43)}`, 'bad id characters'],
    [`xyz_${'a'.repeat(12)}_${'x'.repeat(43)}`, 'wrong prefix'],
  ])('refuse %j (%s)', (value) => {
    expect(parseApiKey(value)).toBeUndefined();
  });

  it('store only a salted hash that verifies the secret and nothing else', () => {
    const { secret } = generateApiKey();
    const stored = hashSecret(secret);
    expect(stored.algorithm).toBe('hmac-sha256');
    expect(JSON.stringify(stored)).not.toContain(secret);
    expect(verifySecret(secret, stored)).toBe(true);
    expect(verifySecret(`${secret}x`, stored)).toBe(false);
    expect(verifySecret(secret.slice(1), stored)).toBe(false);
    expect(verifySecret(secret, { ...stored, algorithm: 'md5' })).toBe(false);
  });

  it('salt every hash: the same secret hashes differently for two keys', () => {
    const { secret } = generateApiKey();
    const a = hashSecret(secret);
    const b = hashSecret(secret);
    expect(a.salt).not.toBe(b.salt);
    expect(a.hash).not.toBe(b.hash);
    expect(verifySecret(secret, b)).toBe(true);
  });

  it('hash deterministically for a given salt', () => {
    const salt = Buffer.alloc(16, 7);
    expect(hashSecret('s'.repeat(43), salt)).toEqual(hashSecret('s'.repeat(43), salt));
  });
});
