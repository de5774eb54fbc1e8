import {
  type AppendResult,
  type EventStore,
  type ExpectedRevision,
  NO_STREAM,
  WrongExpectedRevisionError,
} from '@app/event-store';
import { generateApiKey, hashSecret, parseApiKey } from './api-key.js';
import {
  API_KEY_ISSUED,
  API_KEY_REVOKED,
  type ApiKeyIssuedData,
  type ApiKeyRevokedData,
  apiKeyMetadata,
  apiKeyStream,
} from './api-key.events.js';
import { BadUserInputError, NotFoundError } from './auth-errors.js';
import { type ApiKeyInfo, KeyRegistry, toApiKeyInfo } from './key-registry.js';
import { ROLES, type Role } from './principal.js';

/** Where agency ids are checked: the plan register (PlanCatalog fits it). */
export interface AgencyDirectory {
  agency(id: string): { readonly kind?: string } | undefined;
  /** Every agency of the register, to name the valid ids when one is unknown. */
  agencies?(): readonly { readonly id: string; readonly kind?: string }[];
}

export interface IssueApiKeyInput {
  /** AGENCY, COORDINATOR, AUDITOR or ADMIN (any case). */
  readonly role: string;
  /** Required for AGENCY, refused for the other roles. */
  readonly agencyId?: string | null;
  readonly label: string;
}

export interface IssuedApiKey {
  readonly keyId: string;
  /** The bearer credential. Shown once: only its hash is stored. */
  readonly key: string;
  readonly role: Role;
  readonly agencyId?: string;
  readonly label: string;
  /** Global position of the ApiKeyIssued event. */
  readonly position: bigint;
}

const MAX_LABEL = 200;
const MAX_REASON = 500;

/**
 * Issues and revokes API keys: validates, appends the event to the key's stream with an
 * expected revision, and applies it to the registry before returning, so the change is in force
 * for this process when the caller gets the answer. Used by the api and by `ledger keys`.
 */
export class KeyService {
  constructor(
    private readonly store: EventStore,
    private readonly registry: KeyRegistry,
    private readonly agencies: AgencyDirectory,
  ) {}

  /** Checks an issue request; returns the normalised role, agency and label. */
  validate(input: IssueApiKeyInput): { role: Role; agencyId?: string; label: string } {
    const roleText = typeof input.role === 'string' ? input.role.trim().toUpperCase() : '';
    if (!(ROLES as readonly string[]).includes(roleText)) {
      throw new BadUserInputError('role', `must be one of ${ROLES.join(', ')} (got "${String(input.role)}")`);
    }
    const role = roleText as Role;
    const label = typeof input.label === 'string' ? input.label.trim() : '';
    if (!label) throw new BadUserInputError('label', 'is required: say whose system or person the key is for');
    if (label.length > MAX_LABEL) throw new BadUserInputError('label', `must be at most ${MAX_LABEL} characters`);
    const agencyId = input.agencyId?.trim() || undefined;
    if (role === 'AGENCY') {
      if (!agencyId) throw new BadUserInputError('agencyId', 'is required for an AGENCY key: the agency of the register it reports for');
      const agency = this.agencies.agency(agencyId);
      if (!agency) throw new BadUserInputError('agencyId', `"${agencyId}" is not an agency of the plan register${this.validAgencyIds()}`);
      if (agency.kind === 'group') {
        throw new BadUserInputError('agencyId', `"${agencyId}" is a group of agencies; issue keys to its member agencies`);
      }
      return { role, agencyId, label };
    }
    if (agencyId) throw new BadUserInputError('agencyId', `must not be given for a ${role} key (only AGENCY keys name an agency)`);
    return { role, label };
  }

  /** "; the agencies are: a, b, …" (the ids a key may name: groups excluded), or nothing without a directory list. */
  private validAgencyIds(): string {
    if (!this.agencies.agencies) return '';
    const ids = this.agencies.agencies().filter((a) => a.kind !== 'group').map((a) => a.id).sort();
    return ids.length === 0 ? '; it holds no agency yet (load a plan first)' : `; the agencies are: ${ids.join(', ')}`;
  }

