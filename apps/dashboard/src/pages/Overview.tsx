import { useState } from 'react';
import { Link } from 'wouter';
import { useAgencyName, useMeasureUpdates, useQuery, useSession, useTimeTravel } from '../api/hooks';
import { OVERVIEW, type Overview as OverviewData, measuresQuery, type Measures } from '../api/queries';
import { ChartFigure } from '../components/ChartFigure';
import { Problem, ReasonText, StatusBadge, countsOf } from '../components/Status';
import { STATUS_COLOUR, STATUS_LABEL, STATUS_ORDER, formatAmount, formatHuf, formatPercent, millions, reasonLabel, sourceLabel } from '../format';

/** Where the plan stands: statuses by pillar and objective, the overdue measures and the money. */
export function Overview() {
  const session = useSession();
  return session.readsFigures ? <PlanOverview /> : <AgencyOverview />;
}

function PlanOverview() {
  const { plan } = useSession();
  const { at, asOf } = useTimeTravel();
  const overview = useQuery<OverviewData>(OVERVIEW, { planId: plan.id, asOf, at }, { subject: plan.id });
  const [showAllOverdue, setShowAllOverdue] = useState(false);
  useMeasureUpdates('all', overview.reload, at === null);

  if (overview.error && !overview.data) return <Problem error={overview.error} />;
  if (!overview.data) return <p className="loading">Loading the overview…</p>;
  const { planProgress: p, fundingSummary: f, overdueMeasures } = overview.data;
  // Each is null only with an error of its own (the api nulls a refused root field, not the answer).
  if (!p || !f || !overdueMeasures) return <Problem error={overview.error ?? new Error('The api answered the overview without its figures')} />;
  const counts = countsOf(p.byStatus);
  const overdueShown = showAllOverdue ? overdueMeasures : overdueMeasures.slice(0, OVERDUE_SHOWN);
  return (
    <>
      <h1>Overview</h1>
      {overview.error && <Problem error={overview.error} />}
      <p className="meta">
        Statuses on {p.asOf} · ledger position {p.position}
      </p>
      <section aria-label="Key figures" className="cards" data-testid="key-figures">
        <Card label="Measures" value={String(p.measures)} testId="kpi-measures" />
        <Card
          label={`Mean progress of the ${p.measuresWithProgress} measures with targets`}
          value={formatPercent(p.meanProgress)}
          testId="kpi-progress"
        />
        {STATUS_ORDER.map((s) => (
          <Card key={s} label={STATUS_LABEL[s]} value={String(counts[s])} colour={STATUS_COLOUR[s]} testId={`kpi-${s.toLowerCase()}`} />
        ))}
        <Card label="Allocated (HUF)" value={formatAmount(f.allocated)} testId="kpi-allocated" money />
        <Card label={asOf ? `Disbursed by ${asOf} (HUF)` : 'Disbursed (HUF)'} value={formatAmount(f.disbursed)} testId="kpi-disbursed" money />
      </section>
      <div className="grid-2">
        <ChartFigure
          title="Measures by status and pillar"
          category="Pillar"
          labels={p.pillars.map((x) => x.code)}
          stacked
          series={STATUS_ORDER.map((s) => ({ label: STATUS_LABEL[s], colour: STATUS_COLOUR[s], values: p.pillars.map((x) => countsOf(x.byStatus)[s]) }))}
          testId="chart-status-by-pillar"
        />
        <ChartFigure
          title="Money allocated and disbursed by source (million HUF)"
          category="Source"
          labels={f.bySource.map((s) => sourceLabel(s.source))}
          series={[
            { label: 'Allocated', colour: '#8a6d00', values: f.bySource.map((s) => millions(s.allocated)) },
            { label: 'Disbursed', colour: '#0b5cad', values: f.bySource.map((s) => millions(s.disbursed)) },
          ]}
          cells={(si, i) => formatHuf(si === 0 ? f.bySource[i].allocated : f.bySource[i].disbursed)}
          testId="chart-funding-by-source"
        />
      </div>
      <h2>Why measures stand where they do</h2>
      <table className="data" data-testid="reasons">
        <thead>
          <tr>
            <th scope="col">Reason</th>
            <th scope="col">Measures</th>
          </tr>
        </thead>
        <tbody>
          {p.byReason
            .filter((r) => r.measures > 0)
            .sort((a, b) => b.measures - a.measures)
            .map((r) => (
              <tr key={r.reason} data-reason={r.reason}>
                <th scope="row" title={r.reason}>
                  {reasonLabel(r.reason)}
                </th>
                <td className="num">{r.measures}</td>
              </tr>
            ))}
        </tbody>
      </table>
      <h2>Pillars and objectives</h2>
      <table className="data" data-testid="pillars">
        <thead>
          <tr>
            <th scope="col">Pillar / objective</th>
            <th scope="col">Measures</th>
            {STATUS_ORDER.map((s) => (
              <th scope="col" key={s}>
                {STATUS_LABEL[s]}
              </th>
            ))}
            <th scope="col">Mean progress</th>
          </tr>
        </thead>
        <tbody>
          {p.pillars.flatMap((pillar) => [
            <tr key={pillar.code} className="pillar">
              <th scope="row">
                <Link href={`/measures?pillar=${encodeURIComponent(pillar.code)}`}>
                  {pillar.code} {pillar.title}
                </Link>
              </th>
              <td>{pillar.measures}</td>
              {STATUS_ORDER.map((s) => (
                <td key={s}>{countsOf(pillar.byStatus)[s]}</td>
              ))}
              <td>
                {formatPercent(pillar.meanProgress)} <span className="hint">({pillar.measuresWithProgress} with targets)</span>
              </td>
            </tr>,
            ...pillar.objectives.map((o) => (
              <tr key={o.code} className="objective">
                <th scope="row">
                  <Link href={`/measures?objective=${encodeURIComponent(o.code)}`}>
                    {o.code} {o.title}
                  </Link>
                </th>
                <td>{o.measures}</td>
                {STATUS_ORDER.map((s) => (
                  <td key={s}>{countsOf(o.byStatus)[s]}</td>
                ))}
                <td>{formatPercent(o.meanProgress)}</td>
              </tr>
            )),
          ])}
        </tbody>
      </table>
      <h2>Overdue measures ({overdueMeasures.length})</h2>
      {overdueMeasures.length === 0 ? (
        <p>None on {p.asOf}.</p>
      ) : (
        <table className="data" data-testid="overdue">
          <thead>
            <tr>
              <th scope="col">Measure</th>
              <th scope="col">Why</th>
              <th scope="col">Responsible</th>
            </tr>
          </thead>
          <tbody>
            {overdueShown.map((m) => (
              <tr key={m.code} data-code={m.code}>
                <th scope="row">
                  <Link href={`/measures/${encodeURIComponent(m.code)}`}>{m.code}</Link> <span className="title-cell">{m.title}</span>
                </th>
                <td>
                  <StatusBadge status="OVERDUE" /> <ReasonText reason={m.statusReason} /> <span className="hint">(deadline {m.deadline})</span>
                </td>
                <td>{m.responsible.map((r) => r.name).join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {overdueMeasures.length > OVERDUE_SHOWN && (
        <button type="button" className="more" aria-expanded={showAllOverdue} onClick={() => setShowAllOverdue((v) => !v)}>
          {showAllOverdue ? `Show the first ${OVERDUE_SHOWN}` : `Show all ${overdueMeasures.length} overdue measures`}
        </button>
      )}
      {f.overDisbursedMeasures.length > 0 && (
        <p className="problem">
          Disbursed more than allocated{asOf ? ` by ${asOf}` : ''}:{' '}
          {f.overDisbursedMeasures.map((code) => (
            <Link key={code} href={`/measures/${encodeURIComponent(code)}`}>
              {code}{' '}
            </Link>
          ))}
        </p>
      )}
    </>
  );
}

/** Overdue measures listed before "show all": the overview stays one screen or two. */
const OVERDUE_SHOWN = 8;

function Card(props: { label: string; value: string; colour?: string; testId: string; money?: boolean }) {
  return (
    <div className={props.money ? 'card money' : 'card'} data-testid={props.testId}>
      <span className="card-label">{props.label}</span>
      <span className="card-value" style={props.colour ? { color: props.colour } : undefined}>
        {props.value}
      </span>
    </div>
  );
}

/**
 * An agency's own view: the measures it is responsible for or a partner of, with their status and
 * why (the api lets an agency read those, and no other measure's); the plan's roll-ups stay the
 * coordinators'.
 */
function AgencyOverview() {
  const { me, plan } = useSession();
  const { at, asOf } = useTimeTravel();
  const agency = useAgencyName(plan.id, me.agencyId);
  const mine = useQuery<Measures>(measuresQuery(true), { filter: { planId: plan.id, agency: me.agencyId }, asOf, at }, { subject: [plan.id, me.agencyId] });
  return (
    <>
      <h1>Your measures</h1>
      <p>
        {agency} is responsible for or a partner of these measures of {plan.title}: where each stands and why. The plan as a whole is read by the
        coordinator's office.
      </p>
      {mine.error && <Problem error={mine.error} />}
      {/* On a phone the deadline gives way (`wide`): status, progress and reports stay on screen. */}
      <table className="data fits" data-testid="own-measures">
        <thead>
          <tr>
            <th scope="col">Measure</th>
            <th scope="col" className="wide">
              Deadline
            </th>
            <th scope="col">Status</th>
            <th scope="col">Progress</th>
            <th scope="col">Reports</th>
          </tr>
        </thead>
        <tbody>
          {mine.data?.measures.map((m) => (
            <tr key={m.code} data-code={m.code}>
              <th scope="row">
                <Link href={`/measures/${encodeURIComponent(m.code)}`}>{m.code}</Link> <span className="title-cell">{m.title}</span>
              </th>
              <td className="date wide">{m.deadline}</td>
              <td>
                {m.status && <StatusBadge status={m.status} />} {m.statusReason && <ReasonText reason={m.statusReason} />}
              </td>
              <td>{formatPercent(m.progress)}</td>
              <td className="num">{m.reportCount}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
