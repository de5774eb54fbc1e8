import { createPublicKey, type KeyObject } from 'node:crypto';
import { createRemoteJWKSet, errors as joseErrors, type JWTPayload, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { ConfigError, type JwtConfig, loadJwtEnv } from '@app/config';
import { type Principal, ROLES, type Role } from './principal.js';

/**
 * Optional JWT bearer tokens, for deployments whose people and systems sign in at an identity
 * provider. API keys keep working beside them. Claims: `sub` (the principal id), `role`
 * (AGENCY | COORDINATOR | AUDITOR | ADMIN, any case), `agency_id` (AGENCY only), `name` (label).
 * The settings (AUTH_JWT_*) are part of the one configuration schema in libs/config.
 */
export type { JwtConfig };

/**
 * Reads AUTH_JWT_ISSUER, AUTH_JWT_JWKS_URL, AUTH_JWT_PUBLIC_KEY and AUTH_JWT_AUDIENCE (through
 * the configuration schema). Undefined when JWT is not configured; a ConfigError naming the
 * variable when half-configured.
 */
export function loadJwtConfig(env: Readonly<Record<string, string | undefined>>): JwtConfig | undefined {
  return loadJwtEnv(env);
}

/** A token that is not acceptable; the reason is for logs, the client only sees UNAUTHENTICATED. */
export class InvalidTokenError extends Error {
  override readonly name = 'InvalidTokenError';
}

/** Maps verified claims to a principal. */
export function principalFromClaims(claims: JWTPayload): Principal {
  if (typeof claims.sub !== 'string' || !claims.sub) throw new InvalidTokenError('the token has no "sub" claim');
  const roleClaim = typeof claims.role === 'string' ? claims.role.trim().toUpperCase() : undefined;
  if (!roleClaim || !(ROLES as readonly string[]).includes(roleClaim)) {
    throw new InvalidTokenError(`claim "role" must be one of ${ROLES.join(', ')}`);
  }
  const role = roleClaim as Role;
  const agencyClaim = typeof claims.agency_id === 'string' ? claims.agency_id.trim() : undefined;
  if (role === 'AGENCY' && !agencyClaim) throw new InvalidTokenError('an AGENCY token needs claim "agency_id"');
  if (role !== 'AGENCY' && agencyClaim) throw new InvalidTokenError(`a ${role} token must not carry claim "agency_id"`);
  const label = typeof claims.name === 'string' && claims.name ? claims.name : claims.sub;
  return { id: claims.sub, role, ...(role === 'AGENCY' ? { agencyId: agencyClaim } : {}), label };
}

/** The signature algorithms a PEM key may verify, so a token cannot pick a weaker one. */
function algorithmsFor(key: KeyObject): string[] {
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];
    case 'rsa-pss':
      return ['PS256', 'PS384', 'PS512'];
    case 'ec': {
      const curve = key.asymmetricKeyDetails?.namedCurve;
      if (curve === 'prime256v1') return ['ES256'];
      if (curve === 'secp384r1') return ['ES384'];
      if (curve === 'secp521r1') return ['ES512'];
      throw new ConfigError('AUTH_JWT_PUBLIC_KEY', `uses an unsupported EC curve (${String(curve)})`);
    }
    case 'ed25519':
      return ['EdDSA', 'Ed25519'];
    default:
      throw new ConfigError('AUTH_JWT_PUBLIC_KEY', `has an unsupported key type (${String(key.asymmetricKeyType)})`);
  }
}

export class JwtVerifier {
  private constructor(
    private readonly config: JwtConfig,
    private readonly key: KeyObject | JWTVerifyGetKey,
    private readonly algorithms: string[] | undefined,
  ) {}

  static create(config: JwtConfig): JwtVerifier {
    if (config.publicKeyPem) {
      let key: KeyObject;
      try {
        key = createPublicKey(config.publicKeyPem);
      } catch (error) {
        throw new ConfigError('AUTH_JWT_PUBLIC_KEY', `is not a PEM public key (${(error as Error).message})`);
      }
      return new JwtVerifier(config, key, algorithmsFor(key));
    }
    if (!config.jwksUrl) throw new ConfigError('AUTH_JWT_JWKS_URL', 'or AUTH_JWT_PUBLIC_KEY is required');
    // JWKS keys carry their algorithm; symmetric ones are refused by jose for remote sets.
    return new JwtVerifier(config, createRemoteJWKSet(new URL(config.jwksUrl)), undefined);
  }

  /** Verifies signature, issuer, audience and lifetime, then maps the claims. */
  async verify(token: string): Promise<Principal> {
    try {
      const options = {
        issuer: this.config.issuer,
        ...(this.config.audience ? { audience: this.config.audience } : {}),
        ...(this.algorithms ? { algorithms: this.algorithms } : {}),
      };
      const { payload } =
        typeof this.key === 'function'
          ? await jwtVerify(token, this.key, options)
          : await jwtVerify(token, this.key, options);
      return principalFromClaims(payload);
    } catch (error) {
      if (error instanceof InvalidTokenError) throw error;
      if (error instanceof joseErrors.JOSEError) throw new InvalidTokenError(`${error.code}: ${error.message}`);
      throw new InvalidTokenError((error as Error).message);
    }
  }
}

/** Whether a bearer value has the shape of a compact JWS (three base64url parts). */
export function looksLikeJwt(value: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(value);
}