  /** Issues a new random key. `actor` is the principal id recorded in the event metadata. */
  async issue(input: IssueApiKeyInput, actor: string): Promise<IssuedApiKey> {
    const valid = this.validate(input);
    const generated = generateApiKey();
    const result = await this.appendIssued(generated.keyId, generated.secret, valid, actor, NO_STREAM);
    return { keyId: generated.keyId, key: generated.key, ...valid, position: result.position };
  }

  /**
   * Registers a key whose value is given (ADMIN_API_KEY), idempotently: nothing happens when a
   * key with that id exists already. Returns whether it was added.
   */
  async register(key: string, input: IssueApiKeyInput, actor: string): Promise<'added' | 'exists'> {
    const parsed = parseApiKey(key);
    if (!parsed) throw new BadUserInputError('key', 'is not an API key of the form apl_<keyId>_<secret> (secret ≥ 32 bytes, base64url)');
    const valid = this.validate(input);
    const existing = await this.store.readStream(apiKeyStream(parsed.keyId), { maxCount: 1 });
    if (existing.length > 0) return 'exists';
    try {
      await this.appendIssued(parsed.keyId, parsed.secret, valid, actor, NO_STREAM);
      return 'added';
    } catch (error) {
      // Another instance registered it at the same moment.
      if (error instanceof WrongExpectedRevisionError) return 'exists';
      throw error;
    }
  }

  /**
   * Revokes a key at once. Revoking a revoked key changes nothing and returns it as it is.
   */
  async revoke(keyId: string, reason: string, actor: string): Promise<ApiKeyInfo> {
    const why = typeof reason === 'string' ? reason.trim() : '';
    if (!why) throw new BadUserInputError('reason', 'is required: say why the key is revoked');
    if (why.length > MAX_REASON) throw new BadUserInputError('reason', `must be at most ${MAX_REASON} characters`);
    const stream = apiKeyStream(keyId);
    for (let attempt = 0; ; attempt++) {
      // The stream, not the registry, is the truth: a key issued by another process may not
      // have reached this registry yet.
      const events = await this.store.readStream(stream);
      if (events.length === 0) throw new NotFoundError(`No API key with id "${keyId}"`);
      for (const event of events) this.registry.apply(event);
      const record = this.registry.get(keyId);
      if (!record) throw new NotFoundError(`No API key with id "${keyId}"`);
      if (record.revokedAt !== undefined) return toApiKeyInfo(record);
      const data: ApiKeyRevokedData = { keyId, reason: why };
      try {
        await this.appendAndApply(stream, API_KEY_REVOKED, { ...data }, actor, events[events.length - 1].revision);
        return toApiKeyInfo(this.registry.get(keyId)!);
      } catch (error) {
        if (error instanceof WrongExpectedRevisionError && attempt < 3) continue;
        throw error;
      }
    }
  }

  /** Every key ever issued, without hashes. */
  list(): ApiKeyInfo[] {
    return this.registry.list();
  }

  private async appendIssued(
    keyId: string,
    secret: string,
    valid: { role: Role; agencyId?: string; label: string },
    actor: string,
    expected: ExpectedRevision,
  ): Promise<AppendResult> {
    const stream = apiKeyStream(keyId);
    const data: ApiKeyIssuedData = {
      keyId,
      role: valid.role,
      ...(valid.agencyId ? { agencyId: valid.agencyId } : {}),
      label: valid.label,
      ...hashSecret(secret),
    };
    return this.appendAndApply(stream, API_KEY_ISSUED, { ...data }, actor, expected);
  }

  /**
   * Appends one key event and applies it to this registry before answering, so the change
   * (a new key, a revocation) holds for the very next request.
   */
  private async appendAndApply(
    stream: string,
    type: typeof API_KEY_ISSUED | typeof API_KEY_REVOKED,
    data: Record<string, string>,
    actor: string,
    expected: ExpectedRevision,
  ): Promise<AppendResult> {
    const metadata = apiKeyMetadata(actor);
    const result = await this.store.append(stream, [{ type, data: { ...data }, metadata: { ...metadata } }], expected);
    this.registry.apply({
      type,
      data: { ...data },
      metadata: { ...metadata },
      stream,
      revision: result.nextExpectedRevision,
      position: result.position,
      created: new Date(metadata.recordedAt),
    });
    return result;
  }
}
