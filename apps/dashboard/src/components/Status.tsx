import type { GraphQLRequestError } from '../api/client';
import type { MeasureStatus, StatusCounts } from '../api/queries';
import { STATUS_COLOUR, STATUS_LABEL } from '../format';

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
});

/** A failed request, with the api's code and message (e.g. FORBIDDEN for a role that may not read it). */
export function Problem({ error }: { error: GraphQLRequestError | Error }) {
  return (
    <p role="alert" className="problem">
      {error.message}
    </p>
  );
}
