import { createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

/**
 * API keys: the bearer credential of agency systems and operators.
 *
 * Format `apl_<keyId>_<secret>`:
 * - `keyId`: 12 characters of [A-Za-z0-9], public (it names the key in lists, logs and events);
 * - `secret`: 32 random bytes, base64url (43 characters; may itself contain `_` or `-`).
 *
 * Only a salted hash of the secret is stored. The secret carries 256 bits of randomness, so a
 * fast keyed hash (HMAC-SHA256 keyed by a per-key random salt) is as strong as a slow one here and
 * keeps every request cheap; comparison is constant-time.
 */
export const API_KEY_PREFIX = 'apl';
export const KEY_ID_LENGTH = 12;
export const SECRET_BYTES = 32;
export const HASH_ALGORITHM = 'hmac-sha256';
export type HashAlgorithm = typeof HASH_ALGORITHM;

const KEY_ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** A key id: letters and digits only, so `_` can separate the parts of a key. */
const KEY_ID_PATTERN = /^[A-Za-z0-9]{8,64}$/;
/** At least 32 bytes of base64url. */
const SECRET_PATTERN = /^[A-Za-z0-9_-]{43,}$/;

export interface ParsedApiKey {
  readonly keyId: string;
  readonly secret: string;
}

export interface GeneratedApiKey extends ParsedApiKey {
  /** The whole bearer credential; shown once, never stored. */
  readonly key: string;
}

export interface SecretHash {
  readonly algorithm: HashAlgorithm;
  /** base64url */
  readonly salt: string;
  /** base64url */
  readonly hash: string;
}

export function generateKeyId(): string {
  let id = '';
  for (let i = 0; i < KEY_ID_LENGTH; i++) id += KEY_ID_ALPHABET[randomInt(KEY_ID_ALPHABET.length)];
  return id;
}

export function formatApiKey(keyId: string, secret: string): string {
  return `${API_KEY_PREFIX}_${keyId}_${secret}`;
}

/** A new random key. */
export function generateApiKey(): GeneratedApiKey {
  const keyId = generateKeyId();
  const secret = randomBytes(SECRET_BYTES).toString('base64url');
  return { keyId, secret, key: formatApiKey(keyId, secret) };
}

/** Splits a bearer value into key id and secret; undefined when it is not an API key. */
export function parseApiKey(value: string): ParsedApiKey | undefined {
  const prefix = `${API_KEY_PREFIX}_`;
  if (!value.startsWith(prefix)) return undefined;
  const rest = value.slice(prefix.length);
  const separator = rest.indexOf('_');
  if (separator < 0) return undefined;
  const keyId = rest.slice(0, separator);
  const secret = rest.slice(separator + 1);
  if (!KEY_ID_PATTERN.test(keyId) || !SECRET_PATTERN.test(secret)) return undefined;
  return { keyId, secret };
}

/** Whether a value looks like an API key of this system (used to recognise the bearer kind). */
export function looksLikeApiKey(value: string): boolean {
  return value.startsWith(`${API_KEY_PREFIX}_`);
}

function hmac(secret: string, salt: Buffer): Buffer {
  return createHmac('sha256', salt).update(secret, 'utf8').digest();
}

/** Hashes a secret with a fresh random salt (or the given one, for tests). */
export function hashSecret(secret: string, salt: Buffer = randomBytes(16)): SecretHash {
  return { algorithm: HASH_ALGORITHM, salt: salt.toString('base64url'), hash: hmac(secret, salt).toString('base64url') };
}

/** Constant-time check of a presented secret against a stored hash. */
export function verifySecret(secret: string, stored: { readonly algorithm: string; readonly salt: string; readonly hash: string }): boolean {
  if (stored.algorithm !== HASH_ALGORITHM) return false;
  const expected = Buffer.from(stored.hash, 'base64url');
  const actual = hmac(secret, Buffer.from(stored.salt, 'base64url'));
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
