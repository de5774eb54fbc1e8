import type { Decider, RecordedEvent, StoredEvent } from '@app/event-store';
import { API_KEY_ISSUED, API_KEY_REVOKED, type ApiKeyIssuedData, type ApiKeyRevokedData } from './api-key.events.js';
import { HASH_ALGORITHM } from './api-key.js';
import { NotFoundError } from './auth-errors.js';
import { ROLES, type Role } from './principal.js';

const isRole = (value: unknown): value is Role => typeof value === 'string' && (ROLES as readonly string[]).includes(value);

/** A key event without its metadata: what the key decider decides. */
export type ApiKeyEventBody =
  | { readonly type: typeof API_KEY_ISSUED; readonly data: ApiKeyIssuedData }
  | { readonly type: typeof API_KEY_REVOKED; readonly data: ApiKeyRevokedData };

export type ApiKeyCommand =
  /** Issue a key. `whenExists`: `keep` registers a given key idempotently, `refuse` fails (a random id taken). */
  | { readonly kind: 'issue'; readonly data: ApiKeyIssuedData; readonly whenExists: 'keep' | 'refuse' }
  /** Revoke a key at once; revoking a revoked key changes nothing. */
  | { readonly kind: 'revoke'; readonly keyId: string; readonly reason: string };

export type ApiKeyState = 'absent' | 'active' | 'revoked';

/** The decider of a key's stream, `apikey-<keyId>`. */
export const apiKeyDecider: Decider<ApiKeyState, ApiKeyCommand, ApiKeyEventBody> = {
  initialState: 'absent',
  evolve(state, event) {
    switch (event.type) {
      case API_KEY_ISSUED:
        return state === 'absent' ? 'active' : state;
      case API_KEY_REVOKED:
        return state === 'absent' ? state : 'revoked';
      default: {
        const unreachable: never = event;
        return unreachable;
      }
    }
  },
  decide(command, state) {
    switch (command.kind) {
      case 'issue':
        if (state === 'absent') return [{ type: API_KEY_ISSUED, data: command.data }];
        if (command.whenExists === 'keep') return [];
        throw new Error(`An API key with id "${command.data.keyId}" exists already`);
      case 'revoke':
        if (state === 'absent') throw new NotFoundError(`No API key with id "${command.keyId}"`);
        if (state === 'revoked') return [];
        return [{ type: API_KEY_REVOKED, data: { keyId: command.keyId, reason: command.reason } }];
      default: {
        const unreachable: never = command;
        return unreachable;
      }
    }
  },
};

/**
 * A stored key event as the decider reads it, its data checked for the fields of its type;
 * undefined for anything else (later types, a malformed event, which the key registry ignores too).
 */
export function readApiKeyEvent(recorded: RecordedEvent): StoredEvent<ApiKeyEventBody> | undefined {
  const { data } = recorded;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return undefined;
  const at = { id: recorded.id, stream: recorded.stream, revision: recorded.revision, position: recorded.position, metadata: recorded.metadata };
  const keyId = typeof data.keyId === 'string' ? data.keyId : '';
  if (recorded.type === API_KEY_REVOKED) return { ...at, type: API_KEY_REVOKED, data: { keyId, reason: typeof data.reason === 'string' ? data.reason : '' } };
  if (recorded.type !== API_KEY_ISSUED) return undefined;
  const { role, label, salt, hash, algorithm, agencyId } = data;
  if (!isRole(role) || typeof label !== 'string' || typeof salt !== 'string' || typeof hash !== 'string' || algorithm !== HASH_ALGORITHM) return undefined;
  return { ...at, type: API_KEY_ISSUED, data: { keyId, role, label, salt, hash, algorithm, ...(typeof agencyId === 'string' ? { agencyId } : {}) } };
}
