import { readFile, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { type CliContext, CliError, EXIT } from '../cli-context.js';
import type { CommandGroup } from './command.js';

export interface ApiOptions {
  /** The api's base URL (default http://localhost:<PORT>). */
  readonly api?: string;
  /** An API key (apl_<keyId>_<secret>), or a file holding one with --key-file. */
  readonly key?: string;
  readonly keyFile?: string;
}

export interface ImportOptions extends ApiOptions {
  readonly dryRun?: boolean;
  readonly atomic?: boolean;
  /** CREATE (default) or CREATE_AND_UPDATE: the api judges the value. */
  readonly importStrategy?: string;
  readonly reason?: string;
}

/** The import summary as POST /imports/reports answers it (apps/api import-summary.model.ts). */
export interface Summary {
  status: string;
  dryRun: boolean;
  atomic: boolean;
  importStrategy?: string;
  counts: { total: number; created: number; updated?: number; deleted?: number; duplicate: number; refused: number; valid: number; ignored: number };
  rows: Array<{ index: number; status: string; reportId?: string | null; errors: Array<{ field?: string | null; reason: string; sheet?: string | null; row?: number | null; column?: string | null }> }>;
}

/**
 * The summary as the CLI prints it: the counts that apply to the run — `valid` under --dry-run,
 * `updated` under --import-strategy CREATE_AND_UPDATE, `deleted` under DELETE, `ignored` under --atomic, each only then — and one line per refusal, placed by sheet, the row
 * the sheet shows and the column with its header (the A1 `field` says the same, so it is left out).
 */
export function summaryText(summary: Summary): string {
  const c = summary.counts;
  const counts = [
    ...(summary.dryRun ? [`${c.valid} valid`] : [`${c.created} created`]),
    ...(summary.importStrategy === 'CREATE_AND_UPDATE' && !summary.dryRun ? [`${c.updated ?? 0} updated`] : []),
    ...(summary.importStrategy === 'DELETE' && !summary.dryRun ? [`${c.deleted ?? 0} deleted`] : []),
    `${c.duplicate} duplicate`,
    `${c.refused} refused`,
    ...(summary.atomic && c.ignored > 0 ? [`${c.ignored} ignored`] : []),
  ];
  const mode = summary.dryRun ? ' (dry run: nothing stored)' : summary.atomic && c.refused > 0 ? ' (atomic: a refused row stores none)' : '';
  const lines = [`${summary.status}: ${c.total} rows — ${counts.join(', ')}${mode}`];
  for (const row of summary.rows) {
    const report = row.reportId ? `report ${row.reportId}` : `row #${row.index}`;
    for (const e of row.errors) {
      const where = e.sheet ? [e.sheet, e.row != null ? `row ${e.row}` : undefined, e.column ? `column ${e.column}` : undefined].filter(Boolean).join(', ') : e.field ?? '';
      lines.push(`  ${where} (${report}): ${e.reason}`);
    }
  }
  return lines.join('\n');
}

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/**
 * The api's credential: the spreadsheet commands go through the api (POST /imports/reports), so
 * the agency's key, access rules, row limit and rate limit apply exactly as to its own system.
 */
async function connection(ctx: CliContext, options: ApiOptions): Promise<{ base: string; headers: Record<string, string> }> {
  const key = options.key ?? (options.keyFile ? (await readFile(options.keyFile, 'utf8')).trim() : undefined);
  if (!key) throw new CliError('--key <apiKey> or --key-file <file> is required: the import runs through the api as that key', EXIT.USAGE);
  const base = (options.api ?? `http://localhost:${ctx.config.port}`).replace(/\/+$/, '');
  return { base, headers: { authorization: `Bearer ${key}` } };
}

async function call(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (error) {
    throw new CliError(`The api at ${url} did not answer (${error instanceof Error ? error.message : String(error)})`, EXIT.UNAVAILABLE);
  }
}

async function failure(res: Response): Promise<CliError> {
  const body = (await res.json().catch(() => ({}))) as { message?: string; sheet?: string; row?: number; column?: string };
  return new CliError(`HTTP ${res.status}: ${body.message ?? res.statusText}`, res.status === 400 || res.status === 413 ? EXIT.DATA : EXIT.FAILED);
}

/** `ledger reports import <file> [--dry-run] [--atomic] [--import-strategy S] [--reason text]`: imports a CSV or XLSX file and prints the import summary. */
export async function importReportsCommand(ctx: CliContext, file: string, options: ImportOptions): Promise<number> {
  // Said in the command's own terms, before anything is sent (the api would refuse its parameter).
  const strategy = options.importStrategy?.trim().toUpperCase();
  if (options.reason !== undefined && strategy !== 'CREATE_AND_UPDATE' && strategy !== 'DELETE') {
    throw new CliError('--reason is only read with --import-strategy CREATE_AND_UPDATE or DELETE, where it says why rows correct or retract their reports', EXIT.USAGE);
  }
  const { base, headers } = await connection(ctx, options);
  let body: Buffer;
  try {
    body = await readFile(file);
  } catch (error) {
    throw new CliError(`Cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`, EXIT.NO_INPUT);
  }
  const type = /\.xlsx$/i.test(file) ? XLSX : /\.csv$/i.test(file) ? 'text/csv' : undefined;
  if (!type) throw new CliError(`${file} must be a .csv or .xlsx file`, EXIT.USAGE);
  const query = new URLSearchParams({ dryRun: String(options.dryRun === true), atomic: String(options.atomic === true) });
  if (options.importStrategy !== undefined) query.set('importStrategy', options.importStrategy);
  if (options.reason !== undefined) query.set('reason', options.reason);
  const res = await call(`${base}/imports/reports?${query.toString()}`, {
    method: 'POST',
    headers: { ...headers, 'content-type': type, 'x-file-name': basename(file) },
    body: new Uint8Array(body),
  });
  if (!res.ok) throw await failure(res);
  const summary = (await res.json()) as Summary;
  ctx.result(summary, summaryText(summary));
  return summary.counts.refused > 0 ? EXIT.FAILED : EXIT.OK;
}

/** `ledger reports template [--agency id] [--out file]`: the agency's XLSX template. */
export async function templateCommand(ctx: CliContext, options: ApiOptions & { agency?: string; out?: string }): Promise<number> {
  const { base, headers } = await connection(ctx, options);
  const query = options.agency ? `?agencyId=${encodeURIComponent(options.agency)}` : '';
  const res = await call(`${base}/imports/reports/template${query}`, { headers });
  // Said in the command's own terms: the api names its query parameter (?agencyId=).
  if (res.status === 400 && !options.agency) {
    const body = (await res.clone().json().catch(() => ({}))) as { field?: string };
    if (body.field === 'agencyId') throw new CliError('--agency <id> is required: this key names no agency (a coordinator key: say whose template, e.g. --agency ministry-of-interior; `ledger agencies` lists them)', EXIT.USAGE);
  }
  if (!res.ok) throw await failure(res);
  const body = Buffer.from(await res.arrayBuffer());
  const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? 'reports-template.xlsx';
  const out = options.out ?? name;
  await writeFile(out, body, { flag: 'wx' }).catch((error: NodeJS.ErrnoException) => {
    throw new CliError(error.code === 'EEXIST' ? `${out} exists; give another --out` : `Cannot write ${out}: ${error.message}`, EXIT.USAGE);
  });
  ctx.result({ file: out, bytes: body.length }, `Wrote ${out} (${body.length} bytes): one sheet per report type, fill from row 2 and run \`ledger reports import ${out} --key-file <file>\` (the agency's key).`);
  return EXIT.OK;
}

const apiOptions = (command: Command): Command =>
  command
    .option('--api <url>', 'the api base URL (default http://localhost:$PORT)')
    .option('--key <apiKey>', "the agency's API key")
    .option('--key-file <file>', 'a file holding the API key (keeps it out of the process list)');

export const reportsCommands: CommandGroup = {
  register(program: Command, run) {
    const reports = program.command('reports').description('Report in bulk from spreadsheets, through the api (same key, rules and limits as GraphQL)');
    apiOptions(
      reports
        .command('import <file>')
        .description('Import a CSV (a "type" column per row) or XLSX (a sheet per event type) of reports; prints the import summary. Exit 1 when a row was refused')
        .option('--dry-run', 'validate and decide every row, store nothing')
        .option('--atomic', 'all or nothing: one refused row stores none')
        .option('--import-strategy <strategy>', 'CREATE (default): a stored reportId with other content is refused; CREATE_AND_UPDATE: it is corrected to the row (UPDATED); DELETE: each row retracts its report (DELETED)')
        .option('--reason <text>', 'CREATE_AND_UPDATE, DELETE: why rows correct or retract their reports, for rows whose reason column is empty'),
    ).action((file: string, options: ImportOptions) => run((ctx) => importReportsCommand(ctx, file, options)));
    apiOptions(
      reports
        .command('template')
        .description("Download an agency's XLSX template: a sheet per event type it may report, with validation lists (an agency key: its own; a coordinator key: any, with --agency)")
        .option('--agency <id>', "the agency (default: the key's own; a coordinator's key names any agency)")
        .option('--out <file>', 'the file to write (must not exist)'),
    ).action((options: ApiOptions & { agency?: string; out?: string }) => run((ctx) => templateCommand(ctx, options)));
  },
};
