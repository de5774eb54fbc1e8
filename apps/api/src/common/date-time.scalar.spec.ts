import { Kind } from 'graphql';
import { parseRfc3339 } from '@app/domain';
import { DateTimeScalar } from './date-time.scalar.js';

describe('DateTime scalar (RFC 3339 with an explicit offset)', () => {
  it.each([
    ['2026-11-25T12:00:00Z', '2026-11-25T12:00:00.000Z'],
    ['2026-11-25t12:00:00z', '2026-11-25T12:00:00.000Z'],
    ['2026-11-25T13:30:00+01:30', '2026-11-25T12:00:00.000Z'],
    ['2026-11-25T04:00:00-08:00', '2026-11-25T12:00:00.000Z'],
    ['2026-11-25T12:00:00.1Z', '2026-11-25T12:00:00.100Z'],
    ['2026-11-25T12:00:00.123456789Z', '2026-11-25T12:00:00.123Z'],
    ['2024-02-29T00:00:00+00:00', '2024-02-29T00:00:00.000Z'],
    ['2026-01-01T00:30:00+01:00', '2025-12-31T23:30:00.000Z'],
    ['0050-06-01T00:00:00Z', '0050-06-01T00:00:00.000Z'],
  ])('reads %s as %s, whatever the server time zone', (text, iso) => {
    expect((DateTimeScalar.parseValue(text) as Date).toISOString()).toBe(iso);
    expect((DateTimeScalar.parseLiteral({ kind: Kind.STRING, value: text }) as Date).toISOString()).toBe(iso);
  });

  it.each([
    '2026-11-25T12:00:00', // no offset: would be read in the server's time zone
    '2026-11-25',
    '2026-11-25 12:00:00Z',
    '1',
    '2026',
    '12/31/2026',
    'Wed, 25 Nov 2026 12:00:00 GMT',
    '2026-02-29T00:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-11-31T00:00:00Z',
    '2026-11-25T24:00:00Z',
    '2026-11-25T12:60:00Z',
    '2026-11-25T23:59:60Z',
    '2026-11-25T12:00:00+24:00',
    '2026-11-25T12:00:00+0100',
    '',
  ])('refuses %j with BAD_USER_INPUT and the rule', (text) => {
    expect(parseRfc3339(text)).toEqual({ reason: expect.stringMatching(/RFC 3339 date-time with an explicit offset/) });
    expect(() => DateTimeScalar.parseValue(text)).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) }));
  });

  it.each(['12/31/2026', '2026-11-25 12:00', ''])('says what it refused: %j', (text) => {
    expect(parseRfc3339(text)).toEqual({ reason: expect.stringContaining(`(got ${JSON.stringify(text)})`) });
  });

  it('refuses numbers and other types', () => {
    for (const value of [1, 1764072000000, null, true, {}]) expect(() => DateTimeScalar.parseValue(value)).toThrow(/RFC 3339/);
    expect(() => DateTimeScalar.parseLiteral({ kind: Kind.INT, value: '2026' })).toThrow(/got a number literal/);
  });

  it('answers at UTC with milliseconds', () => {
    expect(DateTimeScalar.serialize(new Date('2026-11-25T12:00:00+01:00'))).toBe('2026-11-25T11:00:00.000Z');
    expect(() => DateTimeScalar.serialize('nonsense')).toThrow(/Cannot serialise/);
  });
});
