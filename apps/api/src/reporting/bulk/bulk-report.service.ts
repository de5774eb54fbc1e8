import { Inject, Injectable } from '@nestjs/common';
import { validateSync } from 'class-validator';
import { GraphQLError } from 'graphql';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { type Principal } from '@app/auth';
import { DomainError } from '@app/domain';
import { REQUEST_BUDGET, type RequestBudget, RowBudgetExceededError, budgetKeyOf } from '../../common/request-budget.js';
import { violationsOf } from '../../common/validation.js';
import { ExecuteReportCommand, type ReportRequest } from '../commands/execute-report.command.js';
import { ExecuteReportHandler, type ReportOutcome } from '../commands/execute-report.handler.js';
import { correctRequest, recordRequest } from '../commands/report-request.js';
import type { CorrectReportInputBase, ReportInputBase } from '../dto/report-inputs.js';
import type { BulkMember } from './bulk-inputs.js';
import { toInputInstance } from './input-instance.js';
import { ImportError, ImportRow, ImportRowStatus, ImportStatus, ImportStrategy, ImportSummary } from './import-summary.model.js';

/**
 * Where a field of a row came from in a spreadsheet (undefined for GraphQL rows): its cell, named
 * by sheet, sheet row and column header, and the error's `field` as an A1 reference to it.
 */
export type CellLocator = (field: string | undefined) => Pick<ImportError, 'field' | 'sheet' | 'row' | 'column'>;

/** One report of a batch, as a transport hands it over: not validated yet. */
export interface BulkRow {
  readonly index: number;
  /** What the row does; undefined when the transport could not tell (then `errors` say why). */
  readonly member?: BulkMember;
  /** The member's input as plain data (JSON or spreadsheet cells). */
  readonly input?: Record<string, unknown>;
  /**
   * The path of the input in the request, prefixed to every field, in the form of GraphQL's own
   * input errors: `input.reports[3].trainingDelivered` (a file's row: its `locate` names the cell).
   */
  readonly path: string;
  /** Refusals the transport found already (a bad cell, an unknown sheet). */
  readonly errors?: readonly ImportError[];
  /**
   * The row's reportId when the transport could not tell what the row does (a CSV row of an
   * unknown type), so that its summary row still names the report the sender gave.
   */
  readonly reportId?: string;
  readonly locate?: CellLocator;
  /** A spreadsheet row's `reason` cell: why it changes its report (CREATE_AND_UPDATE); before the request's reason. */
  readonly reason?: string;
}

export interface BulkOptions {
  readonly dryRun: boolean;
  readonly atomic: boolean;
  /** Default CREATE. */
  readonly importStrategy?: ImportStrategy;
  /** CREATE_AND_UPDATE, DELETE: the reason of every correction or retraction whose row gives none. */
  readonly reason?: string;
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

/**
 * Rows decided and appended by one handler call (one appendMany) when each row stands on its own:
 * a transaction of this many rows holds the embedded store's write lock for a fraction of a second,
 * and a file of 100,000 rows is stored as it goes rather than in one long transaction. dryRun and
 * atomic take the whole request in one call (a repeat is seen across the whole batch; atomic is one
 * transaction).
 */
const CHUNK = 5_000;

/**
 * Bulk reporting (issue 18): many reports in one request or file, each through the ONE report
 * write path — ExecuteReportHandler (AccessPolicy.assertCanWriteReport, the report decider,
 * handleCommand) — and an import summary as DHIS2 gives: counts and one row per input.
 *
 * - Without `atomic` each row is stored or refused on its own; a refusal names field and reason.
 * - `dryRun`: every row is validated and decided on the stored streams; nothing is stored.
 * - `atomic`: every row is decided, and one refusal stores nothing; else all rows are appended by
 *   one appendMany — one transaction on the embedded store, so a crash stores all or none. On
 *   EventStoreDB appendMany is not atomic: a process killed mid-batch has stored some rows whole
 *   and none in part, and the retry answers those as DUPLICATE (docs/bulk-reporting.md).
 * - Each row is validated once (class-validator) and decided once; a row repeating an earlier row of
 *   the same batch answers DUPLICATE (or its refusal), in dryRun as in the real run.
 * - Retrying a batch stores nothing twice: a row already stored decides nothing and answers its
 *   first receipt (DUPLICATE), as a retried single mutation does.
 * - `importStrategy` (DHIS2's): CREATE_AND_UPDATE makes a record row of a stored reportId with
 *   other content a correction (UPDATED), DELETE a retraction (DELETED) — decided by the report
 *   decider's correct / retract rules, with the row's `reason` cell or the request's reason.
 */
@Injectable()
export class BulkReportService {
  constructor(
    private readonly handler: ExecuteReportHandler,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(REQUEST_BUDGET) private readonly budget: RequestBudget,
  ) {}

