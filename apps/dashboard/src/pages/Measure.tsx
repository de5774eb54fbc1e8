import { useState } from 'react';
import { Link } from 'wouter';
import { useMeasureUpdates, useQuery, useSession, useTimeTravel } from '../api/hooks';
import { EVENTS, type Events, type Granularity, type IndicatorValue, type MeasureDetail, measureQuery } from '../api/queries';
import { ChartFigure } from '../components/ChartFigure';
import { Problem, StatusBadge } from '../components/Status';
import { formatHuf, formatPercent, millions } from '../format';

/** One measure: each indicator against its target by period and agency, the money, the reports and their history. */
export function MeasurePage({ code }: { code: string }) {
  const session = useSession();
  const { at, asOf } = useTimeTravel();
  const [granularity, setGranularity] = useState<Granularity>('QUARTER');
  const variables = session.readsFigures ? { code, planId: session.plan.id, asOf, at, granularity } : { code, planId: session.plan.id };
  const result = useQuery<{ measure: MeasureDetail | null }>(measureQuery(session.readsFigures), variables);
  const history = useQuery<Events>(
    session.readsHistory ? EVENTS : null,
    { first: 200, order: 'NEWEST_FIRST', filter: { measureCode: code, ...(at?.recordedAt ? { recordedTo: at.recordedAt } : {}) } },
  );
  const reload = () => {
    result.reload();
    history.reload();
  };
  useMeasureUpdates([code], reload, session.readsFigures && at === null);

  if (result.error && !result.data) return <Problem error={result.error} />;
  if (!result.data) return <p className="loading">Loading {code}…</p>;
  const m = result.data.measure;
  if (!m) return <p>No measure {code}.</p>;
  // An `at` position replays the projections; the history list is cut at the same point.
  const events = (history.data?.events.edges ?? []).map((e) => e.node).filter((e) => !at?.position || BigInt(e.position) <= BigInt(at.position));

  return (
    <>
      <p className="crumbs">
        <Link href="/measures">Measures</Link> › {m.code}
      </p>
      <h1>
        {m.code} {m.title}
      </h1>
      {result.error && <Problem error={result.error} />}
      <dl className="facts">
        {m.status && (
          <>
            <dt>Status</dt>
            <dd data-testid="measure-status">
              <StatusBadge status={m.status} />
              {m.statusReason && <span className="hint"> {m.statusReason}</span>}
            </dd>
            <dt>Progress</dt>
            <dd data-testid="measure-progress">{formatPercent(m.progress)}</dd>
            <dt>Reports</dt>
            <dd data-testid="measure-reports">{m.reportCount}</dd>
          </>
        )}
        <dt>Deadline</dt>
        <dd>{m.deadline}</dd>
        <dt>Responsible</dt>
        <dd>{m.responsible.map((r) => r.name).join(', ')}</dd>
        <dt>Partners</dt>
        <dd>{m.partners.map((r) => r.name).join(', ') || '—'}</dd>
        <dt>Means</dt>
        <dd>{m.means}</dd>
        <dt>Indicator (plan text)</dt>
        <dd>{m.indicatorText}</dd>
        <dt>Funding (plan text)</dt>
        <dd>{m.fundingText}</dd>
      </dl>

      {m.indicatorValues ? (
        <section aria-labelledby="indicators">
          <h2 id="indicators">Indicators</h2>
          <label>
            By{' '}
            <select value={granularity} onChange={(e) => setGranularity(e.target.value as Granularity)}>
              <option value="MONTH">month</option>
              <option value="QUARTER">quarter</option>
              <option value="YEAR">year</option>
            </select>
          </label>
          {m.indicatorValues.map((i) => (
            <Indicator key={i.key} indicator={i} agencies={[...m.responsible, ...m.partners]} />
          ))}
        </section>
      ) : (
        <section aria-labelledby="indicators">
          <h2 id="indicators">Indicators</h2>
          <ul>
            {m.indicators.map((i) => (
              <li key={i.key}>
                {i.label} {i.target !== null && <span className="hint">(target {i.target})</span>}
              </li>
            ))}
          </ul>
        </section>
      )}

      {m.fundingStatus && <Funding funding={m.fundingStatus} />}

      <section aria-labelledby="assessments">
        <h2 id="assessments">Assessments</h2>
        {m.assessments?.length ? (
          <ul>
            {m.assessments.map((a, n) => (
              <li key={n}>
                {a.assessedOn} <strong>{a.level}</strong> {a.narrative}
              </li>
            ))}
          </ul>
        ) : (
          <p className="hint">No assessments to show.</p>
        )}
      </section>

      <section aria-labelledby="history">
        <h2 id="history">Reports and history</h2>
        {!session.readsHistory ? (
          <p className="hint">The event history is the auditors'.</p>
        ) : history.error ? (
          <Problem error={history.error} />
        ) : (
          <table className="data" data-testid="history">
            <thead>
              <tr>
                <th scope="col">Position</th>
                <th scope="col">Recorded</th>
                <th scope="col">Event</th>
                <th scope="col">Occurred</th>
                <th scope="col">Agency / report</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {events.map((e) => (
                <tr key={e.id}>
                  <td className="num">{e.position}</td>
                  <td>{new Date(e.recordedAt).toLocaleString('en-GB')}</td>
                  <td>{e.type}</td>
                  <td>{text(e.data.occurredOn ?? e.metadata.occurredOn)}</td>
                  <td>
                    {e.stream.replace(/^activity-/, '')}
                  </td>
                  <td className="details">{summary(e.data)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}

const text = (v: unknown): string => (v === undefined || v === null ? '—' : typeof v === 'object' ? JSON.stringify(v) : String(v as string | number | boolean));

/** The report's own fields (details flattened), without what the row's other cells already say. */
function summary(data: Record<string, unknown>): string {
  const details = typeof data.details === 'object' && data.details !== null ? (data.details as Record<string, unknown>) : {};
  return Object.entries({ ...data, ...details })
    .filter(([k]) => !['measureCode', 'occurredOn', 'reportId', 'planId', 'agencyId', 'details'].includes(k))
    .map(([k, v]) => `${k}: ${text(v)}`)
    .join(' · ');
}

function Indicator({ indicator: i, agencies }: { indicator: IndicatorValue; agencies: Array<{ id: string; name: string }> }) {
  const name = (id: string) => agencies.find((a) => a.id === id)?.name ?? id;
  return (
    <article className="indicator" data-testid={`indicator-${i.key}`}>
      <h3>{i.label}</h3>
      <p>
        <strong data-testid="indicator-value">{i.exactValue}</strong>
        {i.target !== null ? ` of ${i.target} (${formatPercent(i.progress)})` : ' (no target in the plan)'}
        {i.achieved ? ' — achieved' : ''}
      </p>
      <div className="grid-2">
        <ChartFigure
          title={`${i.label} by period`}
          labels={i.byPeriod.map((p) => p.period)}
          series={[
            { label: 'In the period', colour: '#0b5cad', values: i.byPeriod.map((p) => p.value) },
            ...(i.target !== null ? [{ label: 'Target (whole measure)', colour: '#b42318', line: true, dashed: true, values: i.byPeriod.map(() => i.target) }] : []),
          ]}
          cells={(s, n) => (s === 0 ? i.byPeriod[n].exactValue : String(i.target))}
          testId={`chart-period-${i.key}`}
        />
        <ChartFigure
          title={`${i.label} by agency`}
          category="Agency"
          horizontal
          labels={i.byAgency.map((a) => name(a.agencyId))}
          series={[{ label: i.label, colour: '#1a7f37', values: i.byAgency.map((a) => a.value) }]}
          cells={(_, n) => i.byAgency[n].exactValue}
          testId={`chart-agency-${i.key}`}
        />
      </div>
    </article>
  );
}

function Funding({ funding: f }: { funding: NonNullable<MeasureDetail['fundingStatus']> }) {
  const sources = [...new Set(f.years.flatMap((y) => y.bySource.map((s) => s.source)))];
  return (
    <section aria-labelledby="money">
      <h2 id="money">Money</h2>
      <p data-testid="measure-money">
        Allocated {formatHuf(f.allocated)}, disbursed {formatHuf(f.disbursed)}
        {f.overDisbursed ? ' — more than allocated' : ''}
        {!f.hasAllocations ? ' (the plan names sources, no amounts)' : ''}. Sources: {f.sources.join(', ') || '—'}.
      </p>
      {f.years.length > 0 && (
        <div className="grid-2">
          <ChartFigure
            title="Allocated and disbursed by year (million HUF)"
            category="Year"
            labels={f.years.map((y) => String(y.year))}
            series={[
              { label: 'Allocated', colour: '#8a6d00', values: f.years.map((y) => millions(y.allocated)) },
              { label: 'Disbursed', colour: '#0b5cad', values: f.years.map((y) => millions(y.disbursed)) },
            ]}
            cells={(s, n) => formatHuf(s === 0 ? f.years[n].allocated : f.years[n].disbursed)}
            testId="chart-money-by-year"
          />
          <table className="data" data-testid="money-by-source">
            <caption>By year and source</caption>
            <thead>
              <tr>
                <th scope="col">Year</th>
                <th scope="col">Source</th>
                <th scope="col">Allocated</th>
                <th scope="col">Disbursed</th>
              </tr>
            </thead>
            <tbody>
              {f.years.flatMap((y) =>
                y.bySource.map((s) => (
                  <tr key={`${y.year}-${s.source}`}>
                    <td>{y.year}</td>
                    <td>{s.source}</td>
                    <td className="num">{formatHuf(s.allocated)}</td>
                    <td className="num">{formatHuf(s.disbursed)}</td>
                  </tr>
                )),
              )}
            </tbody>
          </table>
          {sources.length === 0 && <p className="hint">No allocation or payment names a source.</p>}
        </div>
      )}
    </section>
  );
}
