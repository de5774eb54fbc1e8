import { PassThrough } from 'node:stream';
import { CliContext } from '../cli-context.js';
import { type Summary, importReportsCommand, summaryText } from './reports.command.js';

const summary = (over: Partial<Summary>): Summary => ({
  status: 'OK',
  dryRun: false,
  atomic: false,
  counts: { total: 3, created: 3, duplicate: 0, refused: 0, valid: 0, ignored: 0 },
  rows: [],
  ...over,
});

describe('ledger reports import: the summary it prints', () => {
  it('a plain import prints what was stored, and neither the dry-run nor the atomic counter', () => {
    const text = summaryText(summary({ counts: { total: 3, created: 2, duplicate: 1, refused: 0, valid: 0, ignored: 0 } }));
    expect(text).toBe('OK: 3 rows — 2 created, 1 duplicate, 0 refused');
  });

  it('a dry run prints the valid rows instead of created ones, and says nothing was stored', () => {
    const text = summaryText(summary({ dryRun: true, counts: { total: 4, created: 0, duplicate: 1, refused: 0, valid: 3, ignored: 0 } }));
    expect(text).toBe('OK: 4 rows — 3 valid, 1 duplicate, 0 refused (dry run: nothing stored)');
    expect(text).not.toMatch(/created|ignored|atomic/);
  });

  it('an atomic import prints the rows held back only when a refusal held them back', () => {
    expect(summaryText(summary({ atomic: true }))).toBe('OK: 3 rows — 3 created, 0 duplicate, 0 refused');
    const refused = summaryText(
      summary({
        status: 'ERROR',
        atomic: true,
        counts: { total: 3, created: 0, duplicate: 0, refused: 1, valid: 0, ignored: 2 },
        rows: [{ index: 2, status: 'REFUSED', reportId: 'r-3', errors: [{ field: 'TrainingDelivered!F4', reason: 'must not be less than 1', sheet: 'TrainingDelivered', row: 4, column: 'F (participants)' }] }],
      }),
    );
    expect(refused.split('\n')).toEqual([
      'ERROR: 3 rows — 0 created, 0 duplicate, 1 refused, 2 ignored (atomic: a refused row stores none)',
      '  TrainingDelivered, row 4, column F (participants) (report r-3): must not be less than 1',
    ]);
  });

  it('prints the corrections of CREATE_AND_UPDATE and the retractions of DELETE only under that strategy', () => {
    const counts = { total: 4, created: 1, updated: 2, deleted: 0, duplicate: 1, refused: 0, valid: 0, ignored: 0 };
    expect(summaryText(summary({ importStrategy: 'CREATE_AND_UPDATE', counts }))).toBe('OK: 4 rows — 1 created, 2 updated, 1 duplicate, 0 refused');
    expect(summaryText(summary({ importStrategy: 'DELETE', counts: { ...counts, created: 0, updated: 0, deleted: 3 } }))).toBe('OK: 4 rows — 0 created, 3 deleted, 1 duplicate, 0 refused');
    expect(summaryText(summary({ importStrategy: 'CREATE', counts }))).toBe('OK: 4 rows — 1 created, 1 duplicate, 0 refused');
    // A dry run says what would be stored, not what was.
    expect(summaryText(summary({ importStrategy: 'CREATE_AND_UPDATE', dryRun: true, counts: { ...counts, valid: 3 } }))).not.toMatch(/updated/);
  });

  it('a refusal without a cell names its row, and one without a report id its index', () => {
    const text = summaryText(
      summary({
        status: 'WARNING',
        counts: { total: 2, created: 1, duplicate: 0, refused: 1, valid: 0, ignored: 0 },
        rows: [{ index: 1, status: 'REFUSED', reportId: null, errors: [{ field: "'r.csv'!3:3", reason: 'is not an event type', sheet: 'r.csv', row: 3, column: null }] }],
      }),
    );
    expect(text.split('\n')[1]).toBe('  r.csv, row 3 (row #1): is not an event type');
  });
});

describe('ledger reports import: its options', () => {
  it.each([[undefined], ['CREATE'], ['create']])('refuses --reason with --import-strategy %s before anything is sent, naming both options (exit 64)', async (importStrategy) => {
    const ctx = new CliContext(false, new PassThrough(), new PassThrough());
    await expect(importReportsCommand(ctx, 'sheet.xlsx', { reason: 'Late entry', importStrategy })).rejects.toMatchObject({
      exitCode: 64,
      message: expect.stringContaining('--reason is only read with --import-strategy CREATE_AND_UPDATE or DELETE'),
    });
    await ctx.close();
  });
});
