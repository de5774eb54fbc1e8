import { type FormEvent, useEffect, useState } from 'react';
import { useSession, useTimeTravel } from '../api/hooks';
import { formatInstant, zoneOf } from '../format';

type Mode = 'now' | 'position' | 'instant';

/** `datetime-local` is local time without a zone; the api takes an ISO instant. */
const toInstant = (local: string): string => new Date(local).toISOString();
/** To the millisecond, the ledger's precision: an instant shown and applied again names the same position. */
const toLocal = (iso: string): string => {
  const d = new Date(iso);
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
};

/**
 * "As it stood at", applied to every page: auditors pick a position of the log or an instant
 * (the api replays the ledger to it); coordinators and auditors pick the date statuses and
 * figures are evaluated on (deadlines passed or not, and only the reports dated by then). Agencies read no figures, so see no picker.
 */
export function TimeTravelPicker() {
  const session = useSession();
  const time = useTimeTravel();
  const [mode, setMode] = useState<Mode>(time.at?.position ? 'position' : time.at?.recordedAt ? 'instant' : 'now');
  const [position, setPosition] = useState(time.at?.position ?? '');
  const [instant, setInstant] = useState(time.at?.recordedAt ? toLocal(time.at.recordedAt) : '');
  const [asOf, setAsOf] = useState(time.asOf ?? '');
  const [problem, setProblem] = useState<string | null>(null);
  // Another page may set the point (the events browser's positions): the form follows it.
  useEffect(() => setAsOf(time.asOf ?? ''), [time.asOf]);
  useEffect(() => {
    setMode(time.at?.position ? 'position' : time.at?.recordedAt ? 'instant' : 'now');
    if (time.at?.position) setPosition(time.at.position);
    if (time.at?.recordedAt) setInstant(toLocal(time.at.recordedAt));
  }, [time.at?.position, time.at?.recordedAt]);
  if (!session.readsFigures) return null;

  const apply = (event: FormEvent) => {
    event.preventDefault();
    setProblem(null);
    if (mode === 'position' && !/^\d+$/.test(position.trim())) return setProblem('A position is a whole number, e.g. 1200.');
    if (mode === 'instant' && (!instant || Number.isNaN(new Date(instant).getTime()))) return setProblem('Pick a date and time.');
    const at = mode === 'position' ? { position: position.trim() } : mode === 'instant' ? { recordedAt: toInstant(instant) } : null;
    time.set({ at: session.readsHistory ? at : null, asOf: asOf || null });
  };
  const reset = () => {
    setMode('now');
    setPosition('');
    setInstant('');
    setAsOf('');
    setProblem(null);
    time.set({ at: null, asOf: null });
  };

  const standing = time.at?.position
    ? `as the ledger stood after position ${time.at.position}`
    : time.at?.recordedAt
      ? `as recorded by ${formatInstant(time.at.recordedAt)}`
      : 'live';
  return (
    <section className={time.at ? 'time-travel past' : 'time-travel'} aria-label="Point in time">
      <form onSubmit={apply}>
        {session.readsHistory && (
          <fieldset>
            <legend>As it stood at</legend>
            <label>
              <input type="radio" name="mode" value="now" checked={mode === 'now'} onChange={() => setMode('now')} /> Now
            </label>
            <label>
              <input type="radio" name="mode" value="position" checked={mode === 'position'} onChange={() => setMode('position')} /> Position
            </label>
            <label className="visually-hidden" htmlFor="tt-position">
              Log position
            </label>
            <input
              id="tt-position"
              inputMode="numeric"
              size={8}
              value={position}
              placeholder="e.g. 1200"
              onChange={(e) => {
                setPosition(e.target.value);
                setMode('position');
              }}
            />
            <label>
              <input type="radio" name="mode" value="instant" checked={mode === 'instant'} onChange={() => setMode('instant')} /> Instant
            </label>
            <label className="visually-hidden" htmlFor="tt-instant">
              Recorded by (local time, {zoneOf(new Date())})
            </label>
            <input
              id="tt-instant"
              type="datetime-local"
              step="0.001"
              value={instant}
              onChange={(e) => {
                setInstant(e.target.value);
                setMode('instant');
              }}
            />
          </fieldset>
        )}
        <label className="as-of">
          Status on <input type="date" value={asOf} onChange={(e) => setAsOf(e.target.value)} aria-describedby="as-of-hint" />
          <span id="as-of-hint" className="hint">
            (empty: today; on a date, only reports dated by then count)
          </span>
        </label>
        <button type="submit">Apply</button>
        <button type="button" onClick={reset}>
          Back to now
        </button>
        <output data-testid="standing" aria-live="polite">
          Showing: {standing}
          {time.asOf ? `, statuses and figures on ${time.asOf}` : ''}
        </output>
        {(problem ?? time.refusal) && (
          <p role="alert" className="problem" data-testid="time-refusal">
            {problem ?? time.refusal}
          </p>
        )}
      </form>
    </section>
  );
}
