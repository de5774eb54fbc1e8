import { createHash } from 'node:crypto';
import { canonicalJson } from '@app/event-store';
import { ChainBuilder, EMPTY_HEAD, GENESIS_LINK, canonicalEvent, formatHead, nextLink, parseHead } from './hash-chain.js';

const event = (over: Partial<Parameters<typeof nextLink>[1]> = {}) => ({
  id: '7d1b6d0e-7a5f-4c43-9d6e-1d2f1b0c0a01',
  stream: 'activity-police-r1',
  revision: 0n,
  type: 'TrainingDelivered',
  data: { measureCode: 'II.1.3', details: { participants: 12, topic: 'screening' } },
  metadata: { recordedAt: '2023-02-01T10:00:00.000Z', agencyId: 'police' },
  ...over,
});

describe('canonical JSON', () => {
  it('sorts keys at every depth and writes no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: null, y: 'é' }], c: true } })).toBe('{"a":{"c":true,"d":[3,{"y":"é","z":null}]},"b":1}');
  });

  it('gives the same text whatever the key order of the stored JSON', () => {
    expect(canonicalJson(JSON.parse('{"x":1,"y":[1,2],"w":"a"}'))).toBe(canonicalJson(JSON.parse('{"w":"a","y":[1,2],"x":1}')));
  });

  it('writes numbers as JSON does and refuses what JSON cannot hold', () => {
    expect(canonicalJson([1.5, -0, 1e21, 100])).toBe('[1.5,0,1e+21,100]');
    expect(() => canonicalJson(Number.NaN)).toThrow(TypeError);
  });

  it('writes, for any JSON value, the text of the formula as first defined (sorted keys, JSON.stringify for the rest)', () => {
    // The definition the chain was written with: its text must never change, however it is computed.
    const reference = (value: unknown): string => {
      if (Array.isArray(value)) return `[${value.map(reference).join(',')}]`;
      if (value !== null && typeof value === 'object') {
        const o = value as Record<string, unknown>;
        const keys = Object.keys(o).filter((k) => o[k] !== undefined).sort();
        return `{${keys.map((k) => `${JSON.stringify(k)}:${reference(o[k])}`).join(',')}}`;
      }
      return JSON.stringify(value);
    };
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const texts = ['', 'a', 'é', '"q"', '\\', '\n', 'ß', '😀', 'Z', 'aa', 'A_b', '10', '2'];
    const value = (depth: number): unknown => {
      const kind = Math.floor(random() * (depth > 3 ? 4 : 6));
      if (kind === 0) return null;
      if (kind === 1) return random() < 0.5;
      if (kind === 2) return [0, -0, 1.5, -3, 1e21, 2 ** 53, 1e-7][Math.floor(random() * 7)];
      if (kind === 3) return texts[Math.floor(random() * texts.length)];
      if (kind === 4) return Array.from({ length: Math.floor(random() * 4) }, () => value(depth + 1));
      const o: Record<string, unknown> = {};
      for (let i = Math.floor(random() * 5); i > 0; i--) o[texts[Math.floor(random() * texts.length)]] = random() < 0.1 ? undefined : value(depth + 1);
      return o;
    };
    for (let i = 0; i < 500; i++) {
      const v = value(0);
      expect(canonicalJson(v as never)).toBe(reference(v));
    }
  });
});

describe('the hash chain', () => {
  it('is sha256(previous link ‖ "\\n" ‖ canonical(seq, id, stream, revision, type, data, metadata))', () => {
    const e = event();
    const expected = createHash('sha256')
      .update(
        `${GENESIS_LINK}\n{"data":{"details":{"participants":12,"topic":"screening"},"measureCode":"II.1.3"},"id":"7d1b6d0e-7a5f-4c43-9d6e-1d2f1b0c0a01",` +
          `"metadata":{"agencyId":"police","recordedAt":"2023-02-01T10:00:00.000Z"},"revision":"0","seq":"1","stream":"activity-police-r1","type":"TrainingDelivered"}`,
      )
      .digest('hex');
    expect(nextLink(GENESIS_LINK, e, 1n)).toBe(expected);
    expect(canonicalEvent(e, 1n)).toContain('"seq":"1"');
  });

  it('changes when anything it covers changes, and not with the position or commit time', () => {
    const base = nextLink(GENESIS_LINK, event(), 1n);
    expect(nextLink(GENESIS_LINK, event({ data: { measureCode: 'II.1.3', details: { participants: 13, topic: 'screening' } } }), 1n)).not.toBe(base);
    expect(nextLink(GENESIS_LINK, event({ metadata: { recordedAt: '2023-02-01T10:00:00.001Z', agencyId: 'police' } }), 1n)).not.toBe(base);
    expect(nextLink(GENESIS_LINK, event({ revision: 1n }), 1n)).not.toBe(base);
    expect(nextLink(GENESIS_LINK, event({ id: '7d1b6d0e-7a5f-4c43-9d6e-1d2f1b0c0a02' }), 1n)).not.toBe(base);
    expect(nextLink(GENESIS_LINK, event(), 2n)).not.toBe(base);
    expect(nextLink('f'.repeat(64), event(), 1n)).not.toBe(base);
    const builder = new ChainBuilder();
    expect(builder.add({ ...event(), position: 1n }).link).toBe(base);
    expect(new ChainBuilder().add({ ...event(), position: 987_654n }).link).toBe(base);
  });

  it('folds event by event and resumes from a head', () => {
    const all = new ChainBuilder();
    const events = [1n, 2n, 3n].map((p) => ({ ...event({ revision: p - 1n }), position: p * 10n }));
    for (const e of events) all.add(e);
    const half = new ChainBuilder();
    half.add(events[0]);
    const resumed = new ChainBuilder(half.head);
    resumed.add(events[1]);
    resumed.add(events[2]);
    expect(resumed.head).toEqual(all.head);
    expect(all.head).toMatchObject({ position: 30n, sequence: 3n });
    expect(new ChainBuilder().head).toEqual(EMPTY_HEAD);
  });

  it('prints heads as hash@position and reads them back, with or without the position', () => {
    const hash = 'ab'.repeat(32);
    expect(formatHead({ hash, position: 42n })).toBe(`${hash}@42`);
    expect(parseHead(`${hash}@42`)).toEqual({ hash, position: 42n });
    expect(parseHead(` ${hash.toUpperCase()} `)).toEqual({ hash });
    expect(parseHead('abc@1')).toBeUndefined();
    expect(parseHead(`${hash}@x`)).toBeUndefined();
  });
});
