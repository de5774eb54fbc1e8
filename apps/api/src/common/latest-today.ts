const DAY_MS = 86_400_000;
/** The last date latestToday formatted, and the span of instants (in UTC+14) it holds for. */
let today = { date: '', from: 0, until: 0 };

/**
 * The latest calendar date anywhere on Earth (UTC+14): an activity dated today in any time
 * zone is never refused as "in the future".
 */
export function latestToday(now = new Date()): string {
  const ahead = now.getTime() + 14 * 3600_000;
  // The same date until that zone's next midnight: formatted once a day, not on every report.
  if (ahead >= today.from && ahead < today.until) return today.date;
  const from = ahead - (((ahead % DAY_MS) + DAY_MS) % DAY_MS);
  today = { date: new Date(from).toISOString().slice(0, 10), from, until: from + DAY_MS };
  return today.date;
}
