import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { FaultyEventStore, LogConsumerBoard, NO_STREAM, SqliteEventStore } from '@app/event-store';
import { ChainFollower } from './chain-follower.js';
import { ChainStore } from './chain-store.js';
import { ChainBuilder, formatHead } from './hash-chain.js';
import { verifyChain } from './verify.js';
import { WAIT_UNTIL_MS, waitUntil } from '../../../test/support/wait-until.js';

describe('the hash chain over a store', () => {
  let dir: string;
  let file: string;
  let store: SqliteEventStore;
  let chain: ChainStore;

  const report = (agency: string, id: string, n: number) =>
    store.append(`activity-${agency}-${id}`, [{ type: 'MeetingHeld', data: { measureCode: 'A.1.1', agencyId: agency, n }, metadata: { agencyId: agency, recordedAt: `2030-01-0${n}T00:00:00.000Z` } }], NO_STREAM);

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'apl-audit-verify-'));
    file = join(dir, 'events.db');
    store = SqliteEventStore.open(file);
    chain = ChainStore.open(join(dir, 'audit-chain.db'));
    for (let i = 1; i <= 6; i++) await report(i % 2 ? 'police' : 'ngo', `r${i}`, i);
  });
  afterEach(async () => {
    chain.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Edits the SQLite file behind the store's back, as an attacker with file access would. */
  const tamper = (sql: string, ...params: unknown[]) => {
    const db = new Database(file);
    db.prepare(sql).run(...params);
    db.close();
  };

  it('links every event, and verification recomputes the same head', async () => {
    await new ChainFollower({ store, chain }).catchUp();
    expect(chain.count()).toBe(6);
    const result = await verifyChain({ store, chain });
    expect(result).toMatchObject({ ok: true, events: 6, linksCompared: 6 });
    expect(result.head).toEqual({ hash: chain.head()!.hash, position: 6n, sequence: 6n });
    const recomputed = new ChainBuilder();
    for await (const e of store.readAll()) recomputed.add(e);
    expect(result.head).toEqual(recomputed.head);
  });

  it('reports an event edited in place at its position', async () => {
    await new ChainFollower({ store, chain }).catchUp();
    tamper('UPDATE events SET data = ? WHERE position = ?', JSON.stringify({ measureCode: 'A.1.1', agencyId: 'ngo', n: 400 }), 4);
    const result = await verifyChain({ store, chain });
    expect(result.ok).toBe(false);
    expect(result.mismatch).toMatchObject({ reason: 'EDITED', position: 4n, sequence: 4n, event: { stream: 'activity-ngo-r4', type: 'MeetingHeld' } });
    expect(result.mismatch!.expected).not.toBe(result.mismatch!.actual);
    // It stops there: the chain is verified up to the event before, whose link is the stored one
    // (the edited event's recomputed link proves nothing and is not given as verified).
    expect(result.head).toEqual({ hash: chain.links(2n, 3n, 1)[0].link, position: 3n, sequence: 3n });
    expect(result.events).toBe(4);
  });

  it('reports a metadata edit too, and a deleted event at the position that vanished', async () => {
    await new ChainFollower({ store, chain }).catchUp();
    tamper('UPDATE events SET metadata = ? WHERE position = ?', JSON.stringify({ agencyId: 'police', recordedAt: '2031-01-01T00:00:00.000Z' }), 5);
    expect((await verifyChain({ store, chain })).mismatch).toMatchObject({ reason: 'EDITED', position: 5n });
    tamper('DELETE FROM events WHERE position = ?', 2);
    expect((await verifyChain({ store, chain })).mismatch).toMatchObject({ reason: 'MISSING', position: 2n, sequence: 2n });
  });

  it('reports a log cut short', async () => {
    await new ChainFollower({ store, chain }).catchUp();
    tamper('DELETE FROM events WHERE position >= ?', 5);
    expect((await verifyChain({ store, chain })).mismatch).toMatchObject({ reason: 'MISSING', position: 5n });
  });

  it('checks a head recorded earlier: at its position, or anywhere for a bare hash', async () => {
    const earlier = await verifyChain({ store });
    await report('police', 'r7', 7);
    const later = await verifyChain({ store, head: { hash: earlier.head.hash, position: earlier.head.position } });
    expect(later).toMatchObject({ ok: true, events: 7, expectedHead: { foundAt: 6n, foundSequence: 6n } });
    expect((await verifyChain({ store, head: { hash: earlier.head.hash } })).expectedHead?.foundAt).toBe(6n);

    const wrong = await verifyChain({ store, head: { hash: earlier.head.hash, position: 5n } });
    expect(wrong.mismatch).toMatchObject({ reason: 'HEAD_MISMATCH', position: 5n, expected: earlier.head.hash });
    expect((await verifyChain({ store, head: { hash: earlier.head.hash, position: 99n } })).mismatch).toMatchObject({ reason: 'HEAD_NOT_FOUND' });
    expect((await verifyChain({ store, head: { hash: 'a'.repeat(64) } })).mismatch).toMatchObject({ reason: 'HEAD_NOT_FOUND' });

    // Without audit-chain.db an edit still shows: at the event, by the link its own row carries…
    tamper('UPDATE events SET data = ? WHERE position = ?', '{"n":0}', 3);
    expect((await verifyChain({ store, head: { hash: earlier.head.hash, position: 6n } })).mismatch).toMatchObject({ reason: 'EDITED', position: 3n });
    // …and, in a store without row links (EventStoreDB), at the recorded head.
    const unlinked = Object.assign(new FaultyEventStore(store), { chainLinked: false });
    expect((await verifyChain({ store: unlinked, head: { hash: earlier.head.hash, position: 6n } })).mismatch).toMatchObject({ reason: 'HEAD_MISMATCH', position: 6n });
    expect(formatHead(earlier.head)).toBe(`${earlier.head.hash}@6`);
  });

  describe('rows that did not come through append', () => {
    const forge = (position: number | null, id: string, stream: string, link: string | null = null, seq: number | null = null) =>
      tamper(
        'INSERT INTO events (position, id, stream, revision, type, data, metadata, created, seq, link) VALUES (?, ?, ?, 0, ?, ?, ?, ?, ?, ?)',
        position,
        id,
        stream,
        'MeetingHeld',
        JSON.stringify({ measureCode: 'A.1.1', agencyId: 'police', n: 99 }),
        JSON.stringify({ agencyId: 'police' }),
        new Date().toISOString(),
        seq,
        link,
      );

    it('a row inserted at the end is NOT_APPENDED at its position, with the audit links, against an earlier head, or without either', async () => {
      await new ChainFollower({ store, chain }).catchUp();
      const earlier = await verifyChain({ store, chain });
      forge(null, 'forged-1', 'activity-police-forged');
      const expected = { reason: 'NOT_APPENDED', position: 7n, sequence: 7n, event: { stream: 'activity-police-forged', id: 'forged-1' } };
      expect((await verifyChain({ store, chain })).mismatch).toMatchObject(expected);
      expect((await verifyChain({ store })).mismatch).toMatchObject(expected);
      const withHead = await verifyChain({ store, chain, head: { hash: earlier.head.hash, position: earlier.head.position } });
      expect(withHead).toMatchObject({ ok: false, expectedHead: { foundAt: 6n }, mismatch: expected });
      expect((await verifyChain({ store, head: { hash: earlier.head.hash } })).ok).toBe(false);
    });

    it('appends go on after a forged row, which stays reported; a made-up link is no better than none', async () => {
      forge(null, 'forged-2', 'activity-ngo-forged');
      await report('ngo', 'r8', 8);
      const events = [];
      for await (const e of store.readAll()) events.push(e);
      // The append after the forged row continues the chain of appends (sequence 7), skipping it.
      expect(events.map((e) => e.chain?.sequence)).toEqual([1n, 2n, 3n, 4n, 5n, 6n, undefined, 7n]);
      expect((await verifyChain({ store })).mismatch).toMatchObject({ reason: 'NOT_APPENDED', position: 7n });

      tamper('DELETE FROM events WHERE id = ?', 'forged-2');
      expect((await verifyChain({ store })).ok).toBe(true);
      forge(null, 'forged-3', 'activity-ngo-forged3', 'f'.repeat(64), 8);
      expect((await verifyChain({ store })).mismatch).toMatchObject({ reason: 'EDITED', position: 9n, expected: 'f'.repeat(64) });
    });

    it('the follower does not link a forged row: it fails there, naming the position, and links nothing after it', async () => {
      const board = new LogConsumerBoard();
      const follower = new ChainFollower({ store, chain, batchIntervalMs: 5, board });
      await follower.catchUp();
      forge(null, 'forged-4', 'activity-police-forged4');
      await report('police', 'r8', 8);
      await follower.start();
      await expect(follower.waitForPosition(8n, 5_000)).rejects.toThrow(/position 7.*no chain link from the store's append/);
      expect(follower.state).toBe('failed');
      expect(chain.head()?.position).toBe(6n);
      await follower.stop();
    });
  });

  it('the follower keeps the link its store computed in this process only after its own head: after a link edited in the file it hashes, and fails', async () => {
    const board = new LogConsumerBoard();
    const follower = new ChainFollower({ store, chain, batchIntervalMs: 5, board });
    await follower.catchUp();
    await follower.start();
    await report('police', 'r7', 7);
    await follower.waitForPosition(7n, 5_000);
    // The store links its next append after the last link in the file, which is now not the chain's.
    tamper('UPDATE events SET link = ? WHERE position = ?', 'e'.repeat(64), 7);
    await report('police', 'r8', 8);
    await expect(follower.waitForPosition(8n, 5_000)).rejects.toThrow(/event 8: .* is not the chain's/);
    expect(chain.head()?.position).toBe(7n);
    await follower.stop();
  });

  it('a file written before rows carried links is linked once on open: the same chain, and a later forged row shows', async () => {
    await new ChainFollower({ store, chain }).catchUp();
    const before = await verifyChain({ store, chain });
    await store.close();
    // Today's file as the code before row links wrote it: no seq and link columns.
    const db = new Database(file);
    db.exec('ALTER TABLE events DROP COLUMN seq; ALTER TABLE events DROP COLUMN link;');
    db.close();
    store = SqliteEventStore.open(file);
    const upgraded = await verifyChain({ store, chain });
    expect(upgraded).toMatchObject({ ok: true, events: 6, linksCompared: 6, head: before.head });
    await report('ngo', 'r7', 7);
    expect(await verifyChain({ store, chain })).toMatchObject({ ok: true, events: 7 });
    tamper('INSERT INTO events (id, stream, revision, type, data, metadata, created) VALUES (?, ?, 0, ?, ?, ?, ?)', 'forged-5', 'activity-x-y', 'MeetingHeld', '{}', '{}', new Date().toISOString());
    expect((await verifyChain({ store, chain })).mismatch).toMatchObject({ reason: 'NOT_APPENDED', position: 8n });
  });

  it('follows the log as it grows, resumes after a restart, and refuses another store\'s file', async () => {
    const follower = new ChainFollower({ store, chain, batchIntervalMs: 5 });
    await follower.start();
    await report('ngo', 'r8', 8);
    await follower.waitForPosition(7n, 2_000);
    await follower.stop();
    expect(follower.position).toBe(7n);

    await report('ngo', 'r9', 9);
    const again = new ChainFollower({ store, chain, batchIntervalMs: 5 });
    await again.start();
    await again.waitForPosition(8n, 2_000);
    await again.stop();
    expect((await verifyChain({ store, chain })).ok).toBe(true);

    // The first event rewritten: the file no longer starts this store's chain.
    tamper('UPDATE events SET data = ? WHERE position = ?', '{"n":-1}', 1);
    const refused = new ChainFollower({ store, chain });
    await refused.start();
    expect(refused.state).toBe('failed');
    expect(refused.error?.message).toMatch(/does not start with this store's first event/);
    await refused.stop();
  });

  it('resumes linking after a transient store failure, and fails visibly when its file cannot be written', async () => {
    const faulty = new FaultyEventStore(store);
    const board = new LogConsumerBoard();
    const follower = new ChainFollower({ store: faulty, chain, batchIntervalMs: 5, board });
    await follower.start();
    await follower.waitForPosition(6n, WAIT_UNTIL_MS);
    await waitUntil(() => follower.state === 'live', 'the chain follower live');
    faulty.dropSubscriptions();
    faulty.failNext(1);
    await report('ngo', 'r7', 7);
    await follower.waitForPosition(7n, WAIT_UNTIL_MS);
    expect((await verifyChain({ store, chain })).ok).toBe(true);
    expect(board.statuses()[0]).toMatchObject({ name: 'hash-chain', position: 7n, failures: 2 });

    chain.close();
    await report('ngo', 'r8', 8);
    await expect(follower.waitForPosition(8n, WAIT_UNTIL_MS)).rejects.toThrow(/could not write/);
    expect(board.statuses()[0]).toMatchObject({ state: 'failed', reason: expect.stringMatching(/^at position \d+: cannot store what was applied: Hash chain: could not write/) });
    await follower.stop();
    chain = ChainStore.open(join(dir, 'audit-chain.db'));
  }, 90_000);
});
