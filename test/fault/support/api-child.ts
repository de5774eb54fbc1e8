import type { ChildProcess } from 'node:child_process';
import { statSync } from 'node:fs';
import { embeddedStoreFile, SqliteEventStore } from '@app/event-store';
import { spawnTs, watchLines } from './spawn-ts.js';

/** The bootstrap admin key the fault tests start the api with (ADMIN_API_KEY). */
export const FAULT_ADMIN_KEY = `apl_faulttestblk_${'b'.repeat(43)}`;

export interface GqlAnswer<T> {
  data?: T;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
}

export async function gql<T>(url: string, query: string, variables: Record<string, unknown>, key: string): Promise<GqlAnswer<T>> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify({ query, variables }) });
  return (await res.json()) as GqlAnswer<T>;
}

export interface ApiChild {
  readonly child: ChildProcess;
  /** The GraphQL URL it listens on. */
  readonly url: string;
  readonly exited: ReturnType<typeof watchLines>;
}

/**
 * Starts the api (apps/api/src/main.ts, through spawnTs) on the embedded store of `dataDir`, with
 * FAULT_ADMIN_KEY and no rate limit; resolves once it logs its GraphQL URL.
 */
export async function startApi(dataDir: string, env: Record<string, string> = {}): Promise<ApiChild> {
  const child = spawnTs('apps/api/src/main.ts', [], { DATA_DIR: dataDir, PORT: '0', NODE_ENV: 'test', ADMIN_API_KEY: FAULT_ADMIN_KEY, RATE_LIMIT_PER_MINUTE: '0', ...env });
  let url: string | undefined;
  let listening!: () => void;
  const ready = new Promise<void>((resolve) => (listening = resolve));
  const exited = watchLines(child, (line) => {
    const match = /GraphQL at (http:\/\/localhost:\d+\/graphql)/.exec(line);
    if (match) {
      url = match[1];
      listening();
    }
  });
  await Promise.race([ready, exited.then((e) => Promise.reject(new Error(`server exited: ${e.stderr}`)))]);
  return { child, url: url!, exited };
}

/** Issues a key through the admin key (issueApiKey), e.g. `{ role: 'AGENCY', agencyId, label }`. */
export async function issueKey(url: string, input: Record<string, unknown>): Promise<string> {
  const issued = await gql<{ issueApiKey: { key: string } }>(url, 'mutation ($input: IssueApiKeyInput!) { issueApiKey(input: $input) { key } }', { input }, FAULT_ADMIN_KEY);
  if (!issued.data) throw new Error(`issueApiKey: ${JSON.stringify(issued.errors)}`);
  return issued.data.issueApiKey.key;
}

/**
 * The store file as a second process sees it while the api writes: a WAL reader beside the api
 * (never through the busy api), with the size of the write-ahead log, where SQLite puts the pages
 * of a transaction before its commit makes them visible.
 */
export class StoreWatch {
  private readonly store: SqliteEventStore;
  private readonly wal: string;

  constructor(dataDir: string) {
    const file = embeddedStoreFile(dataDir);
    this.store = SqliteEventStore.open(file);
    this.wal = `${file}-wal`;
  }

  headPosition(): Promise<bigint> {
    return this.store.headPosition();
  }

  /** Bytes of the write-ahead log file (0 before it exists). */
  walBytes(): number {
    try {
      return statSync(this.wal).size;
    } catch {
      return 0;
    }
  }

  /** Polls every few ms until `done` holds. */
  async until(done: () => Promise<boolean> | boolean): Promise<void> {
    while (!(await done())) await new Promise((r) => setTimeout(r, 2));
  }

  close(): Promise<void> {
    return this.store.close();
  }
}

/** Reads the events of each stream from the store file (the api stopped). */
export async function readStreams(dataDir: string, streams: readonly string[]) {
  const store = SqliteEventStore.open(embeddedStoreFile(dataDir));
  try {
    const out = new Map<string, Awaited<ReturnType<SqliteEventStore['readStream']>>>();
    for (const stream of streams) out.set(stream, await store.readStream(stream));
    return out;
  } finally {
    await store.close();
  }
}

/** One TrainingDelivered report of a fault test's batch, as recordReports takes it. */
export interface TrainingRow {
  readonly trainingDelivered: { readonly reportId: string; readonly participants: number };
}

/**
 * Expects each report of `reports` stored exactly once in the store file (the api stopped), on its
 * agency's activity stream, with its own reportId and participants: nothing twice, nothing lost.
 */
export async function expectEachStoredOnce(dataDir: string, agencyId: string, reports: readonly TrainingRow[]): Promise<void> {
  const streamOf = (row: TrainingRow) => `activity-${agencyId}/${row.trainingDelivered.reportId}`;
  const stored = await readStreams(dataDir, reports.map(streamOf));
  for (const row of reports) {
    const events = stored.get(streamOf(row))!;
    expect(events.length).toBe(1);
    expect(events[0].data).toMatchObject({ reportId: row.trainingDelivered.reportId });
    // Where the type's own fields sit in the event's data is the event catalogue's business: the text says it.
    expect(JSON.stringify(events[0].data)).toContain(`"participants":${row.trainingDelivered.participants}`);
  }
}
