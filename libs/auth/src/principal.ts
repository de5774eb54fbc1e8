/**
 * Who is asking. Every request carries a principal (or is refused): agency systems, the
 * coordinator's office, auditors and operators each have a role.
 */
export const ROLES = ['AGENCY', 'COORDINATOR', 'AUDITOR', 'ADMIN'] as const;
export type Role = (typeof ROLES)[number];

export interface Principal {
  /** Stable id of the credential or identity (API key id, or the JWT subject). */
  readonly id: string;
  readonly role: Role;
  /** For AGENCY principals: the agency of the register they act for. */
  readonly agencyId?: string;
  /** Human label of the credential ("MoI reporting system"). */
  readonly label?: string;
}
