import { GraphQLError } from 'graphql';

/**
 * The errors of identity and access, in the API's one vocabulary (docs/architecture.md, "Errors").
 * They are GraphQLErrors so the code and the rule reach the client unchanged.
 */

/** No credential, or one that is malformed, unknown, revoked or expired. */
export class UnauthenticatedError extends GraphQLError {
  constructor(message = 'Authentication required: send "Authorization: Bearer <API key or token>"') {
    super(message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
  }
}

/** A valid principal without the right; `rule` names the rule that refused. */
export class ForbiddenError extends GraphQLError {
  /** Set once the refusal has been logged, so it is logged once. */
  logged = false;

  constructor(
    message: string,
    readonly rule: string,
    extra: Record<string, string> = {},
  ) {
    super(message, { extensions: { ...extra, code: 'FORBIDDEN', rule, http: { status: 403 } } });
  }
}

/** Input the caller can fix; `field` names it (dotted path into the input). */
export class BadUserInputError extends GraphQLError {
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`Invalid ${field}: ${reason}`, { extensions: { code: 'BAD_USER_INPUT', field, reason } });
  }
}

export class NotFoundError extends GraphQLError {
  constructor(message: string) {
    super(message, { extensions: { code: 'NOT_FOUND' } });
  }
}
