import { Catch, type ArgumentsHost } from '@nestjs/common';
import type { GqlExceptionFilter } from '@nestjs/graphql';
import { GraphQLError } from 'graphql';
import { DomainError } from '@app/domain';

/**
 * Domain refusals become GraphQL errors of the API's vocabulary (code, field, reason, rule).
 * GraphQL errors thrown on purpose (ForbiddenError, …) pass through as they are: they are
 * answers, not server faults, so Nest must not log them as errors with a stack trace.
 */
@Catch(DomainError, GraphQLError)
export class DomainErrorFilter implements GqlExceptionFilter {
  catch(error: DomainError | GraphQLError, _host: ArgumentsHost): GraphQLError {
    if (error instanceof GraphQLError) return error;
    return new GraphQLError(error.message, {
      extensions: {
        code: error.code,
        ...(error.extra.field && { field: error.extra.field }),
        ...(error.extra.reason && { reason: error.extra.reason }),
        ...(error.extra.rule && { rule: error.extra.rule }),
        ...(error.extra.period && { period: error.extra.period }),
        ...(error.extra.violations && error.extra.violations.length > 1 && { errors: error.extra.violations }),
      },
    });
  }
}
