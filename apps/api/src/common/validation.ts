import { type ArgumentMetadata, ValidationPipe, type ValidationError } from '@nestjs/common';
import { type MetadataStorage, getMetadataStorage, validate } from 'class-validator';
import { DomainError } from '@app/domain';

/** class-validator constraints on a value's range or size: said only when its kind is right. */
const RANGE_CONSTRAINTS = new Set(['min', 'max', 'minLength', 'maxLength', 'length', 'arrayMinSize', 'arrayMaxSize', 'isPositive', 'isNegative', 'maxDate', 'minDate']);

/** The message of the rule that says most: the value's kind (integer, string, date) before its range. */
function clearest(constraints: Record<string, string>): string | undefined {
  const entries = Object.entries(constraints);
  return (entries.find(([name]) => !RANGE_CONSTRAINTS.has(name)) ?? entries[0])?.[1];
}

/**
 * Flattens nested class-validator errors into `field: reason` pairs with dotted paths, one per
 * field: a value breaking several rules (an absent count is not an integer, below 1 and above the
 * maximum at once) is answered with the clearest — "is required" for an absent value, else the
 * rule on the kind of value before one on its range.
 */
export function violationsOf(errors: readonly ValidationError[], parent = ''): Array<{ field: string; reason: string }> {
  return errors.flatMap((e) => {
    // A value that is not an object of the expected input class has no property: name the parent.
    const field = e.property === undefined ? parent || 'input' : parent ? `${parent}.${e.property}` : e.property;
    const first = clearest(e.constraints ?? {});
    // class-validator messages start with the property name; the field is said separately.
    const reason = first === undefined ? undefined : e.value === undefined || e.value === null ? 'is required' : first.startsWith(`${e.property} `) ? first.slice(e.property.length + 1) : first;
    return [...(reason === undefined ? [] : [{ field, reason }]), ...violationsOf(e.children ?? [], field)];
  });
}

/**
 * The global input validation: class-validator rules on every DTO; a failure is a
 * BAD_USER_INPUT error whose message names the field and the reason (and lists the others).
 */
/**
 * Validates only arguments typed by a class. Compilers differ in the design type they emit for
 * an enum-typed parameter (tsc: String; SWC: the enum object), and an enum object is no input
 * class: handing it to class-validator refuses every value.
 */
class ClassInputValidationPipe extends ValidationPipe {
  protected override toValidate(metadata: ArgumentMetadata): boolean {
    return typeof metadata.metatype === 'function' && super.toValidate(metadata);
  }

  /**
   * An absent optional argument is answered as absent without validating anything. (Nest's pipe
   * validates an empty object of the class in its place and then returns the absent value
   * anyway: wasted work on every field resolver with an optional input, such as `at` on each
   * measure of a `measures` query. GraphQL itself refuses a required argument that is missing.)
   */
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (value === undefined || value === null) return value;
    const metatype = metadata.metatype;
    try {
      if (typeof metatype === 'function' && rowByRow.has(metatype) && isPlainObject(value)) return await this.validateOwnFields(metatype as new () => object, value);
      return await super.transform(value, metadata);
    } catch (error) {
      // The refusal names its fields from the argument (`input.participants`), the rule of
      // input-errors.ts's argumentPath, which this pipe alone knows exactly.
      // (Nest validates a value that is no object as a property named after the argument.)
      if (error instanceof RefusedInput) throw DomainError.fromViolations(violationsOf(error.errors, typeof value === 'object' ? argumentNameOf(metadata) : ''));
      throw error;
    }
  }

  /**
   * An input whose rows its resolver validates one by one ({@link ValidatedRowByRow}): its own
   * fields are validated on a shallow instance, with the same options and the same refusal as
   * the pipe's. Nest's pipe would first walk and copy every row (closing array gaps, stripping
   * prototype keys, class-transformer's copy, a search for binary values): ≈ 15 µs a report of a
   * bulk request, for a copy no one reads. The value is GraphQL's coerced argument: no gaps,
   * no prototype keys, no binary values.
   */
  private async validateOwnFields(metatype: new () => object, value: Record<string, unknown>): Promise<object> {
    const entity = new metatype() as Record<string, unknown>;
    for (const key of Object.keys(value)) if (key !== '__proto__' && key !== 'constructor') entity[key] = value[key];
    // class-validator itself: the pipe's own validate needs the module it loads in its first transform.
    const errors = await validate(entity, { ...this.validatorOptions, validationError: { target: false, ...this.validatorOptions.validationError } });
    if (errors.length > 0) throw await this.exceptionFactory(errors);
    return entity;
  }
}

