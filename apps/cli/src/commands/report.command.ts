import { writeFile } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import type { Command } from 'commander';
import { ChainStore, LedgerClock, auditChainFile } from '@app/audit';
import { parseRfc3339 } from '@app/domain';
import { today } from '@app/projections';
import {
  ReportInputError,
  ReportPlanNotFoundError,
  buildImplementationReport,
  footerText,
  parseFormat,
  parseRange,
  readReportSource,
  renderReport,
  reportFileName,
} from '@app/report';
import { type CliContext, CliError, EXIT } from '../cli-context.js';
import type { CommandGroup } from './command.js';

export interface ReportOptions {
  readonly plan?: string;
  readonly from?: string;
  readonly to?: string;
  readonly format?: string;
  /** A file (must not exist), `-` for stdout; default: implementation-report_<plan>_<from>_<to>.<format> here. */
  readonly out?: string;
  readonly atPosition?: string;
  readonly atInstant?: string;
}

// Any number of digits: one past the log's end is refused by readReportSource, naming its last position.
const POSITION = /^(0|[1-9]\d*)$/;

/** The position asked for (undefined: the head); an instant through the audit index when the api wrote one. */
async function positionOf(ctx: CliContext, options: ReportOptions): Promise<bigint | undefined> {
  if (options.atPosition !== undefined && options.atInstant !== undefined) throw new ReportInputError('--at-position', 'must not be given with --at-instant: give one point in time');
  if (options.atPosition !== undefined) {
    if (!POSITION.test(options.atPosition)) throw new ReportInputError('--at-position', `must be a ledger position, a whole number (got "${options.atPosition}")`);
    return BigInt(options.atPosition);
  }
  if (options.atInstant === undefined) return undefined;
  // Never read in this machine's time zone: the same command gives the same document anywhere.
  const instant = parseRfc3339(options.atInstant);
  if (!(instant instanceof Date)) throw new ReportInputError('--at-instant', instant.reason);
  const chain = ChainStore.openExisting(auditChainFile(ctx.config.dataDir));
  try {
    return (await new LedgerClock(await ctx.eventStore(), chain).positionAt(instant)) ?? -1n;
  } finally {
    chain?.close();
  }
}

/**
 * `ledger report --plan <id> --from <date> --to <date> [--format xlsx|csv|docx] [--out file|-]
 * [--at-position n | --at-instant iso]`: the implementation report (libs/report) from the
 * configured store, as GET /reports/implementation gives it. Prints where it wrote and the
 * ledger position and chain head it was computed from (also in the document's footer).
 */
export async function reportCommand(ctx: CliContext, options: ReportOptions, stdout: Writable = process.stdout): Promise<number> {
  let report;
  let body: Buffer;
  const format = (() => {
    try {
      return parseFormat(options.format ?? 'xlsx', '--format');
    } catch (error) {
      throw new CliError((error as Error).message, EXIT.USAGE);
    }
  })();
  try {
    if (!options.plan) throw new ReportInputError('--plan', 'is required');
    const range = parseRange(options.from, options.to);
    const position = await positionOf(ctx, options);
    const source = await readReportSource(await ctx.eventStore(), { position });
    report = buildImplementationReport(source, { planId: options.plan, range, today: today(), pointAsked: position !== undefined });
    body = await renderReport(report, format);
  } catch (error) {
    if (error instanceof ReportInputError) throw new CliError(`${error.field.startsWith('--') ? error.field : `--${error.field.replace(/^at/, 'at-').toLowerCase()}`} ${error.reason}`, EXIT.USAGE);
    if (error instanceof ReportPlanNotFoundError) throw new CliError(error.message, EXIT.DATA);
    throw error;
  }
  const out = options.out ?? reportFileName(report, format);
  if (out === '-') {
    stdout.write(body);
  } else {
    try {
      await writeFile(out, body, { flag: 'wx' });
    } catch (error) {
      throw new CliError(`Cannot write ${out}: ${(error as Error).message}`, EXIT.NO_INPUT);
    }
  }
  const summary = {
    file: out,
    format,
    bytes: body.length,
    planId: report.plan.id,
    range: report.range,
    asOf: report.asOf,
    position: report.ledger.position.toString(),
    chainHead: report.ledger.chainHead,
    measures: report.summary.measures,
    reportsInRange: report.summary.reportsInRange,
  };
  const human = `Wrote ${out === '-' ? 'the report to stdout' : out} (${format}, ${body.length} bytes): ${report.summary.measures} measures, ${report.summary.reportsInRange} reports in ${report.range.from} – ${report.range.to}.\n${footerText(report)}`;
  if (out === '-') ctx.error(ctx.json ? JSON.stringify(summary) : human);
  else ctx.result(summary, human);
  return EXIT.OK;
}

export const reportCommands: CommandGroup = {
  register(program: Command, run) {
    program
      .command('report')
      .description('Write the implementation report of a plan for a date range (per pillar, objective and measure: status and its reason, the assessment in force, indicators, reports, money) as XLSX, CSV or DOCX')
      .requiredOption('--plan <planId>', 'the plan, e.g. hu-2022-2023')
      .requiredOption('--from <date>', 'first day of the range, YYYY-MM-DD (e.g. 2022-04-01 for the US TIP year to 31 March 2023)')
      .requiredOption('--to <date>', 'last day of the range, YYYY-MM-DD')
      .option('--format <format>', 'xlsx, csv or docx', 'xlsx')
      .option('--out <file>', 'the file to write (must not exist), or - for stdout; default implementation-report_<plan>_<from>_<to>.<format>')
      .option('--at-position <position>', 'as the ledger stood after this position (auditors)')
      .option('--at-instant <iso>', 'as the ledger stood at this instant, with its offset: 2026-11-25T12:00:00Z or 2026-11-25T13:00:00+01:00')
      .action((options: ReportOptions) => run((ctx) => reportCommand(ctx, options)));
  },
};
