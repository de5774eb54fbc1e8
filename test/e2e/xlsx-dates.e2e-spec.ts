import { jest } from '@jest/globals';
import { spawnTs, watchLines } from '../fault/support/spawn-ts.js';

jest.setTimeout(180_000);

const DAYS = ['2023-01-01', '2023-03-26', '2023-06-30', '2023-12-31', '2024-02-29'];

/** What the template round trip (test/e2e/support/xlsx-dates-in-zone.ts) reads in a process running in `zone`. */
async function readIn(zone: string): Promise<{ zone: string; read: string[] }> {
  const child = spawnTs('test/e2e/support/xlsx-dates-in-zone.ts', DAYS, { TZ: zone });
  const lines: string[] = [];
  const exit = await watchLines(child, (line) => lines.push(line));
  if (exit.code !== 0) throw new Error(`the round trip in ${zone} exited ${exit.code}: ${exit.stderr}`);
  return JSON.parse(lines.at(-1)!) as { zone: string; read: string[] };
}

describe('XLSX dates whatever the time zone of the server (e2e)', () => {
  // UTC+14 and UTC−10: a day computed in local time would move to the next or the previous one.
  it.each(['Pacific/Kiritimati', 'Pacific/Honolulu'])('reads a date cell written or typed, and ISO text, as the same day in %s', async (zone) => {
    const { zone: ran, read } = await readIn(zone);
    expect(ran).toBe(zone);
    expect(read).toEqual(DAYS.flatMap((day) => [`written ${day}: ${day}`, `typed ${day}: ${day}`, `text ${day}: ${day}`]));
  });
});
