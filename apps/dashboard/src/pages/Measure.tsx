import { useEffect, useState } from 'react';
import { Link } from 'wouter';
import { GraphQLRequestError } from '../api/client';
import { useMeasureUpdates, useQuery, useSession, useTimeTravel } from '../api/hooks';
import { type Assessment, EVENTS, type Events, type Granularity, type IndicatorValue, type MeasureDetail, type MeasureFunding, REPORTS, type ReportItem, type Reports, measureQuery } from '../api/queries';
import { ChartFigure } from '../components/ChartFigure';
import { Problem, ReasonText, StatusBadge } from '../components/Status';
import { LEVEL_LABEL, formatHuf, formatInstant, formatPercent, millions, reportSummary, sourceLabel, typeLabel } from '../format';

/**
 * One measure: its status and why, each indicator against its target by period and agency, the
 * money, the assessments, the reports and their history. An agency sees the figures of the
 * measures it is responsible for or a partner of; of any other measure the api refuses them
 * (FORBIDDEN) and the page shows the plan's text.
 */
export function MeasurePage({ code }: { code: string }) {
  const session = useSession();
  const { at, asOf } = useTimeTravel();
  const [granularity, setGranularity] = useState<Granularity>('QUARTER');
  const [planOnly, setPlanOnly] = useState(false);
  useEffect(() => setPlanOnly(false), [code]);
  const figures = session.readsFigures || (session.readsOwnFigures && !planOnly);
  const variables = figures ? { code, planId: session.plan.id, asOf, at, granularity } : { code, planId: session.plan.id };
  // The measure is the subject: a new granularity or point keeps its page on screen while re-read,
  // another code never shows this one's figures.
  const result = useQuery<{ measure: MeasureDetail | null }>(measureQuery(figures), variables, { subject: [code, session.plan.id] });
  const refused = result.error instanceof GraphQLRequestError && result.error.errors.some((e) => e.extensions?.code === 'FORBIDDEN');
  useEffect(() => {
    if (refused && session.readsOwnFigures && !planOnly) setPlanOnly(true);
  }, [refused, session.readsOwnFigures, planOnly]);
  // What was done: coordinators and auditors every agency's reports, an agency its own. As they now
  // stand, or at the auditor's "as it stood at" point as they stood then.
  const reports = useQuery<Reports>(REPORTS, { filter: { planId: session.plan.id, measureCode: code }, first: 200, at });
  const history = useQuery<Events>(
    session.readsHistory ? EVENTS : null,
    { first: 200, order: 'NEWEST_FIRST', filter: { measureCode: code, ...(at?.recordedAt ? { recordedTo: at.recordedAt } : {}) } },
  );
  const reload = () => {
    result.reload();
    history.reload();
    reports.reload();
  };
  useMeasureUpdates([code], reload, (session.readsFigures || session.readsOwnFigures) && at === null);

  const unknown = result.error instanceof GraphQLRequestError && result.error.errors.some((e) => e.extensions?.code === 'NOT_FOUND');
  if (unknown && !result.data) {
    return (
      <>
        <p role="alert" className="problem" data-testid="unknown-measure">
          {session.plan.title} has no measure {code}.
        </p>
        <p>
          <Link href="/measures">All measures of the plan</Link>
        </p>
      </>
    );
  }
  if (result.error && !result.data && !(refused && session.readsOwnFigures)) return <Problem error={result.error} />;
  if (!result.data) return <p className="loading">Loading {code}…</p>;
  const m = result.data.measure;
  if (!m) return <p>No measure {code}.</p>;
  // An `at` position replays the projections; the history list is cut at the same point.
  const events = (history.data?.events?.edges ?? []).map((e) => e.node).filter((e) => !at?.position || BigInt(e.position) <= BigInt(at.position));

  return (
    <>
      <p className="crumbs">
        <Link href="/measures">Measures</Link> › {m.code}
      </p>
      <h1>
        {m.code} {m.title}
      </h1>
      {result.error && !refused && <Problem error={result.error} />}
      {planOnly && <p className="hint">Your agency is not responsible for this measure nor a partner of it: its figures are the coordinators'.</p>}
      <dl className="facts">
        {m.status && (
          <>
            <dt>Status</dt>
            <dd data-testid="measure-status">
              <StatusBadge status={m.status} /> {m.statusReason && <ReasonText reason={m.statusReason} />}
            </dd>
            <dt>Progress</dt>
            <dd data-testid="measure-progress">{formatPercent(m.progress)}</dd>
            <dt>{session.readsFigures ? 'Reports counted' : 'Reports counted (every agency)'}</dt>
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

      {m.fundingStatus && <Funding funding={m.fundingStatus} asOf={asOf} />}

      {m.assessments && <Assessments assessments={m.assessments} inForce={m.assessment ?? null} indicators={m.indicators} />}

      <section aria-labelledby="reports">
        <h2 id="reports">
          {session.readsFigures ? 'Reports' : "Your agency's reports"}
          {reports.data?.reports ? ` (${reportsCount(reports.data.reports, asOf)})` : ''}
        </h2>
        {reports.error ? (
          <Problem error={reports.error} />
        ) : !reports.data ? (
          <p className="loading">Loading the reports…</p>
        ) : !reports.data.reports ? (
          <p className="hint">The api answered no reports for this measure.</p>
        ) : reports.data.reports.edges.length === 0 ? (
          <p className="hint">{session.readsFigures ? 'No report on this measure yet.' : 'Your agency has not reported on this measure yet.'}</p>
        ) : (
          <table className="data" data-testid="reports">
            <thead>
              <tr>
                <th scope="col">Date</th>
                <th scope="col">Agency</th>
                <th scope="col">Report</th>
                <th scope="col">Type</th>
                <th scope="col">Details</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {byDate(reports.data.reports.edges.map((e) => e.node)).map((r) => (
                <tr key={`${r.agencyId}/${r.reportId}`} data-report={r.reportId}>
                  <td>{r.occurredOn}</td>
                  <td>{[...m.responsible, ...m.partners].find((a) => a.id === r.agencyId)?.name ?? r.agencyId}</td>
                  <td>{r.reportId}</td>
                  <td>{typeLabel(r.eventType)}</td>
                  <td className="details">{reportSummary(r.eventType, r.details)}</td>
                  <td data-testid="report-counted">
                    {countedOn(r, asOf)}
                    {r.corrections > 0 && <span className="hint"> · corrected {r.corrections}×</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {reports.data?.reports?.pageInfo.hasNextPage && <p className="hint">The first {reports.data.reports.edges.length} reports recorded, by date.</p>}
      </section>

      <section aria-labelledby="history">
        <h2 id="history">History</h2>
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
                  <td>{formatInstant(e.recordedAt)}</td>
                  <td title={e.type}>{typeLabel(e.type)}</td>
                  <td>{text(e.data.occurredOn ?? e.metadata.occurredOn)}</td>
                  <td>
                    {e.stream.replace(/^activity-/, '')}
                  </td>
                  <td className="details">{reportSummary(e.type, e.data)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}

/**
 * Whether a report counts in the figures above: a retracted one never; on a status date (asOf)
 * only those dated (occurredOn) on or before it, as the api counts them (docs/status.md).
 */
function countedOn(r: ReportItem, asOf: string | null): string {
  if (r.status === 'RETRACTED') return 'Retracted';
  if (asOf !== null && r.occurredOn > asOf) return `Not counted on ${asOf} (dated after it)`;
  return asOf === null ? 'Counted' : `Counted on ${asOf}`;
}

/**
 * The reports section's count, in the terms of its rows (countedOn): retracted reports and, on a
 * status date, those dated after it are listed (marked) but not counted, so the number says each
 * kind when there are some, and the counted ones agree with "Reports counted" above.
 */
function reportsCount(connection: NonNullable<Reports['reports']>, asOf: string | null): string {
  if (connection.pageInfo.hasNextPage) return String(connection.totalCount);
  const states = connection.edges.map((e) => countedOn(e.node, asOf));
  const counted = states.filter((x) => x.startsWith('Counted')).length;
  const later = states.filter((x) => x.startsWith('Not counted')).length;
  const retracted = states.filter((x) => x === 'Retracted').length;
  if (later === 0 && retracted === 0) return String(connection.totalCount);
  return [
    `${counted} counted${asOf === null ? '' : ` on ${asOf}`}`,
    ...(later > 0 ? [`${later} dated after it`] : []),
    ...(retracted > 0 ? [`${retracted} retracted`] : []),
  ].join(', ');
}

/**
 * Reports by the date they happened (occurredOn), those of one day in recording order: the api
 * lists them in recording order, so a late report (or one pushed live) would otherwise land last.
 */
const byDate = (reports: readonly ReportItem[]): ReportItem[] =>
  [...reports].sort((a, b) => a.occurredOn.localeCompare(b.occurredOn) || a.recordedAt.localeCompare(b.recordedAt));

const text = (v: unknown): string => (v === undefined || v === null ? '—' : typeof v === 'object' ? JSON.stringify(v) : String(v as string | number | boolean));

/** The coordinators' assessments (OGP IRM completion levels), the one in force on the status date marked. */
function Assessments({ assessments, inForce, indicators }: { assessments: Assessment[]; inForce: Assessment | null; indicators: MeasureDetail['indicators'] }) {
  const label = (key: string) => indicators.find((i) => i.key === key)?.label ?? key;
  return (
    <section aria-labelledby="assessments">
      <h2 id="assessments">Assessments</h2>
      {assessments.length === 0 ? (
        <p className="hint">No coordinator has assessed this measure yet.</p>
      ) : (
        <ol className="assessments" data-testid="assessments">
          {[...assessments].reverse().map((a) => (
            <li key={a.assessmentId} data-assessment={a.assessmentId} aria-current={inForce?.assessmentId === a.assessmentId ? 'true' : undefined}>
              <p>
                <strong>{LEVEL_LABEL[a.level] ?? a.level}</strong> as of {a.asOf}
                {inForce?.assessmentId === a.assessmentId && <span className="badge"> in force</span>}
                {a.corrections > 0 && <span className="hint"> · corrected {a.corrections}×</span>}
              </p>
              <p>{a.narrative}</p>
              {a.evidence.length > 0 && <p className="hint">Evidence: {a.evidence.join('; ')}</p>}
              {a.indicatorComments.length > 0 && (
                <ul>
                  {a.indicatorComments.map((c) => (
                    <li key={c.indicatorKey}>
                      {label(c.indicatorKey)}: {c.comment}
                    </li>
                  ))}
                </ul>
              )}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
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

/**
 * What the plan allocates, in the documents' words (docs/reports.md "not stated"): an amount the
 * plan does not state — funding named by source only, or an allocation given without an amount —
 * is "not stated", never 0; `<amount> + not stated` when only part of it is stated. 0 is a real
 * zero (nothing disbursed; a year the plan allocates nothing while it states amounts for others).
 */
function allocatedText(allocated: string, unstated: boolean, hasAllocations: boolean): string {
  if (!hasAllocations) return 'not stated';
  if (!unstated) return formatHuf(allocated);
  return allocated === '0' ? 'not stated' : `${formatHuf(allocated)} + not stated`;
}

function Funding({ funding: f, asOf }: { funding: NonNullable<MeasureDetail['fundingStatus']>; asOf: string | null }) {
  const sources = [...new Set(f.years.flatMap((y) => y.bySource.map((s) => s.source)))];
  const why = !f.hasAllocations
    ? f.sources.length > 0
      ? ' (the plan names sources, no amounts)'
      : ' (the plan states no funding)'
    : f.unstatedYears.length > 0
      ? ` (no amount stated for ${f.unstatedYears.join(', ')})`
      : '';
  const yearAllocated = (y: MeasureFunding['years'][number]) => allocatedText(y.allocated, y.allocationUnstated, f.hasAllocations);
  // A not stated allocation is no bar (a gap), not a bar of 0; its table cell says "not stated".
  const stated = (y: MeasureFunding['years'][number]) => f.hasAllocations && !(y.allocationUnstated && y.allocated === '0');
  return (
    <section aria-labelledby="money">
      <h2 id="money">Money</h2>
      <p data-testid="measure-money">
        Allocated {allocatedText(f.allocated, f.unstatedYears.length > 0, f.hasAllocations)}
        {why}, disbursed {asOf ? `by ${asOf} ` : ''}
        {formatHuf(f.disbursed)}
        {f.overDisbursed ? ' — more than allocated' : ''}. Sources: {f.sources.map(sourceLabel).join(', ') || '—'}.
      </p>
      {f.years.length > 0 && (
        <div className="grid-2">
          <ChartFigure
            title={`Allocated and disbursed${asOf ? ` by ${asOf}` : ''} by year (million HUF)`}
            category="Year"
            labels={f.years.map((y) => String(y.year))}
            series={[
              { label: 'Allocated', colour: '#8a6d00', values: f.years.map((y) => (stated(y) ? millions(y.allocated) : null)) },
              { label: 'Disbursed', colour: '#0b5cad', values: f.years.map((y) => millions(y.disbursed)) },
            ]}
            cells={(s, n) => (s === 0 ? yearAllocated(f.years[n]) : formatHuf(f.years[n].disbursed))}
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
                    <td>{sourceLabel(s.source)}</td>
                    <td className="num">{!f.hasAllocations || (y.allocationUnstated && s.allocated === '0') ? 'not stated' : formatHuf(s.allocated)}</td>
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
