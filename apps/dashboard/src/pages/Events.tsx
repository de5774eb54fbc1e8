import { type FormEvent, useState } from 'react';
import { useQuery, useSession, useTimeTravel } from '../api/hooks';
import { EVENTS, type EventFilter, type Events } from '../api/queries';
import { NotForRole, Problem } from '../components/Status';
import { formatInstant } from '../format';

/** Auditors: the global event log page by page, filtered as the api's EventFilter allows. */
export function EventsPage() {
  const session = useSession();
  return session.readsHistory ? <EventLog /> : <NotForRole page="The event log" readers="auditors'" />;
}

function EventLog() {
  const time = useTimeTravel();
  const { at } = time;
  const [draft, setDraft] = useState<EventFilter>({});
  const [filter, setFilter] = useState<EventFilter>({});
  const [order, setOrder] = useState<'NEWEST_FIRST' | 'OLDEST_FIRST'>('NEWEST_FIRST');
  const [cursors, setCursors] = useState<string[]>([]);
  const after = cursors.at(-1);
  // As it stood at an instant: the log up to it (a position cut is applied to the rows below).
  const effective = { ...filter, ...(at?.recordedAt ? { recordedTo: at.recordedAt } : {}) };
  const page = useQuery<Events>(EVENTS, { first: 50, after, filter: clean(effective), order });
  const rows = (page.data?.events?.edges ?? []).filter((e) => !at?.position || BigInt(e.node.position) <= BigInt(at.position));

  const apply = (event: FormEvent) => {
    event.preventDefault();
    setFilter(draft);
    setCursors([]);
  };
  const field = (key: keyof EventFilter, label: string, type = 'text') => (
    <label>
      {label} <input type={type} value={draft[key] ?? ''} onChange={(e) => setDraft({ ...draft, [key]: e.target.value })} />
    </label>
  );
  return (
    <>
      <h1>Events</h1>
      <form className="filters" onSubmit={apply} aria-label="Event filter">
        {field('measureCode', 'Measure')}
        {field('agencyId', 'Agency id')}
        {field('eventType', 'Event type')}
        {field('stream', 'Stream')}
        {field('occurredFrom', 'Occurred from', 'date')}
        {field('occurredTo', 'to', 'date')}
        <label>
          Order{' '}
          <select value={order} onChange={(e) => (setOrder(e.target.value as typeof order), setCursors([]))}>
            <option value="NEWEST_FIRST">newest first</option>
            <option value="OLDEST_FIRST">oldest first</option>
          </select>
        </label>
        <button type="submit">Filter</button>
      </form>
      {page.error && <Problem error={page.error} />}
      <table className="data" data-testid="events" hidden={page.error !== undefined}>
        <thead>
          <tr>
            <th scope="col">Position</th>
            <th scope="col">Recorded</th>
            <th scope="col">Type</th>
            <th scope="col">Stream @ revision</th>
            <th scope="col">Data</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(({ node: e }) => (
            <tr key={e.id}>
              <td className="num">
                <button type="button" className="sort" title="Show every page as the ledger stood after this event" onClick={() => time.set({ at: { position: e.position }, asOf: time.asOf })}>
                  {e.position}
                </button>
              </td>
              <td>{formatInstant(e.recordedAt)}</td>
              <td>{e.type}</td>
              <td>
                {e.stream} @ {e.revision}
              </td>
              <td className="details">
                <details>
                  <summary>{Object.keys(e.data).slice(0, 4).join(', ')}</summary>
                  <pre>{JSON.stringify({ data: e.data, metadata: e.metadata }, null, 2)}</pre>
                </details>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <nav aria-label="Event pages" className="pager">
        <button type="button" disabled={cursors.length === 0} onClick={() => setCursors((c) => c.slice(0, -1))}>
          Previous page
        </button>
        <button
          type="button"
          disabled={!page.data?.events?.pageInfo.hasNextPage}
          onClick={() => {
            const next = page.data?.events?.pageInfo.endCursor;
            if (next) setCursors((c) => [...c, next]);
          }}
        >
          Next page
        </button>
      </nav>
    </>
  );
}

const clean = (filter: EventFilter): EventFilter => Object.fromEntries(Object.entries(filter).filter(([, v]) => v)) as EventFilter;
