import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { EVENT_CATALOGUE } from '@app/domain';
import { spreadsheetDate } from '@app/report';
import { EVENT_STORE, type EventStore } from '@app/event-store';
import { CliContext } from '../../apps/cli/src/cli-context.js';
import { importReportsCommand, templateCommand } from '../../apps/cli/src/commands/reports.command.js';
import { authHeader, issueTestKey } from './support/auth.js';
import { withRateLimitClockStopped } from './support/frozen-clock.js';
import { type TestApp, startTestApp } from './support/test-app.js';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/**
 * POSTs `body` with node:http on a connection of its own, in 64 kB writes as a client streaming a
 * file does (chunked, or with Content-Length): the status read is what came over the wire. Not
 * fetch: its pooled keep-alive sockets, shared with the server's event loop in this process, can
 * be picked just as the server's keep-alive timeout closes them, and a POST is not retried.
 */
function httpPost(url: string, headers: Record<string, string>, body: Buffer | string, chunked = false): Promise<{ status: number; body: Record<string, unknown> }> {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent: false, headers: { ...headers, ...(chunked ? { 'transfer-encoding': 'chunked' } : { 'content-length': String(bytes.length) }) } });
    req.on('error', reject);
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }));
    });
    for (let at = 0; at < bytes.length; at += 64 * 1024) req.write(bytes.subarray(at, at + 64 * 1024));
    req.end();
  });
}

/**
 * POSTs `body` as a client sending `Expect: 100-continue` does (node:http): headers first, the
 * body only once the server answers `100 Continue`. Resolves with the final status and whether
 * the body was asked for (and so sent).
 */
function postExpectingContinue(url: string, headers: Record<string, string>, body: Buffer | string): Promise<{ status: number; continued: boolean; body: Record<string, unknown> }> {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  return new Promise((resolve, reject) => {
    let continued = false;
    const req = request(url, { method: 'POST', agent: false, headers: { ...headers, expect: '100-continue', 'content-length': String(bytes.length) } });
    req.on('error', reject);
    req.on('continue', () => {
      continued = true;
      req.end(bytes);
    });
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, continued, body: JSON.parse(text) as Record<string, unknown> });
        req.destroy();
      });
    });
    req.flushHeaders();
  });
}

async function zipOf(files: Record<string, string>): Promise<Buffer> {
  const zip = new JSZip();
  for (const [name, text] of Object.entries(files)) zip.file(name, text);
  return zip.generateAsync({ type: 'nodebuffer' });
}

