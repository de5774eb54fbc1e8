import { Link, useLocation, useSearch } from 'wouter';
import { useQuery, useSession, useTimeTravel } from '../api/hooks';
import { AGENCIES, type AgencyPeriodRow, type Agencies, REPORTING_PERIODS, type ReportingPeriods } from '../api/queries';
import { Problem } from '../components/Status';
import { PERIOD_STATUS_LABEL, formatInstant } from '../format';

/** One agency's period as the page shows it: the api's row, and whether it is still to submit. */
export interface PeriodLine extends AgencyPeriodRow {
  /** Ended (before the status date, default today) and never submitted: unsubmittedPeriods. */
  readonly toSubmit: boolean;
  /** Returned and not resubmitted: returnedPeriods. */
  readonly toResubmit: boolean;
}

/**
 * The api's answer folded to one line per agency × period (periodApprovals repeats the agency's
 * sign-off once per measure it reports for; the status is the agency's, docs/periods.md), in
 * period order as the api gives them.
 */
export function periodLines(answer: ReportingPeriods): PeriodLine[] {
  const key = (p: { agencyId: string; periodId: string }) => `${p.agencyId}\u001f${p.periodId}`;
  const unsubmitted = new Set(answer.unsubmittedPeriods.map(key));
  const returned = new Set(answer.returnedPeriods.map(key));
  const lines = new Map<string, PeriodLine>();
  for (const row of answer.periodApprovals) {
    if (lines.has(key(row))) continue;
    const { measureCode: _measure, ...period } = row;
    lines.set(key(row), { ...period, toSubmit: unsubmitted.has(key(row)), toResubmit: returned.has(key(row)) });
  }
  return [...lines.values()];
}

/** A period's status in words: an open one is either still to submit (it has ended) or not over yet. */
export function periodStatusText(p: PeriodLine): string {
  if (p.status === 'OPEN') return p.toSubmit ? `To submit (ended ${p.to})` : 'Open (the period is not over)';
  if (p.status === 'RETURNED') return `${PERIOD_STATUS_LABEL.RETURNED}: to correct and submit again`;
  if (p.status === 'APPROVED' && p.approvals > 1) return `${PERIOD_STATUS_LABEL.APPROVED}, approved ${p.approvals}×`;
  return PERIOD_STATUS_LABEL[p.status];
}

/**
 * Reporting periods and their sign-offs (docs/periods.md), read-only: an agency sees its own —
 * what is still to submit, what the coordinator returned and why, what is approved and locked;
 * coordinators and auditors the same for the agency chosen (`?agency=`, linked from the agencies
 * page). Submitting stays a GraphQL mutation (submitPeriod).
 */
export function PeriodsPage() {
  const session = useSession();
  const { at, asOf } = useTimeTravel();
  const search = new URLSearchParams(useSearch());
  const [, navigate] = useLocation();
  const own = session.me.role === 'AGENCY' ? session.me.agencyId : null;
  const chosen = own ?? search.get('agency') ?? '';
  const register = useQuery<Agencies>(AGENCIES, { planId: session.plan.id }, { subject: session.plan.id });
  const agencies = (register.data?.agencies ?? []).filter((a) => a.kind !== 'GROUP');
  const result = useQuery<ReportingPeriods>(chosen ? REPORTING_PERIODS : null, { planId: session.plan.id, agencyId: chosen, asOf, at });
  const name = agencies.find((a) => a.id === chosen)?.name ?? chosen;
  const lines = result.data ? periodLines(result.data) : [];
  const toSubmit = lines.filter((p) => p.toSubmit);
  const returned = lines.filter((p) => p.toResubmit);
  const awaiting = lines.filter((p) => p.status === 'SUBMITTED');

  return (
    <>
      <h1>Reporting periods</h1>
      {own === null && (
        <form className="filters" onSubmit={(e) => e.preventDefault()}>
          <label>
            Agency{' '}
            <select value={chosen} onChange={(e) => navigate(e.target.value ? `/periods?agency=${encodeURIComponent(e.target.value)}` : '/periods')}>
              <option value="">choose an agency</option>
              {agencies.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.name}
                </option>
              ))}
            </select>
          </label>
        </form>
      )}
      {!chosen ? (
        <p className="hint">
          Choose an agency, or see every agency's periods at a glance on the <Link href="/agencies">agencies page</Link>.
        </p>
      ) : result.error ? (
        <Problem error={result.error} />
      ) : !result.data ? (
        <p className="loading">Loading the reporting periods…</p>
      ) : lines.length === 0 ? (
        <p className="hint">{name} reports on no measure of this plan: it has no reporting periods.</p>
      ) : (
        <>
          <ul className="period-summary" data-testid="period-summary">
            <li data-testid="to-submit">
              {toSubmit.length === 0
                ? 'Nothing to submit: every period that has ended is submitted.'
                : `To submit (ended, never submitted): ${toSubmit.map((p) => p.periodId).join(', ')}.`}
            </li>
            {returned.length > 0 && (
              <li data-testid="returned">
                Returned by the coordinator, to correct and submit again:{' '}
                {returned.map((p) => `${p.periodId}${p.comment ? ` ("${p.comment}")` : ''}`).join('; ')}.
              </li>
            )}
            {awaiting.length > 0 && <li>Awaiting the coordinator's approval: {awaiting.map((p) => p.periodId).join(', ')}.</li>}
          </ul>
          <table className="data" data-testid="periods">
            <caption>{own === null ? name : `${name}: your reporting periods`}</caption>
            <thead>
              <tr>
                <th scope="col">Period</th>
                <th scope="col">Dates</th>
                <th scope="col">Status</th>
                <th scope="col">Coordinator's comment</th>
                <th scope="col">Last step recorded</th>
              </tr>
            </thead>
            <tbody>
              {lines.map((p) => (
                <tr key={p.periodId} data-period={p.periodId} data-status={p.status}>
                  <th scope="row">{p.periodId}</th>
                  <td className="date">
                    {p.from} – {p.to}
                  </td>
                  <td data-testid="period-status">{periodStatusText(p)}</td>
                  <td data-testid="period-comment">{p.status === 'REOPENED' ? (p.reason ? `Reopened: ${p.reason}` : '—') : (p.comment ?? '—')}</td>
                  <td>{p.lastRecordedAt ? formatInstant(p.lastRecordedAt) : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="hint">
            {own === null
              ? 'Coordinators approve, return (with a comment) and reopen periods with the GraphQL mutations approvePeriod, returnPeriod and reopenPeriod.'
              : 'A period is submitted with the GraphQL mutation submitPeriod once it has ended; while it is approved, its reports cannot be changed.'}{' '}
            See <a href="/graphql">GraphiQL</a>.
          </p>
        </>
      )}
    </>
  );
}
