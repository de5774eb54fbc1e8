import { Mutation, type MutationOptions, Query, type QueryOptions, type ReturnTypeFunc } from '@nestjs/graphql';

/**
 * Said by every top-level query that a role (or, for an AGENCY, the agency asked for) can be
 * refused. GraphQL's rule for a field that can fail on its own is that it is nullable
 * (graphql.org, "Nullability"): a non-null root field that fails nulls the whole `data`, and with
 * it every other field of the request the caller was entitled to. The progress fields of Measure
 * follow the same rule (REFUSED in measure-progress.resolver.ts).
 */
export const REFUSABLE =
  'Null only with an error at this field — FORBIDDEN (extensions.rule) when the caller may not ask it (docs/security.md), or this field\'s own NOT_FOUND, BAD_USER_INPUT, TIMEOUT —; the other fields of the request keep their answers.';

/**
 * `@Query` of a field that can be refused: nullable, its description ending with {@link REFUSABLE}.
 * A query every authenticated principal may ask (READ_PLAN, `me`) keeps `@Query`. A test
 * (test/e2e/partial-refusal.e2e-spec.ts) holds every query some role is refused to this.
 */
export function RefusableQuery(type: ReturnTypeFunc, options: QueryOptions & { description: string }): MethodDecorator {
  return Query(type, { ...options, nullable: true, description: `${options.description} ${REFUSABLE}` });
}

/** Said by every mutation: what one refused mutation leaves of the others in the same request. */
export const REFUSABLE_MUTATION = 'Null only with an error at this field (FORBIDDEN, BAD_USER_INPUT, CONFLICT, …); the other mutations of the request keep their receipts.';

/**
 * `@Mutation` that can be refused (every one can: a role, a rule, the input): nullable, so that
 * mutations sent as aliases in one request are answered each on its own — one refused does not
 * null the receipts of those stored before it (issue 18's rule for the record mutations, which
 * set it themselves, here for assessments, reporting periods, keys and the bulk mutation).
 */
export function RefusableMutation(type: ReturnTypeFunc, options: MutationOptions & { description: string }): MethodDecorator {
  return Mutation(type, { ...options, nullable: true, description: `${options.description} ${REFUSABLE_MUTATION}` });
}
