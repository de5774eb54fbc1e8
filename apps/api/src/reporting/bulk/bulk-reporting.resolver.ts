import { Args, Context, Resolver } from '@nestjs/graphql';
import { Action, Allow, CurrentPrincipal, type Principal } from '@app/auth';
import { correlationIdOf } from '../../common/correlation-id.js';
import { BULK_MEMBER_BY_NAME, RecordReportsInput } from './bulk-inputs.js';
import { type BulkRow, BulkReportService } from './bulk-report.service.js';
import { ImportStrategy, ImportSummary, assertReasonFitsStrategy } from './import-summary.model.js';
import { RefusableMutation } from '../../common/refusable-query.js';

interface GqlContext {
  req?: { id?: unknown; headers?: Record<string, string | string[] | undefined> };
}

/** recordReports: many reports in one request, answered with an import summary. */
@Resolver()
export class BulkReportingResolver {
  constructor(private readonly bulk: BulkReportService) {}

  @RefusableMutation(() => ImportSummary, {
    description:
      'Records (or corrects) many reports in one request: each row goes the same way as its single mutation and is answered in its own summary row ' +
      '(CREATED, DUPLICATE, REFUSED with field and reason; UPDATED under importStrategy CREATE_AND_UPDATE, DELETED under DELETE; VALID under dryRun; IGNORED under atomic). At most BULK_MAX_ROWS reports; ' +
      'each BULK_ROWS_PER_RATE_UNIT of them cost one unit of the rate limit.',
  })
  @Allow(Action.RECORD_REPORT)
  async recordReports(
    @Args('input') input: RecordReportsInput,
    @CurrentPrincipal() principal: Principal,
    @Context() ctx: GqlContext,
  ): Promise<ImportSummary> {
    const importStrategy = input.importStrategy ?? ImportStrategy.CREATE;
    assertReasonFitsStrategy(importStrategy, input.reason, 'input.reason');
    this.bulk.admit(input.reports.length, principal, 'input.reports');
    const rows = input.reports.map((report, index): BulkRow => {
      // @oneOf: GraphQL has already refused a report with no field or several set. The path is
      // written as GraphQL's own input errors write it (input.reports[3].trainingDelivered.days).
      const [name, value] = Object.entries(report as Record<string, unknown>).find(([, v]) => v !== undefined && v !== null) ?? [];
      const member = name === undefined ? undefined : BULK_MEMBER_BY_NAME.get(name);
      return { index, member, input: value as Record<string, unknown> | undefined, path: `input.reports[${index}]${name ? `.${name}` : ''}` };
    });
    const options = { dryRun: input.dryRun ?? false, atomic: input.atomic ?? false, importStrategy, reason: input.reason ?? undefined };
    return this.bulk.run(rows, principal, options, correlationIdOf(ctx.req));
  }
}
