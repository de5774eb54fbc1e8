import { ValidateBy, type ValidationOptions } from 'class-validator';
import { CLIENT_ID_RULE, isIsoDate, isValidClientId, isoDateRefusal } from '@app/domain';

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
