import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';

/**
 * Makes a @ResolveField method a plain GraphQL resolver, called as graphql-js calls one:
 * `(parent, args, context, info)`, with `args` keyed by the schema's argument names.
 *
 * Why: @nestjs/graphql wraps a field resolver that has parameter decorators in Nest's external
 * context creator, which runs the global ValidationPipe on every parameter (the parent included)
 * and makes the field asynchronous. That is per field and per object: on a `measures` query,
 * 46 measures × every progress field, and it was most of the query's CPU (issue 24). A field
 * resolver without parameter decorators takes @nestjs/graphql's fast path
 * (ResolversExplorerService.canUseFastFieldResolver: no field guards, filters, interceptors or
 * middleware are configured here) and is bound to the instance as it is.
 *
 * Use: keep `@Args()` (one @ArgsType class) on the method's second parameter so that the schema
 * declares the arguments; this decorator then drops the parameter metadata that would send the
 * call through the wrapper (parameter decorators are applied before method decorators).
 * The method must then check its arguments itself (no pipe runs) and read the principal from
 * the context (no guard runs on fields anyway).
 */
export function PlainFieldResolver(): MethodDecorator {
  return (target, key) => {
    // @nestjs/graphql's PARAM_ARGS_METADATA is this same key (not exported by the package).
    Reflect.deleteMetadata(ROUTE_ARGS_METADATA, target.constructor, key);
  };
}

/** `value`, or what it resolves to, through `f`: synchronous when `value` is not a promise. */
export function whenReady<T, U>(value: T | Promise<T>, f: (value: T) => U): U | Promise<U> {
  return value instanceof Promise ? value.then(f) : f(value);
}
