import { generateKeyPairSync } from 'node:crypto';
import { createHmac } from 'node:crypto';
import { SignJWT } from 'jose';
import { ConfigError } from '@app/config';
import { InvalidTokenError, JwtVerifier, loadJwtConfig, looksLikeJwt, principalFromClaims } from './jwt.js';

const ISSUER = 'https://idp.example.test/';
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });

async function token(
  claims: Record<string, unknown>,
  options: { issuer?: string; audience?: string; expiresIn?: string | number; key?: typeof privateKey; alg?: string } = {},
): Promise<string> {
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: options.alg ?? 'ES256' })
    .setIssuer(options.issuer ?? ISSUER)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '5m');
  if (options.audience) jwt.setAudience(options.audience);
  return jwt.sign(options.key ?? privateKey);
}

describe('JWT configuration', () => {
  it('is off without AUTH_JWT_ISSUER', () => {
    expect(loadJwtConfig({})).toBeUndefined();
  });

  it('reads issuer, key and audience', () => {
    expect(loadJwtConfig({ AUTH_JWT_ISSUER: ISSUER, AUTH_JWT_PUBLIC_KEY: pem, AUTH_JWT_AUDIENCE: 'ledger' })).toEqual({
      issuer: ISSUER,
      publicKeyPem: pem.trim(),
      audience: 'ledger',
      jwksUrl: undefined,
    });
  });

  it('accepts a one-line PEM with literal \\n', () => {
    const oneLine = pem.trim().replace(/\n/g, '\\n');
    expect(loadJwtConfig({ AUTH_JWT_ISSUER: ISSUER, AUTH_JWT_PUBLIC_KEY: oneLine })?.publicKeyPem).toBe(pem.trim());
  });

  it.each([
    [{ AUTH_JWT_PUBLIC_KEY: 'x' }, 'AUTH_JWT_ISSUER'],
    [{ AUTH_JWT_ISSUER: ISSUER }, 'AUTH_JWT_JWKS_URL'],
    [{ AUTH_JWT_ISSUER: ISSUER, AUTH_JWT_JWKS_URL: 'https://idp/jwks', AUTH_JWT_PUBLIC_KEY: pem }, 'AUTH_JWT_PUBLIC_KEY'],
    [{ AUTH_JWT_ISSUER: ISSUER, AUTH_JWT_JWKS_URL: 'not a url' }, 'AUTH_JWT_JWKS_URL'],
  ])('names the variable when half-configured: %j', (env, variable) => {
    expect(() => loadJwtConfig(env)).toThrow(ConfigError);
    expect(() => loadJwtConfig(env)).toThrow(variable);
  });

  it('refuses a public key that is not PEM, naming the variable', () => {
    expect(() => JwtVerifier.create({ issuer: ISSUER, publicKeyPem: 'garbage' })).toThrow('AUTH_JWT_PUBLIC_KEY');
  });
});

describe('JWT claims → principal', () => {
  it('maps sub, role, agency_id and name', () => {
    expect(principalFromClaims({ sub: 'u1', role: 'agency', agency_id: 'police', name: 'Police system' })).toEqual({
      id: 'u1',
      role: 'AGENCY',
      agencyId: 'police',
      label: 'Police system',
    });
    expect(principalFromClaims({ sub: 'u2', role: 'AUDITOR' })).toEqual({ id: 'u2', role: 'AUDITOR', label: 'u2' });
  });

  it.each([
    [{ role: 'ADMIN' }, 'sub'],
    [{ sub: 'u', role: 'ROOT' }, 'role'],
    [{ sub: 'u' }, 'role'],
    [{ sub: 'u', role: 'AGENCY' }, 'agency_id'],
    [{ sub: 'u', role: 'COORDINATOR', agency_id: 'police' }, 'agency_id'],
  ])('refuses %j', (claims, mention) => {
    expect(() => principalFromClaims(claims)).toThrow(InvalidTokenError);
    expect(() => principalFromClaims(claims)).toThrow(mention);
  });
});

describe('JwtVerifier with a local key pair', () => {
  const verifier = JwtVerifier.create({ issuer: ISSUER, publicKeyPem: pem, audience: 'ledger' });

  it('accepts a valid token and maps it', async () => {
    const jwt = await token({ sub: 'moi-system', role: 'AGENCY', agency_id: 'ministry-of-interior' }, { audience: 'ledger' });
    expect(looksLikeJwt(jwt)).toBe(true);
    await expect(verifier.verify(jwt)).resolves.toEqual({
      id: 'moi-system',
      role: 'AGENCY',
      agencyId: 'ministry-of-interior',
      label: 'moi-system',
    });
  });

  it.each([
    ['another issuer', { issuer: 'https://evil.test/', audience: 'ledger' }],
    ['another audience', { audience: 'other' }],
    ['no audience', {}],
    ['expired', { audience: 'ledger', expiresIn: Math.floor(Date.now() / 1000) - 60 }],
    ['signed by another key', { audience: 'ledger', key: other.privateKey }],
  ])('refuses a token with %s', async (_label, options) => {
    const jwt = await token({ sub: 'x', role: 'ADMIN' }, options);
    await expect(verifier.verify(jwt)).rejects.toThrow(InvalidTokenError);
  });

  it('refuses a token with bad claims', async () => {
    const jwt = await token({ sub: 'x', role: 'SUPERUSER' }, { audience: 'ledger' });
    await expect(verifier.verify(jwt)).rejects.toThrow('role');
  });

  it('refuses garbage', async () => {
    await expect(verifier.verify('a.b.c')).rejects.toThrow(InvalidTokenError);
  });

  it('refuses an unsigned token (alg none)', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url');
    const payload = Buffer.from(JSON.stringify({ sub: 'x', role: 'ADMIN', iss: ISSUER, aud: 'ledger' })).toString('base64url');
    await expect(verifier.verify(`${header}.${payload}.`)).rejects.toThrow(InvalidTokenError);
  });

  it('refuses an HS256 token signed with the public key as the secret (algorithm confusion)', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const payload = Buffer.from(JSON.stringify({ sub: 'x', role: 'ADMIN', iss: ISSUER, aud: 'ledger', exp: now + 60 })).toString('base64url');
    const signature = createHmac('sha256', pem).update(`${header}.${payload}`).digest('base64url');
    await expect(verifier.verify(`${header}.${payload}.${signature}`)).rejects.toThrow(InvalidTokenError);
  });
});
