import { type EventStore, type JsonObject, type StoredEvent, handleCommand } from '@app/event-store';
import { generateApiKey, hashSecret, parseApiKey } from './api-key.js';
import { type ApiKeyCommand, type ApiKeyEventBody, apiKeyDecider, readApiKeyEvent } from './api-key.decider.js';
import { type ApiKeyIssuedData, apiKeyMetadata, apiKeyStream } from './api-key.events.js';
import { BadUserInputError, NotFoundError } from './auth-errors.js';
import { type ApiKeyInfo, KeyRegistry, toApiKeyInfo } from './key-registry.js';
import { ROLES, type Role } from './principal.js';

/** Where agency ids are checked: the plan register (PlanCatalog fits it). */
export interface AgencyDirectory {
  agency(id: string): { readonly kind?: string } | undefined;
  /** Every agency of the register, to name the valid ids when one is unknown. */
  agencies?(): readonly { readonly id: string; readonly kind?: string }[];
}

/**
 * Why `agencyId` cannot be an AGENCY principal's agency, or undefined when it can: it must be an
 * agency of the plan register and not a group of agencies (a group takes part in measures, its
 * members report and sign off periods: a report or a sign-off must name the one body accountable
 * for it). The one rule for API keys (issueApiKey) and JWTs (the Authenticator).
 */
export function agencyPrincipalProblem(agencies: AgencyDirectory, agencyId: string): string | undefined {
  const agency = agencies.agency(agencyId);
  if (!agency) return `"${agencyId}" is not an agency of the plan register`;
  if (agency.kind === 'group') return `"${agencyId}" is a group of agencies: a credential names one of its member agencies`;
  return undefined;
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
 * Issues and revokes API keys through handleCommand and the key decider (api-key.decider.ts):
 * validates, appends the event to the key's stream with an expected revision, and applies it to
 * the registry before returning, so the change is in force for this process when the caller gets
 * the answer. Used by the api and by `ledger keys`.
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
      const problem = agencyPrincipalProblem(this.agencies, agencyId);
      if (problem) throw new BadUserInputError('agencyId', this.agencies.agency(agencyId) ? problem : `${problem}${this.validAgencyIds()}`);
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
    const data = issuedData(generated.keyId, generated.secret, valid);
    // A random key id is new: append without reading first.
    const [event] = await this.execute(generated.keyId, { kind: 'issue', data, whenExists: 'refuse' }, actor, true);
    return { keyId: generated.keyId, key: generated.key, ...valid, position: event.position };
  }

  /**
   * Registers a key whose value is given (ADMIN_API_KEY), idempotently: nothing happens when a
   * key with that id exists already (also when another instance registers it at the same moment).
   * Returns whether it was added.
   */
  async register(key: string, input: IssueApiKeyInput, actor: string): Promise<'added' | 'exists'> {
    const parsed = parseApiKey(key);
    if (!parsed) throw new BadUserInputError('key', 'is not an API key of the form apl_<keyId>_<secret> (secret ≥ 32 bytes, base64url)');
    const valid = this.validate(input);
    const data = issuedData(parsed.keyId, parsed.secret, valid);
    const written = await this.execute(parsed.keyId, { kind: 'issue', data, whenExists: 'keep' }, actor, false);
    return written.length > 0 ? 'added' : 'exists';
  }

  /**
   * Revokes a key at once. Revoking a revoked key changes nothing and returns it as it is.
   * NotFoundError for an unknown key id.
   */
  async revoke(keyId: string, reason: string, actor: string): Promise<ApiKeyInfo> {
    const why = typeof reason === 'string' ? reason.trim() : '';
    if (!why) throw new BadUserInputError('reason', 'is required: say why the key is revoked');
    if (why.length > MAX_REASON) throw new BadUserInputError('reason', `must be at most ${MAX_REASON} characters`);
    // The stream, not the registry, is the truth: the decider reads it, and a key issued by
    // another process that has not reached this registry yet is read into it below.
    await this.execute(keyId, { kind: 'revoke', keyId, reason: why }, actor, false);
    if (this.registry.get(keyId)?.revokedAt === undefined) await this.registry.refreshKey(keyId);
    const record = this.registry.get(keyId);
    if (!record) throw new NotFoundError(`No API key with id "${keyId}"`);
    return toApiKeyInfo(record);
  }

  /** Every key ever issued, without hashes. */
  list(): ApiKeyInfo[] {
    return this.registry.list();
  }

  /**
   * Runs a key command on the key's stream and applies what it wrote to this registry before
   * answering, so the change (a new key, a revocation) holds for the very next request.
   */
  private async execute(keyId: string, command: ApiKeyCommand, actor: string, expectNew: boolean): Promise<readonly StoredEvent<ApiKeyEventBody>[]> {
    const metadata = apiKeyMetadata(actor);
    const result = await handleCommand(this.store, apiKeyStream(keyId), apiKeyDecider, command, {
      expectNew,
      read: readApiKeyEvent,
      metadata: (): JsonObject => ({ ...metadata }),
    });
    for (const event of result.newEvents) {
      this.registry.apply({ ...event, data: { ...event.data }, created: new Date(metadata.recordedAt) });
    }
    return result.newEvents;
  }
}

function issuedData(keyId: string, secret: string, valid: { role: Role; agencyId?: string; label: string }): ApiKeyIssuedData {
  return { keyId, role: valid.role, ...(valid.agencyId ? { agencyId: valid.agencyId } : {}), label: valid.label, ...hashSecret(secret) };
}
