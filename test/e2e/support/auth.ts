import { KeyService, type Role } from '@app/auth';
import type { TestApp } from './test-app.js';

/**
 * Credentials for e2e tests. Keys are issued through the app's real KeyService, so they are
 * stored as events and work at once, exactly like keys issued with `issueApiKey`.
 *
 *   const key = await issueTestKey(t, { role: 'AGENCY', agencyId: 'ministry-of-interior' });
 *   await t.gql('{ me { role } }', undefined, authHeader(key));
 */
export interface TestKeyOptions {
  /** AGENCY, COORDINATOR, AUDITOR or ADMIN (any case). */
  readonly role: Role | Lowercase<Role>;
  /** Required for AGENCY: an agency id of the adopted plan's register. */
  readonly agencyId?: string;
  readonly label?: string;
}

/** Issues an API key in the running test app and returns the bearer credential. */
export async function issueTestKey(t: TestApp, options: TestKeyOptions): Promise<string> {
  const keys = t.app.get(KeyService);
  const issued = await keys.issue(
    { role: options.role, agencyId: options.agencyId, label: options.label ?? `e2e ${options.role}${options.agencyId ? ` ${options.agencyId}` : ''}` },
    'test:e2e',
  );
  return issued.key;
}

/** The request header that presents a key (or a JWT). */
export function authHeader(key: string): Record<string, string> {
  return { authorization: `Bearer ${key}` };
}

/** Shortcut: issues a key and returns its header. */
export async function authAs(t: TestApp, options: TestKeyOptions): Promise<Record<string, string>> {
  return authHeader(await issueTestKey(t, options));
}
