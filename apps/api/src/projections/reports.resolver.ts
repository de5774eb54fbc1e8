import { Inject } from '@nestjs/common';
import { Args, Context, ID, Int, Resolver } from '@nestjs/graphql';
import { AccessPolicy, Action, Allow, CurrentPrincipal, type Principal, mayPerformAny } from '@app/auth';
import { DomainError, isActivityEventType } from '@app/domain';
import type { ReportEntry, ReportListFilter } from '@app/projections';
import { decodeCursor, encodeCursor } from '@app/audit';
import { ReportConnection, ReportFilterInput, ReportStatus, ReportSummary } from './models/report-list.model.js';
import { AT_LEAST_POSITION } from './projection-args.js';
import { AT, PointInTimeInput } from '../common/dto/point-in-time.input.js';
import { ProjectionsService } from './projections.service.js';
import { RefusableQuery } from '../common/refusable-query.js';

const MAX_PAGE = 500;

/**
 * What was done: the reports as they now stand, for coordinators and auditors writing the
 * implementation report or the GRETA questionnaire; an agency gets its own reports through the
 * same query (any other agencyId is FORBIDDEN). With `at` (auditors, REPLAY), as they stood at a
 * past point of the ledger: what the live query answered then (ProjectionSnapshot.reportList).
 */
@Resolver()
export class ReportsResolver {
  constructor(
    @Inject(ProjectionsService) private readonly projections: ProjectionsService,
    @Inject(AccessPolicy) private readonly policy: AccessPolicy,
  ) {}

  @RefusableQuery(() => ReportConnection, {
    description:
      "Reports with their current details, status and number of corrections, in recording order. COORDINATOR and AUDITOR read every agency's; an AGENCY its own. " +
      'With `at` (AUDITOR): the reports as they stood at that point — details, status, corrections, filter and cursors as the list answered then.',
  })
  @Allow(Action.READ_PROJECTIONS, Action.READ_HISTORY, Action.READ_OWN_REPORTS)
  async reports(
    @Context() context: object,
    @CurrentPrincipal() principal: Principal,
    @Args('filter', { type: () => ReportFilterInput, nullable: true }) filter?: ReportFilterInput,
    @Args('first', { type: () => Int, nullable: true, defaultValue: 50, description: `At most ${MAX_PAGE}.` }) first = 50,
    @Args('after', { nullable: true, description: 'The endCursor of the previous page.' }) after?: string,
    @Args('atLeastPosition', { nullable: true, description: AT_LEAST_POSITION }) atLeastPosition?: string,
    @Args('at', { type: () => PointInTimeInput, nullable: true, description: AT }) at?: PointInTimeInput,
  ): Promise<ReportConnection> {
    if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE) throw DomainError.badInput('first', `must be a whole number from 1 to ${MAX_PAGE}`);
    const f: ReportListFilter = {
      planId: filter?.planId ?? undefined,
      measureCode: filter?.measureCode ?? undefined,
      agencyId: filter?.agencyId ?? undefined,
      reportId: filter?.reportId ?? undefined,
      eventType: filter?.eventType ?? undefined,
      occurredFrom: filter?.occurredFrom ?? undefined,
      occurredTo: filter?.occurredTo ?? undefined,
      status: filter?.status ?? undefined,
    };
    if (f.occurredFrom && f.occurredTo && f.occurredTo < f.occurredFrom) throw DomainError.badInput('filter.occurredTo', `is before occurredFrom (${f.occurredFrom})`);
    let scoped = f;
    if (!mayPerformAny(principal, [Action.READ_PROJECTIONS, Action.READ_HISTORY])) {
      // An agency: its own reports, whatever else the filter says.
      const own = principal.agencyId ?? '';
      this.policy.assertCanReadReport(principal, f.agencyId ?? own);
      scoped = { ...f, agencyId: own };
    }
    let afterPosition: bigint | undefined;
    try {
      afterPosition = after ? decodeCursor(after, 'after') : undefined;
    } catch {
      throw DomainError.badInput('after', 'is not a cursor this query returned');
    }
    const snapshot = await this.projections.snapshot(context, atLeastPosition, at);
    const page = await snapshot.reportList(scoped, first, afterPosition);
    if (page.totalCount === 0) {
      // Nothing found, and the filter names what no plan has: a typo, said as such (never when
      // reports match, so reports of a measure an amendment dropped stay listable).
      if (f.measureCode !== undefined && !snapshot.measures(f.planId).some((m) => m.measure.code === f.measureCode)) {
        throw DomainError.badInput('measureCode', `is not a measure of ${f.planId === undefined ? 'any adopted plan' : `plan ${f.planId}`} (got "${f.measureCode}")`);
      }
      if (f.eventType !== undefined && !isActivityEventType(f.eventType)) {
        throw DomainError.badInput('eventType', `is not an activity type of the event catalogue (got "${f.eventType}"; docs/events.md lists them)`);
      }
    }
    const edges = page.reports.map((r) => ({ cursor: encodeCursor(BigInt(r.position)), node: toSummary(r) }));
    return {
      edges,
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.length > 0 ? edges[edges.length - 1].cursor : null },
      totalCount: page.totalCount,
      position: snapshot.position.toString(),
    };
  }

  @RefusableQuery(() => ReportSummary, {
    description:
      "One report as it now stands, by the agency's own id: current details, status, corrections, and its stream (its history: reportHistory or events). " +
      "COORDINATOR and AUDITOR read any agency's; an AGENCY its own. NOT_FOUND when the agency has no such report (yet: pass atLeastPosition after a write). " +
      'With `at` (AUDITOR): the report as it stood at that point (NOT_FOUND when it was recorded after it).',
  })
  @Allow(Action.READ_PROJECTIONS, Action.READ_HISTORY, Action.READ_OWN_REPORTS)
  async report(
    @Context() context: object,
    @CurrentPrincipal() principal: Principal,
    @Args('agencyId', { type: () => ID }) agencyId: string,
    @Args('reportId') reportId: string,
    @Args('atLeastPosition', { nullable: true, description: AT_LEAST_POSITION }) atLeastPosition?: string,
    @Args('at', { type: () => PointInTimeInput, nullable: true, description: AT }) at?: PointInTimeInput,
  ): Promise<ReportSummary> {
    // Access before anything is looked up: a refusal says nothing of whether the report exists.
    this.policy.assertCanReadReport(principal, agencyId);
    const snapshot = await this.projections.snapshot(context, atLeastPosition, at);
    const [found] = (await snapshot.reportList({ agencyId, reportId }, 1)).reports;
    if (!found) throw new DomainError('NOT_FOUND', `No report ${reportId} of agency ${agencyId}`, { field: 'reportId', reason: 'no such report' });
    return toSummary(found);
  }
}

function toSummary(r: ReportEntry): ReportSummary {
  return {
    planId: r.planId,
    measureCode: r.measureCode,
    agencyId: r.agencyId,
    reportId: r.reportId,
    eventType: r.type,
    occurredOn: r.occurredOn,
    details: { ...r.details },
    status: r.status as ReportStatus,
    corrections: r.corrections,
    retractionReason: r.retractionReason,
    recordedAt: r.recordedAt,
    updatedAt: r.updatedAt,
    stream: r.stream,
    position: r.position,
  };
}
