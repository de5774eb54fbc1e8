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

/** A meeting report of the police as an export holds it; `change` edits the exported event. */
// eslint-disable-next-line typescript/no-explicit-any -- a fixture edited freely, field by field
type Loose = Record<string, any>;
const meeting = (reportId: string, id: string, change: (e: Loose) => void = () => undefined) => {
  const event: Loose = {
    id,
    type: 'MeetingHeld',
    stream: `activity-police/${reportId}`,
    revision: '0',
    position: '9',
    data: { planId: 'hu-2022-2023', measureCode: 'A.1.1', agencyId: 'police', reportId, occurredOn: '2023-03-01', details: { title: 'Round table', meetingKind: 'ROUND_TABLE', participants: 12 } },
    metadata: { agencyId: 'police', schemaVersion: 1 },
    created: '2023-01-01T00:00:00.000Z',
  };
  change(event);
  return JSON.stringify(event);
};
const correction = (reportId: string, revision: number, id: string, details: Record<string, unknown>) =>
  JSON.stringify({
    id,
    type: 'ReportCorrected',
    stream: `activity-police/${reportId}`,
    revision: String(revision),
    position: '9',
    data: { planId: 'hu-2022-2023', measureCode: 'A.1.1', agencyId: 'police', reportId, activityType: 'MeetingHeld', occurredOn: '2023-03-02', details, reason: 'typo', requestId: `c-${id}` },
    metadata: { agencyId: 'police' },
    created: '2023-01-01T00:00:00.000Z',
  });
const line = (reportId: string, revision: number, id: string) =>
  revision === 0 ? meeting(reportId, id) : correction(reportId, revision, id, { title: 'Round table', meetingKind: 'ROUND_TABLE', participants: 10 + revision });

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
      ['e1', 'activity-police/a-1', 0n, 1n],
      ['e2', 'activity-police/b-1', 0n, 2n],
      ['e3', 'activity-police/a-1', 1n, 3n],
    ]);
  });

  it('exits 65 on a line it cannot take, naming the line', async () => {
    const file = join(dir, 'broken.ndjson');
    writeFileSync(file, `${line('a-1', 0, 'e1')}\n{"id":"e2"}\n`);
    const { ctx } = context();
    await expect(importCommand(ctx, file, process.stdin, { create: true })).rejects.toMatchObject({ exitCode: 65, message: 'Import refused: line 2: "type" must be a non-empty string' });
    await ctx.close();
  });

  /** The store holds nothing after a refused import: the check ran before the first append. */
  async function storedEvents(): Promise<number> {
    const store = SqliteEventStore.open(embeddedStoreFile(dir));
    let n = 0;
    for await (const _ of store.readAll()) n += 1;
    await store.close();
    return n;
  }

  it.each([
    ['a count written as text', 3, meeting('r3', 'e3', (e) => (e.data.details.participants = 'many')), 'data.details.participants', 'must be a whole number'],
    ['a negative count', 3, meeting('r3', 'e3', (e) => (e.data.details.participants = -4)), 'data.details.participants', 'must not be negative'],
    ['a date that does not exist', 3, meeting('r3', 'e3', (e) => (e.data.occurredOn = '2023-02-30')), 'data.occurredOn', 'must be a real calendar date written YYYY-MM-DD (got "2023-02-30")'],
    ['an enum value the catalogue lacks', 3, meeting('r3', 'e3', (e) => (e.data.details.meetingKind = 'round_table')), 'data.details.meetingKind', 'must be one of'],
    ['a field the type does not have', 3, meeting('r3', 'e3', (e) => (e.data.details.budget = 5)), 'data.details.budget', 'is not a field of MeetingHeld'],
    ['a required field missing', 3, meeting('r3', 'e3', (e) => delete e.data.details.meetingKind), 'data.details.meetingKind', 'is required'],
    ['an unknown event type', 3, meeting('r3', 'e3', (e) => (e.type = 'MeetingHold')), 'type', '"MeetingHold" is not an event type of this ledger'],
    ['a schema version newer than the upcasters know', 3, meeting('r3', 'e3', (e) => (e.metadata.schemaVersion = 7)), 'metadata.schemaVersion', 'is 7, newer than this code reads'],
    ['a report on another agency\'s stream', 3, meeting('r3', 'e3', (e) => (e.stream = 'activity-ngo/r3')), 'stream', "must be the report's own stream activity-police/r3"],
    ['a correction whose count is not whole', 3, correction('r1', 1, 'e4', { title: 'x', meetingKind: 'OTHER', participants: 1.5 }), 'data.details.participants', 'must be a whole number'],
    ['a gap in a stream\'s revisions', 3, correction('r1', 2, 'e4', { title: 'x', meetingKind: 'OTHER' }), 'revision', 'must be 1'],
  ])('refuses %s before writing anything: exit 65 naming line, field and reason', async (_kind, lineNo, bad, field, reason) => {
    const file = join(dir, 'bad.ndjson');
    const lines = [line('r1', 0, 'e1'), line('r2', 0, 'e2'), bad];
    writeFileSync(file, `${lines.join('\n')}\n`);
    const { ctx } = context();
    const refused = importCommand(ctx, file, process.stdin, { create: true });
    await expect(refused).rejects.toMatchObject({ exitCode: 65, message: expect.stringContaining(`line ${lineNo}: `) });
    await expect(refused).rejects.toMatchObject({ message: expect.stringContaining(`${field} ${reason}`) });
    await ctx.close();
    expect(await storedEvents()).toBe(0);
  });

  it('takes history recorded under older plausibility rules: a 0 where the catalogue now wants at least 1', async () => {
    const file = join(dir, 'old.ndjson');
    writeFileSync(file, `${meeting('r1', 'e1', (e) => (e.data.details = { title: 'x', meetingKind: 'OTHER', participants: 0 }))}\n`);
    const { ctx } = context();
    expect(await importCommand(ctx, file, process.stdin, { create: true })).toBe(0);
    await ctx.close();
    expect(await storedEvents()).toBe(1);
  });
});
