import { useMemo, useState } from 'react';
import { Link, useSearch } from 'wouter';
import { useMeasureUpdates, useQuery, useSession, useTimeTravel } from '../api/hooks';
import { type MeasureRow, type MeasureStatus, type Measures, measuresQuery } from '../api/queries';
import { Problem, StatusBadge } from '../components/Status';
import { STATUS_LABEL, STATUS_ORDER, formatPercent } from '../format';

type SortKey = 'code' | 'deadline' | 'status' | 'progress' | 'reportCount';

/** Every measure of the plan (an agency: its own), filtered and sorted in the browser. */
export function MeasuresPage() {
  const session = useSession();
  const { at, asOf } = useTimeTravel();
  const search = new URLSearchParams(useSearch());
  const [text, setText] = useState('');
  const [pillar, setPillar] = useState(search.get('pillar') ?? '');
  const [objective, setObjective] = useState(search.get('objective') ?? '');
  const [status, setStatus] = useState<MeasureStatus | ''>((search.get('status') as MeasureStatus | null) ?? '');
  const [sort, setSort] = useState<{ key: SortKey; up: boolean }>({ key: 'code', up: true });

  const filter = { planId: session.plan.id, ...(session.me.role === 'AGENCY' && session.me.agencyId ? { agency: session.me.agencyId } : {}) };
  const variables = session.readsFigures ? { filter, asOf, at } : { filter };
  const result = useQuery<Measures>(measuresQuery(session.readsFigures), variables);
  const all = result.data?.measures ?? [];
  useMeasureUpdates('all', result.reload, session.readsFigures && at === null);

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
    return [...shown].sort((a, b) => compare(a, b, sort.key) * (sort.up ? 1 : -1));
  }, [all, text, pillar, objective, status, sort]);

  const header = (key: SortKey, label: string) => (
    <th scope="col" aria-sort={sort.key === key ? (sort.up ? 'ascending' : 'descending') : 'none'}>
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
        {session.readsFigures && (
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
        </output>
      </form>
      <table className="data" data-testid="measures">
        <thead>
          <tr>
            {header('code', 'Measure')}
            <th scope="col">Responsible</th>
            {header('deadline', 'Deadline')}
            {session.readsFigures && header('status', 'Status')}
            {session.readsFigures && header('progress', 'Progress')}
            {session.readsFigures && header('reportCount', 'Reports')}
          </tr>
        </thead>
        <tbody>
          {rows.map((m) => (
            <tr key={`${m.code}`} data-code={m.code}>
              <th scope="row">
                <Link href={`/measures/${encodeURIComponent(m.code)}`}>{m.code}</Link> <span className="title-cell">{m.title}</span>
              </th>
              <td>{m.responsible.map((r) => r.name).join(', ')}</td>
              <td>{m.deadline}</td>
              {session.readsFigures && <td>{m.status && <StatusBadge status={m.status} />}{m.statusReason && <div className="hint">{m.statusReason}</div>}</td>}
              {session.readsFigures && (
                <td>
                  {m.progress === null || m.progress === undefined ? '—' : <meter min={0} max={100} value={m.progress} aria-label={`Progress of ${m.code}`} />}{' '}
                  {formatPercent(m.progress)}
                </td>
              )}
              {session.readsFigures && <td className="num">{m.reportCount}</td>}
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
    default: {
      const exhaustive: never = key;
      return exhaustive;
    }
  }
}
