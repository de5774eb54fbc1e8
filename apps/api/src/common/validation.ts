import { type ArgumentMetadata, ValidationPipe, type ValidationError } from '@nestjs/common';
import { DomainError } from '@app/domain';

/** Flattens nested class-validator errors into `field: reason` pairs with dotted paths. */
export function violationsOf(errors: readonly ValidationError[], parent = ''): Array<{ field: string; reason: string }> {
  return errors.flatMap((e) => {
    // A value that is not an object of the expected input class has no property: name the parent.
    const field = e.property === undefined ? parent || 'input' : parent ? `${parent}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((message) => ({
      field,
      // class-validator messages start with the property name; the field is said separately.
      reason: message.startsWith(`${e.property} `) ? message.slice(e.property.length + 1) : message,
    }));
    return [...own, ...violationsOf(e.children ?? [], field)];
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
  override transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (value === undefined || value === null) return Promise.resolve(value);
    return super.transform(value, metadata);
  }
}

export function createValidationPipe(): ValidationPipe {
  return new ClassInputValidationPipe({
    transform: true,
    forbidUnknownValues: true,
    exceptionFactory: (errors) => {
      // A DomainError, like the deciders' refusals: the common filter turns it into a
      // BAD_USER_INPUT answer and nothing logs it as a server error.
      return DomainError.fromViolations(violationsOf(errors));
    },
  });
}