async function json(res: Response): Promise<{ status: number; body: Record<string, unknown> }> {
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

interface Summary {
  status: string;
  counts: Record<string, number>;
  rows: Array<{ index: number; status: string; type?: string; reportId?: string; errors: Array<{ code: string; field: string; reason: string; sheet?: string; row?: number; column?: string }> }>;
}

describe('spreadsheet import (e2e)', () => {
  let t: TestApp;
  let base: string;
  let auth: Record<string, string>;
  let template: ExcelJS.Workbook;
  let measureCode: string;
  const head = async () => (await t.gql<{ health: { headPosition: string } }>('{ health { headPosition } }')).data!.health.headPosition;
  const upload = async (body: Buffer | string, contentType: string, query = '') => {
    const res = await httpPost(`${base}/imports/reports${query}`, { ...auth, 'content-type': contentType }, body);
    return res as { status: number; body: Summary & Record<string, unknown> };
  };
  /** The template with its TrainingDelivered sheet filled with `rows` (in header order). */
  const filled = async (rows: unknown[][], edit?: (sheet: ExcelJS.Worksheet) => void) => {
    const book = new ExcelJS.Workbook();
    await book.xlsx.load((await template.xlsx.writeBuffer()) as ArrayBuffer);
    const sheet = book.getWorksheet('TrainingDelivered')!;
    for (const row of rows) sheet.addRow(row);
    edit?.(sheet);
    return Buffer.from(await book.xlsx.writeBuffer());
  };

  beforeAll(async () => {
    t = await startTestApp({ env: { BULK_MAX_FILE_BYTES: '1000000' } });
    base = t.url.replace(/\/graphql$/, '');
    auth = authHeader(await issueTestKey(t, { role: 'AGENCY', agencyId: 'national-police-headquarters' }));
    const res = await fetch(`${base}/imports/reports/template`, { headers: auth });
    if (res.status !== 200 || !res.headers.get('content-type')?.includes(XLSX)) throw new Error(`template: HTTP ${res.status} ${res.headers.get('content-type')}`);
    template = new ExcelJS.Workbook();
    await template.xlsx.load(await res.arrayBuffer());
  }, 60_000);
  afterAll(async () => {
    await t.close({ removeData: true });
  });

  it('gives the agency a template: one sheet per type it may report, headers, validation lists for measure codes and enums', async () => {
    const sheet = template.getWorksheet('TrainingDelivered')!;
    expect(sheet).toBeDefined();
    expect((sheet.getRow(1).values as unknown[]).slice(1)).toEqual(['measureCode', 'reportId', 'occurredOn', 'planId', ...EVENT_CATALOGUE.find((e) => e.type === 'TrainingDelivered')!.fields.map((f) => f.name), 'reason']);
    const validations = (sheet as unknown as { dataValidations: { model: Record<string, { type: string; formulae: string[] }> } }).dataValidations.model;
    const measureList = Object.entries(validations).find(([range]) => range.startsWith('A2'))![1];
    expect(measureList.type).toBe('list');
    const lists = template.getWorksheet('_lists')!;
    const codes = (lists.getColumn(template.worksheets.filter((w) => w.name !== '_lists').findIndex((w) => w.name === 'TrainingDelivered') + 1).values as unknown[]).filter(Boolean);
    expect(codes.length).toBeGreaterThan(0);
    measureCode = String(codes[0]);
    const enumSheet = template.worksheets.find((w) => w.name === 'InspectionConducted' || w.name === 'MeetingHeld');
    if (enumSheet) {
      const lists2 = Object.values((enumSheet as unknown as { dataValidations: { model: Record<string, { type: string; formulae: string[] }> } }).dataValidations.model);
      expect(lists2.some((v) => v.type === 'list' && v.formulae[0].startsWith('"'))).toBe(true);
    }
    const types = new Set(EVENT_CATALOGUE.map((e) => e.type));
    for (const w of template.worksheets) if (w.name !== '_lists') expect(types.has(w.name as never)).toBe(true);
  });

  it('imports an XLSX: good rows stored, bad cells refused naming sheet, row and column; a second import stores nothing twice', async () => {
    const file = await filled([
      [measureCode, 'x-1', '2023-03-01', null, 'Identification', 20, 1],
      [measureCode, 'x-2', '2023-02-31', null, 'Identification', 20, 1],
      [measureCode, 'x-3', '2023-03-02', null, 'Identification', 'many', 1],
    ]);
    const first = await upload(file, XLSX);
    expect(first.status).toBe(201);
    expect(first.body.rows[0].errors).toEqual([]);
    expect(first.body.rows.map((r) => r.status)).toEqual(['CREATED', 'REFUSED', 'REFUSED']);
    expect(first.body.rows[1].errors[0]).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'TrainingDelivered!C3',
      sheet: 'TrainingDelivered',
      row: 3,
      column: 'C (occurredOn)',
      reason: 'must be a real calendar date written YYYY-MM-DD (got "2023-02-31")',
    });
    expect(first.body.rows[2].errors[0]).toMatchObject({ field: 'TrainingDelivered!F4', sheet: 'TrainingDelivered', row: 4, column: 'F (participants)' });
    const before = await head();
    const again = await upload(file, XLSX);
    expect(again.body.rows.map((r) => r.status)).toEqual(['DUPLICATE', 'REFUSED', 'REFUSED']);
    expect(await head()).toBe(before);
  }, 60_000);

  it("stores the same occurredOn from a date cell of the template's date column as from ISO text", async () => {
    const sheet = template.getWorksheet('TrainingDelivered')!;
    expect(sheet.getColumn(3).numFmt).toBe('yyyy-mm-dd');
    const serial = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / 86_400_000 + 25_569;
    const file = await filled(
      [
        [measureCode, 'dc-written', spreadsheetDate('2023-01-01'), null, 'Identification', 3, 1],
        [measureCode, 'dc-typed', serial('2023-06-30'), null, 'Identification', 3, 1],
        [measureCode, 'dc-evening', serial('2023-12-31') + 0.95, null, 'Identification', 3, 1],
        [measureCode, 'dc-text', '2023-06-30', null, 'Identification', 3, 1],
      ],
      // As Excel keeps a typed date: a serial day in a cell that carries a date format.
      (s) => {
        s.getCell(s.rowCount - 2, 3).numFmt = 'yyyy-mm-dd';
        s.getCell(s.rowCount - 1, 3).numFmt = 'dd.mm.yyyy hh:mm';
      },
    );
    const res = await upload(file, XLSX);
    expect(res.status).toBe(201);
    expect(res.body.rows.map((r) => r.status)).toEqual(['CREATED', 'CREATED', 'CREATED', 'CREATED']);
    const stored = await t.gql<{ reports: { edges: Array<{ node: { reportId: string; occurredOn: string } }> } }>(
      `query ($position: String) { reports(filter: { measureCode: "${measureCode}" }, first: 500, atLeastPosition: $position) { edges { node { reportId occurredOn } } } }`,
      { position: await head() },
      auth,
    );
    const days = Object.fromEntries(stored.data!.reports.edges.filter((e) => e.node.reportId.startsWith('dc-')).map((e) => [e.node.reportId, e.node.occurredOn]));
    expect(days).toEqual({ 'dc-written': '2023-01-01', 'dc-typed': '2023-06-30', 'dc-evening': '2023-12-31', 'dc-text': '2023-06-30' });
  }, 60_000);

  it('names a refused cell by its sheet, the row that sheet shows and its header, whichever sheet it is on and whoever refused it', async () => {
    const book = new ExcelJS.Workbook();
    await book.xlsx.load((await template.xlsx.writeBuffer()) as ArrayBuffer);
    const sheets = book.worksheets.filter((w) => !w.name.startsWith('_'));
    const other = sheets.find((w) => w.name !== 'TrainingDelivered')!;
    book.getWorksheet('TrainingDelivered')!.addRow([measureCode, 'where-1', '2023-03-01', null, 'Identification', 20, 1]);
    book.getWorksheet('TrainingDelivered')!.addRow(['XX.9.9', 'where-2', '2023-03-01', null, 'Identification', 20, 1]);
    other.addRow([measureCode, 'where-3', '2023-13-01']);
    const summary = (await upload(Buffer.from(await book.xlsx.writeBuffer()), XLSX, '?dryRun=true')).body;
    // The summary's index counts data rows across sheets in file order (README); errors say where each one is.
    const trainingFirst = sheets.indexOf(book.getWorksheet('TrainingDelivered')!) < sheets.indexOf(other);
    const [unknown, dated] = trainingFirst ? [summary.rows[1], summary.rows[2]] : [summary.rows[2], summary.rows[0]];
    expect(unknown).toMatchObject({ index: trainingFirst ? 1 : 2, reportId: 'where-2', status: 'REFUSED' });
    // Refused by the report decider (after validation), located in the same terms.
    expect(unknown.errors[0]).toMatchObject({ field: 'TrainingDelivered!A3', sheet: 'TrainingDelivered', row: 3, column: 'A (measureCode)' });
    expect(dated.errors.find((e) => e.column === 'C (occurredOn)')).toMatchObject({
      field: `${other.name}!C2`,
      sheet: other.name,
      row: 2,
      reason: 'must be a real calendar date written YYYY-MM-DD (got "2023-13-01")',
    });
    for (const e of dated.errors) expect(e).toMatchObject({ sheet: other.name, row: 2, column: expect.stringMatching(/^[A-Z]+ \(\w+\)$/) });
  }, 60_000);

  it('imports a CSV with a type column; dryRun and atomic store nothing when a row is refused', async () => {
    const csv = ['type,measureCode,reportId,occurredOn,title,participants,days', `TrainingDelivered,${measureCode},c-1,2023-04-01,Course,5,1`, `TrainingDelivered,${measureCode},c-2,2023-04-01,Course,0,1`].join('\n');
    const before = await head();
    const dry = await upload(csv, 'text/csv', '?dryRun=true');
    // Nothing was created: 200, where a real import answers 201.
    expect(dry.status).toBe(200);
    expect(dry.body.rows[0].errors).toEqual([]);
    expect(dry.body.rows.map((r) => r.status)).toEqual(['VALID', 'REFUSED']);
    expect(dry.body.rows[1].errors[0]).toMatchObject({ row: 3, column: 'F (participants)', field: "'upload.csv'!F3" });
    const atomic = await upload(csv, 'text/csv', '?atomic=true');
    expect(atomic.body.rows.map((r) => r.status)).toEqual(['IGNORED', 'REFUSED']);
    expect(await head()).toBe(before);
    // The atomic batch was refused as a whole: nothing created, 200.
    expect(atomic.status).toBe(200);
    // A row of an unknown type is refused at its type cell, and its summary row still names its report.
    const unknownType = await upload([csv, `Workshop,${measureCode},c-3,2023-04-01,Course,5,1`, `Nonsense,${measureCode},,2023-04-01,Course,5,1`].join('\n'), 'text/csv', '?dryRun=true');
    const [workshop, nonsense] = unknownType.body.rows.slice(2);
    expect(workshop).toMatchObject({ index: 2, reportId: 'c-3', status: 'REFUSED', errors: [{ column: 'A (type)', reason: '"Workshop" is not an event type' }] });
    expect(workshop.type).toBeUndefined();
    // No reportId cell: none made up.
    expect(nonsense).toMatchObject({ index: 3, status: 'REFUSED' });
    expect(nonsense.reportId).toBeUndefined();
    // A misspelt flag is refused, not dropped: `dryrun=true` must not import for real.
    for (const query of ['?dryrun=true', '?dryRun=true&filename=a.csv']) {
      const misspelt = await upload(csv, 'text/csv', query);
      expect(misspelt.status).toBe(400);
      expect(misspelt.body).toMatchObject({ code: 'BAD_USER_INPUT', field: query.includes('filename') ? 'filename' : 'dryrun', reason: expect.stringMatching(query.includes('filename') ? /not a parameter of this endpoint \(it takes dryRun, atomic/ : /not a parameter of this endpoint; did you mean "dryRun"\?/) });
    }
    // A flag with no value, or a value other than true/false, is refused too: `?dryRun` must not import for real.
    for (const [query, field, reason] of [
      ['?dryRun', 'dryRun', 'must be true or false (got no value: write dryRun=true)'],
      ['?atomic=&dryRun=true', 'atomic', 'must be true or false (got no value: write atomic=true)'],
      ['?dryRun=on', 'dryRun', 'must be true or false (got "on")'],
      ['?dryRun=true&dryRun=false', 'dryRun', 'must be given once, as true or false'],
    ]) {
      const refused = await upload(csv, 'text/csv', query);
      expect([query, refused.status, refused.body]).toEqual([query, 400, expect.objectContaining({ code: 'BAD_USER_INPUT', field, reason })]);
    }
    expect(await head()).toBe(before);
    const each = await upload(csv, 'text/csv');
    expect(each.status).toBe(201);
    expect(each.body.counts).toMatchObject({ created: 1, refused: 1 });
    // The same file again creates nothing: every row a repeat or refused, 200.
    const again = await upload(csv, 'text/csv');
    expect(again.status).toBe(200);
    expect(again.body.counts).toMatchObject({ created: 0, duplicate: 1, refused: 1 });
  }, 60_000);

  it('refuses a missing or bad credential (401) and a role without the right (403) in the ledger error shape, as GraphQL does', async () => {
    const coordinator = authHeader(await issueTestKey(t, { role: 'COORDINATOR' }));
    const auditor = authHeader(await issueTestKey(t, { role: 'AUDITOR' }));
    const csv = 'type,measureCode,reportId,occurredOn,title,participants,days\n';
    const cases: Array<[string, () => Promise<{ status: number; body: Record<string, unknown> }>, Record<string, unknown>]> = [
      ['upload, no key', () => httpPost(`${base}/imports/reports`, { 'content-type': 'text/csv' }, csv), { status: 401, body: { code: 'UNAUTHENTICATED' } }],
      ['upload, bad key', () => httpPost(`${base}/imports/reports`, { authorization: 'Bearer apl_nope_nope', 'content-type': 'text/csv' }, csv), { status: 401, body: { code: 'UNAUTHENTICATED' } }],
      ['upload, coordinator', () => httpPost(`${base}/imports/reports`, { ...coordinator, 'content-type': 'text/csv' }, csv), { status: 403, body: { code: 'FORBIDDEN', rule: 'role-not-permitted' } }],
      ['template, bad key', async () => json(await fetch(`${base}/imports/reports/template`, { headers: { authorization: 'Bearer apl_nope_nope' } })), { status: 401, body: { code: 'UNAUTHENTICATED' } }],
      ['template, auditor', async () => json(await fetch(`${base}/imports/reports/template?agencyId=national-police-headquarters`, { headers: auditor })), { status: 403, body: { code: 'FORBIDDEN', rule: 'role-not-permitted' } }],
      ['template, another agency', async () => json(await fetch(`${base}/imports/reports/template?agencyId=ministry-of-interior`, { headers: auth })), { status: 403, body: { code: 'FORBIDDEN', rule: 'agency-gets-own-template-only' } }],
      // A coordinator may get any agency's template, and has to say whose.
      ['template, coordinator naming no agency', async () => json(await fetch(`${base}/imports/reports/template`, { headers: coordinator })), { status: 400, body: { code: 'BAD_USER_INPUT', field: 'agencyId' } }],
    ];
    const graphql = await t.gql('mutation { recordReports(input: { reports: [] }) { status } }', undefined, coordinator);
    expect(graphql.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', rule: 'role-not-permitted' });
    for (const [name, send, expected] of cases) {
      const res = await send();
      expect({ name, ...res }).toMatchObject({ name, ...expected, body: { ...(expected.body as object), message: expect.any(String) } });
      expect(res.body).not.toHaveProperty('statusCode');
    }
  }, 60_000);

  it("gives a coordinator any agency's template, the same as that agency gets", async () => {
    const coordinator = authHeader(await issueTestKey(t, { role: 'COORDINATOR' }));
    const sheetsOf = async (res: Response) => {
      expect(res.status).toBe(200);
      const book = new ExcelJS.Workbook();
      await book.xlsx.load(await res.arrayBuffer());
      return book.worksheets.map((w) => w.name);
    };
    const own = await sheetsOf(await fetch(`${base}/imports/reports/template`, { headers: auth }));
    const police = await fetch(`${base}/imports/reports/template?agencyId=national-police-headquarters`, { headers: coordinator });
    expect(police.headers.get('content-disposition')).toMatch(/reports-national-police-headquarters\.xlsx/);
    expect(await sheetsOf(police)).toEqual(own);
    // Another agency's template has its own sheets (FundsDisbursed only where it has funded measures, …).
    const ministry = await fetch(`${base}/imports/reports/template?agencyId=ministry-of-interior`, { headers: coordinator });
    expect(ministry.headers.get('content-disposition')).toMatch(/reports-ministry-of-interior\.xlsx/);
    expect((await sheetsOf(ministry)).length).toBeGreaterThan(1);
    const unknown = await json(await fetch(`${base}/imports/reports/template?agencyId=no-such-agency`, { headers: coordinator }));
    expect(unknown).toMatchObject({ status: 404, body: { code: 'NOT_FOUND', field: 'agencyId' } });
  }, 60_000);

  it('takes the file from a multipart/form-data form (a browser upload), with the same answers, limits and errors', async () => {
    /** A form as a browser sends it (undici serialises FormData as browsers do). */
    const form = async (build: (f: FormData) => void, query = '') => {
      const data = new FormData();
      build(data);
      const request = new Request('http://form.invalid/', { method: 'POST', body: data });
      return httpPost(`${base}/imports/reports${query}`, { ...auth, 'content-type': request.headers.get('content-type')! }, Buffer.from(await request.arrayBuffer())) as Promise<{ status: number; body: Summary & Record<string, unknown> }>;
    };
    const csv = (id: string, participants = 7) => ['type,measureCode,reportId,occurredOn,title,participants,days', `TrainingDelivered,${measureCode},${id},2023-05-01,Course,${participants},1`].join('\n');
    const before = await head();
    // A dry run asked for by a form field (a checkbox), the file typed by its part and named by its file name.
    const dry = await form((f) => {
      f.append('dryRun', 'true');
      f.append('file', new Blob([csv('form-1')], { type: 'text/csv' }), 'reports.csv');
    });
    expect(dry).toMatchObject({ status: 200, body: { dryRun: true, counts: { valid: 1 } } });
    expect(await head()).toBe(before);
    // Windows browsers type a .csv as application/vnd.ms-excel: the file name decides.
    const stored = await form((f) => f.append('file', new Blob([csv('form-1')], { type: 'application/vnd.ms-excel' }), 'reports.csv'));
    expect(stored).toMatchObject({ status: 201, body: { counts: { created: 1 } } });
    const xlsx = await filled([[measureCode, 'form-2', '2023-04-01', null, 'Course', 0, 1]]);
    const refused = await form((f) => f.append('file', new Blob([xlsx], { type: 'application/octet-stream' }), 'filled.xlsx'), '?atomic=true');
    expect(refused.body.rows[0].errors[0]).toMatchObject({ field: 'TrainingDelivered!F2', column: 'F (participants)' });
    // The same refusals as a raw body, in the ledger's error shape.
    const beforeRefusals = await head();
    const cases: Array<[string, (f: FormData) => void, string, number, Record<string, unknown>]> = [
      ['no file', (f) => f.append('dryRun', 'true'), '', 400, { code: 'BAD_USER_INPUT', field: 'file', reason: expect.stringMatching(/is required/) }],
      ['two files', (f) => ['a', 'b'].forEach((id) => f.append('file', new Blob([csv(id)], { type: 'text/csv' }), `${id}.csv`)), '', 400, { field: 'file', reason: expect.stringMatching(/more than one file/) }],
      ['the file under another name', (f) => f.append('upload', new Blob([csv('x')], { type: 'text/csv' }), 'x.csv'), '', 400, { field: 'upload' }],
      ['an unknown field', (f) => (f.append('dryrun', 'true'), f.append('file', new Blob([csv('x')], { type: 'text/csv' }), 'x.csv')), '', 400, { field: 'dryrun', reason: expect.stringMatching(/not a field of this form/) }],
      ['a flag in the query and the form', (f) => (f.append('dryRun', 'true'), f.append('file', new Blob([csv('x')], { type: 'text/csv' }), 'x.csv')), '?dryRun=false', 400, { field: 'dryRun' }],
      ['a flag with no value (an empty form field)', (f) => (f.append('dryRun', ''), f.append('file', new Blob([csv('x')], { type: 'text/csv' }), 'x.csv')), '', 400, { field: 'dryRun', reason: 'must be true or false (got no value: write dryRun=true)' }],
      ['a bad header', (f) => f.append('file', new Blob(['type,nonsense\nTrainingDelivered,x\n'], { type: 'text/csv' }), 'x.csv'), '', 400, { code: 'BAD_USER_INPUT', field: 'file', reason: expect.stringMatching(/not a report field/) }],
      ['a file of another kind', (f) => f.append('file', new Blob(['hello'], { type: 'text/plain' }), 'notes.txt'), '', 400, { field: 'file', reason: expect.stringMatching(/must be sent as text\/csv/) }],
      ['a file over BULK_MAX_FILE_BYTES', (f) => f.append('file', new Blob([Buffer.alloc(1_200_000, 0x41)], { type: 'text/csv' }), 'big.csv'), '', 413, { code: 'PAYLOAD_TOO_LARGE', field: 'file' }],
    ];
    for (const [name, build, query, status, body] of cases) {
      const res = await form(build, query);
      expect({ name, status: res.status, body: res.body }).toMatchObject({ name, status, body });
    }
    // A form whose Content-Length cannot hold a file within the limit is refused before it is sent.
    const early = await postExpectingContinue(`${base}/imports/reports`, { ...auth, 'content-type': 'multipart/form-data; boundary=x' }, Buffer.alloc(3_000_000, 0x41));
    expect(early).toMatchObject({ status: 413, continued: false, body: { code: 'PAYLOAD_TOO_LARGE', field: 'file' } });
    // A garbled form is the form's fault, not a server error.
    const garbled = await httpPost(`${base}/imports/reports`, { ...auth, 'content-type': 'multipart/form-data; boundary=x' }, '--x\r\nnot a part header\r\n');
    expect(garbled).toMatchObject({ status: 400, body: { code: 'BAD_USER_INPUT', field: 'file' } });
    expect(await head()).toBe(beforeRefusals);
  }, 120_000);

  it('answers one error per refused cell, with the clearest reason', async () => {
    const csv = [
      'type,measureCode,reportId,occurredOn,title,participants,days',
      `TrainingDelivered,${measureCode},cell-1,2023-04-01,Course,2.5,1`,
      `TrainingDelivered,${measureCode},cell-2,2023-04-01,Course,many,1.5`,
      `TrainingDelivered,${measureCode},cell-3,2023-04-01,Course,,1`,
      `TrainingDelivered,${measureCode},cell-4,2023-04-01,Course,0,1`,
      `TrainingDelivered,${measureCode},cell-6,2023-04-01,,3,1`,
      `TrainingDelivered,${measureCode},cell-7,2023-04-01,"   ",3,1`,
    ].join('\n');
    const res = await upload(csv, 'text/csv', '?dryRun=true');
    const errors = res.body.rows.map((r) => r.errors.map((e) => [e.column, e.reason]));
    expect(errors).toEqual([
      [['F (participants)', 'must be a whole number (got "2.5")']],
      [
        ['F (participants)', 'must be a whole number (got "many")'],
        ['G (days)', 'must be a whole number (got "1.5")'],
      ],
      [['F (participants)', 'is required']],
      [['F (participants)', 'must not be less than 1']],
      // An empty text cell and a blank one: one wording, as for a GraphQL input (EMPTY_TEXT_RULE).
      [['E (title)', 'is required']],
      [['E (title)', 'is required']],
    ]);
    const xlsx = await filled([
      [measureCode, 'cell-5', '2023-04-01', null, 'Course', 3.25, 1],
      [measureCode, 'cell-8', '2023-04-01', null, '   ', 3, 1],
    ]);
    const fromXlsx = await upload(xlsx, XLSX, '?dryRun=true');
    expect(fromXlsx.body.rows[0].errors).toEqual([
      { code: 'BAD_USER_INPUT', field: 'TrainingDelivered!F2', reason: 'must be a whole number (got "3.25")', sheet: 'TrainingDelivered', row: 2, column: 'F (participants)' },
    ]);
    expect(fromXlsx.body.rows[1].errors).toEqual([{ code: 'BAD_USER_INPUT', field: 'TrainingDelivered!E3', reason: 'is required', sheet: 'TrainingDelivered', row: 3, column: 'E (title)' }]);
  }, 60_000);

  it('ledger reports template / import: the same endpoints with the same key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'apl-cli-import-'));
    try {
      const key = auth.authorization.replace(/^Bearer /, '');
      let out = '';
      const stdout = new PassThrough().on('data', (chunk: Buffer) => (out += chunk.toString()));
      const ctx = new CliContext(true, stdout, new PassThrough());
      const api = { api: base, key };
      expect(await templateCommand(ctx, { ...api, out: join(dir, 'template.xlsx') })).toBe(0);
      const file = join(dir, 'reports.csv');
      writeFileSync(file, ['type,measureCode,reportId,occurredOn,title,participants,days', `TrainingDelivered,${measureCode},cli-1,2023-05-01,Course,7,1`].join('\n'));
      out = '';
      expect(await importReportsCommand(ctx, file, api)).toBe(0);
      expect(JSON.parse(out)).toMatchObject({ status: 'OK', counts: { created: 1 } });
      out = '';
      expect(await importReportsCommand(ctx, file, api)).toBe(0);
      expect(JSON.parse(out)).toMatchObject({ counts: { created: 0, duplicate: 1 } });
      await expect(importReportsCommand(ctx, file, { api: base, key: 'apl_nope_nope' })).rejects.toThrow(/HTTP 401/);
      // A coordinator's key names no agency: told the command's option, not the api's query parameter.
      const coordinatorKey = await issueTestKey(t, { role: 'COORDINATOR' });
      await expect(templateCommand(ctx, { api: base, key: coordinatorKey, out: join(dir, 'c.xlsx') })).rejects.toThrow(/^--agency <id> is required: this key names no agency/);
      expect(await templateCommand(ctx, { api: base, key: coordinatorKey, agency: 'ministry-of-interior', out: join(dir, 'c.xlsx') })).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('answers an upload over BULK_MAX_FILE_BYTES with 413 that the client sees, with or without Content-Length', async () => {
    const before = await head();
    const big = Buffer.alloc(3_000_000, 0x41);
    const send = (chunked: boolean) => httpPost(`${base}/imports/reports`, { ...auth, 'content-type': 'text/csv' }, big, chunked);
    for (const chunked of [false, true, false, true]) {
      const res = await send(chunked);
      expect(res.status).toBe(413);
      expect(res.body).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', field: 'file' });
    }
    expect(await head()).toBe(before);
  }, 120_000);

  it('answers Expect: 100-continue with 413 (or 401) before the body is sent when it is over BULK_MAX_FILE_BYTES, and asks for the body otherwise', async () => {
    const before = await head();
    for (const size of [1_000_001, 3_000_000, 60 * 1024 * 1024]) {
      const res = await postExpectingContinue(`${base}/imports/reports`, { ...auth, 'content-type': 'text/csv' }, Buffer.alloc(size, 0x41));
      expect(res).toMatchObject({ status: 413, continued: false, body: { code: 'PAYLOAD_TOO_LARGE', field: 'file' } });
    }
    const unknownKey = await postExpectingContinue(`${base}/imports/reports`, { authorization: 'Bearer apl_nope_nope', 'content-type': 'text/csv' }, Buffer.alloc(10, 0x41));
    expect(unknownKey).toMatchObject({ status: 401, continued: false, body: { code: 'UNAUTHENTICATED' } });
    expect(await head()).toBe(before);
    const csv = ['type,measureCode,reportId,occurredOn,title,participants,days', `TrainingDelivered,${measureCode},cont-1,2023-04-01,Course,5,1`].join('\n');
    const stored = await postExpectingContinue(`${base}/imports/reports`, { ...auth, 'content-type': 'text/csv' }, csv);
    expect(stored).toMatchObject({ status: 201, continued: true, body: { counts: { created: 1 } } });
    // GraphQL is not an upload: its body is asked for at once, as Node does by default.
    const graphql = await postExpectingContinue(t.url, { ...auth, 'content-type': 'application/json' }, JSON.stringify({ query: '{ health { headPosition } }' }));
    expect(graphql).toMatchObject({ status: 200, continued: true });
  }, 120_000);

  describe('refuses a file that cannot be read as a whole, naming sheet, row and column, and stores nothing', () => {
    const cases: Array<[string, () => Promise<{ body: Buffer | string; type: string }>, number, Record<string, unknown>]> = [
      ['a CSV sent as XLSX', async () => ({ body: 'type,reportId\n', type: XLSX }), 400, { reason: expect.stringMatching(/not an XLSX workbook/) }],
      ['an XLSX sent as CSV', async () => ({ body: await filled([]), type: 'text/csv' }), 400, { reason: expect.stringMatching(/not a CSV/) }],
      ['a wrong header', async () => ({ body: await filled([[measureCode, 'w-1', '2023-03-01', null, 'T', 3, 1]], (s) => (s.getCell('E1').value = 'titel')), type: XLSX }), 400, { sheet: 'TrainingDelivered', row: 1, column: 'E' }],
      ['a missing header', async () => ({ body: await filled([[measureCode, 'h-1', '2023-03-01']], (s) => (s.getCell('B1').value = null)), type: XLSX }), 400, { sheet: 'TrainingDelivered', row: 1 }],
      [
        'a formula',
        async () => ({ body: await filled([[measureCode, 'f-1', '2023-03-01', null, 'T', 3, 1]], (s) => (s.getCell('F2').value = { formula: '1+2', result: 3 })), type: XLSX }),
        400,
        { sheet: 'TrainingDelivered', row: 2, column: 'F', reason: expect.stringMatching(/formula/) },
      ],
      ['a row of 500 columns', async () => ({ body: ['type', ...Array.from({ length: 499 }, (_, i) => `c${i}`)].join(',') + '\n', type: 'text/csv' }), 400, { row: 1, column: 'BM' }],
      ['an empty workbook', async () => ({ body: await filled([]), type: XLSX }), 400, { reason: expect.stringMatching(/no report rows.*ledger reports template/) }],
      ['a ZIP that is no workbook', async () => ({ body: await zipOf({ 'word/document.xml': '<w:document/>' }), type: XLSX }), 400, { reason: expect.stringMatching(/is not an XLSX workbook/) }],
      ['a semicolon-separated CSV', async () => ({ body: 'type;measureCode;reportId;occurredOn\nTrainingDelivered;II.1.3;x;2023-01-01\n', type: 'text/csv' }), 400, { sheet: 'upload.csv', row: 1, reason: expect.stringMatching(/must be comma-separated.*semicolons/) }],
      ['a CSV saved in Windows-1250, not UTF-8', async () => ({ body: Buffer.concat([Buffer.from('type,measureCode,reportId,occurredOn,title,participants,days\nTrainingDelivered,II.1.3,w-1,2023-04-01,'), Buffer.from([0xe1, 0x72, 0x76, 0xed, 0x7a]), Buffer.from(',5,1\n')]), type: 'text/csv' }), 400, { field: 'file', sheet: 'upload.csv', row: 2, reason: expect.stringMatching(/is not UTF-8/) }],
      ['a 50 MB file', async () => ({ body: Buffer.alloc(50 * 1024 * 1024, 0x41), type: 'text/csv' }), 413, { code: 'PAYLOAD_TOO_LARGE', field: 'file' }],
    ];
    it.each(cases)('%s', async (_name, make, status, expected) => {
      const before = await head();
      const { body, type } = await make();
      for (const query of ['', '?dryRun=true', '?atomic=true']) {
        const res = await upload(body, type, query);
        expect(res.status).toBe(status);
        expect(res.body).toMatchObject(expected);
      }
      expect(await head()).toBe(before);
    }, 60_000);
  });
});

describe('spreadsheet import against the rate limit (e2e)', () => {
  let t: TestApp;
  let base: string;
  beforeAll(async () => {
    t = await startTestApp({ env: { RATE_LIMIT_PER_MINUTE: '4', BULK_MAX_FILE_BYTES: '10000', BULK_MAX_ROWS: '3' } });
    base = t.url.replace(/\/graphql$/, '');
  }, 60_000);
  afterAll(async () => {
    await t.close({ removeData: true });
  });

  it('charges a file refused as a whole (bad header, too big, too many rows) like any upload, then answers 429 without parsing', async () => {
    const auth = authHeader(await issueTestKey(t, { role: 'AGENCY', agencyId: 'national-police-headquarters' }));
    const post = (body: string) => httpPost(`${base}/imports/reports`, { ...auth, 'content-type': 'text/csv' }, body);
    const head = async () => t.app.get<EventStore>(EVENT_STORE).headPosition();
    const before = await head();
    const header = 'type,measureCode,reportId,occurredOn,title,participants,days';
    const rows = (n: number) => Array.from({ length: n }, (_, i) => `TrainingDelivered,II.1.3,rl-${i},2023-05-01,Course,7,1`);
    // Four units a minute: each refusal below takes one.
    expect((await post('type,nonsense\nTrainingDelivered,x\n')).status).toBe(400);
    expect((await post('x'.repeat(20_000))).status).toBe(413);
    expect(await post([header, ...rows(4)].join('\n'))).toMatchObject({ status: 400, body: { field: 'file', reason: expect.stringMatching(/BULK_MAX_ROWS/) } });
    expect((await post('type,nonsense\nTrainingDelivered,x\n')).status).toBe(400);
    // The budget is spent: even a good file is refused before it is parsed, and nothing is stored.
    const limited = await post([header, ...rows(1)].join('\n'));
    expect(limited).toMatchObject({ status: 429, body: { code: 'RATE_LIMITED' } });
    expect(await head()).toBe(before);
  }, 60_000);

  it('charges refusals before the upload runs (401, 403) one unit each, as the GraphQL gate does, then answers 429', async () => {
    const coordinator = authHeader(await issueTestKey(t, { role: 'COORDINATOR' }));
    const csv = 'type,measureCode,reportId,occurredOn,title,participants,days\n';
    await withRateLimitClockStopped(async () => {
      for (const headers of [coordinator, { authorization: 'Bearer apl_nope_nope' }]) {
        const send = () => httpPost(`${base}/imports/reports`, { ...headers, 'content-type': 'text/csv' }, csv);
        const answers = [];
        for (let i = 0; i < 5; i++) answers.push(await send());
        const refusal = headers === coordinator ? 403 : 401;
        expect(answers.map((a) => a.status)).toEqual([refusal, refusal, refusal, refusal, 429]);
        expect(answers[4].body).toMatchObject({ code: 'RATE_LIMITED', retryAfter: expect.any(Number) });
      }
    });
  }, 60_000);
});
