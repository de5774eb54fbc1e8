import {
  type ConsumerStatus,
  type ConsumerStatusSource,
  type EventStore,
  LogConsumer,
  type LogConsumerBoard,
  type RecordedEvent,
} from '@app/event-store';
import { timingSafeEqual } from 'node:crypto';
import { parseApiKey, verifySecret } from './api-key.js';
import {
  API_KEY_ISSUED,
  API_KEY_REVOKED,
  API_KEY_STREAM_PREFIX,
  apiKeyStream,
  type ApiKeyIssuedData,
  type ApiKeyRevokedData,
} from './api-key.events.js';
import { type Principal, ROLES, type Role } from './principal.js';

/** A key as the registry knows it, hash included: never hand this to a client. */
export interface ApiKeyRecord {
  readonly keyId: string;
  readonly role: Role;
  readonly agencyId?: string;
  readonly label: string;
  readonly algorithm: string;
  readonly salt: string;
  readonly hash: string;
  readonly issuedAt: string;
  readonly issuedBy: string;
  readonly revokedAt?: string;
  readonly revokedBy?: string;
  readonly revokedReason?: string;
  /** Last revision of the key's stream folded in. */
  readonly revision: bigint;
}

/** What may be shown about a key: everything but the hash. */
export interface ApiKeyInfo {
  readonly keyId: string;
  readonly role: Role;
  readonly agencyId?: string;
  readonly label: string;
  readonly issuedAt: string;
  readonly issuedBy: string;
  readonly active: boolean;
  readonly revokedAt?: string;
  readonly revokedBy?: string;
  readonly revokedReason?: string;
}

export type KeyEventLike = Pick<RecordedEvent, 'type' | 'data' | 'metadata' | 'stream' | 'revision' | 'position' | 'created'>;

export interface KeyRegistryLogger {
  log?(message: string): void;
  warn?(message: string): void;
  error(message: string): void;
}

export function toApiKeyInfo(record: ApiKeyRecord): ApiKeyInfo {
  return {
    keyId: record.keyId,
    role: record.role,
    agencyId: record.agencyId,
    label: record.label,
    issuedAt: record.issuedAt,
    issuedBy: record.issuedBy,
    active: record.revokedAt === undefined,
    revokedAt: record.revokedAt,
    revokedBy: record.revokedBy,
    revokedReason: record.revokedReason,
  };
}

/**
 * The credentials in force: a small in-memory projection of the `apikey-` streams. A
 * {@link LogConsumer} (`key-registry`) catches up and then follows the log, so a key issued or
 * revoked by another process (the CLI) takes effect within the store's polling interval; a
 * failing store is retried and shows in {@link status}. A change made by this process is
 * applied directly (see KeyService) before the caller gets its answer.
 */
export class KeyRegistry implements ConsumerStatusSource {
  private readonly keys = new Map<string, ApiKeyRecord>();
  /**
   * The last secret proven to hash to a record's stored hash, with its principal: a key's next
   * request compares bytes instead of computing the HMAC again. Keyed by the record object, so
   * any later event of the key (a revocation replaces the record) forgets it.
   */
  private readonly verified = new WeakMap<ApiKeyRecord, { readonly secret: Buffer; readonly principal: Principal }>();
  private lastPosition: bigint | undefined;
  private readonly consumer: LogConsumer;

  constructor(
    private readonly store: EventStore,
    private readonly logger: KeyRegistryLogger = { error: () => undefined },
    board?: LogConsumerBoard,
  ) {
    this.consumer = new LogConsumer({
      name: 'key-registry',
      store,
      filter: { streamPrefixes: [API_KEY_STREAM_PREFIX] },
      handler: {
        from: () => this.lastPosition,
        apply: (event) => {
          this.apply(event);
          this.lastPosition = event.position;
        },
      },
      batchIntervalMs: 0,
      logger: {
        log: (m) => logger.log?.(m),
        warn: (m) => (logger.warn ? logger.warn(m) : logger.error(m)),
        error: (m) => logger.error(m),
      },
      board,
    });
  }

  /** Folds every key event stored so far. */
  async catchUp(): Promise<void> {
    await this.consumer.catchUp();
  }

