import type { FieldViolation } from './events/validate-details.js';

/**
 * A refusal by a domain rule. The API turns it into a GraphQL error with the same code
 * (docs/architecture.md, "Errors"); the CLI prints it.
 */
export type DomainErrorCode = 'BAD_USER_INPUT' | 'CONFLICT' | 'NOT_FOUND' | 'FORBIDDEN';

export class DomainError extends Error {
  override readonly name = 'DomainError';
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly extra: { readonly field?: string; readonly reason?: string; readonly rule?: string; readonly period?: string; readonly violations?: readonly FieldViolation[] } = {},
  ) {
    super(message);
  }

  /** A refused input field: the message names the field and the reason. */
  static badInput(field: string, reason: string, violations?: readonly FieldViolation[]): DomainError {
    const more = violations && violations.length > 1 ? ` (and ${violations.length - 1} more problem${violations.length > 2 ? 's' : ''})` : '';
    return new DomainError('BAD_USER_INPUT', `${field} ${reason}${more}`, { field, reason, violations });
  }

  static fromViolations(violations: readonly FieldViolation[]): DomainError {
    return DomainError.badInput(violations[0].field, violations[0].reason, violations);
  }
}