  /** Refuses an empty batch, one over BULK_MAX_ROWS or over the principal's rate budget, before anything is read or stored. */
  admit(rows: number, principal: Principal, field: 'input.reports' | 'file'): void {
    const { maxRows, rowsPerRateUnit } = this.config.bulk;
    if (rows === 0) throw DomainError.badInput(field, 'must hold at least one report');
    if (rows > maxRows) throw DomainError.badInput(field, `holds ${rows} reports, more than the ${maxRows} one request may hold (BULK_MAX_ROWS)`);
    // The request itself paid its one unit already: at the gate (GraphQL) or in the AccessGuard (uploads).
    this.charge(principal, Math.ceil(rows / rowsPerRateUnit), field);
  }

  /** Takes `units` from the principal's rate budget, or throws RowBudgetExceededError (429, with its retry-after). */
  private charge(principal: Principal, units: number, field: string): void {
    const decision = this.budget.charge(budgetKeyOf(principal.id), units);
    if (!decision.allowed) throw new RowBudgetExceededError(units, this.budget.perMinute, decision.retryAfterSeconds, field);
  }

  async run(rows: readonly BulkRow[], principal: Principal, options: BulkOptions, correlationId: string): Promise<ImportSummary> {
    const decided = rows.map((row) => this.prepare(row, principal, correlationId, options));
    const ready = decided.filter((d) => d.command !== undefined && d.errors.length === 0);
    if (options.atomic) {
      // A row refused by its input already stores nothing: the others are only rehearsed.
      const refusedEarly = ready.length < decided.length;
      await this.execute(ready, { dryRun: options.dryRun || refusedEarly, atomic: true });
      if (decided.some((d) => d.status === ImportRowStatus.REFUSED)) {
        // IGNORED: would have been stored but for the refusal. A row stored before (a DUPLICATE
        // with its receipt) is not held back by anything: it answers as in a batch without
        // atomic, so retrying a batch gives its stored rows the same answer either way.
        for (const d of decided) if (d.status !== ImportRowStatus.REFUSED && !isStored(d)) [d.status, d.receipt] = [ImportRowStatus.IGNORED, undefined];
      }
    } else if (options.dryRun) {
      await this.execute(ready, { dryRun: true, atomic: false });
    } else {
      for (let from = 0; from < ready.length; from += CHUNK) await this.execute(ready.slice(from, from + CHUNK), { dryRun: false, atomic: false });
    }
    return summarise(decided, options);
  }

  /** Runs rows through the report write path as one batch; refusals become the rows' errors, anything else fails the request. */
  private async execute(rows: readonly Decided[], options: { dryRun: boolean; atomic: boolean }): Promise<void> {
    if (rows.length === 0) return;
    const outcomes = await this.handler.executeMany(
      rows.map((d) => d.command!),
      options,
    );
    outcomes.forEach((outcome: ReportOutcome, i) => {
      const d = rows[i];
      if (outcome.ok) {
        d.status = ImportRowStatus[outcome.status];
        d.receipt = outcome.receipt;
        return;
      }
      const refusal = this.refusal(d.row, outcome.error, d.command?.request);
      if (!refusal) throw outcome.error;
      d.status = ImportRowStatus.REFUSED;
      d.errors.push(...refusal);
    });
  }

  /** Validates a row with its input class's rules (class-validator, as the single mutation's pipe does). */
  private prepare(row: BulkRow, principal: Principal, correlationId: string, options: BulkOptions): Decided {
    // One object per row, of one shape whatever becomes of it (a batch holds 10,000 of them).
    const errors = row.errors ? [...row.errors] : [];
    const member = row.member;
    if (!member || !row.input) {
      if (errors.length === 0) errors.push(this.error(row, 'BAD_USER_INPUT', undefined, 'must set exactly one report field'));
      return { row, type: undefined, reportId: row.reportId, command: undefined, status: ImportRowStatus.REFUSED, receipt: undefined, errors };
    }
    const type = member.spec.type;
    const reportId = typeof row.input.reportId === 'string' ? row.input.reportId : undefined;
    const instance = toInputInstance(member.InputClass as new () => object, row.input);
    // Synchronously: the report inputs have no async rule, and a promise per row is measurable in a batch of 10,000.
    // One error per field: a cell the transport refused already (not a whole number, say) is absent
    // from the input, and its rules would only say so again in other words.
    const refused = row.errors?.length ? new Set(row.errors.map((e) => e.field)) : undefined;
    for (const v of violationsOf(validateSync(instance, { forbidUnknownValues: true }))) {
      const error = this.error(row, 'BAD_USER_INPUT', v.field, v.reason);
      if (!refused?.has(error.field)) errors.push(error);
    }
    if (errors.length > 0) return { row, type, reportId, command: undefined, status: ImportRowStatus.REFUSED, receipt: undefined, errors };
    let request: ReportRequest;
    let target: ExecuteReportCommand['target'];
    if (member.kind === 'record') {
      ({ request, target } = recordRequest(member.spec, instance as ReportInputBase));
      // CREATE_AND_UPDATE: the decider corrects a stored report whose content differs (UPDATED);
      // DELETE: it retracts the report the row shows (DELETED).
      const strategy = options.importStrategy;
      if (strategy !== undefined && strategy !== ImportStrategy.CREATE) request = Object.assign(request, { strategy: { kind: strategy, reason: row.reason ?? options.reason } });
    } else request = correctRequest(member.spec, instance as CorrectReportInputBase);
    const command = new ExecuteReportCommand(request, principal, target, correlationId);
    return { row, type, reportId, command, status: ImportRowStatus.VALID, receipt: undefined, errors };
  }

