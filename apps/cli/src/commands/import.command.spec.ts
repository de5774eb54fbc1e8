import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { SqliteEventStore, embeddedStoreFile } from '@app/event-store';
import { CliContext } from '../cli-context.js';
import { importCommand } from './import.command.js';

function context(json = false) {
  const out = new PassThrough();
  let stdout = '';
  out.on('data', (chunk) => (stdout += chunk));
  return { ctx: new CliContext(json, out, new PassThrough()), stdout: () => stdout };
}

const line = (stream: string, revision: number, id: string) =>
  JSON.stringify({ id, type: 'MeetingHeld', stream, revision: String(revision), position: '9', data: { n: revision }, metadata: { agencyId: 'police' }, created: '2023-01-01T00:00:00.000Z' });

describe('ledger import', () => {
  let dir: string;
  const savedDataDir = process.env.DATA_DIR;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'apl-cli-import-'));
    process.env.DATA_DIR = dir;
  });
  afterEach(() => {
    if (savedDataDir === undefined) delete process.env.DATA_DIR;
    else process.env.DATA_DIR = savedDataDir;
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads stdin with -, keeping ids, streams, revisions and order (--json)', async () => {
    const input = Readable.from([`${line('a-1', 0, 'e1')}\n${line('b-1', 0, 'e2')}\n${line('a-1', 1, 'e3')}\n`]);
    const { ctx, stdout } = context(true);
    expect(await importCommand(ctx, '-', input, { create: true })).toBe(0);
    await ctx.close();
    expect(JSON.parse(stdout())).toMatchObject({ file: '-', store: 'sqlite', events: 3, head: expect.stringMatching(/^[0-9a-f]{64}@3$/), staleFiles: [] });
    const store = SqliteEventStore.open(embeddedStoreFile(dir));
    const events = [];
    for await (const e of store.readAll()) events.push([e.id, e.stream, e.revision, e.position]);
    await store.close();
    expect(events).toEqual([
      ['e1', 'a-1', 0n, 1n],
      ['e2', 'b-1', 0n, 2n],
      ['e3', 'a-1', 1n, 3n],
    ]);
  });

  it('exits 65 on a line it cannot take, naming the line', async () => {
    const file = join(dir, 'broken.ndjson');
    writeFileSync(file, `${line('a-1', 0, 'e1')}\n{"id":"e2"}\n`);
    const { ctx } = context();
    await expect(importCommand(ctx, file, process.stdin, { create: true })).rejects.toMatchObject({ exitCode: 65, message: 'Import refused: line 2: "type" must be a non-empty string' });
    await ctx.close();
  });
});
