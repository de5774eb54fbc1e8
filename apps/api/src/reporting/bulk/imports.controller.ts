import { Controller, Get, HttpException, HttpStatus, Inject, Post, Query, Req, Res, StreamableFile } from '@nestjs/common';
import type { Request, Response } from 'express';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { Action, Allow, CurrentPrincipal, ForbiddenError, type Principal, mayPerformAny } from '@app/auth';
import { DomainError } from '@app/domain';
import { PlanCatalog } from '@app/plan';
import { correlationIdOf } from '../../common/correlation-id.js';
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
 * Spreadsheet reporting (issue 18), with the credentials, access rules and limits of GraphQL:
 *
 * - `POST /imports/reports?dryRun=&atomic=` — the file as the request body, `Content-Type: text/csv`
 *   or the XLSX type (or `X-File-Name: *.csv|*.xlsx`); answers the import summary of recordReports
 *   as JSON. At most BULK_MAX_FILE_BYTES (413 beyond, nothing read further) and BULK_MAX_ROWS rows;
 *   the rows count against the rate limit (429). A file refused as a whole answers 400
 *   `{ code: BAD_USER_INPUT, field: "file", reason, sheet, row, column }` and stores nothing.
 * - `GET /imports/reports/template[?agencyId=]` — the XLSX template of the caller's agency.
 */
@Controller('imports/reports')
export class ImportsController {
  constructor(
    private readonly bulk: BulkReportService,
    private readonly catalog: PlanCatalog,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post()
  @Allow(Action.RECORD_REPORT)
  async importReports(@Req() req: Request, @Query() query: Record<string, QueryValue>, @CurrentPrincipal() principal: Principal): Promise<ImportSummary> {
    try {
      const options = { dryRun: flag(query, 'dryRun'), atomic: flag(query, 'atomic'), requestCharged: false };
      const body = await this.readBody(req);
      const fileName = typeof req.headers['x-file-name'] === 'string' ? req.headers['x-file-name'] : undefined;
      const format = detectFormat(body, req.headers['content-type'], fileName);
      const rows = await readSpreadsheet(body, format, fileName ?? `upload.${format}`);
      this.bulk.admit(rows.length, principal, options, 'file');
      return await this.bulk.run(rows, principal, options, correlationIdOf(req));
    } catch (error) {
      throw httpError(error);
    }
  }

  @Get('template')
  @Allow(Action.RECORD_REPORT)
  async template(@Query() query: Record<string, QueryValue>, @CurrentPrincipal() principal: Principal, @Res({ passthrough: true }) res: Response): Promise<StreamableFile> {
    try {
      const asked = typeof query.agencyId === 'string' && query.agencyId !== '' ? query.agencyId : undefined;
      const agencyId = asked ?? principal.agencyId;
      if (!agencyId) throw DomainError.badInput('agencyId', 'is required: this credential names no agency');
      if (principal.agencyId && agencyId !== principal.agencyId && !mayPerformAny(principal, [Action.READ_PROJECTIONS])) {
        throw DomainError.badInput('agencyId', `must be your own agency (${principal.agencyId})`);
      }
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
      throw httpError(error);
    }
  }

  /** The raw body, refused (413) as soon as it passes BULK_MAX_FILE_BYTES: a 50 MB upload is never held whole. */
  private async readBody(req: Request): Promise<Buffer> {
    const max = this.config.bulk.maxFileBytes;
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > max) {
      // Read and drop what the client sends (never held), so it gets the 413 instead of a reset
      // connection; a body past DRAIN_LIMIT is cut off.
      if (declared <= DRAIN_LIMIT) await new Promise<void>((resolve) => req.on('end', resolve).on('close', resolve).on('error', () => resolve()).resume());
      else req.destroy();
      throw tooLarge(max);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > max) {
        req.destroy();
        throw tooLarge(max);
      }
      chunks.push(chunk);
    }
    return Buffer.concat(chunks);
  }
}

function tooLarge(max: number): HttpException {
  return new HttpException(
    { code: 'PAYLOAD_TOO_LARGE', field: 'file', reason: `is larger than ${max} bytes (BULK_MAX_FILE_BYTES)`, message: `file is larger than ${max} bytes (BULK_MAX_FILE_BYTES)` },
    HttpStatus.PAYLOAD_TOO_LARGE,
  );
}

/** The API's error vocabulary over HTTP: 400 BAD_USER_INPUT with field/reason (and sheet/row/column), 403, 404, 429. */
function httpError(error: unknown): unknown {
  if (error instanceof HttpException) return error;
  if (error instanceof SpreadsheetError) return new HttpException(error.toJSON(), HttpStatus.BAD_REQUEST);
  if (error instanceof RowBudgetExceededError) return new HttpException({ message: error.message, ...error.extensions, http: undefined }, HttpStatus.TOO_MANY_REQUESTS);
  if (error instanceof ForbiddenError) return new HttpException({ message: error.message, code: 'FORBIDDEN', rule: error.rule }, HttpStatus.FORBIDDEN);
  if (error instanceof DomainError) {
    const status = error.code === 'NOT_FOUND' ? HttpStatus.NOT_FOUND : error.code === 'FORBIDDEN' ? HttpStatus.FORBIDDEN : HttpStatus.BAD_REQUEST;
    return new HttpException({ code: error.code, field: error.extra.field, reason: error.extra.reason, message: error.message }, status);
  }
  return error;
}