/** class-validator's errors of one argument, on their way to {@link ClassInputValidationPipe.transform}. */
class RefusedInput extends Error {
  constructor(readonly errors: readonly ValidationError[]) {
    super('refused input');
  }
}

/**
 * Parameters named by the request itself (an HTTP query parameter, a route parameter, a custom
 * decorator's value): their fields are named as they are. Nest hands a resolver's `@Args('input')`
 * to pipes as type `body` (its external contexts map GqlParamtype.ARGS, 3, to RouteParamtypes'
 * name for 3), as it would an HTTP `@Body('input')`, whose property is a path's start likewise.
 */
const NAMED_BY_REQUEST = new Set<unknown>(['query', 'param', 'custom']);

/**
 * The argument a pipe validates (`input` of `@Args('input')`), or '' for a parameter named by the
 * request and for `@Args()` of a whole ArgsType class, whose properties are the arguments themselves.
 */
function argumentNameOf(metadata: ArgumentMetadata): string {
  return typeof metadata.data === 'string' && !NAMED_BY_REQUEST.has(metadata.type) ? metadata.data : '';
}

const rowByRow = new WeakSet<object>();

/**
 * Marks an input class that carries a list of rows its resolver validates row by row (the bulk
 * `reports`, each answered in its own summary row): the global pipe validates the class's own
 * rules only, on the argument as GraphQL coerced it, without copying the rows first.
 */
export function ValidatedRowByRow(): ClassDecorator {
  return (target) => {
    rowByRow.add(target);
  };
}

const isPlainObject = (value: unknown): value is Record<string, unknown> => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
};

type RuleLookup = MetadataStorage['getTargetValidationMetadatas'];
const remembering = new WeakSet<MetadataStorage>();

/**
 * Makes class-validator look up the rules of an input class once instead of on every validation.
 * Its lookup (MetadataStorage.getTargetValidationMetadatas, class-validator 0.15) tests the class
 * against every class that has rules (`instanceof` over all of them, for inherited rules) and
 * filters the lot, on each object it validates: every decorated class of the api, the inputs
 * generated from the event catalogue among them, for each report (issue 24; BENCHMARKS.md). The
 * answer depends only on the class, the schema, the options and the rules registered so far; rules
 * are registered when decorators run, as modules load, so registering one later forgets every
 * remembered answer. Callers only read the array (ValidationExecutor groups it into a new object).
 * Idempotent per storage; the default is class-validator's global one, which Nest's pipe uses.
 */
export function rememberRuleLookups(storage: MetadataStorage = getMetadataStorage()): void {
  if (remembering.has(storage)) return;
  remembering.add(storage);
  const lookup: RuleLookup = storage.getTargetValidationMetadatas.bind(storage);
  let answers = new Map<unknown, Map<string, ReturnType<RuleLookup>>>();
  const forget = <A extends unknown[]>(register: (...args: A) => void) => (...args: A) => {
    answers = new Map();
    register(...args);
  };
  storage.addValidationMetadata = forget(storage.addValidationMetadata.bind(storage));
  storage.addConstraintMetadata = forget(storage.addConstraintMetadata.bind(storage));
  storage.addValidationSchema = forget(storage.addValidationSchema.bind(storage));
  storage.getTargetValidationMetadatas = (target, schema, always, strictGroups, groups) => {
    const key = `${schema}\u0000${always}\u0000${strictGroups}\u0000${groups?.join('\u0001') ?? ''}`;
    let byOptions = answers.get(target);
    if (!byOptions) answers.set(target, (byOptions = new Map()));
    let answer = byOptions.get(key);
    if (!answer) byOptions.set(key, (answer = lookup(target, schema, always, strictGroups, groups)));
    return answer;
  };
}

export function createValidationPipe(): ValidationPipe {
  rememberRuleLookups();
  return new ClassInputValidationPipe({
    transform: true,
    forbidUnknownValues: true,
    // Made a DomainError in transform, where the argument's name is known: like the deciders'
    // refusals, the common filter turns it into a BAD_USER_INPUT answer and nothing logs it as a
    // server error.
    exceptionFactory: (errors) => new RefusedInput(errors),
  });
}
