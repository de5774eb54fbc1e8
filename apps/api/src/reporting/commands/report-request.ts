import type { ActivityEventType, EventTypeSpec } from '@app/domain';
import { type CorrectReportInputBase, type ReportInputBase, detailsOf } from '../dto/report-inputs.js';
import type { ExecuteReportCommand, ReportRequest } from './execute-report.command.js';

const revisionOf = (text: string | undefined | null): bigint | undefined => (text === undefined || text === null ? undefined : BigInt(text));

/** What a validated record<Type> input asks for, and the measure it is about. */
export function recordRequest(spec: EventTypeSpec<ActivityEventType>, input: ReportInputBase): { request: ReportRequest; target: ExecuteReportCommand['target'] } {
  return {
    request: { kind: 'record', type: spec.type, reportId: input.reportId, occurredOn: input.occurredOn, details: detailsOf(spec, input) },
    target: { measureCode: input.measureCode, planId: input.planId ?? undefined },
  };
}

/** What a validated correct<Type> input asks for. */
export function correctRequest(spec: EventTypeSpec<ActivityEventType>, input: CorrectReportInputBase): ReportRequest {
  return {
    kind: 'correct',
    type: spec.type,
    reportId: input.reportId,
    requestId: input.requestId,
    expectedRevision: revisionOf(input.expectedRevision),
    occurredOn: input.occurredOn ?? undefined,
    details: detailsOf(spec, input),
    reason: input.reason,
  };
}

export { revisionOf };
