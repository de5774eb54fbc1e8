import { Field, ID, ObjectType, registerEnumType } from '@nestjs/graphql';
import type { AgencyKind as PlanAgencyKind } from '@app/plan';

/**
 * GraphQL enum names must be identifiers, so the plan's kebab-case kinds are spelt in capitals
 * ("child-protection" is CHILD_PROTECTION); the values stay the plan's.
 */
export enum AgencyKind {
  MINISTRY = 'ministry',
  POLICE = 'police',
  PROSECUTION = 'prosecution',
  JUDICIARY = 'judiciary',
  CHILD_PROTECTION = 'child-protection',
  SOCIAL_SERVICES = 'social-services',
  GOVERNMENT_OFFICE = 'government-office',
  AUTHORITY = 'authority',
  EDUCATION = 'education',
  NGO = 'ngo',
  OTHER = 'other',
  GROUP = 'group',
}
// Fails to compile when the plan types gain or lose a kind this enum does not have.
const _sameKinds: [PlanAgencyKind, `${AgencyKind}`] extends [`${AgencyKind}`, PlanAgencyKind] ? true : never = true;
void _sameKinds;

registerEnumType(AgencyKind, {
  name: 'AgencyKind',
  description: 'What kind of body an agency is; GROUP is a set of bodies the plan names as a whole.',
});

@ObjectType({ description: 'A body the plan names: as responsible for measures, as partner, or as a group of bodies.' })
export class Agency {
  @Field(() => ID, { description: 'Stable kebab-case id; credentials and reports refer to it.' })
  id: string;

  @Field({ description: 'The name as the plan writes it.' })
  name: string;

  @Field(() => AgencyKind)
  kind: AgencyKind;

  @Field(() => [Agency], { nullable: true, description: 'For a group: its members (which may be groups). Null for any other kind.' })
  members?: Agency[];
}
