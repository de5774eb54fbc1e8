import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import type { ApolloDriverConfig } from '@nestjs/apollo';
import { createErrorFormatter } from '../common/format-error.js';
import type { RequestGate } from './request-gate.js';
import { httpGraphqlContext } from './gatekeeper.plugin.js';
import { graphqlWsOptions } from './ws-transport.js';

/**
 * The transport part of the GraphQLModule configuration (spread into it in AppModule): both
 * transports on `/graphql` — Apollo over HTTP (GatekeeperPlugin) and graphql-ws — sharing the
 * RequestGate's parse options and validation rules and the one error formatter. Also: no HTTP
 * batching, GraphiQL only where introspection is on, no stack traces.
 */
export function graphqlTransportOptions(
  gate: RequestGate,
): Pick<
  ApolloDriverConfig,
  | 'introspection'
  | 'validationRules'
  | 'graphiql'
  | 'allowBatchedHttpRequests'
  | 'parseOptions'
  | 'formatError'
  | 'includeStacktraceInErrorResponses'
  | 'subscriptions'
  | 'context'
  | 'plugins'
  | 'preserveHttpStatusForExecutionErrors'
> {
  const formatError = createErrorFormatter(gate.config.suggestions, () => gate.schema);
  return {
    // The introspection policy is the gate's validation rule, the same for both transports;
    // Apollo's own switch would add a second rule for HTTP only.
    introspection: true,
    validationRules: [...gate.validationRules],
    // Never Nest's GraphiQL page: it loads its scripts from a CDN. DashboardModule serves a
    // bundled one at GET /graphql, and only when introspection is on (useless without it).
    graphiql: false,
    // One operation per request: a batch would multiply every per-request limit.
    allowBatchedHttpRequests: false,
    parseOptions: gate.parseOptions,
    formatError,
    includeStacktraceInErrorResponses: false,
    // Live dashboards (measureUpdated), and queries and mutations too, over graphql-ws on the same path.
    subscriptions: { 'graphql-ws': graphqlWsOptions(gate, formatError) },
    // HTTP: the gate's first step, before Apollo parses (graphql-ws: in onSubscribe).
    context: httpGraphqlContext(gate),
    plugins: [ApolloServerPluginCacheControlDisabled(), noStore, executionStatus],
    // Nest's own plugin answered 200 to every operation that ran; executionStatus does, but for a rate refusal.
    preserveHttpStatusForExecutionErrors: false,
  };
}

/**
 * The HTTP status of an answer whose operation ran (its body has `data`): 200, so a FORBIDDEN or
 * a refused field keeps the `{ data, errors }` answer a client parses (what Nest's plugin,
 * preserveHttpStatusForExecutionErrors, did for every such answer) — except a rate refusal that
 * ran nothing: a root field refused RATE_LIMITED (recordReports' rows over the budget) while no
 * root field answered is 429, as the gate's own refusal is (docs/security.md), with the
 * Retry-After header its error carries (none for a batch larger than the whole budget).
 */
export const executionStatus: ApolloServerPlugin = {
  async requestDidStart() {
    return {
      async willSendResponse({ response }) {
        const body = response.body;
        if (body.kind !== 'single' || !('data' in body.singleResult)) return;
        const { data, errors } = body.singleResult;
        const limited = errors?.some((e) => e.extensions?.code === 'RATE_LIMITED') ?? false;
        const answered = data !== null && data !== undefined && Object.values(data).some((value) => value !== null);
        response.http.status = limited && !answered ? 429 : 200;
      },
    };
  },
};

/**
 * Every GraphQL answer says `cache-control: no-store`, as Apollo's default cache-control plugin
 * concluded for this schema (it declares no cache hints, so no answer is ever cacheable). That
 * plugin reached the conclusion by hooking every resolved field (willResolveField), which also
 * makes Apollo wrap every field's resolver: a cost per field of a `measures` query (issue 24).
 */
const noStore: ApolloServerPlugin = {
  async requestDidStart() {
    return {
      async willSendResponse({ response }) {
        response.http.headers.set('cache-control', 'no-store');
      },
    };
  },
};
