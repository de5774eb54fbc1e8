import { latestToday } from './latest-today.js';
import { futureDateRefusal } from '@app/domain';

describe('latestToday', () => {
  it('is the date in UTC+14, changing at 10:00 UTC, whatever order the instants come in', () => {
    const cases: Array<[string, string]> = [
      ['2023-05-02T09:59:59.999Z', '2023-05-02'],
      ['2023-05-02T10:00:00.000Z', '2023-05-03'],
      ['2023-05-02T09:00:00.000Z', '2023-05-02'],
      ['2023-05-03T09:59:59.999Z', '2023-05-03'],
      ['2023-12-31T10:00:00.000Z', '2024-01-01'],
      ['1969-12-31T09:59:59.999Z', '1969-12-31'],
      ['1969-12-31T10:00:00.000Z', '1970-01-01'],
      ['2023-05-02T10:00:00.000Z', '2023-05-03'],
    ];
    for (const [instant, date] of cases) expect({ instant, date: latestToday(new Date(instant)) }).toEqual({ instant, date });
  });
});

describe('the future-date refusal', () => {
  it('names the latest date accepted, which at 10:48 UTC on Nov 30 is Dec 1 (UTC+14), and why', () => {
    const latest = latestToday(new Date('2026-11-30T10:48:00.000Z'));
    expect(latest).toBe('2026-12-01');
    const message = futureDateRefusal(latest);
    expect(message).toContain('the latest date accepted is 2026-12-01');
    expect(message).toContain('UTC+14');
    // Never "today is …": on Nov 30 in Europe that would be untrue.
    expect(message).not.toMatch(/today is/);
    expect(futureDateRefusal(latestToday(new Date('2026-11-30T09:59:59.999Z')))).toContain('is 2026-11-30,');
  });
});
