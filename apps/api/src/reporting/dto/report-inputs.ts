import { Field, ID, InputType, Int, registerEnumType } from '@nestjs/graphql';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { type ActivityEventType, EVENT_CATALOGUE, type EventTypeSpec, type FieldSpec, minimumOf } from '@app/domain';
import { HufScalar } from '../../common/huf.scalar.js';
import { IsCalendarDate, IsClientId, IsNonBlankText } from '../../common/wire-validators.js';

/**
 * The GraphQL inputs of reports, generated from the event catalogue: for each event type one
 * `Record<Type>Input` and one `Correct<Type>Input`, carrying the type's own fields with the same
 * names, GraphQL types, enums and validators. The domain validator (validateDetails) checks the
 * same fields again from the same catalogue entry, whatever the transport.
 */

/** The fields every report has, whatever its type. */
@InputType({ isAbstract: true })
export abstract class ReportInputBase {
  @Field({ description: 'Code of the measure the activity is counted under, e.g. "II.1.3".' })
  @IsString()
  @IsNonBlankText()
  @MaxLength(50)
  measureCode: string;

  @Field({ description: "The agency system's own id for this report (letters, digits, . _ : -; up to 100). Retrying with the same id and content is safe." })
  @IsClientId()
  reportId: string;

  @Field({ description: 'The business date the activity happened, YYYY-MM-DD.' })
  @IsCalendarDate()
  occurredOn: string;

  @Field(() => ID, { nullable: true, description: 'The plan, when several adopted plans share the measure code.' })
  @IsOptional()
  @IsString()
  planId?: string;
}

/** What every correction and retraction carries: which report, the client's request id, why. */
@InputType({ isAbstract: true })
export abstract class ReportChangeInputBase {
  @Field({ description: 'The reportId the report was recorded with.' })
  @IsClientId()
  reportId: string;

  @Field({
    description:
      "The agency system's own id for this request (letters, digits, . _ : -; up to 100). Retrying it, at any later time, " +
      'answers with the first receipt and changes nothing; reusing it for another request is a CONFLICT.',
  })
  @IsClientId()
  requestId: string;

  @Field({
    nullable: true,
    description: 'The report revision this request was made against (a receipt\'s `revision`); when the report has changed since, CONFLICT.',
  })
  @IsOptional()
  @Matches(/^\d{1,15}$/, { message: 'expectedRevision must be a revision: a whole number written in digits' })
  expectedRevision?: string;

  @Field({ description: 'Why, in a few words (at least 3 characters).' })
  @IsString()
  @IsNonBlankText()
  @MinLength(3)
  @MaxLength(2000)
  reason: string;
}

/** Withdraws a report: it no longer counts; it stays in the history. */
@InputType({ description: 'Withdraws a report: it no longer counts; it stays in the history.' })
export class RetractReportInput extends ReportChangeInputBase {}

/** The base of every Correct<Type>Input: a corrected date is optional. */
@InputType({ isAbstract: true })
export abstract class CorrectReportInputBase extends ReportChangeInputBase {
  @Field({ nullable: true, description: 'A corrected business date, YYYY-MM-DD; absent keeps the reported one.' })
  @IsOptional()
  @IsCalendarDate()
  occurredOn?: string;
}

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
/** GraphQL enum names must be identifiers: "swiss-hungarian" is SWISS_HUNGARIAN. */
export const enumName = (value: string) => value.toUpperCase().replace(/[^A-Z0-9]+/g, '_');

function graphqlType(spec: EventTypeSpec, field: FieldSpec): () => unknown {
  switch (field.kind) {
    case 'count':
      return () => Int;
    case 'money':
      return () => HufScalar;
    case 'text':
    case 'date':
      return () => String;
    case 'boolean':
      return () => Boolean;
    case 'enum': {
      const values = Object.fromEntries((field.values ?? []).map((v) => [enumName(v), v]));
      registerEnumType(values, { name: `${spec.type}${capitalise(field.name)}`, description: field.description });
      return () => values;
    }
    default: {
      const unreachable: never = field.kind;
      throw new Error(`Unknown field kind ${String(unreachable)}`);
    }
  }
}

function validators(field: FieldSpec): PropertyDecorator[] {
  const list: PropertyDecorator[] = field.required ? [] : [IsOptional()];
  switch (field.kind) {
    case 'count':
      list.push(IsInt(), Min(minimumOf(field)), Max(field.max ?? Number.MAX_SAFE_INTEGER));
      break;
    case 'text':
      list.push(IsString(), IsNonBlankText(), MaxLength(2000));
      break;
    case 'date':
      list.push(IsCalendarDate());
      break;
    case 'boolean':
      list.push(IsBoolean());
      break;
    case 'enum':
      list.push(IsIn([...(field.values ?? [])]));
      break;
    case 'money':
      // Range and sign are domain rules (validateDetails): the scalar already made it exact.
      break;
    default: {
      const unreachable: never = field.kind;
      throw new Error(`Unknown field kind ${String(unreachable)}`);
    }
  }
  return list;
}

/** Decorates `Input` with the type's own fields: one GraphQL type (and enum) per field, shared by both inputs. */
function addTypeFields(Input: abstract new () => object, spec: EventTypeSpec, types: ReadonlyMap<string, () => unknown>): void {
  for (const field of spec.fields) {
    Field(types.get(field.name) as never, { nullable: !field.required, description: field.description })(Input.prototype, field.name);
    for (const decorate of validators(field)) decorate(Input.prototype, field.name);
  }
}

export interface ReportInputTypes {
  readonly record: typeof ReportInputBase;
  readonly correct: typeof CorrectReportInputBase;
}

function inputTypesFor(spec: EventTypeSpec): ReportInputTypes {
  const types = new Map(spec.fields.map((field) => [field.name, graphqlType(spec, field)]));
  const recordName = `Record${spec.type}Input`;
  const RecordInput = { [recordName]: class extends ReportInputBase {} }[recordName];
  addTypeFields(RecordInput, spec, types);
  InputType(recordName, { description: `A ${spec.type} report: ${spec.description}` })(RecordInput);
  const correctName = `Correct${spec.type}Input`;
  const Correct = { [correctName]: class extends CorrectReportInputBase {} }[correctName];
  addTypeFields(Correct, spec, types);
  InputType(correctName, {
    description: `New figures for a ${spec.type} report: all of its own fields as they should be, as when recording it. The original stays in the history.`,
  })(Correct);
  return { record: RecordInput, correct: Correct };
}

export const REPORT_INPUT_TYPES: ReadonlyMap<ActivityEventType, ReportInputTypes> = new Map(
  EVENT_CATALOGUE.map((spec) => [spec.type, inputTypesFor(spec)]),
);

/** The type's own fields of an input (everything but the common report fields). */
export function detailsOf(spec: EventTypeSpec, input: object): Record<string, unknown> {
  const source = input as Record<string, unknown>;
  return Object.fromEntries(spec.fields.filter((f) => source[f.name] !== undefined && source[f.name] !== null).map((f) => [f.name, source[f.name]]));
}
