import { Inject, Injectable } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { GraphQLError } from 'graphql';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { type Principal } from '@app/auth';
import { DomainError } from '@app/domain';
import { REQUEST_BUDGET, type RequestBudget, RowBudgetExceededError, budgetKeyOf } from '../../common/request-budget.js';
import { violationsOf } from '../../common/validation.js';
import { ExecuteReportCommand, type ReportRequest } from '../commands/execute-report.command.js';
import { ExecuteReportHandler } from '../commands/execute-report.handler.js';
import { correctRequest, recordRequest } from '../commands/report-request.js';
import type { CorrectReportInputBase, ReportInputBase } from '../dto/report-inputs.js';
import type { BulkMember } from './bulk-inputs.js';
import { ImportError, ImportRow, ImportRowStatus, ImportStatus, ImportSummary } from './import-summary.model.js';

/** Where a field of a row came from in a spreadsheet (undefined for GraphQL rows). */
export type CellLocator = (field: string | undefined) => Pick<ImportError, 'sheet' | 'row' | 'column'>;

/** One report of a batch, as a transport hands it over: not validated yet. */
export interface BulkRow {
  readonly index: number;
  /** What the row does; undefined when the transport could not tell (then `errors` say why). */
  readonly member?: BulkMember;
  /** The member's input as plain data (JSON or spreadsheet cells). */
  readonly input?: Record<string, unknown>;
  /** The path of the input in the request, prefixed to every field: `reports.3.trainingDelivered`. */
  readonly path: string;
  /** Refusals the transport found already (a bad cell, an unknown sheet). */
  readonly errors?: readonly ImportError[];
  readonly locate?: CellLocator;
}

export interface BulkOptions {
  readonly dryRun: boolean;
  readonly atomic: boolean;
  /** The request already paid one unit at the gate (GraphQL); an upload pays it here. */
  readonly requestCharged: boolean;
}

interface Decided {
  readonly row: BulkRow;
  readonly command?: ExecuteReportCommand;
  readonly type?: string;
  readonly reportId?: string;
  status: ImportRowStatus;
  receipt?: ImportRow['receipt'];
  errors: ImportError[];
}

/** Rows decided or appended at once: enough for the SQLite store's group commit to fill a transaction (bench/bulk.ts ran slower at 512). */
const CONCURRENCY = 64;

/**
 * Bulk reporting (issue 18): many reports in one request or file, each through the ONE report
 * write path — ExecuteReportHandler (AccessPolicy.assertCanWriteReport, the report decider,
 * handleCommand) — and an import summary as DHIS2 gives: counts and one row per input.
 *
 * - Without `atomic` each row is stored or refused on its own; a refusal names field and reason.
 * - `dryRun`: every row is validated and decided on the stored streams; nothing is stored.
 * - `atomic`: every row is decided first (a dry run); one refusal stores nothing. Then each row is
 *   appended to its own stream. The event store appends atomically per stream only, so "all" is
 *   kept against refusals, not against a crash or a concurrent writer between the two passes:
 *   a process killed mid-batch has stored some rows whole and none in part, and the retry of the
 *   same batch answers those as DUPLICATE and stores the rest (docs/bulk-reporting.md).
 * - Retrying a batch stores nothing twice: a row already stored decides nothing and answers its
 *   first receipt (DUPLICATE), as a retried single mutation does.
 */
@Injectable()
export class BulkReportService {
  constructor(
    private readonly handler: ExecuteReportHandler,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(REQUEST_BUDGET) private readonly budget: RequestBudget,
  ) {}

  /** Refuses a batch over BULK_MAX_ROWS or over the principal's rate budget, before anything is read or stored. */
  admit(rows: number, principal: Principal, options: Pick<BulkOptions, 'requestCharged'>, field = 'reports'): void {
    const { maxRows, rowsPerRateUnit } = this.config.bulk;
    if (rows > maxRows) throw DomainError.badInput(field, `holds ${rows} reports, more than the ${maxRows} one request may hold (BULK_MAX_ROWS)`);
    const units = Math.ceil(rows / rowsPerRateUnit) + (options.requestCharged ? 0 : 1);
    const decision = this.budget.charge(budgetKeyOf(principal.id), units);
    if (!decision.allowed) throw new RowBudgetExceededError(units, this.budget.perMinute, decision.retryAfterSeconds);
  }

