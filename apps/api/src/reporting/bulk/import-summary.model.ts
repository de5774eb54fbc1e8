import { Field, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { DomainError } from '@app/domain';
import { ReportReceipt } from '../models/report-receipt.model.js';

/** What happened to one row (DHIS2 import summaries: imported / ignored / conflicts). */
export enum ImportRowStatus {
  /** Stored now. */
  CREATED = 'CREATED',
  /** importStrategy CREATE_AND_UPDATE: the report was stored with other content; this row is stored now as its correction (ReportCorrected). */
  UPDATED = 'UPDATED',
  /** importStrategy DELETE: this row retracted its report now (ReportRetracted); the report stays in the history and no longer counts. */
  DELETED = 'DELETED',
  /** The same report (or change) was stored before, or is an earlier row of this batch: nothing new; the first receipt answers (none when that row was not stored: dryRun, atomic). */
  DUPLICATE = 'DUPLICATE',
  /** Refused: `errors` say which field and why. Nothing of this row was stored. */
  REFUSED = 'REFUSED',
  /** dryRun: it would be stored. */
  VALID = 'VALID',
  /** atomic: fine on its own, not stored because another row was refused (a row stored before is DUPLICATE). */
  IGNORED = 'IGNORED',
}
registerEnumType(ImportRowStatus, { name: 'ImportRowStatus', description: 'What happened to one report of a bulk request.' });

/**
 * What a record row does to a reportId that is stored already (DHIS2's importStrategy; its
 * UPDATE-only strategy is not offered). Correction rows (correct<Type>) are what they say either way.
 */
export enum ImportStrategy {
  /** A new reportId is recorded; a stored one with the same content is DUPLICATE, with other content REFUSED (CONFLICT). */
  CREATE = 'CREATE',
  /**
   * As CREATE, but a stored reportId whose CURRENT content (after corrections) differs from the row
   * is corrected to the row (UPDATED), by the rules of correct<Type>, with the row's or the
   * request's reason; equal to it, DUPLICATE.
   */
  CREATE_AND_UPDATE = 'CREATE_AND_UPDATE',
  /**
   * Each row retracts the stored report it names (DELETED), by the rules of retractReport, with the
   * row's or the request's reason; the row must be the report as it stands (else CONFLICT), an
   * unknown reportId is NOT_FOUND, a retracted one DUPLICATE.
   */
  DELETE = 'DELETE',
}
registerEnumType(ImportStrategy, {
  name: 'ImportStrategy',
  description:
    "What a record row does to a reportId stored already (DHIS2's importStrategy): CREATE refuses other content (CONFLICT), CREATE_AND_UPDATE corrects the report to it, DELETE retracts the report the row shows.",
});

/**
 * A request-level reason is read only where rows correct or retract: under CREATE nothing is, and a
 * reason given means the sender expected corrections the request would refuse. BAD_USER_INPUT
 * naming `field` (`input.reason` for recordReports, `reason` for an upload, whose message writes the
 * strategy as its query parameter), one rule for both.
 */
export function assertReasonFitsStrategy(strategy: ImportStrategy, reason: string | null | undefined, field: string, strategyIs: 'importStrategy ' | 'importStrategy=' = 'importStrategy '): void {
  if (reason != null && strategy === ImportStrategy.CREATE) {
    throw DomainError.badInput(field, `is only read with ${strategyIs}CREATE_AND_UPDATE or DELETE, where it says why rows correct or retract their reports`);
  }
}

/** The batch as a whole (DHIS2: OK / WARNING / ERROR). */
export enum ImportStatus {
  /** No row refused. */
  OK = 'OK',
  /** Some rows refused, the others stored (or valid) on their own. */
  WARNING = 'WARNING',
  /** Nothing stored: every row refused, or atomic with a refusal. */
  ERROR = 'ERROR',
}
registerEnumType(ImportStatus, { name: 'ImportStatus', description: 'Outcome of a bulk request as a whole.' });

@ObjectType({
  description:
    'Why a row was refused: the field (a path into the request, e.g. input.reports[3].trainingDelivered.participants; in a file, the A1 reference of the cell, e.g. TrainingDelivered!F5, or of the row, TrainingDelivered!5:5) and the reason.',
})
export class ImportError {
  @Field({ description: 'BAD_USER_INPUT, FORBIDDEN, CONFLICT, … as for a single mutation.' })
  code: string;

  @Field({ nullable: true })
  field?: string;

  @Field()
  reason: string;

  @Field({ nullable: true, description: 'FORBIDDEN: the rule that refused the row (period-locked, agency-not-assigned-to-measure, …), as a single mutation names it.' })
  rule?: string;

  @Field({ nullable: true, description: 'FORBIDDEN by a locked or closed reporting period: that period (e.g. 2023-Q1).' })
  period?: string;

  @Field({ nullable: true, description: 'Spreadsheet imports: the sheet (XLSX) or file (CSV) of the cell.' })
  sheet?: string;

  @Field(() => Int, { nullable: true, description: 'Spreadsheet imports: the row number as the spreadsheet shows it (1-based, the header is row 1).' })
  row?: number;

  @Field({ nullable: true, description: 'Spreadsheet imports: the column letter and its header, e.g. F (participants).' })
  column?: string;
}

@ObjectType({ description: 'One input report and what became of it.' })
export class ImportRow {
  @Field(() => Int, {
    description: 'Index of the report in the request (0-based); in a file, of the data row counted across sheets in file order (0-based): its errors name sheet, row and column.',
  })
  index: number;

  @Field({ nullable: true, description: 'The event type (MeetingHeld, …).' })
  type?: string;

  @Field({ nullable: true })
  reportId?: string;

  @Field(() => ImportRowStatus)
  status: ImportRowStatus;

  @Field(() => ReportReceipt, { nullable: true, description: 'CREATED, UPDATED, DELETED and DUPLICATE: what the ledger holds (UPDATED: the correction; DELETED: the retraction; DUPLICATE under CREATE_AND_UPDATE or DELETE: the report\'s last event).' })
  receipt?: ReportReceipt;

  @Field(() => [ImportError])
  errors: ImportError[];
}

@ObjectType({ description: 'Counts of an import summary.' })
export class ImportCounts {
  @Field(() => Int)
  total: number;
  @Field(() => Int)
  created: number;
  @Field(() => Int, { description: 'importStrategy CREATE_AND_UPDATE: rows stored as corrections of their reports.' })
  updated: number;
  @Field(() => Int, { description: 'importStrategy DELETE: rows that retracted their reports.' })
  deleted: number;
  @Field(() => Int)
  duplicate: number;
  @Field(() => Int)
  refused: number;
  @Field(() => Int, { description: 'dryRun: rows that would be stored.' })
  valid: number;
  @Field(() => Int, { description: 'atomic: rows not stored because another was refused.' })
  ignored: number;
}

@ObjectType({ description: 'The answer to a bulk request, as DHIS2 import summaries: counts and one row per input report, in input order.' })
export class ImportSummary {
  @Field(() => ImportStatus)
  status: ImportStatus;
  @Field()
  dryRun: boolean;
  @Field()
  atomic: boolean;
  @Field(() => ImportStrategy)
  importStrategy: ImportStrategy;
  @Field(() => ImportCounts)
  counts: ImportCounts;
  @Field(() => [ImportRow])
  rows: ImportRow[];
}
