import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NO_STREAM, type RecordedEvent } from '../event-store.port.js';
import { SqliteEventStore } from '../sqlite/sqlite-event-store.js';
import { canonicalEvent, canonicalObject, linkedHereAfter, nextLink, GENESIS_LINK } from './chain-link.js';
import type { ChainedEvent } from './chain-link.js';

const base: ChainedEvent = {
  id: '7d1b6d0e-7a5f-4c43-9d6e-1d2f1b0c0a01',
  stream: 'activity-police/r-1',
  revision: 0n,
  type: 'TrainingDelivered',
  data: { measureCode: 'II.1.3', details: { participants: 12, topic: 'screening' } },
  metadata: { recordedAt: '2023-02-01T10:00:00.000Z', agencyId: 'police', schemaVersion: 1 },
};

describe('canonicalEvent', () => {
  it.each([
    ['a report event', base],
    ['quotes, backslashes, control characters and non-ASCII in every text', { ...base, id: 'a"b\\c', stream: 'activity-ügynökség/"r"\n', type: 'T\u2028y', data: { 'k"ey': 'v\\al\u0001', é: ['ő', null, true, 1.5e-7] } }],
    ['empty data and metadata, a large revision', { ...base, revision: 9_007_199_254_740_993n, data: {}, metadata: {} }],
    ['data that is not an object', { ...base, data: [1, 'two', { z: 0, a: -0 }] }],
    ['data that is null', { ...base, data: null }],
  ])('is the canonical JSON of the object the chain covers: %s', (_what, event) => {
    for (const seq of [1n, 42n, 12_345_678_901_234_567_890n]) expect(canonicalEvent(event as ChainedEvent, seq)).toBe(canonicalObject(event as ChainedEvent, seq));
  });

  it('falls back to the definition for events the short form cannot write (no metadata)', () => {
    const odd = { ...base, metadata: undefined } as unknown as ChainedEvent;
    expect(canonicalEvent(odd, 1n)).toBe(canonicalObject(odd, 1n));
    expect(canonicalEvent(odd, 1n)).not.toContain('metadata');
  });

  it('links as before: the link of the same event is the same', () => {
    expect(nextLink(GENESIS_LINK, base, 1n)).toMatch(/^[0-9a-f]{64}$/);
    expect(nextLink(GENESIS_LINK, { ...base }, 1n)).toBe(nextLink(GENESIS_LINK, base, 1n));
  });
});

describe('links computed in this process', () => {
  it('are known for the events the embedded store hands its subscribers, after the link before each; never for events read from the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'apl-chain-here-'));
    const store = SqliteEventStore.open(join(dir, 'events.db'));
    try {
      const handed: RecordedEvent[] = [];
      const subscription = store.subscribeAll();
      const reading = (async () => {
        for await (const event of subscription) {
          handed.push(event);
          if (handed.length === 3) break;
        }
      })();
      await store.append('s-1', [{ type: 'T', data: { n: 1 } }], NO_STREAM);
      await store.appendMany([
        { stream: 's-2', events: [{ type: 'T', data: { n: 2 } }], expected: NO_STREAM },
        { stream: 's-3', events: [{ type: 'T', data: { n: 3 } }], expected: NO_STREAM },
      ]);
      await reading;
      await subscription.close();
      const read: RecordedEvent[] = [];
      for await (const event of store.readAll()) read.push(event);
      expect(handed.map((e) => e.position)).toEqual(read.map((e) => e.position));
      let previous = GENESIS_LINK;
      for (const [i, event] of handed.entries()) {
        // The link known here is the one hashing gives: nextLink(previous, the event as read back).
        expect(linkedHereAfter(event)).toBe(previous);
        expect(event.chain?.link).toBe(nextLink(previous, read[i], BigInt(i + 1)));
        previous = event.chain!.link;
        expect(linkedHereAfter(read[i])).toBeUndefined();
      }
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
