import { Field, ID, InputType, ObjectType, registerEnumType } from '@nestjs/graphql';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { ROLES, type Role } from '@app/auth';

/** The roles as a GraphQL enum (values = the Role strings). */
export const RoleEnum = Object.fromEntries(ROLES.map((role) => [role, role])) as { [R in Role]: R };
registerEnumType(RoleEnum, {
  name: 'Role',
  description: 'AGENCY reports for one agency; COORDINATOR and AUDITOR read; ADMIN manages plans and keys.',
});

@ObjectType('Principal', { description: 'Who is asking: the identity behind the credential of this request.' })
export class PrincipalModel {
  @Field(() => ID, { description: 'The API key id, or the subject of a JWT.' })
  id: string;

  @Field(() => RoleEnum)
  role: Role;

  @Field(() => String, { nullable: true, description: 'For AGENCY: the agency of the register it acts for.' })
  agencyId?: string;

  @Field(() => String, { nullable: true })
  label?: string;
}

@ObjectType('ApiKey', { description: 'An API key as administrators see it. The secret and its hash are never shown.' })
export class ApiKeyModel {
  @Field(() => ID)
  keyId: string;

  @Field(() => RoleEnum)
  role: Role;

  @Field(() => String, { nullable: true })
  agencyId?: string;

  @Field()
  label: string;

  @Field()
  issuedAt: Date;

  @Field({ description: 'The principal that issued it.' })
  issuedBy: string;

  @Field({ description: 'False once revoked.' })
  active: boolean;

  @Field(() => Date, { nullable: true })
  revokedAt?: Date;

  @Field(() => String, { nullable: true })
  revokedBy?: string;

  @Field(() => String, { nullable: true })
  revokedReason?: string;
}

@ObjectType('IssuedApiKey', { description: 'A new key. `key` is shown this once: only its hash is stored.' })
export class IssuedApiKeyModel {
  @Field(() => ID)
  keyId: string;

  @Field({ description: 'The bearer credential: send it as "Authorization: Bearer <key>". Store it now.' })
  key: string;

  @Field(() => RoleEnum)
  role: Role;

  @Field(() => String, { nullable: true })
  agencyId?: string;

  @Field()
  label: string;

  @Field({ description: 'Global position of the ApiKeyIssued event (a bigint, as a string).' })
  position: string;
}

@InputType('IssueApiKeyInput')
export class IssueApiKeyInputModel {
  @Field(() => RoleEnum)
  @IsIn(ROLES)
  role: Role;

  @Field(() => String, { nullable: true, description: 'Required for AGENCY (an agency id of the plan register); refused for other roles.' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  agencyId?: string | null;

  @Field({ description: 'Whose system or person the key is for, e.g. "MoI reporting system".' })
  @IsString()
  @MaxLength(200)
  label: string;
}
