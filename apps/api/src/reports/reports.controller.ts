import {
  BadRequestException,
  Controller,
  ForbiddenException,
  Get,
  Inject,
  NotFoundException,
  Query,
  Res,
  StreamableFile,
} from '@nestjs/common';
import type { Response } from 'express';
import { PointInTimeError } from '@app/audit';
import { Action, Allow, CurrentPrincipal, type Principal, RULES, mayPerformAny } from '@app/auth';
import { parseRfc3339 } from '@app/domain';
import { EVENT_STORE, type EventStore } from '@app/event-store';
import { PlanCatalog } from '@app/plan';
import { today } from '@app/projections';
import {
  REPORT_CONTENT_TYPES,
  ReportInputError,
  ReportPlanNotFoundError,
  buildImplementationReport,
  parseFormat,
  parseRange,
  readReportSource,
  renderReport,
  reportFileName,
} from '@app/report';
import { type QueryValue, unknownParameter } from '../common/query-parameters.js';
import { POINT_IN_TIME_SNAPSHOTS, type PointInTimeSnapshots } from '../common/point-in-time.token.js';


/** One query parameter, given at most once. */
function single(query: Record<string, QueryValue>, field: string): string | undefined {
  const value = query[field];
  if (Array.isArray(value)) throw new ReportInputError(field, 'must be given once');
  // "" is a value: read as absent, `atPosition=` would answer the head to one who asked for the past.
  return value;
}

/** What GET /reports/implementation takes; anything else is refused (400), never ignored. */
const PARAMETERS = ['planId', 'from', 'to', 'format', 'atPosition', 'atInstant'] as const;

// Any number of digits: one past the log's end is refused by readReportSource, naming its last position.
const POSITION = /^(0|[1-9]\d*)$/;

/**
 * GET /reports/implementation?planId=&from=&to=&format=xlsx|csv|docx[&atPosition=|&atInstant=]
 *
 * The implementation report (libs/report) as a download. Same credential and access rules as
 * GraphQL: Bearer key or JWT through the global AccessGuard; the roles that read projections
 * (coordinators, auditors) may fetch it, an agency is refused (403, rule role-not-permitted)
 * exactly as it is refused `planProgress`. `atPosition` / `atInstant` (as the ledger stood then)
 * need REPLAY, like GraphQL's `at`: auditors. Bad input → 400 `{ code: BAD_USER_INPUT, field,
 * reason }` (a query parameter it does not take too: a misspelt `atposition` would otherwise
 * give today's ledger); a plan not adopted → 404. The response names the ledger position and chain head
 * in `X-Ledger-Position` / `X-Ledger-Chain-Head`, as the document's footer does.
 */
@Controller('reports')
export class ReportsController {
  /**
   * Reports are computed one after another: each folds the log in memory (O(events)), and a
   * burst of downloads must not hold several copies of the read models at once.
   */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(POINT_IN_TIME_SNAPSHOTS) private readonly audit: PointInTimeSnapshots,
    @Inject(PlanCatalog) private readonly catalog: PlanCatalog,
  ) {}

  @Get('implementation')
  @Allow(Action.READ_PROJECTIONS)
  async implementation(
    @Query() query: Record<string, QueryValue>,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) response: Response,
  ): Promise<StreamableFile> {
    let atPosition: string | undefined;
    let atInstant: string | undefined;
    try {
      const unknown = unknownParameter(query, PARAMETERS);
      if (unknown) throw new ReportInputError(unknown.field, unknown.reason);
      const planId = single(query, 'planId');
      if (planId === undefined) throw new ReportInputError('planId', 'is required');
      if (planId.trim() === '') throw new ReportInputError('planId', 'must name a plan (got an empty value)');
      const range = parseRange(single(query, 'from'), single(query, 'to'));
      const format = parseFormat(single(query, 'format') ?? 'xlsx');
      atPosition = single(query, 'atPosition');
      atInstant = single(query, 'atInstant');
      const position = await this.positionOf(principal, atPosition, atInstant);
      const { report, body } = await this.oneAtATime(async () => {
        const source = await readReportSource(this.store, { position });
        const built = buildImplementationReport(source, { planId, range, today: today(), pointAsked: position !== undefined });
        return { report: built, body: await renderReport(built, format) };
      });
      response.setHeader('X-Ledger-Position', report.ledger.position.toString());
      response.setHeader('X-Ledger-Chain-Head', report.ledger.chainHead);
      return new StreamableFile(body, { type: REPORT_CONTENT_TYPES[format], disposition: `attachment; filename="${reportFileName(report, format)}"`, length: body.length });
    } catch (error) {
      if (error instanceof ReportInputError || error instanceof PointInTimeError) {
        throw new BadRequestException({ code: 'BAD_USER_INPUT', field: error.field, reason: error.reason, message: error.message });
      }
      if (error instanceof ReportPlanNotFoundError) {
        // A plan adopted later than the point asked: the point is what to change, as GraphQL's `at` says.
        const later = error.position !== undefined && this.catalog.plan(error.planId) !== undefined;
        const field = later ? (atPosition !== undefined ? 'atPosition' : 'atInstant') : 'planId';
        const reason = later ? `is position ${error.position}, before plan ${error.planId} was adopted` : 'is not an adopted plan';
        throw new NotFoundException({ code: 'NOT_FOUND', field, reason, message: error.message });
      }
      throw error;
    }
  }

  private oneAtATime<T>(work: () => Promise<T>): Promise<T> {
    const result = this.queue.then(work);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** The position asked for (undefined: the head), resolved like GraphQL's `at`. */
  private async positionOf(principal: Principal, atPosition: string | undefined, atInstant: string | undefined): Promise<bigint | undefined> {
    if (atPosition === undefined && atInstant === undefined) return undefined;
    if (!mayPerformAny(principal, [Action.REPLAY])) {
      throw new ForbiddenException({ code: 'FORBIDDEN', rule: RULES.ROLE_NOT_PERMITTED, message: `Role ${principal.role} may not ${Action.REPLAY} (atPosition / atInstant)` });
    }
    if (atPosition !== undefined && atInstant !== undefined) throw new ReportInputError('atPosition', 'must not be given with atInstant: give one point in time');
    if (atPosition !== undefined) {
      if (!POSITION.test(atPosition)) throw new ReportInputError('atPosition', `must be a ledger position, a whole number (got "${atPosition}")`);
      return BigInt(atPosition);
    }
    // Never read in the server's time zone: an instant without an offset is refused, as GraphQL's DateTime does.
    const instant = parseRfc3339(atInstant!);
    if (!(instant instanceof Date)) throw new ReportInputError('atInstant', instant.reason);
    return this.audit.pointInTime.resolve({ recordedAt: instant });
  }
}
