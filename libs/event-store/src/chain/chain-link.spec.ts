import { canonicalEvent, canonicalObject, nextLink, GENESIS_LINK } from './chain-link.js';
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
