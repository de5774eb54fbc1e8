import { useEffect, useMemo, useRef, useState } from 'react';
import { Link, useSearch } from 'wouter';
import { useLastReports, useMeasureUpdates, useQuery, useSession, useTimeTravel } from '../api/hooks';
import { type MeasureRow, type MeasureStatus, type Measures, REPORT_DATES, measuresQuery } from '../api/queries';
import { Problem, ReasonText, StatusBadge } from '../components/Status';
import { STATUS_LABEL, STATUS_ORDER, formatPercent } from '../format';

type SortKey = 'code' | 'deadline' | 'status' | 'progress' | 'reportCount' | 'lastReport';

/**
 * Every measure of the plan (an agency: its own, with their progress), filtered and sorted in the
 * browser; the last report per measure from the `reports` connection (an agency: its own reports).
 */
export function MeasuresPage() {
  const session = useSession();
  const { at, asOf } = useTimeTravel();
  const query = useSearch();
  const search = new URLSearchParams(query);
  const [text, setText] = useState('');
  const [pillar, setPillar] = useState(search.get('pillar') ?? '');
  const [objective, setObjective] = useState(search.get('objective') ?? '');
  const [status, setStatus] = useState<MeasureStatus | ''>((search.get('status') as MeasureStatus | null) ?? '');
  // Another address on this same page (#/measures?pillar=I, then ?objective=II.3): its filters, not the last ones.
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const next = new URLSearchParams(query);
    setPillar(next.get('pillar') ?? '');
    setObjective(next.get('objective') ?? '');
    setStatus((next.get('status') as MeasureStatus | null) ?? '');
  }, [query]);
  const [sort, setSort] = useState<{ key: SortKey; up: boolean }>({ key: 'code', up: true });

  const filter = { planId: session.plan.id, ...(session.me.role === 'AGENCY' && session.me.agencyId ? { agency: session.me.agencyId } : {}) };
  const figures = session.readsFigures || session.readsOwnFigures;
  const variables = figures ? { filter, asOf, at } : { filter };
  const result = useQuery<Measures>(measuresQuery(figures), variables, { subject: filter });
  const all = result.data?.measures ?? [];
  const [updates, setUpdates] = useState(0);
  useMeasureUpdates(
    'all',
    () => {
      result.reload();
      setUpdates((n) => n + 1);
    },
    (session.readsFigures || session.readsOwnFigures) && at === null,
  );
  // At a past point (auditors) the reports as they stood then; on a status date those dated by then: the last report then.
  const lastReports = useLastReports(REPORT_DATES, session.plan.id, updates, at, asOf ?? null);

  const pillars = [...new Set(all.map((m) => m.pillarCode))];
  const objectives = [...new Set(all.filter((m) => !pillar || m.pillarCode === pillar).map((m) => m.objectiveCode))];
  const rows = useMemo(() => {
    const needle = text.trim().toLowerCase();
    const shown = all.filter(
      (m) =>
        (!pillar || m.pillarCode === pillar) &&
        (!objective || m.objectiveCode === objective) &&
        (!status || m.status === status) &&
        (!needle || `${m.code} ${m.title} ${m.responsible.map((r) => r.name).join(' ')}`.toLowerCase().includes(needle)),
    );
    const last = (m: MeasureRow) => lastReports.byMeasure.get(m.code) ?? '';
    return [...shown].sort((a, b) => (sort.key === 'lastReport' ? last(a).localeCompare(last(b)) : compare(a, b, sort.key)) * (sort.up ? 1 : -1));
  }, [all, text, pillar, objective, status, sort, lastReports]);

  const header = (key: SortKey, label: string, className?: string) => (
    <th scope="col" className={className} aria-sort={sort.key === key ? (sort.up ? 'ascending' : 'descending') : 'none'}>
      <button type="button" className="sort" onClick={() => setSort((s) => ({ key, up: s.key === key ? !s.up : true }))}>
        {label}
        <span aria-hidden="true">{sort.key === key ? (sort.up ? ' ▲' : ' ▼') : ''}</span>
      </button>
    </th>
  );

  return (
    <>
      <h1>Measures</h1>
      {result.error && <Problem error={result.error} />}
      <form className="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <label>
          Search <input type="search" value={text} onChange={(e) => setText(e.target.value)} placeholder="code, title, agency" />
        </label>
        <label>
          Pillar{' '}
          <select value={pillar} onChange={(e) => (setPillar(e.target.value), setObjective(''))}>
            <option value="">all</option>
            {pillars.map((p) => (
              <option key={p}>{p}</option>
            ))}
          </select>
        </label>
        <label>
          Objective{' '}
          <select value={objective} onChange={(e) => setObjective(e.target.value)}>
            <option value="">all</option>
            {objectives.map((o) => (
              <option key={o}>{o}</option>
            ))}
          </select>
        </label>
        {figures && (
          <label>
            Status{' '}
            <select value={status} onChange={(e) => setStatus(e.target.value as MeasureStatus | '')}>
              <option value="">all</option>
              {STATUS_ORDER.map((s) => (
                <option key={s} value={s}>
                  {STATUS_LABEL[s]}
                </option>
              ))}
            </select>
          </label>
        )}
        <output aria-live="polite">
          {rows.length} of {all.length} measures
          {!lastReports.complete && ' · last report over the first 10,000 reports only'}
        </output>
      </form>
      {/* On a phone the columns past status and progress give way (`wide`), so those two stay on screen. */}
      <table className="data fits" data-testid="measures">
        <thead>
          <tr>
            {header('code', 'Measure')}
            <th scope="col" className="wide">
              Responsible
            </th>
            {header('deadline', 'Deadline', 'wide')}
            {figures && header('status', 'Status')}
            {figures && header('progress', 'Progress')}
            {figures && header('reportCount', 'Reports', 'wide')}
            {header('lastReport', session.readsFigures ? 'Last report' : 'Your last report', 'wide')}
          </tr>
        </thead>
        <tbody>
          {rows.map((m) => (
            <tr key={`${m.code}`} data-code={m.code}>
              <th scope="row">
                <Link href={`/measures/${encodeURIComponent(m.code)}`}>{m.code}</Link> <span className="title-cell">{m.title}</span>
              </th>
              <td className="wide">{m.responsible.map((r) => r.name).join(', ')}</td>
              <td className="date wide">{m.deadline}</td>
              {figures && (
                <td data-testid="status-cell">
                  {m.status && <StatusBadge status={m.status} />}
                  {m.statusReason && (
                    <div>
                      <ReasonText reason={m.statusReason} />
                    </div>
                  )}
                </td>
              )}
              {figures && (
                <td data-testid="progress-cell">
                  {m.progress !== null && m.progress !== undefined && <meter min={0} max={100} value={m.progress} aria-label={`Progress of ${m.code}`} />}{' '}
                  {formatPercent(m.progress)}
                </td>
              )}
              {figures && <td className="num wide">{m.reportCount}</td>}
              <td className="wide" data-testid="last-report">{lastReports.byMeasure.get(m.code) ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

function compare(a: MeasureRow, b: MeasureRow, key: SortKey): number {
  switch (key) {
    case 'code':
      return a.code.localeCompare(b.code, 'en', { numeric: true });
    case 'deadline':
      return a.deadline.localeCompare(b.deadline);
    case 'status':
      return STATUS_ORDER.indexOf(a.status ?? 'NOT_STARTED') - STATUS_ORDER.indexOf(b.status ?? 'NOT_STARTED');
    case 'progress':
      return (a.progress ?? -1) - (b.progress ?? -1);
    case 'reportCount':
      return (a.reportCount ?? 0) - (b.reportCount ?? 0);
    case 'lastReport':
      return 0;
    default: {
      const exhaustive: never = key;
      return exhaustive;
    }
  }
}
