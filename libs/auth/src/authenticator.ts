import { looksLikeApiKey, parseApiKey } from './api-key.js';
import { InvalidTokenError, type JwtVerifier, looksLikeJwt } from './jwt.js';
import type { KeyRegistry } from './key-registry.js';
import { type AgencyDirectory, agencyPrincipalProblem } from './key-service.js';
import type { Principal } from './principal.js';

/**
 * The outcome of reading a request's credential. `reason` and `keyId` are for logs: they never
 * contain the secret.
 */
export type AuthResult =
  | { readonly status: 'anonymous' }
  | { readonly status: 'authenticated'; readonly principal: Principal }
  | { readonly status: 'invalid'; readonly reason: string; readonly keyId?: string };

/** The header shapes a request may have (Express, fetch Headers or a plain record). */
export interface HasHeaders {
  readonly headers?: Readonly<Record<string, string | string[] | undefined>> | { get(name: string): string | null };
}

function authorizationOf(request: HasHeaders): string | undefined {
  const headers = request.headers;
  if (!headers) return undefined;
  if (typeof (headers as { get?: unknown }).get === 'function') {
    return (headers as { get(name: string): string | null }).get('authorization') ?? undefined;
  }
  const raw = (headers as Readonly<Record<string, string | string[] | undefined>>).authorization;
  return Array.isArray(raw) ? raw[0] : raw;
}

/**
 * Turns `Authorization: Bearer <credential>` into a principal: an API key (`apl_…`) checked
 * against the KeyRegistry, else, when configured, a JWT. The result is computed once per request.
 */
export class Authenticator {
  private readonly cache = new WeakMap<object, Promise<AuthResult>>();
  private keyUsed?: (keyId: string) => void;

  constructor(
    private readonly registry: KeyRegistry,
    private readonly jwt?: JwtVerifier,
    private readonly agencies?: AgencyDirectory,
  ) {}

  /** Calls `listener` with the key id each time an API key authenticates (KeyUsageLog notes it). */
  onKeyUsed(listener: (keyId: string) => void): void {
    this.keyUsed = listener;
  }

  /** The request's principal, cached on the request object. */
  authenticateRequest(request: HasHeaders): Promise<AuthResult> {
    let result = this.cache.get(request);
    if (!result) {
      result = this.authenticate(authorizationOf(request));
      this.cache.set(request, result);
    }
    return result;
  }

  /** Reads an Authorization header value. */
  async authenticate(authorization: string | undefined): Promise<AuthResult> {
    if (authorization === undefined || authorization.trim() === '') return { status: 'anonymous' };
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization.trim());
    if (!match) return { status: 'invalid', reason: 'Authorization header is not "Bearer <credential>"' };
    const credential = match[1];
    if (looksLikeApiKey(credential)) {
      const keyId = parseApiKey(credential)?.keyId;
      if (!keyId) return { status: 'invalid', reason: 'malformed API key' };
      let principal = this.registry.authenticate(credential);
      if (!principal && !this.registry.get(keyId)) {
        await this.registry.refreshKey(keyId);
        principal = this.registry.authenticate(credential);
      }
      if (!principal) {
        const record = this.registry.get(keyId);
        const reason = !record ? 'unknown API key' : record.revokedAt ? 'revoked API key' : 'wrong API key secret';
        return { status: 'invalid', reason, keyId };
      }
      this.keyUsed?.(keyId);
      return { status: 'authenticated', principal };
    }
    if (this.jwt && looksLikeJwt(credential)) {
      try {
        const principal = await this.jwt.verify(credential);
        const problem = principal.agencyId && this.agencies ? agencyPrincipalProblem(this.agencies, principal.agencyId) : undefined;
        if (problem) return { status: 'invalid', reason: `token agency_id ${problem}` };
        return { status: 'authenticated', principal };
      } catch (error) {
        const reason = error instanceof InvalidTokenError ? error.message : 'token verification failed';
        return { status: 'invalid', reason: `invalid token: ${reason}` };
      }
    }
    return { status: 'invalid', reason: this.jwt ? 'neither an API key nor a JWT' : 'not an API key' };
  }
}
