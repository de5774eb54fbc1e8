/** A report request the ledger cannot answer as asked; `field` names the parameter (from, to, atPosition, …). */
export class ReportInputError extends Error {
  override readonly name = 'ReportInputError';
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field} ${reason}`);
  }
}

/**
 * The plan asked for is not adopted in the ledger (at the position asked, when one was: `position`).
 */
export class ReportPlanNotFoundError extends Error {
  override readonly name = 'ReportPlanNotFoundError';
  constructor(
    readonly planId: string,
    readonly position?: bigint,
  ) {
    super(position === undefined ? `Plan ${planId} is not adopted in the ledger` : `Plan ${planId} was not adopted in the ledger at position ${position}`);
  }
}
