import { Controller, Get, HttpException, HttpStatus, Inject, Post, Query, Req, Res, StreamableFile } from '@nestjs/common';
import type { Request, Response } from 'express';
import multer, { MulterError } from 'multer';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { AccessPolicy, Action, Allow, CurrentPrincipal, ForbiddenError, type Principal, httpRefusal } from '@app/auth';
import { DomainError } from '@app/domain';
import { PlanCatalog } from '@app/plan';
import { correlationIdOf } from '../../common/correlation-id.js';
import { awaitsContinue, continueBody } from '../../common/expect-continue.js';
import { type QueryValue, unknownParameter } from '../../common/query-parameters.js';
import { RowBudgetExceededError } from '../../common/request-budget.js';
import { BulkReportService } from './bulk-report.service.js';
import { ImportStrategy, type ImportSummary, assertReasonFitsStrategy } from './import-summary.model.js';
import { SpreadsheetError, XLSX_CONTENT_TYPE, buildTemplate, detectFormat, readSpreadsheet } from './spreadsheet.js';


/** Bytes of a too-large upload read and dropped so its client gets the 413 answer. */
const DRAIN_LIMIT = 256 * 1024 * 1024;
/**
 * What a multipart/form-data body may carry beyond its file: boundaries, part headers and the
 * dryRun / atomic fields. A Content-Length over BULK_MAX_FILE_BYTES plus this cannot hold a file
 * within the limit, and a client waiting on `Expect: 100-continue` is refused before it sends it.
 */
const FORM_OVERHEAD = 64 * 1024;
/** The form field of the file, and the text fields a form may add (the query parameters' names). */
const FILE_FIELD = 'file';
const FLAGS = ['dryRun', 'atomic', 'importStrategy', 'reason'] as const;
/** Bytes a form's text field may hold: a reason of 2,000 characters in UTF-8. */
const FIELD_BYTES = 8 * 1024;
const STRATEGIES: readonly string[] = Object.values(ImportStrategy);

/** The file as the request brings it: the raw body with its headers, or a form's file part with its own. */
interface Upload {
  readonly body: Buffer;
  readonly contentType?: string;
  readonly fileName?: string;
  /** Text fields of a form (dryRun, atomic); none for a raw body. */
  readonly fields: Record<string, QueryValue>;
}

/**
 * A yes/no flag of the query or form: absent (false), "true" or "false". Anything else is refused,
 * an empty value too (`?dryRun`, `-F dryRun=`): read as false it would import for real a file its
 * sender meant only to check.
 */
function flag(query: Record<string, QueryValue>, name: string): boolean {
  const value = query[name];
  if (value === undefined) return false;
  if (value === 'true' || value === 'false') return value === 'true';
  if (Array.isArray(value)) throw DomainError.badInput(name, 'must be given once, as true or false');
  throw DomainError.badInput(name, `must be true or false (got ${value === '' ? `no value: write ${name}=true` : `"${value}"`})`);
}

/** The upload's importStrategy (DHIS2's parameter): CREATE when absent. */
function importStrategy(params: Record<string, QueryValue>): ImportStrategy {
  const value = params.importStrategy;
  if (value === undefined || value === '') return ImportStrategy.CREATE;
  if (Array.isArray(value)) throw DomainError.badInput('importStrategy', 'must be given once');
  if (STRATEGIES.includes(value)) return value as ImportStrategy;
  // DHIS2's UPDATE-only strategy (refuse new ids) is not offered: said, rather than "not a value".
  const dhis2 = value === 'UPDATE' ? " (DHIS2's UPDATE is not offered: CREATE_AND_UPDATE corrects stored reports and records new ones)" : '';
  throw DomainError.badInput('importStrategy', `must be one of ${STRATEGIES.join(', ')}${dhis2} (got "${value}")`);
}

/**
 * The upload's reason: the reason of each correction (CREATE_AND_UPDATE) or retraction (DELETE)
 * whose row has no reason cell. Refused under CREATE — nothing is corrected there, and a reason
 * given means the sender expected corrections the upload would refuse.
 */
