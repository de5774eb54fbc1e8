import { Inject, Logger } from '@nestjs/common';
import { Args, Query, Resolver } from '@nestjs/graphql';
import { Action, Allow, type ApiKeyInfo, Authenticated, CurrentPrincipal, KeyService, type Principal } from '@app/auth';
import { ApiKeyModel, IssueApiKeyInputModel, IssuedApiKeyModel, PrincipalModel } from './models/auth.models.js';
import { RefusableQuery, RefusableMutation } from '../common/refusable-query.js';

function toModel(info: ApiKeyInfo): ApiKeyModel {
  return {
    ...info,
    issuedAt: new Date(info.issuedAt),
    revokedAt: info.revokedAt ? new Date(info.revokedAt) : undefined,
  };
}

@Resolver()
export class AuthResolver {
  private readonly logger = new Logger('ApiKeys');

  constructor(@Inject(KeyService) private readonly keys: KeyService) {}

  @Query(() => PrincipalModel, { description: 'The principal of this request: role, agency, label.' })
  @Authenticated()
  me(@CurrentPrincipal() principal: Principal): PrincipalModel {
    return { id: principal.id, role: principal.role, agencyId: principal.agencyId, label: principal.label };
  }

  @RefusableQuery(() => [ApiKeyModel], { description: 'Every API key ever issued, revoked ones included (ADMIN).' })
  @Allow(Action.MANAGE_KEYS)
  apiKeys(): ApiKeyModel[] {
    return this.keys.list().map(toModel);
  }

  @RefusableMutation(() => IssuedApiKeyModel, { description: 'Issues an API key (ADMIN). The key is in the answer once and never again.' })
  @Allow(Action.MANAGE_KEYS)
  async issueApiKey(
    @Args('input') input: IssueApiKeyInputModel,
    @CurrentPrincipal() principal: Principal,
  ): Promise<IssuedApiKeyModel> {
    const issued = await this.keys.issue(input, principal.id);
    this.logger.log(
      `Issued key ${issued.keyId} role=${issued.role}${issued.agencyId ? ` agency=${issued.agencyId}` : ''} by ${principal.id}`,
    );
    return {
      keyId: issued.keyId,
      key: issued.key,
      role: issued.role,
      agencyId: issued.agencyId,
      label: issued.label,
      position: issued.position.toString(),
    };
  }

  @RefusableMutation(() => ApiKeyModel, { description: 'Revokes an API key at once (ADMIN). Revoking a revoked key changes nothing.' })
  @Allow(Action.MANAGE_KEYS)
  async revokeApiKey(
    @Args('keyId') keyId: string,
    @Args('reason') reason: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ApiKeyModel> {
    const info = await this.keys.revoke(keyId, reason, principal.id);
    this.logger.log(`Revoked key ${keyId} by ${principal.id}`);
    return toModel(info);
  }
}
