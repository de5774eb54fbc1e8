import { type FormEvent, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Link, Route, Router, Switch, useLocation } from 'wouter';
import { useHashLocation } from 'wouter/use-hash-location';
import { GraphQLRequestError, gql, keyRefused, onSignedInKeyRefused } from './api/client';
import { type Session, SessionContext, type TimeTravel, TimeTravelContext, useAgencyName, useLiveMeasureFeed, useQuery, useSession, useTimeTravel as useTimeTravelState } from './api/hooks';
import { ME, type Me, type Measures, type PointInTime, measuresQuery } from './api/queries';
import { storeKey, storedKey } from './api/session';
import { SignIn } from './pages/SignIn';
import { Overview } from './pages/Overview';
import { MeasuresPage } from './pages/Measures';
import { MeasurePage } from './pages/Measure';
import { AgenciesPage } from './pages/Agencies';
import { EventsPage } from './pages/Events';
import { PeriodsPage } from './pages/Periods';
import { TimeTravelPicker } from './components/TimeTravelPicker';
import { UnlessBeforePlan } from './components/BeforePlan';

const TIME_KEY = 'apl.dashboard.time';

/** The implementation report (XLSX/CSV/DOCX) endpoint of the api (docs/reports.md). */
const REPORT_DOWNLOAD_PATH = '/reports/implementation';

export function App() {
  const [me, setMe] = useState<Me | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [checking, setChecking] = useState(() => storedKey() !== null);
  const [planId, setPlanId] = useState<string | null>(null);

  const signIn = useCallback(async (key: string) => {
    setFailure(null);
    // The tab's own key, again after a reload: if it is refused, the listener below says why.
    const again = key === storedKey();
    try {
      const answer = await gql<Me>(ME, {}, key);
      storeKey(key);
      setMe(answer);
    } catch (error) {
      storeKey(null);
      setMe(null);
      if (!(again && error instanceof GraphQLRequestError && error.unauthenticated)) {
        setFailure(error instanceof GraphQLRequestError && error.unauthenticated ? 'The api did not accept this key.' : String((error as Error).message));
      }
    } finally {
      setChecking(false);
    }
  }, []);

  // A key refused while signed in (revoked or expired meanwhile): back to sign-in, the key forgotten.
  useEffect(
    () =>
      onSignedInKeyRefused(() => {
        storeKey(null);
        setMe(null);
        setFailure('You were signed out: the api no longer accepts this key (it was revoked or has expired). Sign in with a valid key.');
      }),
    [],
  );

  // A key kept in this tab's sessionStorage signs in again after a reload.
  useEffect(() => {
    const key = storedKey();
    if (key) void signIn(key);
  }, [signIn]);

  const session = useMemo<Session | null>(() => {
    if (!me) return null;
    const plan = me.plans.find((p) => p.id === planId) ?? me.plans[0];
    if (!plan) return null;
    const role = me.me.role;
    return {
      me: me.me,
      plan,
      plans: me.plans,
      readsFigures: role === 'COORDINATOR' || role === 'AUDITOR',
      readsOwnFigures: role === 'AGENCY',
      readsHistory: role === 'AUDITOR',
      signOut: () => {
        storeKey(null);
        setMe(null);
      },
      choosePlan: setPlanId,
    };
  }, [me, planId]);

  if (checking) return <p className="loading">Signing in…</p>;
  if (me && !session) return <main className="signin"><p role="alert">No plan has been adopted yet.</p></main>;
  if (!session) return <SignIn onSignIn={signIn} failure={failure} />;
  return (
    <SessionContext.Provider value={session}>
      <Router hook={useHashLocation}>
        <SignedIn />
      </Router>
    </SessionContext.Provider>
  );
}

type TimePoint = { at: PointInTime | null; asOf: string | null };

function readTime(): TimePoint {
  try {
    return JSON.parse(window.sessionStorage.getItem(TIME_KEY) ?? '') as TimePoint;
  } catch {
    return { at: null, asOf: null };
  }
}

