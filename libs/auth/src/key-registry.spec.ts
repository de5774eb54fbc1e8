import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { SignJWT } from 'jose';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FaultyEventStore, SqliteEventStore } from '@app/event-store';
import { apiKeyStream } from './api-key.events.js';
import { Authenticator } from './authenticator.js';
import { JwtVerifier } from './jwt.js';
import { KeyRegistry } from './key-registry.js';
import { type AgencyDirectory, KeyService } from './key-service.js';
import { waitUntil } from '../../../test/support/wait-until.js';

const agencies: AgencyDirectory = {
  agency: (id) => ({ police: { kind: 'police' }, ngos: { kind: 'group' } })[id],
};

describe('KeyRegistry and KeyService on the embedded store', () => {
  let dir: string;
  let store: SqliteEventStore;
  let registry: KeyRegistry;
  let keys: KeyService;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'apl-keys-'));
    store = SqliteEventStore.open(join(dir, 'events.db'), { pollIntervalMs: 20 });
    registry = new KeyRegistry(store);
    await registry.start();
    keys = new KeyService(store, registry, agencies);
  });

  afterEach(async () => {
    await registry.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('issues a key that authenticates at once as its principal', async () => {
    const issued = await keys.issue({ role: 'agency', agencyId: 'police', label: 'Police system' }, 'admin-1');
    expect(registry.authenticate(issued.key)).toEqual({ id: issued.keyId, role: 'AGENCY', agencyId: 'police', label: 'Police system' });
    expect(registry.authenticate(issued.key.slice(0, -1) + (issued.key.endsWith('A') ? 'B' : 'A'))).toBeUndefined();
  });

  it('stores the issue as an event with the hash, never the key', async () => {
    const issued = await keys.issue({ role: 'COORDINATOR', label: 'NATC office' }, 'admin-1');
    const [event] = await store.readStream(apiKeyStream(issued.keyId));
    expect(event.type).toBe('ApiKeyIssued');
    expect(event.data).toMatchObject({ keyId: issued.keyId, role: 'COORDINATOR', label: 'NATC office', algorithm: 'hmac-sha256' });
    expect(event.metadata).toMatchObject({ principal: 'admin-1', schemaVersion: 1 });
    expect(typeof event.metadata.recordedAt).toBe('string');
    const secret = issued.key.split('_').slice(2).join('_');
    expect(JSON.stringify({ data: event.data, metadata: event.metadata })).not.toContain(secret);
    expect(JSON.stringify(registry.list())).not.toMatch(/hash|salt/);
  });

  it.each([
    [{ role: 'AGENCY', label: 'x' }, 'agencyId', 'required'],
    [{ role: 'AGENCY', agencyId: 'nowhere', label: 'x' }, 'agencyId', 'not an agency'],
    [{ role: 'AGENCY', agencyId: 'ngos', label: 'x' }, 'agencyId', 'group'],
    [{ role: 'AUDITOR', agencyId: 'police', label: 'x' }, 'agencyId', 'must not'],
    [{ role: 'ADMIN', label: '  ' }, 'label', 'required'],
    [{ role: 'ROOT', label: 'x' }, 'role', 'one of'],
  ])('refuses %j naming the field', async (input, field, reason) => {
    await expect(keys.issue(input, 'admin-1')).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field } });
    await expect(keys.issue(input, 'admin-1')).rejects.toThrow(reason);
  });

  it('revokes a key at once and keeps it revoked', async () => {
    const issued = await keys.issue({ role: 'AUDITOR', label: 'State Audit Office' }, 'admin-1');
    const info = await keys.revoke(issued.keyId, 'leaked', 'admin-1');
    expect(info).toMatchObject({ keyId: issued.keyId, active: false, revokedReason: 'leaked', revokedBy: 'admin-1' });
    expect(registry.authenticate(issued.key)).toBeUndefined();
    // Idempotent: a second revocation changes nothing.
    expect(await keys.revoke(issued.keyId, 'again', 'admin-2')).toMatchObject({ revokedReason: 'leaked' });
    expect(await store.readStream(apiKeyStream(issued.keyId))).toHaveLength(2);
  });

  it('remembers a verified secret without weakening checks: wrong secrets still fail, revocation still wins', async () => {
    const issued = await keys.issue({ role: 'agency', agencyId: 'police', label: 'Police system' }, 'admin-1');
    const wrong = issued.key.slice(0, -1) + (issued.key.endsWith('A') ? 'B' : 'A');
    const first = registry.authenticate(issued.key);
    expect(registry.authenticate(issued.key)).toBe(first);
    expect(registry.authenticate(wrong)).toBeUndefined();
    expect(registry.authenticate(`${issued.key}A`)).toBeUndefined();
    expect(registry.authenticate(issued.key)).toBe(first);
    await keys.revoke(issued.keyId, 'leaked', 'admin-1');
    expect(registry.authenticate(issued.key)).toBeUndefined();
  });

  it('refuses to revoke an unknown key or without a reason', async () => {
    await expect(keys.revoke('NoSuchKey123', 'x', 'a')).rejects.toMatchObject({ extensions: { code: 'NOT_FOUND' } });
    const issued = await keys.issue({ role: 'ADMIN', label: 'ops' }, 'a');
    await expect(keys.revoke(issued.keyId, ' ', 'a')).rejects.toMatchObject({ extensions: { field: 'reason' } });
  });

  it('sees keys issued and revoked by another process through the subscription', async () => {
    const otherStore = SqliteEventStore.open(join(dir, 'events.db'));
    try {
      const otherRegistry = new KeyRegistry(otherStore);
      await otherRegistry.catchUp();
      const cli = new KeyService(otherStore, otherRegistry, agencies);
      const issued = await cli.issue({ role: 'COORDINATOR', label: 'from the CLI' }, 'cli:ops');
      await waitUntil(() => registry.authenticate(issued.key) !== undefined);
      await cli.revoke(issued.keyId, 'rotated', 'cli:ops');
      await waitUntil(() => registry.authenticate(issued.key) === undefined);
      expect(registry.get(issued.keyId)?.revokedReason).toBe('rotated');
    } finally {
      await otherStore.close();
    }
  });

  it('accepts a key another process issued on its first request, before the subscription sees it', async () => {
    const otherStore = SqliteEventStore.open(join(dir, 'events.db'));
    // This registry does not follow the store: only the lookup on an unknown key can find it.
    const stale = new KeyRegistry(store);
    await stale.catchUp();
    try {
      const otherRegistry = new KeyRegistry(otherStore);
      await otherRegistry.catchUp();
      const issued = await new KeyService(otherStore, otherRegistry, agencies).issue({ role: 'AUDITOR', label: 'just issued' }, 'cli:ops');
      expect(stale.authenticate(issued.key)).toBeUndefined();
      await expect(new Authenticator(stale).authenticate(`Bearer ${issued.key}`)).resolves.toMatchObject({
        status: 'authenticated',
        principal: { id: issued.keyId, role: 'AUDITOR' },
      });
    } finally {
      await otherStore.close();
    }
  });

  it('rebuilds the same state from the store after a restart', async () => {
    const a = await keys.issue({ role: 'ADMIN', label: 'a' }, 'x');
    const b = await keys.issue({ role: 'AGENCY', agencyId: 'police', label: 'b' }, 'x');
    await keys.revoke(a.keyId, 'gone', 'x');
    const fresh = new KeyRegistry(store);
    await fresh.catchUp();
    expect(fresh.list()).toEqual(registry.list());
    expect(fresh.authenticate(a.key)).toBeUndefined();
    expect(fresh.authenticate(b.key)?.agencyId).toBe('police');
  });

  it('settles concurrent writes on one key through the expected revision: one event each, every caller answered', async () => {
    const key = `apl_Bootstrap0002_${'k'.repeat(43)}`;
    const registered = await Promise.all(Array.from({ length: 6 }, () => keys.register(key, { role: 'ADMIN', label: 'ADMIN_API_KEY' }, 'system')));
    expect(registered.filter((r) => r === 'added')).toHaveLength(1);
    const revoked = await Promise.all(Array.from({ length: 6 }, () => keys.revoke('Bootstrap0002', 'rotated', 'ops')));
    expect(revoked.every((info) => !info.active && info.revokedReason === 'rotated')).toBe(true);
    expect((await store.readStream(apiKeyStream('Bootstrap0002'))).map((e) => e.type)).toEqual(['ApiKeyIssued', 'ApiKeyRevoked']);
  });

  it('revokes a key issued by another process that this registry has not seen yet', async () => {
    const stale = new KeyRegistry(store);
    await stale.catchUp();
    const issued = await keys.issue({ role: 'AUDITOR', label: 'elsewhere' }, 'cli:ops');
    const info = await new KeyService(store, stale, agencies).revoke(issued.keyId, 'left the team', 'ops');
    expect(info).toMatchObject({ keyId: issued.keyId, active: false, revokedReason: 'left the team' });
  });

  it('registers a configured key idempotently', async () => {
    const key = `apl_Bootstrap0001_${'k'.repeat(43)}`;
    expect(await keys.register(key, { role: 'ADMIN', label: 'ADMIN_API_KEY' }, 'system')).toBe('added');
    expect(await keys.register(key, { role: 'ADMIN', label: 'ADMIN_API_KEY' }, 'system')).toBe('exists');
    expect(registry.authenticate(key)?.role).toBe('ADMIN');
    expect(await store.readStream(apiKeyStream('Bootstrap0001'))).toHaveLength(1);
  });

  describe('Authenticator', () => {
    it('accepts a JWT when configured, and checks its agency against the register', async () => {
      const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
      const auth = new Authenticator(registry, JwtVerifier.create({ issuer: 'https://idp.test/', publicKeyPem: pem }), agencies);
      const sign = (claims: Record<string, string>) =>
        new SignJWT(claims).setProtectedHeader({ alg: 'RS256' }).setIssuer('https://idp.test/').setExpirationTime('1m').sign(privateKey);
      await expect(auth.authenticate(`Bearer ${await sign({ sub: 'p1', role: 'agency', agency_id: 'police' })}`)).resolves.toEqual({
        status: 'authenticated',
        principal: { id: 'p1', role: 'AGENCY', agencyId: 'police', label: 'p1' },
      });
      await expect(auth.authenticate(`Bearer ${await sign({ sub: 'p2', role: 'agency', agency_id: 'atlantis' })}`)).resolves.toMatchObject({
        status: 'invalid',
        reason: expect.stringContaining('atlantis'),
      });
      await expect(auth.authenticate(`Bearer ${await sign({ sub: 'p3', role: 'visitor' })}`)).resolves.toMatchObject({ status: 'invalid' });
    });

    it('reads the Authorization header', async () => {
      const auth = new Authenticator(registry);
      const issued = await keys.issue({ role: 'AUDITOR', label: 'a' }, 'x');
      await expect(auth.authenticate(undefined)).resolves.toEqual({ status: 'anonymous' });
      await expect(auth.authenticate(`Bearer ${issued.key}`)).resolves.toMatchObject({
        status: 'authenticated',
        principal: { id: issued.keyId, role: 'AUDITOR' },
      });
      await expect(auth.authenticate(issued.key)).resolves.toMatchObject({ status: 'invalid' });
      await expect(auth.authenticate('Bearer garbage')).resolves.toMatchObject({ status: 'invalid' });
      const wrong = await auth.authenticate(`Bearer apl_${issued.keyId}_${'z'.repeat(43)}`);
      expect(wrong).toEqual({ status: 'invalid', reason: 'wrong API key secret', keyId: issued.keyId });
      await keys.revoke(issued.keyId, 'r', 'x');
      await expect(auth.authenticate(`Bearer ${issued.key}`)).resolves.toMatchObject({ status: 'invalid', reason: 'revoked API key' });
    });
  });
});

describe('KeyRegistry over a store whose subscription drops', () => {
  it('resumes following: a key revoked by another process meanwhile stops working here', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'apl-keys-faults-'));
    const store = new FaultyEventStore(SqliteEventStore.open(join(dir, 'events.db'), { pollIntervalMs: 10 }));
    const warnings: string[] = [];
    const registry = new KeyRegistry(store, { warn: (m) => warnings.push(m), error: () => undefined });
    try {
      await registry.start();
      const keys = new KeyService(store, registry, agencies);
      const issued = await keys.issue({ role: 'COORDINATOR', label: 'x' }, 'admin');
      await waitUntil(() => registry.status().state === 'live');
      store.dropSubscriptions();
      // Revoked by another process: only the log tells this registry.
      const other = new KeyRegistry(store);
      await other.catchUp();
      await new KeyService(store, other, agencies).revoke(issued.keyId, 'leaked', 'cli:ops');
      await waitUntil(() => registry.authenticate(issued.key) === undefined);
      expect(warnings[0]).toMatch(/^key-registry: reading the event store failed after position \d+ \(subscription dropped \(injected\)\)/);
      await waitUntil(() => registry.status().state === 'live');
    } finally {
      await registry.stop();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