  private refusal(row: BulkRow, error: unknown, request?: ReportRequest): ImportError[] | undefined {
    if (error instanceof DomainError) {
      // CREATE: a reportId stored with other content. The row is the sender's fix more often than
      // a reused id (a sheet kept all year): say how a bulk request makes it a correction.
      const reused = error.code === 'CONFLICT' && error.extra.field === 'reportId' && request?.kind === 'record' && request.strategy === undefined;
      const hint = reused ? '; to correct the report to this row, send it with importStrategy CREATE_AND_UPDATE and a reason' : '';
      const violations = error.extra.violations ?? [{ field: error.extra.field, reason: (error.extra.reason ?? error.message) + hint }];
      const why = { rule: error.extra.rule, period: error.extra.period };
      return violations.map((v) => (v.field === 'reason' && row.member?.kind === 'record' ? this.reasonError(row, error.code, v.reason ?? error.message) : this.error(row, error.code, v.field, v.reason ?? error.message, why)));
    }
    if (error instanceof GraphQLError && typeof error.extensions.code === 'string' && error.extensions.code !== 'INTERNAL_SERVER_ERROR') {
      const text = (key: string) => (typeof error.extensions[key] === 'string' ? (error.extensions[key] as string) : undefined);
      return [this.error(row, error.extensions.code, text('field'), error.message, { rule: text('rule'), period: text('period') })];
    }
    return undefined;
  }

  /**
   * A CREATE_AND_UPDATE row's correction, or a DELETE row's retraction, refused for its reason: a record input has no reason
   * field, so the error names where the reason comes from — the row's `reason` cell in a file (the
   * row, with "reason (no such column)", when the sheet has none), else the request's `reason`.
   */
  private reasonError(row: BulkRow, code: string, reason: string): ImportError {
    const where = row.locate
      ? "give it in the row's reason column, or for every row as the upload's reason parameter (ledger reports import: --reason)"
      : 'give it as input.reason';
    return { code, field: 'input.reason', reason: `${reason}: ${where}`, ...row.locate?.('reason') };
  }

  /** One error of a row; a FORBIDDEN one keeps the rule (and period) a single mutation's refusal carries. */
  private error(row: BulkRow, code: string, field: string | undefined, reason: string, why: { rule?: string; period?: string } = {}): ImportError {
    const error: ImportError = { code, field: field ? `${row.path}.${field}` : row.path, reason, ...row.locate?.(field) };
    if (why.rule !== undefined) error.rule = why.rule;
    if (why.period !== undefined) error.period = why.period;
    return error;
  }
}

/** A DUPLICATE of a report already in the ledger (its receipt), not of an earlier row of this batch. */
const isStored = (d: Decided): boolean => d.status === ImportRowStatus.DUPLICATE && d.receipt !== undefined;

function summarise(decided: readonly Decided[], options: BulkOptions): ImportSummary {
  const count = (status: ImportRowStatus) => decided.filter((d) => d.status === status).length;
  const counts = {
    total: decided.length,
    created: count(ImportRowStatus.CREATED),
    updated: count(ImportRowStatus.UPDATED),
    deleted: count(ImportRowStatus.DELETED),
    duplicate: count(ImportRowStatus.DUPLICATE),
    refused: count(ImportRowStatus.REFUSED),
    valid: count(ImportRowStatus.VALID),
    ignored: count(ImportRowStatus.IGNORED),
  };
  // atomic with a refusal stores nothing, whether its other rows are IGNORED or were stored before.
  const status = counts.refused === 0 ? ImportStatus.OK : counts.refused === counts.total || options.atomic ? ImportStatus.ERROR : ImportStatus.WARNING;
  return {
    status,
    dryRun: options.dryRun,
    atomic: options.atomic,
    importStrategy: options.importStrategy ?? ImportStrategy.CREATE,
    counts,
    rows: decided.map((d) => ({ index: d.row.index, type: d.type, reportId: d.reportId, status: d.status, receipt: d.receipt, errors: d.errors })),
  };
}