function uploadReason(params: Record<string, QueryValue>, strategy: ImportStrategy): string | undefined {
  const value = params.reason;
  if (value === undefined) return undefined;
  if (Array.isArray(value)) throw DomainError.badInput('reason', 'must be given once');
  assertReasonFitsStrategy(strategy, value, 'reason', 'importStrategy=');
  const trimmed = value.trim();
  if (trimmed.length < 3) throw DomainError.badInput('reason', 'must say why, in at least 3 characters');
  if (value.length > 2000) throw DomainError.badInput('reason', `must be at most 2000 characters (got ${value.length})`);
  return value;
}

/** Refuses a query parameter the endpoint does not take (see unknownParameter). */
function refuseUnknownParameters(query: Record<string, QueryValue>, known: readonly string[]): void {
  const unknown = unknownParameter(query, known);
  if (unknown) throw DomainError.badInput(unknown.field, unknown.reason);
}

/**
 * Spreadsheet reporting (issue 18), with the credentials, access rules and limits of GraphQL:
 *
 * - `POST /imports/reports?dryRun=&atomic=&importStrategy=&reason=` — the file as the request body,
 *   `Content-Type: text/csv` or the XLSX type (or `X-File-Name: *.csv|*.xlsx`), or as the field
 *   `file` of a multipart/form-data form (a browser's upload; the parameters may be form fields);
 *   importStrategy CREATE (default), CREATE_AND_UPDATE (a changed row corrects its report) or
 *   DELETE (each row retracts its report), with the row's `reason` cell or the upload's `reason`
 *   (docs/bulk-reporting.md); answers
 *   the import summary of recordReports as JSON: 201 when it created a report, else 200 (a dry run, an atomic batch refused, repeats,
 *   corrections or retractions only); a query parameter other than these four is refused (400). At most BULK_MAX_FILE_BYTES (413 beyond:
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
      const upload = isForm(req) ? await this.readForm(req, res) : await this.readRaw(req, res);
      refuseUnknownParameters(query, FLAGS);
      const flags = { ...query };
      for (const [name, value] of Object.entries(upload.fields)) {
        if (flags[name] !== undefined) throw DomainError.badInput(name, 'is given both in the query and in the form: give it once');
        flags[name] = value;
      }
      const strategy = importStrategy(flags);
      const options = { dryRun: flag(flags, 'dryRun'), atomic: flag(flags, 'atomic'), importStrategy: strategy, reason: uploadReason(flags, strategy) };
      const { body, fileName } = upload;
      const format = detectFormat(body, upload.contentType, fileName);
      const rows = await readSpreadsheet(body, format, fileName ?? `upload.${format}`, { maxRows: this.config.bulk.maxRows, maxUnpackedBytes: 10 * this.config.bulk.maxFileBytes });
      this.bulk.admit(rows.length, principal, 'file');
      const summary = await this.bulk.run(rows, principal, options, correlationIdOf(req));
      // 201 only when the import created a report: a dry run, an atomic batch refused as a whole,
      // a file of repeats and one of corrections only create nothing (200, the summary says why).
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

  /** The file as the whole body: its type from Content-Type, its name from X-File-Name. */
  private async readRaw(req: Request, res: Response): Promise<Upload> {
    const body = await this.readBody(req, res);
    const fileName = typeof req.headers['x-file-name'] === 'string' ? req.headers['x-file-name'] : undefined;
    return { body, contentType: req.headers['content-type'], fileName, fields: {} };
  }

  /**
   * A multipart/form-data body (a browser form, `curl -F file=@reports.xlsx`), read by multer
   * (Nest's platform-express ships it): ONE file in the field `file`, typed by its part's
   * Content-Type and named by its file name, and at most the text fields dryRun, atomic, importStrategy and reason.
   * The same limit as a raw body: a file over BULK_MAX_FILE_BYTES is 413 (multer stops holding it
   * and reads the rest away, so the client gets the answer; past DRAIN_LIMIT the connection is
   * closed), and a client waiting on `Expect: 100-continue` with a Content-Length that cannot
   * fit is refused before it sends the file. A form that is not one (unreadable, no file, two
   * files, another field) is 400 on `file` or on the field.
   */
  private async readForm(req: Request, res: Response): Promise<Upload> {
    const max = this.config.bulk.maxFileBytes;
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > max + FORM_OVERHEAD && (declared > DRAIN_LIMIT || awaitsContinue(req))) return this.refuseTooLarge(req, res, max, false);
    continueBody(req, res);
    const parse = multer({
      storage: multer.memoryStorage(),
      limits: { fileSize: max, files: 1, fields: FLAGS.length, fieldSize: FIELD_BYTES, parts: FLAGS.length + 1, headerPairs: 100 },
    }).single(FILE_FIELD);
    try {
      await new Promise<void>((resolve, reject) => parse(req, res, (error: unknown) => (error ? reject(error) : resolve())));
    } catch (error) {
      // multer reads the rest of the body away: answer once it is read, or the client may see a
      // reset. A body of unknown or huge length is not waited for: its connection is closed.
      const drained = Number.isFinite(declared) && declared <= DRAIN_LIMIT;
      if (drained && !req.readableEnded) await new Promise((resolve) => req.once('end', resolve).once('close', resolve));
      if (error instanceof MulterError && error.code === 'LIMIT_FILE_SIZE') return this.refuseTooLarge(req, res, max, drained);
      if (!drained) this.closeAfterAnswer(req, res);
      throw formRefusal(error);
    }
    const fields = (req.body ?? {}) as Record<string, unknown>;
    const unknown = Object.keys(fields).find((name) => !(FLAGS as readonly string[]).includes(name));
    if (unknown !== undefined) throw DomainError.badInput(unknown, `is not a field of this form (it takes the file as "${FILE_FIELD}", and ${FLAGS.join(', ')})`);
    const file = req.file;
    if (!file) throw DomainError.badInput(FILE_FIELD, `is required: send the spreadsheet as the form field "${FILE_FIELD}"`);
    return { body: file.buffer, contentType: file.mimetype, fileName: file.originalname || undefined, fields: fields as Record<string, QueryValue> };
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
    if (!drained) this.closeAfterAnswer(req, res);
    throw tooLarge(max);
  }

  /** A body left unread: the connection is closed once the answer is sent. */
  private closeAfterAnswer(req: Request, res: Response): void {
    res.setHeader('Connection', 'close');
    res.on('finish', () => req.destroy());
  }
}

