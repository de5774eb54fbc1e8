import type { ReactNode } from 'react';
import { Link } from 'wouter';
import { useQuery, useSession, useTimeTravel } from '../api/hooks';
import { EVENTS, type Events } from '../api/queries';
import { formatInstant } from '../format';

/**
 * When an auditor's "as it stood at" point lies before the plan's adoption (the first event of its
 * stream, `plan-<id>`), the sentence saying so, e.g. "At position 1 the ledger held no plan yet: …
 * was adopted at position 2."; null otherwise (no point, the plan already held, or not known yet).
 * The pages of figures show it instead of the api's NOT_FOUND for every plan, measure and agency.
 */
export function useBeforePlan(): string | null {
  const { plan, readsHistory } = useSession();
  const { at } = useTimeTravel();
  const adoption = useQuery<Events>(readsHistory && at !== null ? EVENTS : null, { first: 1, order: 'OLDEST_FIRST', filter: { stream: `plan-${plan.id}` } });
  const first = adoption.data?.events?.edges[0]?.node;
  if (!at || !first) return null;
  const adopted = `${plan.title} was adopted at position ${first.position} (recorded ${formatInstant(first.recordedAt)})`;
  if (at.position !== undefined && /^\d+$/.test(at.position) && BigInt(at.position) < BigInt(first.position)) {
    return `At position ${at.position} the ledger held no plan yet: ${adopted}.`;
  }
  if (at.recordedAt !== undefined && new Date(at.recordedAt).getTime() < new Date(first.recordedAt).getTime()) {
    return `As recorded by ${formatInstant(at.recordedAt)} the ledger held no plan yet: ${adopted}.`;
  }
  return null;
}

/** The page (`children`), or the sentence when the point lies before the plan; the events log (`always`) shows either way. */
export function UnlessBeforePlan({ always, children }: { always: boolean; children: ReactNode }) {
  const sentence = useBeforePlan();
  if (!sentence || always) return <>{children}</>;
  return (
    <p className="before-plan" data-testid="before-plan">
      {sentence} Pick a later point, or see the log up to this one on the <Link href="/events">Events page</Link>.
    </p>
  );
}
