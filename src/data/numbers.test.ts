import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { lastNumberIssue, parseNumberCell } from './numbers.js';

describe('parseNumberCell', () => {
  it('reads plain decimals, signs and exponents', () => {
    expect(parseNumberCell('1.1283')).toBe(1.1283);
    expect(parseNumberCell(' 42 ')).toBe(42);
    expect(parseNumberCell('-0.5')).toBe(-0.5);
    expect(parseNumberCell('+7')).toBe(7);
    expect(parseNumberCell('1e-7')).toBe(1e-7);
    expect(parseNumberCell('7205770020')).toBe(7205770020);
    expect(parseNumberCell('1.23456789012345678')).toBe(Number('1.23456789012345678'));
  });

  it('names why a cell is not a number', () => {
    const cases: Array<[string, string]> = [
      ['', 'empty'],
      ['   ', 'empty'],
      ['NaN', 'not-a-number'],
      ['null', 'not-a-number'],
      ['N/A', 'not-a-number'],
      ['1,234.50', 'thousands-separator'],
      ['1,234', 'thousands-separator'],
      ['12,5', 'decimal-comma'],
      ['0x1f', 'invalid'],
      ['abc', 'invalid'],
      ['1.2.3', 'invalid'],
      ['$12', 'invalid'],
      ['1e', 'invalid'],
      ['Infinity', 'not-a-number'],
    ];
    for (const [text, issue] of cases) {
      expect(parseNumberCell(text), text).toBeNaN();
      expect(lastNumberIssue, text).toBe(issue);
    }
  });

  it('equals Number() bit for bit on random decimals (fast and slow paths)', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (value) => {
        const text = String(value);
        expect(Object.is(parseNumberCell(text), Number(text))).toBe(true);
      }),
    );
    fc.assert(
      fc.property(fc.stringMatching(/^-?\d{1,18}(\.\d{1,18})?$/), (text) => {
        expect(Object.is(parseNumberCell(text), Number(text))).toBe(true);
      }),
    );
  });
});
