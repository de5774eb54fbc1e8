import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { SqliteEventStore, embeddedStoreFile } from '@app/event-store';
import { inDataDir, savedDataDir } from '../../../../test/support/cli.js';
import { generateHistory } from '../../../../test/support/history-generator.js';
import { reportCommand } from './report.command.js';

describe('ledger report', () => {
  let root: string;
  let dataDir: string;
  const restoreDataDir = savedDataDir();
  const range = { plan: 'hu-2022-2023', from: '2022-04-01', to: '2023-03-31' };

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'apl-cli-report-'));
    dataDir = join(root, 'data');
    const store = SqliteEventStore.open(embeddedStoreFile(dataDir));
    await generateHistory(store, { events: 800, seed: 5 });
    await store.close();
  }, 60_000);
  afterAll(() => {
    restoreDataDir();
    rmSync(root, { recursive: true, force: true });
  });

  it('writes the CSV at a position and says what it was computed from', async () => {
    const out = join(root, 'tip.csv');
    const run = await inDataDir(dataDir, true, (ctx) => reportCommand(ctx, { ...range, format: 'csv', out, atPosition: '400' }));
    expect(run.result).toBe(0);
    const summary = JSON.parse(run.stdout) as { position: string; chainHead: string; file: string; measures: number };
    expect(summary).toMatchObject({ position: '400', file: out, measures: 46 });
    expect(summary.chainHead).toMatch(/^[0-9a-f]{64}$/);
    const rows = parse(readFileSync(out, 'utf8'), { columns: true }) as Array<Record<string, string>>;
    expect(new Set(rows.map((r) => r.ledgerPosition))).toEqual(new Set(['400']));
    expect(new Set(rows.map((r) => r.chainHead))).toEqual(new Set([summary.chainHead]));
  }, 60_000);

  it('writes XLSX and DOCX (zip files), refusing to overwrite', async () => {
    for (const format of ['xlsx', 'docx']) {
      const out = join(root, `tip.${format}`);
      const run = await inDataDir(dataDir, false, (ctx) => reportCommand(ctx, { ...range, format, out }));
      expect(run.result).toBe(0);
      expect(run.stdout).toContain(`Wrote ${out} (${format}`);
      expect(readFileSync(out).subarray(0, 2).toString()).toBe('PK');
      await expect(inDataDir(dataDir, false, (ctx) => reportCommand(ctx, { ...range, format, out }))).rejects.toMatchObject({ exitCode: 66 });
    }
  }, 60_000);

  it('refuses bad input with the option and the reason', async () => {
    const refused = (options: Parameters<typeof reportCommand>[1]) => inDataDir(dataDir, false, (ctx) => reportCommand(ctx, options));
    await expect(refused({ ...range, from: '2022-02-30' })).rejects.toMatchObject({ exitCode: 64, message: expect.stringMatching(/^--from must be a calendar date/) });
    await expect(refused({ ...range, format: 'pdf' })).rejects.toMatchObject({ exitCode: 64, message: expect.stringMatching(/^--format must be one of xlsx, csv, docx/) });
    await expect(refused({ ...range, atPosition: '9000' })).rejects.toMatchObject({ exitCode: 64, message: expect.stringMatching(/^--at-position is beyond the end of the log/) });
    // More digits than a position has is still a position, past the end; "" is no position at all (never the head).
    await expect(refused({ ...range, atPosition: '99999999999999999999999' })).rejects.toMatchObject({ exitCode: 64, message: expect.stringMatching(/^--at-position is beyond the end of the log \(its last position is \d+\)$/) });
    await expect(refused({ ...range, atPosition: '' })).rejects.toMatchObject({ exitCode: 64, message: '--at-position must be a ledger position, a whole number (got "")' });
    await expect(refused({ ...range, atInstant: 'noon' })).rejects.toMatchObject({ exitCode: 64, message: expect.stringMatching(/^--at-instant must be an RFC 3339 date-time with an explicit offset/) });
    // Without an offset the instant would be read in this machine's time zone: refused, whatever TZ is.
    await expect(refused({ ...range, atInstant: '2026-11-30T15:16:44' })).rejects.toMatchObject({ exitCode: 64, message: expect.stringMatching(/^--at-instant must be an RFC 3339 date-time with an explicit offset.*got "2026-11-30T15:16:44"/) });
    await expect(refused({ ...range, plan: 'nope' })).rejects.toMatchObject({ exitCode: 65, message: 'Plan nope is not adopted in the ledger' });
    await expect(refused({ ...range, plan: 'nope', atPosition: '1' })).rejects.toMatchObject({ exitCode: 65, message: 'Plan nope was not adopted in the ledger at position 1' });
    expect(existsSync(join(process.cwd(), 'implementation-report_nope_2022-04-01_2023-03-31.xlsx'))).toBe(false);
  }, 60_000);
});