/** A point in time in words, for the picker's messages. */
function describePoint(point: TimePoint): string {
  const at = point.at?.position ? `Position ${point.at.position}` : point.at?.recordedAt ? `The instant ${point.at.recordedAt}` : null;
  const asOf = point.asOf ? `the status date ${point.asOf}` : null;
  const text = [at, asOf].filter(Boolean).join(' with ') || 'this point';
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function SignedIn() {
  const session = useSession();
  const agencyName = useAgencyName(session.plan.id, session.me.agencyId);
  const [location] = useLocation();
  // A new page moves the focus to its content (as a page load would), for keyboard and screen readers.
  const first = useRef(true);
  useEffect(() => {
    if (first.current) first.current = false;
    else document.getElementById('main')?.focus();
  }, [location]);
  const [time, setTime] = useState(readTime);
  const [refusal, setRefusal] = useState<string | null>(null);
  // The point shown before the last one set: where the pages go back to when the api refuses it.
  const previous = useRef<TimePoint>({ at: null, asOf: null });
  const shown = useRef(time);
  shown.current = time;
  const timeTravel = useMemo<TimeTravel>(() => {
    const keep = (next: TimePoint) => {
      window.sessionStorage.setItem(TIME_KEY, JSON.stringify(next));
      setTime(next);
    };
    return {
      // Only auditors may replay (the api refuses `at` to others): nobody else sends it.
      at: session.readsHistory ? time.at : null,
      asOf: time.asOf,
      refusal,
      set: (next) => {
        previous.current = shown.current;
        setRefusal(null);
        keep(next);
      },
      refuse: (refused, error) => {
        const now = shown.current;
        const same = JSON.stringify(refused.at) === JSON.stringify(session.readsHistory ? now.at : null) && refused.asOf === now.asOf;
        if (!same) return;
        const back = JSON.stringify(previous.current) === JSON.stringify(now) ? { at: null, asOf: null } : previous.current;
        previous.current = back;
        setRefusal(`${describePoint(refused)} was not applied: ${error.reasons.join('; ').replace(/\.$/, '')}.`);
        keep(back);
      },
    };
  }, [time, refusal, session.readsHistory]);
  // The measure codes for the one live feed of this tab: every measure of the plan, or an agency's
  // own (responsible or partner), the ones the api lets it subscribe to.
  const live = session.readsFigures || session.readsOwnFigures;
  const ownAgency = session.me.role === 'AGENCY' && session.me.agencyId ? { agency: session.me.agencyId } : {};
  const codes = useQuery<Measures>(live ? measuresQuery(false) : null, { filter: { planId: session.plan.id, ...ownAgency } });
  useLiveMeasureFeed(session.plan.id, codes.data?.measures.map((m) => m.code) ?? [], live && timeTravel.at === null);
  return (
    <TimeTravelContext.Provider value={timeTravel}>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <div className="brand">
          <strong>Action Plan Ledger</strong>
          {session.plans.length > 1 ? (
            <label>
              <span className="visually-hidden">Plan</span>
              <select value={session.plan.id} onChange={(e) => session.choosePlan(e.target.value)}>
                {session.plans.map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.title}
                  </option>
                ))}
              </select>
            </label>
          ) : (
            <span className="plan-title">{session.plan.title}</span>
          )}
        </div>
        <Nav />
        <div className="who">
          <span data-testid="role">
            {session.me.role}
            {agencyName ? ` · ${agencyName}` : ''}
          </span>
          <a href="/graphql">GraphiQL</a>
          <button type="button" onClick={session.signOut}>
            Sign out
          </button>
        </div>
      </header>
      <TimeTravelPicker />
      {session.readsFigures && <ReportDownload />}
      <main id="main" tabIndex={-1}>
        <UnlessBeforePlan always={location.startsWith('/events')}>
          <Switch>
            <Route path="/" component={Overview} />
            <Route path="/measures" component={MeasuresPage} />
            <Route path="/measures/:code">{(params) => <MeasurePage code={decodeURIComponent(params.code)} />}</Route>
            <Route path="/agencies" component={AgenciesPage} />
            <Route path="/events" component={EventsPage} />
            <Route path="/periods" component={PeriodsPage} />
            <Route>
              <p>
                No such page. <Link href="/">Back to the overview</Link>
              </p>
            </Route>
          </Switch>
        </UnlessBeforePlan>
      </main>
    </TimeTravelContext.Provider>
  );
}

