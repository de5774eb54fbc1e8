import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { DomainError } from '@app/domain';

/** Flattens nested class-validator errors into `field: reason` pairs with dotted paths. */
export function violationsOf(errors: readonly ValidationError[], parent = ''): Array<{ field: string; reason: string }> {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
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
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    transform: true,
    forbidUnknownValues: true,
    exceptionFactory: (errors) => {
      // A DomainError, like the deciders' refusals: the common filter turns it into a
      // BAD_USER_INPUT answer and nothing logs it as a server error.
      return DomainError.fromViolations(violationsOf(errors));
    },
  });
}
