import { Catch, type ArgumentsHost } from '@nestjs/common';
import type { GqlExceptionFilter } from '@nestjs/graphql';
import { GraphQLError } from 'graphql';
import { ProjectionTimeoutError } from '@app/projections';

/**
 * A read-your-writes wait that expired is the client's TIMEOUT (docs/architecture.md, "Errors"):
 * an expected answer under load, not a server error to be logged.
 */
@Catch(ProjectionTimeoutError)
export class ProjectionTimeoutFilter implements GqlExceptionFilter {
  catch(error: ProjectionTimeoutError, _host: ArgumentsHost): GraphQLError {
    return timeoutAnswer(error);
  }
}

/** The TIMEOUT answer; also for field resolvers, which no exception filter serves. */
export function timeoutAnswer(error: ProjectionTimeoutError): GraphQLError {
  return new GraphQLError(error.message, {
    extensions: { code: 'TIMEOUT', reason: `the read models are at position ${error.reached}; try again shortly` },
  });
}
