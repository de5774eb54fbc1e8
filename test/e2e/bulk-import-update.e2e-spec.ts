/**
 * importStrategy CREATE_AND_UPDATE end to end: an NGO keeps one spreadsheet all year and uploads it
 * again each quarter; a row it fixed becomes a correction of its report (UPDATED), through the
 * correction's rules, and the figures follow. CREATE still answers such a row CONFLICT.
 */
import ExcelJS from 'exceljs';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { CliContext } from '../../apps/cli/src/cli-context.js';
import { importReportsCommand } from '../../apps/cli/src/commands/reports.command.js';
import { authAs } from './support/auth.js';
import { NPH, PLAN } from './support/season.js';
import { type TestApp, startTestApp } from './support/test-app.js';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
/** A measure national-police-headquarters is a partner of, counting TrainingDelivered and summing its participants. */
const MEASURE = 'II.1.3';

interface Row {
  index: number;
  status: string;
  reportId?: string;
  receipt?: { eventId: string; eventType: string; position: string; duplicate: boolean } | null;
  errors: Array<{ code: string; field: string; reason: string; rule?: string; period?: string; sheet?: string; row?: number; column?: string }>;
}
interface Summary {
  status: string;
  importStrategy: string;
  counts: Record<string, number>;
  rows: Row[];
}

/** POSTs `body` on a connection of its own (as bulk-import.e2e-spec.ts does, for the same reason: no pooled keep-alive socket). */
function httpPost(url: string, headers: Record<string, string>, body: Buffer | string): Promise<{ status: number; body: Summary & Record<string, unknown> }> {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent: false, headers: { ...headers, 'content-length': String(bytes.length) } });
    req.on('error', reject);
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Summary & Record<string, unknown> }));
    });
    req.end(bytes);
  });
}