/** Whether the request is a multipart/form-data form (a browser's file upload). */
function isForm(req: Request): boolean {
  return (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase() === 'multipart/form-data';
}

/** A form multer could not take, as BAD_USER_INPUT naming the field (the file's, unless another was named). */
function formRefusal(error: unknown): DomainError {
  if (error instanceof MulterError) {
    switch (error.code) {
      case 'LIMIT_UNEXPECTED_FILE':
        return DomainError.badInput(error.field && error.field !== FILE_FIELD ? error.field : FILE_FIELD, `is not where the file goes: send one file, as the form field "${FILE_FIELD}"`);
      case 'LIMIT_FILE_COUNT':
        return DomainError.badInput(FILE_FIELD, 'holds more than one file: send one spreadsheet per upload');
      case 'LIMIT_FIELD_VALUE':
        return DomainError.badInput(error.field ?? FILE_FIELD, `is too long for a form field (at most ${FIELD_BYTES} bytes)`);
      default:
        return DomainError.badInput(error.field ?? FILE_FIELD, `is not a form this endpoint takes (${error.message}): the file as "${FILE_FIELD}", and ${FLAGS.join(', ')}`);
    }
  }
  return DomainError.badInput(FILE_FIELD, `is not a readable multipart/form-data body (${error instanceof Error ? error.message : String(error)})`);
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