  /**
   * Reads one key's stream now: a key just issued by another process (`ledger keys issue`)
   * works on its first request instead of after the subscription's next poll.
   */
  async refreshKey(keyId: string): Promise<void> {
    for (const event of await this.store.readStream(apiKeyStream(keyId))) this.apply(event);
  }

  /** Catches up, then follows new key events until `stop()`. */
  async start(): Promise<void> {
    if (this.consumer.state !== 'created' && this.consumer.state !== 'stopped') return;
    await this.catchUp();
    this.consumer.start();
  }

  async stop(): Promise<void> {
    await this.consumer.stop();
  }

  /** The consumer's state for readiness and metrics. */
  status(): ConsumerStatus {
    return this.consumer.status();
  }

  /**
   * Folds one key event. Idempotent and order-safe per key: an event at or below the revision
   * already folded for its key is ignored (so a direct apply followed by the subscription's
   * delivery of the same event changes nothing, and an old Issued never revives a revoked key).
   */
  apply(event: KeyEventLike): void {
    if (!event.stream.startsWith(API_KEY_STREAM_PREFIX)) return;
    const keyId = event.stream.slice(API_KEY_STREAM_PREFIX.length);
    const current = this.keys.get(keyId);
    if (current && event.revision <= current.revision) return;
    const recordedAt = typeof event.metadata.recordedAt === 'string' ? event.metadata.recordedAt : event.created.toISOString();
    const by = typeof event.metadata.principal === 'string' ? event.metadata.principal : 'unknown';
    switch (event.type) {
      case API_KEY_ISSUED: {
        const data = event.data as unknown as ApiKeyIssuedData;
        if (!(ROLES as readonly string[]).includes(data.role)) {
          this.logger.error(`Ignoring key ${keyId}: unknown role "${String(data.role)}"`);
          return;
        }
        this.keys.set(keyId, {
          keyId,
          role: data.role,
          agencyId: data.agencyId,
          label: data.label,
          algorithm: data.algorithm,
          salt: data.salt,
          hash: data.hash,
          issuedAt: recordedAt,
          issuedBy: by,
          revision: event.revision,
        });
        return;
      }
      case API_KEY_REVOKED: {
        if (!current) return;
        const data = event.data as unknown as ApiKeyRevokedData;
        this.keys.set(keyId, {
          ...current,
          revokedAt: current.revokedAt ?? recordedAt,
          revokedBy: current.revokedBy ?? by,
          revokedReason: current.revokedReason ?? data.reason,
          revision: event.revision,
        });
        return;
      }
      default:
        // Later event types of the stream are ignored by this version.
        if (current) this.keys.set(keyId, { ...current, revision: event.revision });
    }
  }

  /** The principal of a valid, unrevoked API key; undefined for anything else. */
  authenticate(bearer: string): Principal | undefined {
    const parsed = parseApiKey(bearer);
    if (!parsed) return undefined;
    const record = this.keys.get(parsed.keyId);
    if (!record || record.revokedAt !== undefined) return undefined;
    const presented = Buffer.from(parsed.secret, 'utf8');
    const known = this.verified.get(record);
    // Constant time, like verifySecret: the cached secret must not leak through timing either.
    if (known && known.secret.length === presented.length && timingSafeEqual(known.secret, presented)) return known.principal;
    if (!verifySecret(parsed.secret, record)) return undefined;
    const principal: Principal = Object.freeze({ id: record.keyId, role: record.role, agencyId: record.agencyId, label: record.label });
    this.verified.set(record, { secret: presented, principal });
    return principal;
  }

  get(keyId: string): ApiKeyRecord | undefined {
    return this.keys.get(keyId);
  }

  /** Every key ever issued, oldest first, without hashes. */
  list(): ApiKeyInfo[] {
    return [...this.keys.values()].map(toApiKeyInfo);
  }

  /** Number of keys ever issued (revoked ones included). */
  get size(): number {
    return this.keys.size;
  }

  /** Global position of the last event read from the log (undefined before the first). */
  get position(): bigint | undefined {
    return this.lastPosition;
  }
}
