import { suggestionList } from 'graphql/jsutils/suggestionList.js';

/** A query-string value as Express parses it: absent, once, or repeated. */
export type QueryValue = string | string[] | undefined;

/**
 * The first query parameter an endpoint does not take, as `{ field, reason }` (the 400 body's
 * field and reason), or undefined when every parameter is known. A misspelt parameter is never
 * dropped: `dryrun=true` would import the file for real, `atposition=25` would give an auditor
 * today's ledger under a published report's name. The reason names the closest known parameter
 * (GraphQL's lexical distance, as its "Did you mean …?", so a case slip like `atposition` finds
 * `atPosition`) and lists what the endpoint takes.
 */
export function unknownParameter(query: Readonly<Record<string, QueryValue>>, known: readonly string[]): { field: string; reason: string } | undefined {
  const unknown = Object.keys(query).find((name) => !known.includes(name));
  if (unknown === undefined) return undefined;
  const [closest] = suggestionList(unknown, [...known]);
  const hint = closest === undefined ? '' : `; did you mean "${closest}"?`;
  return { field: unknown, reason: `is not a parameter of this endpoint${hint} (it takes ${known.join(', ')})` };
}
