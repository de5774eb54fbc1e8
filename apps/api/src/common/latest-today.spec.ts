import { latestToday } from './latest-today.js';

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
