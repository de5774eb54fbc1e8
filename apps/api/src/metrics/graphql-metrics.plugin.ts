import { Inject } from '@nestjs/common';
import { Plugin } from '@nestjs/apollo';
import type { ApolloServerPlugin, BaseContext, GraphQLRequestListener } from '@apollo/server';
import { LedgerMetrics } from './ledger-metrics.js';

/**
 * Times every GraphQL operation, from the start of the request to the response, into
 * ledger_graphql_operation_duration_seconds by operation type (query, mutation, or unknown when
 * it did not parse), name and outcome (error when the response carries any error).
 */
@Plugin()
export class GraphqlMetricsPlugin implements ApolloServerPlugin<BaseContext> {
  constructor(@Inject(LedgerMetrics) private readonly metrics: LedgerMetrics) {}

  async requestDidStart(): Promise<GraphQLRequestListener<BaseContext>> {
    const done = this.metrics.graphqlDuration.startTimer();
    return {
      willSendResponse: async (rc) => {
        const body = rc.response.body;
        const failed = (rc.errors?.length ?? 0) > 0 || (body.kind === 'single' && (body.singleResult.errors?.length ?? 0) > 0);
        done({
          operation_type: rc.operation?.operation ?? 'unknown',
          operation_name: this.metrics.operationLabel(rc.operationName ?? rc.operation?.name?.value),
          outcome: failed ? 'error' : 'ok',
        });
      },
    };
  }
}
