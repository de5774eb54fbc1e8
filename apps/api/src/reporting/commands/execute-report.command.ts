import type { Principal } from '@app/auth';
import type { ReportCommand } from '@app/domain';

/** Carries a report command with who sent it and the request's ids through the CommandBus. */
export class ExecuteReportCommand {
  constructor(
    readonly command: ReportCommand,
    readonly principal: Principal,
    /** For record commands: which measure (and plan) the report is about. */
    readonly target: { readonly measureCode: string; readonly planId?: string } | undefined,
    readonly correlationId: string,
  ) {}
}
