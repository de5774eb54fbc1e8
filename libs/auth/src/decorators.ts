import { applyDecorators, createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import type { Action } from './access-policy.js';
import { UnauthenticatedError } from './auth-errors.js';
import type { Principal } from './principal.js';

/** Metadata keys read by the AccessGuard. */
export const PUBLIC_METADATA = 'apl:auth:public';
export const AUTHENTICATED_METADATA = 'apl:auth:authenticated';
export const ALLOW_METADATA = 'apl:auth:allow';

/** Open to anyone, without a credential. Only for health and metrics (`health`, GET /health/*, GET /metrics). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(PUBLIC_METADATA, true);

/** Open to any authenticated principal, whatever its role (e.g. `me`). */
export const Authenticated = (): MethodDecorator & ClassDecorator => SetMetadata(AUTHENTICATED_METADATA, true);

/**
 * The action(s) the operation performs; the principal's role must allow at least one of them
 * (see ROLE_ACTIONS). An operation with none of these decorators is refused.
 */
export const Allow = (...actions: [Action, ...Action[]]): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(ALLOW_METADATA, actions));

/** The GraphQL context as the auth layer fills it. */
export interface AuthContext {
  readonly req?: unknown;
  principal?: Principal;
}

/** The principal of the current request (from the GraphQL context or the HTTP request). */
export function principalFromExecutionContext(context: ExecutionContext): Principal | undefined {
  if (context.getType<string>() === 'graphql') {
    return GqlExecutionContext.create(context).getContext<AuthContext>()?.principal;
  }
  return context.switchToHttp().getRequest<{ principal?: Principal }>()?.principal;
}

/** Resolver parameter: the authenticated principal (the AccessGuard has put it there). */
export const CurrentPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => {
  const principal = principalFromExecutionContext(context);
  if (!principal) throw new UnauthenticatedError();
  return principal;
});
