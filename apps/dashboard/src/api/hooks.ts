import { createContext, useCallback, useContext, useEffect, useRef, useState } from 'react';
import { GraphQLRequestError, gql, subscribe } from './client';
import { AGENCIES, type Agencies, MEASURE_UPDATED, type Me, type PointInTime } from './queries';

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
  /**
   * The api refused this point (BAD_USER_INPUT on `at…` or `asOf`, e.g. a position beyond the end
   * of the log): the pages go back to the point shown before, and the picker says why. Ignored
   * when the point shown is no longer the refused one (several queries fail for the same point).
   */
  readonly refuse: (refused: { at: PointInTime | null; asOf: string | null }, error: GraphQLRequestError) => void;
  /** Why the point last asked for was not applied (the api's message), until the next one is set. */
  readonly refusal: string | null;
}
export const TimeTravelContext = createContext<TimeTravel>({ at: null, asOf: null, set: () => undefined, refuse: () => undefined, refusal: null });
export const useTimeTravel = (): TimeTravel => useContext(TimeTravelContext);

/** The api's refusal of a point in time itself (its field is `at`, `at.position`, `at.recordedAt` or `asOf`). */
export function refusedPoint(error: unknown): error is GraphQLRequestError {
  return (
    error instanceof GraphQLRequestError &&
    error.errors.some((e) => e.extensions?.code === 'BAD_USER_INPUT' && /^(at|asOf)(\.|$)/.test(e.extensions.field ?? ''))
  );
}

export interface QueryState<T> {
  /** The answer to these variables, or of the same subject while they are re-read; never another's. */
  readonly data: T | undefined;
  /** The failure of these variables (not of earlier ones). */
  readonly error: GraphQLRequestError | Error | undefined;
  readonly loading: boolean;
  /** Re-reads, keeping the current data on screen until the answer comes. */
  readonly reload: () => void;
}

/**
 * Runs a query now and whenever its variables change; `null` query = skip.
 *
 * An answer belongs to the variables it was read with: when they change, the page never shows the
 * previous answer as if it were the new one (a measure's figures under another code, a refused
 * position's page with the last position's figures). `subject` names what the variables are about
 * (a measure's code, a plan): while other variables (granularity, point in time) are re-read, the
 * previous answer of the same subject stays on screen until the new one comes, and goes when the
 * new variables fail. Without `subject`, every variable names the subject.
 */
export function useQuery<T>(query: string | null, variables: Record<string, unknown> = {}, options: { subject?: unknown } = {}): QueryState<T> {
  const key = JSON.stringify(variables);
  const fullKey = `${query}\n${key}`;
  const subject = `${query}\n${options.subject === undefined ? key : JSON.stringify(options.subject)}`;
  const [state, setState] = useState<{ data?: T; dataKey?: string; dataSubject?: string; error?: Error; errorKey?: string; loading: boolean }>({ loading: query !== null });
  const [tick, setTick] = useState(0);
  const time = useContext(TimeTravelContext);
  const refuse = useRef(time.refuse);
  refuse.current = time.refuse;
  useEffect(() => {
    if (query === null) return;
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    const vars = JSON.parse(key) as Record<string, unknown>;
    gql<T>(query, vars).then(
      (data) => live && setState({ data, dataKey: fullKey, dataSubject: subject, loading: false }),
      (error: Error) => {
        if (!live) return;
        setState((s) => ({ ...s, error, errorKey: fullKey, loading: false }));
        if (refusedPoint(error) && ('at' in vars || 'asOf' in vars)) {
          refuse.current({ at: (vars.at as PointInTime | null | undefined) ?? null, asOf: (vars.asOf as string | null | undefined) ?? null }, error);
        }
      },
    );
    return () => {
      live = false;
    };
  }, [query, key, fullKey, subject, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  const failed = state.errorKey === fullKey;
  const current = state.dataKey === fullKey || (state.dataSubject === subject && !failed);
  return {
    data: query !== null && current ? state.data : undefined,
    error: failed ? state.error : undefined,
    loading: query !== null && (state.loading || (state.dataKey !== fullKey && !failed)),
    reload,
  };
}

/** An agency's name as the plan's register writes it (its id until the register is read, or if it is not there). */
export function useAgencyName(planId: string, agencyId: string | null): string | null {
  const register = useQuery<Agencies>(agencyId ? AGENCIES : null, { planId }, { subject: planId });
  if (!agencyId) return null;
  return register.data?.agencies.find((a) => a.id === agencyId)?.name ?? agencyId;
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
 * 500; with `at` (auditors), as the reports stood at that point. `complete` is false when there
 * were more reports than that.
 */
export function useLastReports(
  query: string | null,
  planId: string,
  reloadKey: number,
  at: PointInTime | null = null,
  /** A status date (YYYY-MM-DD): the last report dated on or before it, as the figures beside it count. */
  asOf: string | null = null,
  maxPages = 20,
): { byMeasure: ReadonlyMap<string, string>; complete: boolean } {
  const [state, setState] = useState<{ byMeasure: ReadonlyMap<string, string>; complete: boolean }>({ byMeasure: new Map(), complete: true });
  const point = JSON.stringify({ at, asOf });
  // Another plan or point (or none asked): the last one's dates go at once; a live re-read keeps them until it answers.
  useEffect(() => setState({ byMeasure: new Map(), complete: true }), [query, planId, point]);
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
        // reports is nullable (refusable); null comes with an error, which gql() throws.
        type Page = { reports: { edges: Array<{ node: { measureCode: string; occurredOn: string } }>; pageInfo: { hasNextPage: boolean; endCursor: string | null } } | null };
        let reports: NonNullable<Page['reports']>;
        try {
          const asked = JSON.parse(point) as { at: PointInTime | null; asOf: string | null };
          const filter = asked.asOf ? { planId, status: 'ACTIVE', occurredTo: asked.asOf } : { planId, status: 'ACTIVE' };
          const answer = await gql<Page>(query, { filter, after, at: asked.at });
          if (!answer.reports) return;
          reports = answer.reports;
        } catch {
          return;
        }
        for (const { node } of reports.edges) if ((latest.get(node.measureCode) ?? '') < node.occurredOn) latest.set(node.measureCode, node.occurredOn);
        if (!reports.pageInfo.hasNextPage) break;
        after = reports.pageInfo.endCursor;
      }
      if (!cancelled) setState({ byMeasure: latest, complete });
    })();
    return () => {
      cancelled = true;
    };
  }, [query, planId, reloadKey, point, maxPages]);
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
