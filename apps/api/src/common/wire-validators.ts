import { ValidateBy, type ValidationOptions } from 'class-validator';
import { CLIENT_ID_RULE, EMPTY_TEXT_RULE, isIsoDate, isNonBlankText, isValidClientId, isoDateRefusal } from '@app/domain';

/**
 * class-validator decorators for the wire rules of libs/domain (wire-rules.ts): the GraphQL
 * inputs test a value with the same function the domain and the readers use.
 */

/** A real calendar day written YYYY-MM-DD (2023-02-30 is refused, and the refusal shows it). */
export function IsCalendarDate(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isCalendarDate',
      validator: {
        validate: (value: unknown) => isIsoDate(value),
        defaultMessage: (args) => `${args?.property ?? 'value'} ${isoDateRefusal(args?.value)}`,
      },
    },
    options,
  );
}

/** A client's own id (a reportId, a requestId). */
export function IsClientId(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isClientId',
      validator: {
        validate: (value: unknown) => isValidClientId(value),
        defaultMessage: (args) => `${args?.property ?? 'value'} ${CLIENT_ID_RULE}`,
      },
    },
    options,
  );
}

/**
 * A text with something besides white space in it, refused in the one wording of wire-rules'
 * EMPTY_TEXT_RULE ("is required"): class-validator's IsNotEmpty let "  " through to the domain,
 * which said it otherwise, and said "should not be empty" of "".
 */
export function IsNonBlankText(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isNonBlankText',
      validator: {
        // Not a string at all is IsString's to say.
        validate: (value: unknown) => typeof value !== 'string' || isNonBlankText(value),
        defaultMessage: (args) => `${args?.property ?? 'value'} ${EMPTY_TEXT_RULE}`,
      },
    },
    options,
  );
}