describe('spreadsheet corrections: importStrategy CREATE_AND_UPDATE (e2e)', () => {
  let t: TestApp;
  let base: string;
  let agency: Record<string, string>;
  let coordinator: Record<string, string>;
  let template: ExcelJS.Workbook;
  let header: string[];

  const head = async () => (await t.gql<{ health: { headPosition: string } }>('{ health { headPosition } }')).data!.health.headPosition;
  const upload = (body: Buffer | string, contentType: string, query = '') => httpPost(`${base}/imports/reports${query}`, { ...agency, 'content-type': contentType }, body);
  const strategy = (reason?: string) => `?importStrategy=CREATE_AND_UPDATE${reason ? `&reason=${encodeURIComponent(reason)}` : ''}`;
  /** The template's TrainingDelivered sheet holding `rows`, each given by header name. */
  const workbook = async (rows: Array<Record<string, unknown>>) => {
    const book = new ExcelJS.Workbook();
    await book.xlsx.load((await template.xlsx.writeBuffer()) as ArrayBuffer);
    const sheet = book.getWorksheet('TrainingDelivered')!;
    for (const row of rows) sheet.addRow(header.map((h) => row[h] ?? null));
    return Buffer.from(await book.xlsx.writeBuffer());
  };
  const training = (reportId: string, participants: number, over: Record<string, unknown> = {}) => ({
    measureCode: MEASURE,
    reportId,
    occurredOn: '2023-05-10',
    title: 'Victim identification',
    participants,
    days: 1,
    ...over,
  });
  const report = async (reportId: string, atLeastPosition: string) => {
    const res = await t.gql<{ report: { occurredOn: string; details: Record<string, unknown>; corrections: number } }>(
      `query ($r: String!, $p: String) { report(agencyId: "${NPH}", reportId: $r, atLeastPosition: $p) { occurredOn details corrections } }`,
      { r: reportId, p: atLeastPosition },
      coordinator,
    );
    expect(res.errors).toBeUndefined();
    return res.data!.report;
  };
  /** The measure's participants as counted for the agency: the figure coordinators read. */
  const participants = async (atLeastPosition: string) => {
    const res = await t.gql<{ measure: { indicatorValues: Array<{ key: string; byAgency: Array<{ agencyId: string; value: number }> }> } }>(
      `{ measure(code: "${MEASURE}", planId: "${PLAN}") { indicatorValues(atLeastPosition: "${atLeastPosition}") { key byAgency { agencyId value } } } }`,
      undefined,
      coordinator,
    );
    expect(res.errors).toBeUndefined();
    return res.data!.measure.indicatorValues.find((i) => i.key === 'participants')!.byAgency.find((a) => a.agencyId === NPH)?.value ?? 0;
  };
  const history = async (reportId: string) => {
    const res = await t.gql<{ reportHistory: { events: Array<{ type: string; data: Record<string, unknown> }> } }>(
      `query ($r: String!) { reportHistory(agencyId: "${NPH}", reportId: $r) { events { type data } } }`,
      { r: reportId },
      agency,
    );
    expect(res.errors).toBeUndefined();
    return res.data!.reportHistory.events;
  };

  beforeAll(async () => {
    t = await startTestApp();
    base = t.url.replace(/\/graphql$/, '');
    agency = await authAs(t, { role: 'AGENCY', agencyId: NPH });
    coordinator = await authAs(t, { role: 'COORDINATOR' });
    const res = await fetch(`${base}/imports/reports/template`, { headers: agency });
    if (res.status !== 200) throw new Error(`template: HTTP ${res.status}`);
    template = new ExcelJS.Workbook();
    await template.xlsx.load(await res.arrayBuffer());
    header = (template.getWorksheet('TrainingDelivered')!.getRow(1).values as string[]).slice(1);
  }, 120_000);
  afterAll(async () => {
    await t?.close({ removeData: true });
  });

  it('gives the template an optional reason column, last, with a note saying when it is read', () => {
    expect(header.at(-1)).toBe('reason');
    const note = template.getWorksheet('TrainingDelivered')!.getCell(1, header.length).note;
    expect(JSON.stringify(note)).toContain('CREATE_AND_UPDATE');
  });

  it('XLSX: a fixed row is CONFLICT under CREATE, refused without a reason, UPDATED with one; the figures follow; again stores nothing', async () => {
    const first = await upload(await workbook([training('ngo-1', 12), training('ngo-2', 5), training('ngo-3', 7)]), XLSX);
    expect(first.status).toBe(201);
    expect(first.body.rows.map((r) => r.status)).toEqual(['CREATED', 'CREATED', 'CREATED']);
    expect(await participants(first.body.rows[2].receipt!.position)).toBe(24);

    // The NGO fixes ngo-1 (12 → 21) and the date of ngo-2, and uploads the whole sheet again.
    const fixed = [training('ngo-1', 21), training('ngo-2', 5, { occurredOn: '2023-05-12' }), training('ngo-3', 7)];
    const before = await head();
    const asCreate = await upload(await workbook(fixed), XLSX);
    expect(asCreate.body.importStrategy).toBe('CREATE');
    expect(asCreate.body.rows.map((r) => r.status)).toEqual(['REFUSED', 'REFUSED', 'DUPLICATE']);
    expect(asCreate.body.rows[0].errors[0]).toMatchObject({ code: 'CONFLICT', reason: expect.stringContaining('CREATE_AND_UPDATE') });

    // No reason in the row nor in the request: each changed row is refused at its reason cell, saying what it changes.
    const reasonColumn = String.fromCharCode(64 + header.length);
    const noReason = await upload(await workbook(fixed), XLSX, strategy());
    expect(noReason.body.rows.map((r) => r.status)).toEqual(['REFUSED', 'REFUSED', 'DUPLICATE']);
    expect(noReason.body.rows[0].errors).toEqual([
      {
        code: 'BAD_USER_INPUT',
        field: `TrainingDelivered!${reasonColumn}2`,
        sheet: 'TrainingDelivered',
        row: 2,
        column: `${reasonColumn} (reason)`,
        reason: expect.stringMatching(/^is required: this row changes report ngo-1 \(participants 12 → 21\).*reason column.*reason parameter/),
      },
    ]);
    expect(noReason.body.rows[1].errors[0].reason).toContain('occurredOn 2023-05-10 → 2023-05-12');
    expect(await head()).toBe(before);

    // A reason in the request serves the rows without one; a row's own reason cell comes first.
    const withReason = await upload(await workbook([{ ...fixed[0], reason: 'Attendance sheet recounted' }, fixed[1], fixed[2]]), XLSX, strategy('Quarterly review'));
    expect(withReason.status).toBe(200);
    expect(withReason.body).toMatchObject({ status: 'OK', importStrategy: 'CREATE_AND_UPDATE', counts: { total: 3, created: 0, updated: 2, duplicate: 1, refused: 0 } });
    expect(withReason.body.rows.map((r) => r.status)).toEqual(['UPDATED', 'UPDATED', 'DUPLICATE']);
    const correction = withReason.body.rows[0].receipt!;
    expect(correction).toMatchObject({ eventType: 'ReportCorrected', duplicate: false });
    const at = withReason.body.rows[1].receipt!.position;
    expect(await report('ngo-1', at)).toMatchObject({ details: { participants: 21 }, corrections: 1 });
    expect(await report('ngo-2', at)).toMatchObject({ occurredOn: '2023-05-12', corrections: 1 });
    expect(await participants(at)).toBe(33);
    const [, stored] = await history('ngo-1');
    expect(stored).toMatchObject({ type: 'ReportCorrected', data: { reason: 'Attendance sheet recounted', requestId: expect.stringMatching(/^import:[0-9a-f]{40}$/) } });
    expect((await history('ngo-2'))[1].data.reason).toBe('Quarterly review');

    // The same corrected file again: every row equals its report's current content, nothing is stored.
    const stable = await head();
    const again = await upload(await workbook(fixed), XLSX, strategy('Quarterly review'));
    expect(again.body.rows.map((r) => r.status)).toEqual(['DUPLICATE', 'DUPLICATE', 'DUPLICATE']);
    expect(again.body.rows[0].receipt).toMatchObject({ eventId: correction.eventId, duplicate: true });
    expect(again.body.counts).toMatchObject({ updated: 0, duplicate: 3 });
    expect(await head()).toBe(stable);
    // CREATE still takes a corrected report's ORIGINAL row as its repeat, and refuses the fixed one.
    expect((await upload(await workbook([training('ngo-1', 12), fixed[0]]), XLSX)).body.rows.map((r) => r.status)).toEqual(['DUPLICATE', 'REFUSED']);
    expect(await head()).toBe(stable);
  }, 180_000);

  it('CSV: creates, corrects with the reason column, and the CLI passes --import-strategy and --reason', async () => {
    const columns = 'type,measureCode,reportId,occurredOn,title,participants,days,reason';
    const line = (id: string, n: number, reason = '') => `TrainingDelivered,${MEASURE},${id},2023-06-01,Workshop,${n},2,${reason}`;
    const created = await upload([columns, line('csv-1', 4), line('csv-2', 6)].join('\n'), 'text/csv', strategy());
    expect(created.body.rows.map((r) => r.status)).toEqual(['CREATED', 'CREATED']);
    const updated = await upload([columns, line('csv-1', 40, 'Typo: 4 was 40'), line('csv-2', 6), line('csv-3', 1)].join('\n'), 'text/csv', strategy());
    expect(updated.status).toBe(201);
    expect(updated.body.rows.map((r) => r.status)).toEqual(['UPDATED', 'DUPLICATE', 'CREATED']);
    expect(await report('csv-1', updated.body.rows[2].receipt!.position)).toMatchObject({ details: { participants: 40 }, corrections: 1 });
    // A reason cell too short for a correction is refused at that cell.
    const short = await upload([columns, line('csv-2', 9, 'no')].join('\n'), 'text/csv', strategy());
    expect(short.body.rows[0].errors[0]).toMatchObject({ code: 'BAD_USER_INPUT', field: "'upload.csv'!H2", column: 'H (reason)', reason: expect.stringContaining('at least 3') });

    // As form fields of a browser upload: a reason longer than a flag (the form takes up to 2,000 characters).
    const data = new FormData();
    const long = `Recounted from the sign-in sheets. ${'Each participant was checked against the register. '.repeat(30)}`;
    data.append('importStrategy', 'CREATE_AND_UPDATE');
    data.append('reason', long);
    data.append('file', new Blob([[columns, line('csv-3', 2)].join('\n')], { type: 'text/csv' }), 'reports.csv');
    const formRequest = new Request('http://form.invalid/', { method: 'POST', body: data });
    const fromForm = await httpPost(`${base}/imports/reports`, { ...agency, 'content-type': formRequest.headers.get('content-type')! }, Buffer.from(await formRequest.arrayBuffer()));
    expect(fromForm.body).toMatchObject({ importStrategy: 'CREATE_AND_UPDATE', counts: { updated: 1 } });
    expect((await history('csv-3'))[1].data.reason).toBe(long.trim());

    const dir = mkdtempSync(join(tmpdir(), 'apl-cli-update-'));
    try {
      let out = '';
      const ctx = new CliContext(true, new PassThrough().on('data', (chunk: Buffer) => (out += chunk.toString())), new PassThrough());
      const api = { api: base, key: agency.authorization.replace(/^Bearer /, '') };
      const file = join(dir, 'reports.csv');
      writeFileSync(file, [columns, line('csv-2', 8)].join('\n'));
      expect(await importReportsCommand(ctx, file, { ...api, importStrategy: 'CREATE_AND_UPDATE', reason: 'Late sign-in sheet' })).toBe(0);
      expect(JSON.parse(out)).toMatchObject({ importStrategy: 'CREATE_AND_UPDATE', counts: { updated: 1 } });
      out = '';
      // Without the flag the same file is today's CREATE: the changed row is refused (exit 1).
      writeFileSync(file, [columns, line('csv-2', 9)].join('\n'));
      expect(await importReportsCommand(ctx, file, api)).toBe(1);
      expect(JSON.parse(out).rows[0].errors[0]).toMatchObject({ code: 'CONFLICT' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);

  it('a changed row dated in an approved quarter is FORBIDDEN period-locked; the other rows go on, dryRun and atomic store nothing', async () => {
    const rows = [training('lock-1', 3, { occurredOn: '2023-02-01' }), training('open-1', 3, { occurredOn: '2023-08-01' })];
    expect((await upload(await workbook(rows), XLSX)).body.counts.created).toBe(2);
    const step = async (name: string, input: Record<string, unknown>, who: Record<string, string>) => {
      const res = await t.gql(`mutation ($input: ${name.charAt(0).toUpperCase()}${name.slice(1)}Input!) { ${name}(input: $input) { status } }`, { input }, who);
      expect(res.errors).toBeUndefined();
    };
    await step('submitPeriod', { planId: PLAN, periodId: '2023-Q1', requestId: 'sub-q1' }, agency);
    await step('approvePeriod', { planId: PLAN, agencyId: NPH, periodId: '2023-Q1', requestId: 'app-q1' }, coordinator);

    const changed = await workbook([training('lock-1', 30, { occurredOn: '2023-02-01' }), training('open-1', 30, { occurredOn: '2023-08-01' })]);
    const before = await head();
    const dry = await upload(changed, XLSX, `${strategy('Recount')}&dryRun=true`);
    expect(dry.body.rows.map((r) => r.status)).toEqual(['REFUSED', 'VALID']);
    expect(dry.body.rows[0].errors[0]).toMatchObject({ code: 'FORBIDDEN', rule: 'period-locked', period: '2023-Q1', sheet: 'TrainingDelivered', row: 2 });
    const atomic = await upload(changed, XLSX, `${strategy('Recount')}&atomic=true`);
    expect(atomic.body.rows.map((r) => r.status)).toEqual(['REFUSED', 'IGNORED']);
    expect(await head()).toBe(before);

    const real = await upload(changed, XLSX, strategy('Recount'));
    expect(real.body.status).toBe('WARNING');
    expect(real.body.rows.map((r) => r.status)).toEqual(['REFUSED', 'UPDATED']);
    expect(real.body.rows[0].errors).toEqual(dry.body.rows[0].errors);
    // An unchanged row of the locked quarter is a repeat: the sheet can be uploaded again as it is.
    const unchanged = await upload(await workbook(rows.slice(0, 1)), XLSX, strategy('Recount'));
    expect(unchanged.body.rows.map((r) => r.status)).toEqual(['DUPLICATE']);
  }, 180_000);

  it('refuses what a correction cannot do, and bad parameters, naming the field', async () => {
    await upload(await workbook([training('move-1', 2)]), XLSX);
    // III.1.1 also counts the agency's trainings, but a correction cannot move a report to it.
    const moved = await upload(await workbook([training('move-1', 2, { measureCode: 'III.1.1' })]), XLSX, strategy('Wrong measure'));
    expect(moved.body.rows[0].errors).toEqual([expect.objectContaining({ code: 'CONFLICT', field: 'TrainingDelivered!A2', column: 'A (measureCode)', reason: expect.stringContaining('II.1.3') })]);

    const csv = 'type,measureCode,reportId,occurredOn,title,participants,days\nTrainingDelivered,II.1.3,p-1,2023-05-01,Course,1,1';
    const cases: Array<[string, Record<string, unknown>]> = [
      ['?importStrategy=UPDATE', { field: 'importStrategy', reason: expect.stringContaining('not offered') }],
      ['?importStrategy=create_and_updat', { field: 'importStrategy', reason: expect.stringContaining('one of CREATE, CREATE_AND_UPDATE, DELETE') }],
      ['?reason=Fixed', { field: 'reason', reason: expect.stringContaining('only read with importStrategy=CREATE_AND_UPDATE or DELETE') }],
      [`${strategy()}&reason=%20%20`, { field: 'reason', reason: expect.stringContaining('at least 3') }],
    ];
    const before = await head();
    for (const [query, body] of cases) {
      const res = await upload(csv, 'text/csv', query);
      expect({ query, status: res.status, body: res.body }).toMatchObject({ query, status: 400, body: { code: 'BAD_USER_INPUT', ...body } });
    }
    expect(await head()).toBe(before);
  }, 120_000);

  it('DELETE: each row retracts the report it shows (DELETED), the figures drop; again DUPLICATE; another content, an unknown id refused', async () => {
    const rows = [training('del-1', 100, { occurredOn: '2023-09-01' }), training('del-2', 50, { occurredOn: '2023-09-01' })];
    const created = await upload(await workbook(rows), XLSX);
    const before = await participants(created.body.rows[1].receipt!.position);
    const file = await workbook([rows[0], { ...rows[1], participants: 51 }, training('del-unknown', 1, { occurredOn: '2023-09-01' })]);
    const noReason = await upload(file, XLSX, '?importStrategy=DELETE');
    expect(noReason.body.rows[0].errors[0]).toMatchObject({ code: 'BAD_USER_INPUT', column: expect.stringMatching(/ \(reason\)$/), reason: expect.stringContaining('retracts report del-1') });
    const deleted = await upload(file, XLSX, `?importStrategy=DELETE&reason=${encodeURIComponent('Entered under the wrong agency')}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({ status: 'WARNING', importStrategy: 'DELETE', counts: { deleted: 1, refused: 2 } });
    expect(deleted.body.rows.map((r) => r.status)).toEqual(['DELETED', 'REFUSED', 'REFUSED']);
    expect(deleted.body.rows[0].receipt).toMatchObject({ eventType: 'ReportRetracted', duplicate: false });
    expect(deleted.body.rows[1].errors[0]).toMatchObject({ code: 'CONFLICT', reason: expect.stringContaining('participants 50 → 51') });
    expect(deleted.body.rows[2].errors[0]).toMatchObject({ code: 'NOT_FOUND', column: 'B (reportId)' });
    expect(await participants(deleted.body.rows[0].receipt!.position)).toBe(before - 100);
    const again = await upload(await workbook(rows.slice(0, 1)), XLSX, '?importStrategy=DELETE&reason=Again');
    expect(again.body.rows[0]).toMatchObject({ status: 'DUPLICATE', receipt: { eventId: deleted.body.rows[0].receipt!.eventId } });
  }, 120_000);

  it('recordReports takes importStrategy and reason too: UPDATED, and a missing reason named as input.reason', async () => {
    const mutation = `mutation ($input: RecordReportsInput!) { recordReports(input: $input) { status importStrategy counts { created updated duplicate refused } rows { status receipt { eventType } errors { code field reason } } } }`;
    type Answer = { recordReports: { importStrategy: string; counts: Record<string, number>; rows: Row[] } };
    const send = (reports: unknown[], extra: Record<string, unknown> = {}) => t.gql<Answer>(mutation, { input: { reports, ...extra } }, agency);
    const row = (participants: number) => ({ trainingDelivered: training('gql-1', participants) });
    expect((await send([row(10)])).data!.recordReports.counts.created).toBe(1);
    const noReason = (await send([row(11)], { importStrategy: 'CREATE_AND_UPDATE' })).data!.recordReports;
    expect(noReason.rows[0].errors).toEqual([{ code: 'BAD_USER_INPUT', field: 'input.reason', reason: expect.stringMatching(/^is required: this row changes report gql-1 \(participants 10 → 11\).*input\.reason/) }]);
    const updated = (await send([row(11), row(11)], { importStrategy: 'CREATE_AND_UPDATE', reason: 'Late registrations' })).data!.recordReports;
    expect(updated.rows.map((r) => [r.status, r.receipt?.eventType])).toEqual([
      ['UPDATED', 'ReportCorrected'],
      ['DUPLICATE', 'ReportCorrected'],
    ]);
    expect(updated.counts).toMatchObject({ updated: 1, duplicate: 1 });
    const create = await send([row(12)], { reason: 'Late registrations' });
    expect(create.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.reason' });
  }, 120_000);
});
