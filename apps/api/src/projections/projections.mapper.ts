import type { AgencyActivity as AgencyActivityValue, FundingSummary as FundingSummaryValue, MeasureFunding } from '@app/projections';
import { FUNDING_SOURCES } from '@app/domain';
import type { FundingSource } from '../common/models/measure.model.js';
import type { AgencyActivity } from './models/agency-activity.model.js';
import type { FundingSummary, MeasureFundingStatus } from './models/funding-status.model.js';

/** Read-model values → GraphQL models: bigint money becomes Huf decimal strings. */

/** A read model's source id as the FundingSource enum; null for "unspecified" (a payment or allocation naming none). */
function fundingSourceOf(source: string): FundingSource | null {
  return (FUNDING_SOURCES as readonly string[]).includes(source) ? (source as FundingSource) : null;
}

const sourceFundingModel = (s: { readonly source: string; readonly allocated: bigint; readonly disbursed: bigint }) => ({
  fundingSource: fundingSourceOf(s.source),
  source: s.source,
  allocated: s.allocated.toString(),
  disbursed: s.disbursed.toString(),
});

export function measureFundingModel(m: MeasureFunding): MeasureFundingStatus {
  return {
    planId: m.planId,
    measureCode: m.measureCode,
    fundingSources: m.sources.flatMap((source) => fundingSourceOf(source) ?? []),
    sources: [...m.sources],
    hasAllocations: m.hasAllocations,
    unstatedYears: [...m.unstatedYears],
    unallocatedDisbursed: m.unallocatedDisbursed.toString(),
    allocated: m.allocated.toString(),
    disbursed: m.disbursed.toString(),
    overDisbursed: m.overDisbursed,
    disbursements: m.disbursements,
    years: m.years.map((y) => ({
      year: y.year,
      allocated: y.allocated.toString(),
      disbursed: y.disbursed.toString(),
      hasAllocation: y.hasAllocation,
      allocationUnstated: y.allocationUnstated,
      overDisbursed: y.overDisbursed,
      bySource: y.bySource.map(sourceFundingModel),
    })),
  };
}

export function fundingSummaryModel(s: FundingSummaryValue, position: bigint): FundingSummary {
  return {
    planId: s.planId,
    year: s.year,
    asOf: s.asOf ?? null,
    position: position.toString(),
    allocated: s.allocated.toString(),
    disbursed: s.disbursed.toString(),
    bySource: s.bySource.map(sourceFundingModel),
    measures: s.measures.map(measureFundingModel),
    budgetPoints: s.budgetPoints.map((p) => ({
      id: p.id,
      description: p.description,
      measureCodes: [...p.measureCodes],
      overDisbursed: p.overDisbursed,
      years: p.years.map((y) => ({
        year: y.year,
        amount: y.amount.toString(),
        allocated: y.allocated.toString(),
        disbursed: y.disbursed.toString(),
        overDisbursed: y.overDisbursed,
      })),
    })),
    overDisbursedMeasures: [...s.overDisbursedMeasures],
  };
}

export function agencyActivityModel(a: AgencyActivityValue, position: bigint): AgencyActivity {
  return {
    agencyId: a.agencyId,
    position: position.toString(),
    reports: a.reports,
    reportsByType: a.reportsByType.map((t) => ({ ...t })),
    measuresReported: a.measuresReported.map((m) => ({ ...m })),
    lastReportOn: a.lastReportOn,
    lastRecordedAt: a.lastRecordedAt,
    responsibleWithoutReport: a.responsibleWithoutReport.map((m) => ({ ...m })),
    partnerWithoutReport: a.partnerWithoutReport.map((m) => ({ ...m })),
  };
}
