import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable, Writable } from 'node:stream';
import { NO_STREAM, type RecordedEvent, SqliteEventStore } from '@app/event-store';
import { replayProjections } from '@app/projections';
import { generateHistory } from '../../../test/support/history-generator.js';
import { verifyChain } from './verify.js';
import { DestinationClosedError, type ExportedEvent, ImportError, exportLog, importLog } from './ndjson.js';

async function exported(store: SqliteEventStore): Promise<{ text: string; head: Awaited<ReturnType<typeof exportLog>>['head'] }> {
  const out = new PassThrough();
  let text = '';
  out.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  const result = await exportLog({ store, out });
  out.end();
  return { text, head: result.head };
}

async function readAll(store: SqliteEventStore): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for await (const e of store.readAll()) events.push(e);
  return events;
}

describe('export and import', () => {
  let dir: string;
  let source: SqliteEventStore;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'apl-audit-ndjson-'));
    source = SqliteEventStore.open(join(dir, 'source.db'));
    await generateHistory(source, { events: 800, seed: 21, correctionRate: 0.05, retractionRate: 0.02 });
    // Data the NDJSON must carry unchanged: line separators, quotes, unicode, nested metadata.
    await source.append('misc-1', [{ type: 'Note', data: { text: 'line\nbreak \u2028 "quoted" ő', n: [1, 2.5, null] }, metadata: { nested: { b: 1, a: [true] } } }], NO_STREAM);
  });
  afterAll(async () => {
    await source.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes one event per line, all of it, in global order', async () => {
    const { text, head } = await exported(source);
    const lines = text.trimEnd().split('\n');
    const events = await readAll(source);
    expect(lines).toHaveLength(events.length);
    const first = JSON.parse(lines[0]) as ExportedEvent;
    expect(Object.keys(first)).toEqual(['id', 'type', 'stream', 'revision', 'position', 'data', 'metadata', 'created']);
    expect(lines.map((l) => (JSON.parse(l) as ExportedEvent).position)).toEqual(events.map((e) => e.position.toString()));
    expect(JSON.parse(lines[lines.length - 1])).toMatchObject({ stream: 'misc-1', data: { text: 'line\nbreak \u2028 "quoted" ő' } });
    expect(head.sequence).toBe(BigInt(events.length));
  });

  it('loads into a fresh store: same events, same chain head, same projection digests', async () => {
    const { text, head } = await exported(source);
    const target = SqliteEventStore.open(join(dir, 'target.db'));
    try {
      // Small chunks: lines arrive split anywhere.
      const chunks = text.match(/[\s\S]{1,997}/g)!;
      const result = await importLog({ store: target, input: Readable.from(chunks) });
      expect(result.events).toBe((await readAll(source)).length);
      expect(result.head.hash).toBe(head.hash);

      const before = await readAll(source);
      const after = await readAll(target);
      const strip = (e: RecordedEvent) => ({ id: e.id, type: e.type, stream: e.stream, revision: e.revision, data: e.data, metadata: e.metadata });
      expect(after.map(strip)).toEqual(before.map(strip));
      expect((await verifyChain({ store: target, head: { hash: head.hash } })).ok).toBe(true);

      const digests = async (store: SqliteEventStore, name: string) => (await replayProjections({ store, file: join(dir, name) })).digests;
      expect(await digests(target, 'rm-target.db')).toEqual(await digests(source, 'rm-source.db'));
    } finally {
      await target.close();
    }
  });

  it('refuses a store that holds events, and says so', async () => {
    const { text } = await exported(source);
    await expect(importLog({ store: source, input: Readable.from([text]) })).rejects.toThrow(/already holds events .*import only into an empty store/);
  });

  it('refuses a malformed line or a stream out of order, naming the line', async () => {
    const target = SqliteEventStore.open(join(dir, 'bad.db'));
    try {
      const good = JSON.stringify({ id: 'a', type: 'T', stream: 's-1', revision: '0', position: '1', data: {}, metadata: {}, created: new Date().toISOString() });
      await expect(importLog({ store: target, input: Readable.from([`${good}\n{not json\n`]) })).rejects.toEqual(expect.objectContaining({ line: 2 }));
    } finally {
      await target.close();
    }
    const gap = SqliteEventStore.open(join(dir, 'gap.db'));
    try {
      const line = (revision: string, id: string) => JSON.stringify({ id, type: 'T', stream: 's-1', revision, data: {}, metadata: {} });
      const error = await importLog({ store: gap, input: Readable.from([`${line('0', 'a')}\n${line('2', 'b')}\n`]) }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ImportError);
      expect((error as ImportError).line).toBe(2);
    } finally {
      await gap.close();
    }
  });

  it('waits for a slow destination with a constant number of listeners (10,000 events)', async () => {
    const big = SqliteEventStore.open(join(dir, 'big.db'));
    try {
      for (let s = 0; s < 100; s++) {
        const events = Array.from({ length: 100 }, (_, i) => ({ type: 'Note', data: { text: `note ${s}/${i} `.padEnd(200, '.') } }));
        await big.append(`note-${s}`, events, NO_STREAM);
      }
      const warnings: Error[] = [];
      const onWarning = (warning: Error) => warnings.push(warning);
      process.on('warning', onWarning);
      // Slow: each chunk is taken a turn of the event loop later, and the buffer is small.
      let lines = 0;
      let maxListeners = 0;
      let maxBuffered = 0;
      let writes = 0;
      const out: Writable = new Writable({
        highWaterMark: 16 * 1024,
        write(chunk: Buffer, _encoding, callback) {
          writes += 1;
          lines += chunk.toString('utf8').split('\n').length - 1;
          maxListeners = Math.max(maxListeners, ...['drain', 'close', 'error', 'finish'].map((e) => out.listenerCount(e)));
          maxBuffered = Math.max(maxBuffered, out.writableLength);
          setImmediate(callback);
        },
      });
      const listenersBefore = ['drain', 'close', 'error', 'finish'].map((e) => out.listenerCount(e));
      const result = await exportLog({ store: big, out });
      await new Promise<void>((resolve) => out.end(resolve));
      process.off('warning', onWarning);

      expect(result.events).toBe(10_000);
      expect(lines).toBe(10_000);
      expect(writes).toBeGreaterThan(30);
      expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
      // One listener of its own for each event at most while it waits, none left behind.
      expect(maxListeners).toBeLessThanOrEqual(2);
      expect(['drain', 'close', 'error', 'finish'].map((e) => out.listenerCount(e))).toEqual(listenersBefore);
      // Backpressure: it never queues more than one chunk beyond what the destination asked for.
      expect(maxBuffered).toBeLessThanOrEqual(16 * 1024 + 64 * 1024 + 1024);
    } finally {
      await big.close();
    }
  }, 120_000);

  it('stops with an error, its listeners removed, when the destination closes while it waits', async () => {
    // Takes one chunk, then closes without taking more (a reader that went away).
    const out: Writable = new Writable({ highWaterMark: 1024, write: (_chunk, _encoding, callback) => setImmediate(() => (out.destroy(), callback())) });
    await expect(exportLog({ store: source, out })).rejects.toBeInstanceOf(DestinationClosedError);
    expect(['drain', 'close', 'error'].map((e) => out.listenerCount(e))).toEqual([0, 0, 0]);
  });
});