  async run(rows: readonly BulkRow[], principal: Principal, options: BulkOptions, correlationId: string): Promise<ImportSummary> {
    const decided = await Promise.all(rows.map((row) => this.prepare(row, principal, correlationId)));
    const ready = decided.filter((d) => d.command !== undefined && d.errors.length === 0);
    if (options.dryRun || options.atomic) {
      await pool(ready, (d) => this.attempt(d, true));
      const refused = decided.some((d) => d.status === ImportRowStatus.REFUSED);
      if (options.atomic && refused) {
        for (const d of decided) if (d.status !== ImportRowStatus.REFUSED) [d.status, d.receipt] = [ImportRowStatus.IGNORED, undefined];
      } else if (!options.dryRun) {
        await pool(
          ready.filter((d) => d.status === ImportRowStatus.VALID),
          (d) => this.attempt(d, false),
        );
      }
    } else {
      await pool(ready, (d) => this.attempt(d, false));
    }
    return summarise(decided, options);
  }

  /** Validates a row with its input class's rules (class-validator, as the single mutation's pipe does). */
  private async prepare(row: BulkRow, principal: Principal, correlationId: string): Promise<Decided> {
    const base = { row, errors: [...(row.errors ?? [])], status: ImportRowStatus.REFUSED };
    const member = row.member;
    if (!member || !row.input) {
      if (base.errors.length === 0) base.errors.push(this.error(row, 'BAD_USER_INPUT', undefined, 'must set exactly one report field'));
      return base;
    }
    const reportId = typeof row.input.reportId === 'string' ? row.input.reportId : undefined;
    const described = { ...base, type: member.spec.type, reportId };
    const instance = plainToInstance(member.InputClass as new () => object, row.input);
    const violations = violationsOf(await validate(instance, { forbidUnknownValues: true }));
    for (const v of violations) described.errors.push(this.error(row, 'BAD_USER_INPUT', v.field, v.reason));
    if (described.errors.length > 0) return described;
    let request: ReportRequest;
    let target: ExecuteReportCommand['target'];
    if (member.kind === 'record') ({ request, target } = recordRequest(member.spec, instance as ReportInputBase));
    else request = correctRequest(member.spec, instance as CorrectReportInputBase);
    return { ...described, command: new ExecuteReportCommand(request, principal, target, correlationId), status: ImportRowStatus.VALID };
  }

  /** Runs one row through the report write path; refusals become the row's errors, anything else fails the batch. */
  private async attempt(d: Decided, dryRun: boolean): Promise<void> {
    try {
      const receipt = dryRun ? await this.handler.rehearse(d.command!) : await this.handler.execute(d.command!);
      if (receipt === undefined) d.status = ImportRowStatus.VALID;
      else [d.status, d.receipt] = [receipt.duplicate ? ImportRowStatus.DUPLICATE : ImportRowStatus.CREATED, receipt];
    } catch (error) {
      const refusal = this.refusal(d.row, error);
      if (!refusal) throw error;
      d.status = ImportRowStatus.REFUSED;
      d.errors.push(...refusal);
    }
  }

  private refusal(row: BulkRow, error: unknown): ImportError[] | undefined {
    if (error instanceof DomainError) {
      const violations = error.extra.violations ?? [{ field: error.extra.field, reason: error.extra.reason ?? error.message }];
      return violations.map((v) => this.error(row, error.code, v.field, v.reason ?? error.message));
    }
    if (error instanceof GraphQLError && typeof error.extensions.code === 'string' && error.extensions.code !== 'INTERNAL_SERVER_ERROR') {
      const field = typeof error.extensions.field === 'string' ? error.extensions.field : undefined;
      return [this.error(row, error.extensions.code, field, error.message)];
    }
    return undefined;
  }

  private error(row: BulkRow, code: string, field: string | undefined, reason: string): ImportError {
    return { code, field: field ? `${row.path}.${field}` : row.path, reason, ...row.locate?.(field) };
  }
}

async function pool<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(CONCURRENCY, items.length) }, async () => {
    while (next < items.length) await work(items[next++]);
  });
  await Promise.all(lanes);
}

function summarise(decided: readonly Decided[], options: BulkOptions): ImportSummary {
  const count = (status: ImportRowStatus) => decided.filter((d) => d.status === status).length;
  const counts = {
    total: decided.length,
    created: count(ImportRowStatus.CREATED),
    duplicate: count(ImportRowStatus.DUPLICATE),
    refused: count(ImportRowStatus.REFUSED),
    valid: count(ImportRowStatus.VALID),
    ignored: count(ImportRowStatus.IGNORED),
  };
  const status = counts.refused === 0 ? ImportStatus.OK : counts.refused === counts.total || counts.ignored > 0 ? ImportStatus.ERROR : ImportStatus.WARNING;
  return {
    status,
    dryRun: options.dryRun,
    atomic: options.atomic,
    counts,
    rows: decided.map((d) => ({ index: d.row.index, type: d.type, reportId: d.reportId, status: d.status, receipt: d.receipt, errors: d.errors })),
  };
}
