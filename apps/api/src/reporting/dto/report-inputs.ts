import { Field, ID, InputType, Int, registerEnumType } from '@nestjs/graphql';
import { IsBoolean, IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { EVENT_CATALOGUE, type EventTypeSpec, type FieldSpec } from '@app/domain';
import { HufScalar } from '../../common/huf.scalar.js';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const REPORT_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/;

/** The fields every report has, whatever its type. */
@InputType({ isAbstract: true })
export abstract class ReportInputBase {
  @Field({ description: 'Code of the measure the activity is counted under, e.g. "II.1.3".' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(50)
  measureCode: string;

  @Field({ description: "The agency system's own id for this report (letters, digits, . _ : -; up to 100). Retrying with the same id and content is safe." })
  @Matches(REPORT_ID, { message: 'reportId must start with a letter or digit and use only letters, digits, ".", "_", ":" and "-" (at most 100)' })
  reportId: string;

  @Field({ description: 'The business date the activity happened, YYYY-MM-DD.' })
  @Matches(DATE, { message: 'occurredOn must be a date written YYYY-MM-DD' })
  occurredOn: string;

  @Field(() => ID, { nullable: true, description: 'The plan, when several adopted plans share the measure code.' })
  @IsOptional()
  @IsString()
  planId?: string;
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
      list.push(IsInt(), Min(0), Max(field.max ?? Number.MAX_SAFE_INTEGER));
      break;
    case 'text':
      list.push(IsString(), IsNotEmpty(), MaxLength(2000));
      break;
    case 'date':
      list.push(Matches(DATE, { message: `${field.name} must be a date written YYYY-MM-DD` }));
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

/**
 * One GraphQL input type per catalogue event type (`RecordTrainingDeliveredInput`, …), built
 * from the catalogue so that adding an event type there adds its mutation.
 */
function inputTypeFor(spec: EventTypeSpec): typeof ReportInputBase {
  const name = `Record${spec.type}Input`;
  const Input = { [name]: class extends ReportInputBase {} }[name];
  for (const field of spec.fields) {
    const type = graphqlType(spec, field);
    Field(type as never, { nullable: !field.required, description: field.description })(Input.prototype, field.name);
    for (const decorate of validators(field)) decorate(Input.prototype, field.name);
  }
  InputType(name, { description: `A ${spec.type} report: ${spec.description}` })(Input);
  return Input;
}

export const REPORT_INPUT_TYPES: ReadonlyMap<string, typeof ReportInputBase> = new Map(
  EVENT_CATALOGUE.map((spec) => [spec.type, inputTypeFor(spec)]),
);

/** The type's own fields of an input (everything but the common report fields). */
export function detailsOf(spec: EventTypeSpec, input: ReportInputBase): Record<string, unknown> {
  const source = input as unknown as Record<string, unknown>;
  return Object.fromEntries(spec.fields.filter((f) => source[f.name] !== undefined).map((f) => [f.name, source[f.name]]));
}
