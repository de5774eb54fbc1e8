import { Controller, Get, HttpException, HttpStatus, Inject, Post, Query, Req, Res, StreamableFile } from '@nestjs/common';
import type { Request, Response } from 'express';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { AccessPolicy, Action, Allow, CurrentPrincipal, ForbiddenError, type Principal, httpRefusal } from '@app/auth';
import { DomainError } from '@app/domain';
import { PlanCatalog } from '@app/plan';
import { correlationIdOf } from '../../common/correlation-id.js';
import { awaitsContinue, continueBody } from '../../common/expect-continue.js';
import { RowBudgetExceededError } from '../../common/request-budget.js';
import { BulkReportService } from './bulk-report.service.js';
import type { ImportSummary } from './import-summary.model.js';
import { SpreadsheetError, XLSX_CONTENT_TYPE, buildTemplate, detectFormat, readSpreadsheet } from './spreadsheet.js';

type QueryValue = string | string[] | undefined;

/** Bytes of a too-large upload read and dropped so its client gets the 413 answer. */
const DRAIN_LIMIT = 256 * 1024 * 1024;

/** A yes/no query flag: absent, "true" or "false". */
function flag(query: Record<string, QueryValue>, name: string): boolean {
  const value = query[name];
  if (value === undefined || value === '') return false;
  if (value === 'true' || value === 'false') return value === 'true';
  throw DomainError.badInput(name, 'must be true or false');
}

/**
 * Refuses a query parameter the endpoint does not take: a misspelt `dryrun=true` would otherwise
 * be dropped and the file imported for real, into a log nothing is ever deleted from.
 */
function refuseUnknownParameters(query: Record<string, QueryValue>, known: readonly string[]): void {
  const unknown = Object.keys(query).find((name) => !known.includes(name));
  if (unknown !== undefined) throw DomainError.badInput(unknown, `is not a parameter of this endpoint (it takes ${known.join(', ')})`);
}

/**
 * Spreadsheet reporting (issue 18), with the credentials, access rules and limits of GraphQL:
 *
 * - `POST /imports/reports?dryRun=&atomic=` — the file as the request body, `Content-Type: text/csv`
 *   or the XLSX type (or `X-File-Name: *.csv|*.xlsx`); answers the import summary of recordReports
 *   as JSON: 201 when it created a report, else 200 (a dry run, an atomic batch refused, repeats); a
 *   query parameter other than these two is refused (400). At most BULK_MAX_FILE_BYTES (413 beyond:
 *   the rest is read and dropped, never held; a client sending `Expect: 100-continue` gets the 413,
 *   or a 401/403, before it sends the file) and BULK_MAX_ROWS rows. Every upload costs one unit of
 *   the rate limit, taken by the AccessGuard (a 401, a 403 or a file refused as a whole costs it
 *   too), and its rows BULK_ROWS_PER_RATE_UNIT a unit more (429 when the budget is spent). A file refused as a whole answers 400
 *   `{ code: BAD_USER_INPUT, field: "file", reason, sheet, row, column }` and stores nothing.
 * - `GET /imports/reports/template[?agencyId=]` — the XLSX template of the caller's agency; a
 *   coordinator names any agency (AccessPolicy.templateAgency).
 */
