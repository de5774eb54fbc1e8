import { Link } from 'wouter';
import type { GraphQLRequestError } from '../api/client';
import { useSession } from '../api/hooks';
import type { MeasureStatus, StatusCounts } from '../api/queries';
import { STATUS_COLOUR, STATUS_LABEL, reasonLabel } from '../format';

export function StatusBadge({ status }: { status: MeasureStatus }) {
  return (
    <span className={`status status-${status.toLowerCase()}`} style={{ borderColor: STATUS_COLOUR[status], color: STATUS_COLOUR[status] }}>
      {STATUS_LABEL[status]}
    </span>
  );
}

export const countsOf = (c: StatusCounts): Record<MeasureStatus, number> => ({
  NOT_STARTED: c.notStarted,
  IN_PROGRESS: c.inProgress,
  ACHIEVED: c.achieved,
  OVERDUE: c.overdue,
  AWAITING_ASSESSMENT: c.awaitingAssessment,
  WITHDRAWN: c.withdrawn,
});

/** The reason for a status, in words, with the api's code for those who search the docs. */
export function ReasonText({ reason }: { reason: string }) {
  return (
    <span className="hint" data-reason={reason} title={reason}>
      {reasonLabel(reason)}
    </span>
  );
}

/**
 * A page another role reads (the nav does not offer it, but a link or a typed address may lead
 * here): said in words, with nothing of the page drawn and nothing asked of the api.
 */
export function NotForRole({ page, readers }: { page: string; readers: string }) {
  const session = useSession();
  return (
    <>
      <p role="alert" className="problem" data-testid="not-for-role">
        {page} is the {readers}: your key signs in as {session.me.role === 'AGENCY' ? 'an agency' : `a ${session.me.role.toLowerCase()}`}, which may not read it.
      </p>
      <p>
        <Link href="/">Back to the overview</Link>
      </p>
    </>
  );
}

/** A failed request, with the api's code and message (e.g. FORBIDDEN for a role that may not read it). */
export function Problem({ error }: { error: GraphQLRequestError | Error }) {
  return (
    <p role="alert" className="problem">
      {error.message}
    </p>
  );
}
