/**
 * Connection strings of EventStoreDB / KurrentDB: one spelling of the scheme for the client, and
 * credentials kept out of logs and errors.
 */
const SCHEMES: ReadonlyArray<readonly [RegExp, string]> = [
  [/^(?:esdb|kurrentdb|kurrent|kdb)\+discover:\/\//i, 'kurrentdb+discover://'],
  [/^(?:esdb|kurrentdb|kurrent|kdb):\/\//i, 'kurrentdb://'],
];

/**
 * Every spelling of the scheme (`esdb://`, `kurrentdb://`, `kurrent://`, `kdb://`, each also
 * `+discover`, any letter case) as the `kurrentdb` one: the client parses the others too, but
 * prints a deprecation warning to the console for `esdb` and matches schemes case-sensitively.
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
