import { randomUUID } from 'node:crypto';
import type { HashAlgorithm } from './api-key.js';
import type { Role } from './principal.js';

/**
 * Credentials are events like everything else: one stream per key, `apikey-<keyId>`, holding
 * `ApiKeyIssued` and, later, `ApiKeyRevoked`. Only the salted hash of the secret is stored.
 */
export const API_KEY_STREAM_PREFIX = 'apikey-';
export const apiKeyStream = (keyId: string): string => `${API_KEY_STREAM_PREFIX}${keyId}`;

export const API_KEY_ISSUED = 'ApiKeyIssued';
export const API_KEY_REVOKED = 'ApiKeyRevoked';
export const API_KEY_EVENT_TYPES = [API_KEY_ISSUED, API_KEY_REVOKED] as const;

export interface ApiKeyIssuedData {
  readonly keyId: string;
  readonly role: Role;
  /** Only for AGENCY keys: the agency of the register the key acts for. */
  readonly agencyId?: string;
  readonly label: string;
  readonly salt: string;
  readonly hash: string;
  readonly algorithm: HashAlgorithm;
}

export interface ApiKeyRevokedData {
  readonly keyId: string;
  readonly reason: string;
}

export interface ApiKeyEventMetadata {
  /** Who did it: the principal id (API key id, JWT subject, `cli:<user>`, `system:bootstrap`). */
  readonly principal: string;
  readonly recordedAt: string;
  readonly schemaVersion: 1;
  readonly correlationId: string;
}

export type ApiKeyIssued = {
  readonly type: typeof API_KEY_ISSUED;
  readonly data: ApiKeyIssuedData;
  readonly metadata: ApiKeyEventMetadata;
};
export type ApiKeyRevoked = {
  readonly type: typeof API_KEY_REVOKED;
  readonly data: ApiKeyRevokedData;
  readonly metadata: ApiKeyEventMetadata;
};
export type ApiKeyEvent = ApiKeyIssued | ApiKeyRevoked;

export function apiKeyMetadata(principal: string, correlationId: string = randomUUID(), now: Date = new Date()): ApiKeyEventMetadata {
  return { principal, recordedAt: now.toISOString(), schemaVersion: 1, correlationId };
}
