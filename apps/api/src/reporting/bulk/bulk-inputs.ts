import { Field, InputType } from '@nestjs/graphql';
import { IsArray, IsBoolean, IsEnum, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { type ActivityEventType, EVENT_CATALOGUE, type EventTypeSpec } from '@app/domain';
import { ValidatedRowByRow } from '../../common/validation.js';
import { IsNonBlankText } from '../../common/wire-validators.js';
import { ImportStrategy } from './import-summary.model.js';
import { REPORT_INPUT_TYPES } from '../dto/report-inputs.js';

/**
 * One member of a bulk request's `ReportInput`: the field name a client sets (`trainingDelivered`
 * to record a TrainingDelivered report, `correctTrainingDelivered` to correct one) and the SAME
 * generated input class as the single mutation of that name.
 */
export interface BulkMember {
  readonly name: string;
  readonly kind: 'record' | 'correct';
  readonly spec: EventTypeSpec<ActivityEventType>;
  readonly InputClass: abstract new () => object;
}

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

export const BULK_MEMBERS: readonly BulkMember[] = EVENT_CATALOGUE.flatMap((spec): BulkMember[] => {
  const inputs = REPORT_INPUT_TYPES.get(spec.type)!;
  return [
    { name: lowerFirst(spec.type), kind: 'record', spec, InputClass: inputs.record },
    { name: `correct${spec.type}`, kind: 'correct', spec, InputClass: inputs.correct },
  ];
});

export const BULK_MEMBER_BY_NAME: ReadonlyMap<string, BulkMember> = new Map(BULK_MEMBERS.map((m) => [m.name, m]));

/**
 * One report of a bulk request: exactly one field set (GraphQL `@oneOf`), naming what it does —
 * `meetingHeld: {…}` records a MeetingHeld report with the same input as `recordMeetingHeld`,
 * `correctMeetingHeld: {…}` corrects one as `correctMeetingHeld` does. Its fields are validated row
 * by row (not here), so one bad row is answered in its own summary row.
 */
@InputType('ReportInput', {
  isOneOf: true,
  description: 'One report of a bulk request: set exactly one field — <type> to record it, correct<Type> to correct one — with the same input as the single mutation.',
})
export class ReportInput {}
for (const member of BULK_MEMBERS) {
  Field(() => member.InputClass, {
    nullable: true,
    description: member.kind === 'record' ? `Records a ${member.spec.type} report, as record${member.spec.type}.` : `Corrects a ${member.spec.type} report, as correct${member.spec.type}.`,
  })(ReportInput.prototype, member.name);
}

@InputType({ description: 'Many reports in one request, with an import summary (as DHIS2 import summaries) in answer.' })
@ValidatedRowByRow()
export class RecordReportsInput {
  @Field(() => [ReportInput], { description: 'The reports, each answered in the summary row of the same index. At most BULK_MAX_ROWS.' })
  @IsArray()
  reports: ReportInput[];

  @Field({ nullable: true, defaultValue: false, description: 'Validate and decide every report as if storing it, store nothing.' })
  @IsOptional()
  @IsBoolean()
  dryRun?: boolean;

  @Field({
    nullable: true,
    defaultValue: false,
    description:
      'All or nothing: every report is decided before any is stored, and one refusal stores none. Without it each report is stored or refused on its own.',
  })
  @IsOptional()
  @IsBoolean()
  atomic?: boolean;

  @Field(() => ImportStrategy, {
    nullable: true,
    defaultValue: ImportStrategy.CREATE,
    description:
      'What a record row (<type>) does to a reportId stored already. CREATE: the same content is DUPLICATE, other content REFUSED (CONFLICT). ' +
      'CREATE_AND_UPDATE: other content than the report\'s current content corrects it (UPDATED; the correction rules apply, and `reason` is required). ' +
      'DELETE: each row retracts the stored report it shows (DELETED; the retraction rules apply, and `reason` is required).',
  })
  @IsOptional()
  @IsEnum(ImportStrategy)
  importStrategy?: ImportStrategy;

  @Field({ nullable: true, description: 'CREATE_AND_UPDATE, DELETE: why the reports are corrected or retracted, in a few words (at least 3 characters); stored with each correction or retraction.' })
  @IsOptional()
  @IsString()
  @IsNonBlankText()
  @MinLength(3)
  @MaxLength(2000)
  reason?: string;
}
