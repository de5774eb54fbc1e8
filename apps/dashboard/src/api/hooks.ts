import { createContext, useCallback, useContext, useEffect, useRef, useState } from 'react';
import { GraphQLRequestError, gql, subscribe } from './client';
import { MEASURE_UPDATED, type Me, type PointInTime } from './queries';

/** Who is signed in, the plan shown, and what their role may read (the api enforces it). */
export interface Session {
  readonly me: Me['me'];
  readonly plan: Me['plans'][number];
  readonly plans: Me['plans'];
  /** Coordinators and auditors read projections (figures); agencies read the plan and their own reports. */
  readonly readsFigures: boolean;
  /** Agencies read the progress (status, reason, figures, assessments) of the measures they are responsible for or a partner of. */
  readonly readsOwnFigures: boolean;
  /** Auditors read the event history and replay it (the `at` picker). */
  readonly readsHistory: boolean;
  readonly signOut: () => void;
  readonly choosePlan: (id: string) => void;
}
export const SessionContext = createContext<Session | null>(null);
export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside the signed-in app');
  return session;
}

/** "As it stood at": a point of the ledger's history (auditors) and the date statuses are evaluated on. */
export interface TimeTravel {
  readonly at: PointInTime | null;
  /** YYYY-MM-DD; null = today (the api's default). */
  readonly asOf: string | null;
  readonly set: (next: { at: PointInTime | null; asOf: string | null }) => void;
}
export const TimeTravelContext = createContext<TimeTravel>({ at: null, asOf: null, set: () => undefined });
export const useTimeTravel = (): TimeTravel => useContext(TimeTravelContext);

export interface QueryState<T> {
  readonly data: T | undefined;
  readonly error: GraphQLRequestError | Error | undefined;
  readonly loading: boolean;
  /** Re-reads, keeping the current data on screen until the answer comes. */
  readonly reload: () => void;
}

/** Runs a query now and whenever its variables change; `null` query = skip. */
export function useQuery<T>(query: string | null, variables: Record<string, unknown> = {}): QueryState<T> {
  const [state, setState] = useState<{ data?: T; error?: Error; loading: boolean }>({ loading: query !== null });
  const [tick, setTick] = useState(0);
  const key = JSON.stringify(variables);
  useEffect(() => {
    if (query === null) return;
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    gql<T>(query, JSON.parse(key) as Record<string, unknown>).then(
      (data) => live && setState({ data, loading: false }),
      (error: Error) => live && setState((s) => ({ data: s.data, error, loading: false })),
    );
    return () => {
      live = false;
    };
  }, [query, key, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}

const UPDATED = 'apl:measure-updated';

/**
 * Live updates, once per signed-in tab: one measureUpdated subscription per measure of the plan
 * on one graphql-ws connection, kept across pages (page changes do not re-subscribe), each push
 * re-broadcast in the tab as a DOM event naming the measure. Off while `enabled` is false.
 */
/**
 * The date of the latest report (occurredOn) per measure code, from the `reports` connection
 * (active reports of the plan; an agency gets its own), read page by page up to `maxPages` pages of
 * 500. `complete` is false when there were more reports than that.
 */
export function useLastReports(query: string | null, planId: string, reloadKey: number, maxPages = 20): { byMeasure: ReadonlyMap<string, string>; complete: boolean } {
  const [state, setState] = useState<{ byMeasure: ReadonlyMap<string, string>; complete: boolean }>({ byMeasure: new Map(), complete: true });
  useEffect(() => {
    if (!query) return;
    let cancelled = false;
    void (async () => {
      const latest = new Map<string, string>();
      let after: string | null = null;
      let complete = true;
      for (let page = 0; ; page++) {
        if (page === maxPages) {
          complete = false;
          break;
        }
        type Page = { reports: { edges: Array<{ node: { measureCode: string; occurredOn: string } }>; pageInfo: { hasNextPage: boolean; endCursor: string | null } } };
        let answer: Page;
        try {
          answer = await gql<Page>(query, { filter: { planId, status: 'ACTIVE' }, after });
        } catch {
          return;
        }
        for (const { node } of answer.reports.edges) if ((latest.get(node.measureCode) ?? '') < node.occurredOn) latest.set(node.measureCode, node.occurredOn);
        if (!answer.reports.pageInfo.hasNextPage) break;
        after = answer.reports.pageInfo.endCursor;
      }
      if (!cancelled) setState({ byMeasure: latest, complete });
    })();
    return () => {
      cancelled = true;
    };
  }, [query, planId, reloadKey, maxPages]);
  return state;
}

export function useLiveMeasureFeed(planId: string, codes: readonly string[], enabled: boolean): void {
  const key = codes.join(',');
  useEffect(() => {
    if (!enabled || !key) return;
    const stops = key
      .split(',')
      .map((code) => subscribe(MEASURE_UPDATED, { code, planId }, () => window.dispatchEvent(new CustomEvent<string>(UPDATED, { detail: code }))));
    return () => stops.forEach((stop) => stop());
  }, [planId, key, enabled]);
}

/**
 * Calls `onUpdate` once per burst of pushes for the given measures (all when `codes` is 'all').
 * Off while a point in time is shown: the past does not change.
 */
export function useMeasureUpdates(codes: readonly string[] | 'all', onUpdate: () => void, enabled: boolean): void {
  const callback = useRef(onUpdate);
  callback.current = onUpdate;
  const key = codes === 'all' ? '*' : codes.join(',');
  useEffect(() => {
    if (!enabled) return;
    const wanted = key === '*' ? null : new Set(key.split(','));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const listener = (event: Event) => {
      if (wanted && !wanted.has((event as CustomEvent<string>).detail)) return;
      clearTimeout(timer);
      timer = setTimeout(() => callback.current(), 150);
    };
    window.addEventListener(UPDATED, listener);
    return () => {
      clearTimeout(timer);
      window.removeEventListener(UPDATED, listener);
    };
  }, [key, enabled]);
}
