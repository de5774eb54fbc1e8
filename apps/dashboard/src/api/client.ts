import { type Client, createClient } from 'graphql-ws';
import { storedKey } from './session';

/** A GraphQL error as the api sends it (extensions.code, and field/reason/rule when given). */
export interface ApiError {
  readonly message: string;
  readonly extensions?: { code?: string; field?: string; reason?: string; rule?: string };
}

export class GraphQLRequestError extends Error {
  constructor(
    readonly errors: readonly ApiError[],
    readonly status: number,
  ) {
    super(distinct(errors.map((e) => (e.extensions?.code ? `${e.extensions.code}: ${e.message}` : e.message))).join('; '));
  }

  /**
   * The api's reasons, each once: one refused argument fails every field that takes it (a
   * position beyond the log: once per figure of the page), each error repeating the same message.
   */
  get reasons(): string[] {
    return distinct(this.errors.map((e) => e.message));
  }

  /** The api refused the credential: the page goes back to sign-in. */
  get unauthenticated(): boolean {
    return this.errors.some((e) => e.extensions?.code === 'UNAUTHENTICATED');
  }
}

const distinct = (messages: readonly string[]): string[] => [...new Set(messages)];

const refusedKeyListeners = new Set<() => void>();

/**
 * Called when the api refuses the signed-in key (UNAUTHENTICATED: revoked, expired or deleted
 * while the tab was open); a key being tried at sign-in does not count. Returns the unsubscribe.
 */
export function onSignedInKeyRefused(listener: () => void): () => void {
  refusedKeyListeners.add(listener);
  return () => refusedKeyListeners.delete(listener);
}

/** The api refused `key` (an HTTP 401, or an UNAUTHENTICATED GraphQL error): tells the listeners when it is the signed-in one. */
export function keyRefused(key: string | null): void {
  if (key !== null && key === storedKey()) for (const listener of refusedKeyListeners) listener();
}

const endpoint = (): string => new URL('/graphql', window.location.href).toString();

/** One GraphQL operation over HTTP with the signed-in key (or the one given, at sign-in). */
export async function gql<T>(query: string, variables?: Record<string, unknown>, key = storedKey()): Promise<T> {
  const response = await fetch(endpoint(), {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      ...(key ? { authorization: `Bearer ${key}` } : {}),
    },
    body: JSON.stringify({ query, variables }),
  });
  let body: { data?: T; errors?: ApiError[] };
  try {
    body = (await response.json()) as typeof body;
  } catch {
    throw new GraphQLRequestError([{ message: `The api answered ${response.status} without a GraphQL body` }], response.status);
  }
  if (body.errors?.length) {
    const error = new GraphQLRequestError(body.errors, response.status);
    if (error.unauthenticated) keyRefused(key);
    throw error;
  }
  if (body.data === undefined) throw new GraphQLRequestError([{ message: 'The api answered without data' }], response.status);
  return body.data;
}

let socket: { key: string | null; client: Client } | undefined;

/** The one graphql-ws connection of this tab (on /graphql, the key as connection params). */
export function liveClient(): Client {
  const key = storedKey();
  if (socket && socket.key === key) return socket.client;
  void socket?.client.dispose();
  const client = createClient({
    url: endpoint().replace(/^http/, 'ws'),
    connectionParams: key ? { authorization: `Bearer ${key}` } : {},
    lazy: true,
    retryAttempts: Infinity,
  });
  socket = { key, client };
  return client;
}

/** Calls `onUpdate` each time the subscription delivers; returns the unsubscribe function. */
export function subscribe(query: string, variables: Record<string, unknown>, onUpdate: () => void, onError?: (error: unknown) => void): () => void {
  const key = storedKey();
  const error = (e: unknown) => {
    // graphql-ws hands GraphQL errors over as an array: a refused key signs out an idle page too.
    if (Array.isArray(e) && (e as ApiError[]).some((x) => x?.extensions?.code === 'UNAUTHENTICATED')) keyRefused(key);
    onError?.(e);
  };
  return liveClient().subscribe({ query, variables }, { next: () => onUpdate(), error, complete: () => undefined });
}