@Controller('imports/reports')
export class ImportsController {
  constructor(
    private readonly bulk: BulkReportService,
    private readonly catalog: PlanCatalog,
    private readonly policy: AccessPolicy,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post()
  @Allow(Action.RECORD_REPORT)
  async importReports(
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @Query() query: Record<string, QueryValue>,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ImportSummary> {
    try {
      // The request's own unit was taken by the AccessGuard (a 401 or 403 costs it too).
      const body = await this.readBody(req, res);
      refuseUnknownParameters(query, ['dryRun', 'atomic']);
      const options = { dryRun: flag(query, 'dryRun'), atomic: flag(query, 'atomic') };
      const fileName = typeof req.headers['x-file-name'] === 'string' ? req.headers['x-file-name'] : undefined;
      const format = detectFormat(body, req.headers['content-type'], fileName);
      const rows = await readSpreadsheet(body, format, fileName ?? `upload.${format}`, { maxRows: this.config.bulk.maxRows });
      this.bulk.admit(rows.length, principal, 'file');
      const summary = await this.bulk.run(rows, principal, options, correlationIdOf(req));
      // 201 only when the import created a report: a dry run, an atomic batch refused as a whole
      // and a file of repeats create nothing (200, the summary says why).
      if (options.dryRun || summary.counts.created === 0) res.status(HttpStatus.OK);
      return summary;
    } catch (error) {
      throw httpError(error, res);
    }
  }

  @Get('template')
  @Allow(Action.GET_REPORT_TEMPLATE)
  async template(@Query() query: Record<string, QueryValue>, @CurrentPrincipal() principal: Principal, @Res({ passthrough: true }) res: Response): Promise<StreamableFile> {
    try {
      refuseUnknownParameters(query, ['agencyId']);
      if (Array.isArray(query.agencyId)) throw DomainError.badInput('agencyId', 'must be given once');
      const asked = typeof query.agencyId === 'string' && query.agencyId.trim() !== '' ? query.agencyId.trim() : undefined;
      // An agency gets its own template, a coordinator any agency's (AccessPolicy, docs/security.md).
      const agencyId = this.policy.templateAgency(principal, asked);
      if (!agencyId) throw DomainError.badInput('agencyId', 'is required: this credential names no agency; ask for one, e.g. ?agencyId=ministry-of-interior');
      const measures = this.catalog.measuresForAgency(agencyId).map((ref) => ({
        code: ref.measure.code,
        types: [
          ...ref.measure.indicators.map((i) => i.event),
          ...(ref.measure.funding.sources.length > 0 || (ref.measure.funding.allocations?.length ?? 0) > 0 ? ['FundsDisbursed'] : []),
        ],
      }));
      if (measures.length === 0) throw new DomainError('NOT_FOUND', `Agency ${agencyId} takes part in no measure of an adopted plan`, { field: 'agencyId', reason: 'takes part in no measure' });
      const body = await buildTemplate(agencyId, measures);
      res.setHeader('Content-Disposition', `attachment; filename="reports-${agencyId}.xlsx"`);
      return new StreamableFile(body, { type: XLSX_CONTENT_TYPE, length: body.length });
    } catch (error) {
      throw httpError(error, res);
    }
  }

  /**
   * The raw body, refused (413) once it passes BULK_MAX_FILE_BYTES: a larger upload is never held
   * whole. The rest of it is read and dropped before the 413 is answered, because a server that
   * answers and closes while the client is still sending resets the connection, and most clients
   * (fetch, node:http) then report the reset instead of the 413. Past DRAIN_LIMIT bytes in all the
   * connection is closed after the answer (the client may then see a reset). A client that sent
   * `Expect: 100-continue` (common/expect-continue.ts leaves this route to decide) is asked
   * for the file only once its Content-Length is within the limit, and refused before it sends it.
   */
  private async readBody(req: Request, res: Response): Promise<Buffer> {
    const max = this.config.bulk.maxFileBytes;
    const declared = Number(req.headers['content-length']);
    const chunks: Buffer[] = [];
    let size = 0;
    let over = Number.isFinite(declared) && declared > max;
    // A client waiting on `Expect: 100-continue` is refused before it sends the file.
    if (over && (declared > DRAIN_LIMIT || awaitsContinue(req))) return this.refuseTooLarge(req, res, max, false);
    continueBody(req, res);
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > DRAIN_LIMIT) return this.refuseTooLarge(req, res, max, false);
      if (!over && size > max) {
        over = true;
        chunks.length = 0;
      }
      if (!over) chunks.push(chunk);
    }
    if (over) return this.refuseTooLarge(req, res, max, true);
    return Buffer.concat(chunks);
  }

  /** 413; unless the whole body was read, the connection is closed once the answer is sent. */
  private refuseTooLarge(req: Request, res: Response, max: number, drained: boolean): never {
    if (!drained) {
      res.setHeader('Connection', 'close');
      res.on('finish', () => req.destroy());
    }
    throw tooLarge(max);
  }
}

function tooLarge(max: number): HttpException {
  return new HttpException(
    { code: 'PAYLOAD_TOO_LARGE', field: 'file', reason: `is larger than ${max} bytes (BULK_MAX_FILE_BYTES)`, message: `file is larger than ${max} bytes (BULK_MAX_FILE_BYTES)` },
    HttpStatus.PAYLOAD_TOO_LARGE,
  );
}

/** The API's error vocabulary over HTTP: 400 BAD_USER_INPUT with field/reason (and sheet/row/column), 403, 404, 429. */
function httpError(error: unknown, res: Response): unknown {
  if (error instanceof HttpException) return error;
  if (error instanceof SpreadsheetError) return new HttpException(error.toJSON(), HttpStatus.BAD_REQUEST);
  if (error instanceof RowBudgetExceededError || error instanceof ForbiddenError) return httpRefusal(error, res);
  if (error instanceof DomainError) {
    const status = error.code === 'NOT_FOUND' ? HttpStatus.NOT_FOUND : error.code === 'FORBIDDEN' ? HttpStatus.FORBIDDEN : HttpStatus.BAD_REQUEST;
    return new HttpException({ code: error.code, field: error.extra.field, reason: error.extra.reason, message: error.message }, status);
  }
  return error;
}
