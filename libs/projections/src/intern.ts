/**
 * One shared copy per distinct short string. Report entries repeat a few values millions of
 * times (measure keys, event types, agency ids, dates); as parsed from JSON each occurrence
 * would be its own heap string. Interning changes no value, only how many copies exist.
 */
const pool = new Map<string, string>();
/** Bounded so unexpected variety (free-text values) cannot grow it without limit. */
const MAX_POOL = 250_000;
const MAX_LENGTH = 120;

export function intern(value: string): string {
  if (value.length > MAX_LENGTH) return value;
  const found = pool.get(value);
  if (found !== undefined) return found;
  if (pool.size >= MAX_POOL) pool.clear();
  pool.set(value, value);
  return value;
}
