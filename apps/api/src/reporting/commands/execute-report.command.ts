import type { Principal } from '@app/auth';
import type { ReportCommand } from '@app/domain';

/** A report command as a client sends it: the agency is the principal's, decided by the access policy. */
export type ReportRequest = ReportCommand extends infer C ? (C extends ReportCommand ? Omit<C, "agencyId"> : never) : never;

/** Carries a report request with who sent it and the request's ids through the CommandBus. */
export class ExecuteReportCommand {
  constructor(
    readonly request: ReportRequest,
    readonly principal: Principal,
    /** For record commands: which measure (and plan) the report is about. */
    readonly target: { readonly measureCode: string; readonly planId?: string } | undefined,
    readonly correlationId: string,
  ) {}
}
