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

/** The plan asked for is not adopted in the ledger (at the position asked). */
export class ReportPlanNotFoundError extends Error {
  override readonly name = 'ReportPlanNotFoundError';
  constructor(readonly planId: string) {
    super(`Plan ${planId} is not adopted in the ledger at the position asked`);
  }
}
