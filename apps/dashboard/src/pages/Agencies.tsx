import { useEffect, useRef, useState } from 'react';
import { Link } from 'wouter';
import { gql } from '../api/client';
import { refusedPoint, useQuery, useSession, useTimeTravel } from '../api/hooks';
import { AGENCIES, AGENCY_ACTIVITY, type Agencies, type AgencyActivity, REPORTING_PERIODS, type ReportingPeriods } from '../api/queries';
import { type PeriodLine, periodLines } from './Periods';
import { ChartFigure } from '../components/ChartFigure';
import { NotForRole, Problem } from '../components/Status';
import { formatInstant, typeLabel } from '../format';

type Activity = NonNullable<AgencyActivity['agencyActivity']>;

/** Each agency's reporting activity and the measures it is responsible for without a report (coordinators and auditors). */
export function AgenciesPage() {
  const session = useSession();
  return session.readsFigures ? <AgencyActivityTable /> : <NotForRole page="The agencies page" readers="coordinators' and auditors'" />;
}

function AgencyActivityTable() {
  const { plan } = useSession();
  const time = useTimeTravel();
  const { at } = time;
  const refuse = useRef(time.refuse);
  refuse.current = time.refuse;
  const list = useQuery<Agencies>(AGENCIES, { planId: plan.id });
  // Every agency's sign-offs in one read, summed up per agency (the periods page has the detail).
  const periods = useQuery<ReportingPeriods>(REPORTING_PERIODS, { planId: plan.id, asOf: time.asOf, at });
  const periodsOf = new Map<string, PeriodLine[]>();
  for (const line of periods.data ? periodLines(periods.data) : []) periodsOf.set(line.agencyId, [...(periodsOf.get(line.agencyId) ?? []), line]);
  const [activity, setActivity] = useState<Record<string, Activity>>({});
  const [error, setError] = useState<Error | null>(null);

  // One agencyActivity per agency (the api has no list form); a handful at a time.
  useEffect(() => {
    const agencies = (list.data?.agencies ?? []).filter((a) => a.kind !== 'GROUP');
    let live = true;
    setError(null);
    // Another point in time: none of the figures read for the previous one stays on screen.
    setActivity({});
    void (async () => {
      const found: Record<string, Activity> = {};
      for (let n = 0; n < agencies.length; n += 6) {
        const batch = agencies.slice(n, n + 6);
        try {
          const answers = await Promise.all(batch.map((a) => gql<AgencyActivity>(AGENCY_ACTIVITY, { agencyId: a.id, at })));
          for (const { agencyActivity: a } of answers) if (a) found[a.agencyId] = a;
        } catch (e) {
          if (live) setError(e as Error);
          if (live && refusedPoint(e)) refuse.current({ at, asOf: time.asOf }, e);
          return;
        }
        if (live) setActivity({ ...found });
      }
    })();
    return () => {
      live = false;
    };
  }, [list.data, JSON.stringify(at)]);

  if (list.error || error) return <Problem error={(list.error ?? error)!} />;

  const agencies = (list.data?.agencies ?? []).filter((a) => a.kind !== 'GROUP');
  const rows = agencies.map((a) => ({ agency: a, activity: activity[a.id] }));
  const reporting = rows.filter((r) => r.activity && r.activity.reports > 0);
  return (
    <>
      <h1>Agencies</h1>
      {time.asOf && (
        // agencyActivity has no business date: say so rather than show its counts under "figures on asOf".
        <p className="hint" data-testid="agencies-all-dates">
          Reports, last report and types count every report recorded {at ? 'up to the point shown' : 'to date'}, whatever its date: they do not
          follow the status date {time.asOf}. The reporting periods column does.
        </p>
      )}
      <ChartFigure
        title={`Reports per agency (agencies with at least one${time.asOf ? ', all dates' : ''})`}
        category="Agency"
        horizontal
        height={Math.max(140, 40 * reporting.length + 70)}
        labels={reporting.map((r) => r.agency.name)}
        series={[{ label: 'Reports', colour: '#0b5cad', values: reporting.map((r) => r.activity.reports) }]}
        testId="chart-reports-per-agency"
      />
      <table className="data" data-testid="agencies">
        <thead>
          <tr>
            <th scope="col">Agency</th>
            <th scope="col">{time.asOf ? 'Reports (all dates)' : 'Reports'}</th>
            <th scope="col">{time.asOf ? 'Last report (occurred, any date)' : 'Last report (occurred)'}</th>
            <th scope="col">Last recorded</th>
            <th scope="col">By type</th>
            <th scope="col">Responsible, without a report</th>
            <th scope="col">Reporting periods</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(({ agency, activity: a }) => (
            <tr key={agency.id} data-agency={agency.id}>
              <th scope="row">{agency.name}</th>
              <td className="num">{a ? a.reports : '…'}</td>
              <td>{a?.lastReportOn ?? '—'}</td>
              <td>{a?.lastRecordedAt ? formatInstant(a.lastRecordedAt) : '—'}</td>
              <td className="details">{a?.reportsByType.map((r) => `${typeLabel(r.type)} ${r.count}`).join(' · ')}</td>
              <td>
                {a?.responsibleWithoutReport.map((m) => (
                  <Link key={m.measureCode} href={`/measures/${encodeURIComponent(m.measureCode)}`} className="code-chip">
                    {m.measureCode}
                  </Link>
                ))}
              </td>
              <td data-testid="agency-periods">
                {periods.data ? <PeriodsSummary agencyId={agency.id} lines={periodsOf.get(agency.id) ?? []} /> : periods.error ? '—' : '…'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

/** An agency's sign-offs in a few words, linking to its periods: what it owes and what awaits the coordinator. */
function PeriodsSummary({ agencyId, lines }: { agencyId: string; lines: readonly PeriodLine[] }) {
  if (lines.length === 0) return <span className="hint">none (reports on no measure)</span>;
  const count = (test: (p: PeriodLine) => boolean) => lines.filter(test).length;
  const parts = [
    [count((p) => p.toSubmit), 'to submit'],
    [count((p) => p.toResubmit), 'returned'],
    [count((p) => p.status === 'SUBMITTED'), 'awaiting approval'],
    [count((p) => p.status === 'REOPENED'), 'reopened'],
    [count((p) => p.status === 'APPROVED'), 'approved'],
  ] as const;
  const said = parts.filter(([n]) => n > 0).map(([n, words]) => `${n} ${words}`);
  return <Link href={`/periods?agency=${encodeURIComponent(agencyId)}`}>{said.length > 0 ? said.join(' · ') : 'nothing due yet'}</Link>;
}
