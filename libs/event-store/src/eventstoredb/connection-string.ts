/**
 * Connection strings of EventStoreDB / KurrentDB: the scheme spellings client 6.x does not parse,
 * and keeping credentials out of logs and errors.
 */
const SCHEMES: ReadonlyArray<readonly [RegExp, string]> = [
  [/^(?:kurrentdb|kurrent|kdb)\+discover:\/\//i, 'esdb+discover://'],
  [/^(?:kurrentdb|kurrent|kdb):\/\//i, 'esdb://'],
];

/**
 * Client 6.x only parses `esdb://`/`esdb+discover://`; the KurrentDB spellings (`kurrentdb://`,
 * `kurrent://`, `kdb://`, each also `+discover`, as KurrentDB 25's documentation and client use
 * them) mean the same, so they are rewritten to it.
 */
export function normalizeConnectionString(connectionString: string): string {
  const trimmed = connectionString.trim();
  for (const [scheme, replacement] of SCHEMES) if (scheme.test(trimmed)) return trimmed.replace(scheme, replacement);
  return trimmed;
}

/** The connection string with any `user:password@` replaced by `***@`, for logs and errors. */
export function redactConnectionString(connectionString: string): string {
  const trimmed = connectionString.trim();
  const schemeEnd = trimmed.indexOf('://');
  if (schemeEnd < 0) return trimmed.replace(/^[^@?]*@/, '***@');
  const authorityStart = schemeEnd + 3;
  const queryStart = trimmed.indexOf('?', authorityStart);
  const authority = trimmed.slice(authorityStart, queryStart < 0 ? undefined : queryStart);
  const at = authority.lastIndexOf('@');
  if (at < 0) return trimmed;
  return `${trimmed.slice(0, authorityStart)}***@${trimmed.slice(authorityStart + at + 1)}`;
}

/** Removes the credentials of `connectionString` from a message that may quote it. */
export function scrub(message: string, connectionString: string): string {
  const trimmed = connectionString.trim();
  const schemeEnd = trimmed.indexOf('://');
  const authority = trimmed.slice(schemeEnd < 0 ? 0 : schemeEnd + 3).split('?')[0];
  const at = authority.lastIndexOf('@');
  if (at < 0) return message;
  const userInfo = authority.slice(0, at);
  let out = message.split(trimmed).join(redactConnectionString(trimmed));
  if (userInfo) out = out.split(userInfo).join('***');
  return out;
}
