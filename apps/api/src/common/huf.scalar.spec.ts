import { Kind } from 'graphql';
import { HufScalar } from './huf.scalar.js';

describe('Huf scalar', () => {
  const huf = new HufScalar();

  it('serialises integer HUF as an exact decimal string', () => {
    expect(huf.serialize('341000000')).toBe('341000000');
    expect(huf.serialize('123456789012345678901234567890')).toBe('123456789012345678901234567890');
    expect(huf.serialize(12_000_000)).toBe('12000000');
    expect(huf.serialize(10n ** 20n)).toBe('100000000000000000000');
    expect(() => huf.serialize(1.5)).toThrow(/Cannot serialise/);
    expect(() => huf.serialize('12.5')).toThrow(/Cannot serialise/);
  });

  it('parses strings of digits and integers exactly', () => {
    expect(huf.parseValue('900719925474099312345')).toBe('900719925474099312345');
    expect(huf.parseValue(' 007 ')).toBe('7');
    expect(huf.parseValue('-250')).toBe('-250');
    expect(huf.parseValue(42)).toBe('42');
    expect(huf.parseLiteral({ kind: Kind.INT, value: '900719925474099312345' })).toBe('900719925474099312345');
    expect(huf.parseLiteral({ kind: Kind.STRING, value: '341000000' })).toBe('341000000');
  });

  it('refuses anything that is not a whole number, as BAD_USER_INPUT', () => {
    for (const bad of [1.5, 2 ** 60, '1e6', '12 000', '', 'ten', true, null]) {
      expect(() => huf.parseValue(bad)).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) }));
    }
    expect(() => huf.parseLiteral({ kind: Kind.FLOAT, value: '1.5' })).toThrow(/whole number/);
  });

  it('never quotes a JSON number above 2^53: it has lost digits already, and says money is a string', () => {
    // 9007199254740993 as JSON parses to 9007199254740992.
    const sent = JSON.parse('9007199254740993') as number;
    let message = '';
    try {
      huf.parseValue(sent);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/money is a string/);
    expect(message).not.toContain('9007199254740992');
  });
});