/**
 * The implementation report as a file. The endpoint takes the same Bearer key as GraphQL, which a
 * plain link cannot send: it is fetched with the key and handed to the browser as a blob. An
 * auditor's "as it stood at" point goes with it (atPosition / atInstant).
 */
function ReportDownload() {
  const session = useSession();
  const { at } = useTimeTravelState();
  const [from, setFrom] = useState(session.plan.period.from);
  const [to, setTo] = useState(session.plan.period.to);
  const [format, setFormat] = useState<'xlsx' | 'csv' | 'docx'>('xlsx');
  const [state, setState] = useState<{ busy: boolean; message: string | null }>({ busy: false, message: null });

  const download = async (event: FormEvent) => {
    event.preventDefault();
    setState({ busy: true, message: null });
    const query = new URLSearchParams({ planId: session.plan.id, from, to, format });
    if (at?.position) query.set('atPosition', at.position);
    else if (at?.recordedAt) query.set('atInstant', at.recordedAt);
    try {
      const key = storedKey();
      const response = await fetch(`${REPORT_DOWNLOAD_PATH}?${query}`, { headers: key ? { authorization: `Bearer ${key}` } : {} });
      if (response.status === 401) keyRefused(key);
      if (!response.ok) {
        const body = (await response.json().catch(() => ({}))) as { field?: string; reason?: string; message?: string };
        throw new Error(body.field ? `${body.field} ${body.reason ?? ''}` : (body.message ?? `The api answered ${response.status}`));
      }
      const name = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? `implementation-report.${format}`;
      const url = URL.createObjectURL(await response.blob());
      const link = document.createElement('a');
      link.href = url;
      link.download = name;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      setState({ busy: false, message: `Downloaded ${name} (ledger position ${response.headers.get('x-ledger-position') ?? '?'}).` });
    } catch (error) {
      setState({ busy: false, message: `The report could not be made: ${(error as Error).message}` });
    }
  };

  return (
    <details className="report-download">
      <summary>Implementation report</summary>
      <form onSubmit={(e) => void download(e)} aria-label="Download the implementation report">
        <label>
          From <input type="date" value={from} onChange={(e) => setFrom(e.target.value)} required />
        </label>
        <label>
          To <input type="date" value={to} onChange={(e) => setTo(e.target.value)} required />
        </label>
        <label>
          Format{' '}
          <select value={format} onChange={(e) => setFormat(e.target.value as typeof format)}>
            <option value="xlsx">XLSX (spreadsheet)</option>
            <option value="csv">CSV</option>
            <option value="docx">DOCX (editable document)</option>
          </select>
        </label>
        <button type="button" onClick={() => (setFrom(`${Number(to.slice(0, 4)) - 1}-04-01`), setTo(`${to.slice(0, 4)}-03-31`))}>
          US TIP year
        </button>
        <button type="submit" disabled={state.busy}>
          {state.busy ? 'Computing…' : 'Download'}
        </button>
        <output aria-live="polite" data-testid="report-download-status">
          {state.message}
        </output>
      </form>
    </details>
  );
}

function Nav() {
  const session = useSession();
  const [location] = useLocation();
  const items: Array<[string, string]> = [
    ['/', 'Overview'],
    ['/measures', 'Measures'],
    ...(session.readsFigures ? ([['/agencies', 'Agencies']] as Array<[string, string]>) : []),
    ...(session.readsFigures || session.readsOwnFigures ? ([['/periods', 'Reporting periods']] as Array<[string, string]>) : []),
    ...(session.readsHistory ? ([['/events', 'Events']] as Array<[string, string]>) : []),
  ];
  return (
    <nav aria-label="Pages">
      <ul>
        {items.map(([href, label]) => {
          const current = href === '/' ? location === '/' : location.startsWith(href);
          return (
            <li key={href}>
              <Link href={href} aria-current={current ? 'page' : undefined}>
                {label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
