import { describe, expect, it } from 'vitest';
import { EXCERPT_LENGTH, GrpoTraderError, excerpt, formatLocation } from './errors.js';

describe('errors', () => {
  it('formats a location as file:line: field = "value"', () => {
    expect(formatLocation({ file: 'a.csv', line: 12, field: 'close', value: 'abc' })).toBe('a.csv:12: field close = "abc"');
    expect(formatLocation({ line: 3 })).toBe('line 3');
    expect(formatLocation(undefined)).toBe('');
  });

  it('carries a stable code', () => {
    const error = new GrpoTraderError('INVALID_DATA', 'bad');
    expect(error.code).toBe('INVALID_DATA');
    expect(error).toBeInstanceOf(Error);
  });

  it('quotes at most a short, printable excerpt of content: line breaks as spaces, control and undecodable bytes as ?', () => {
    expect(excerpt('a,b\r\n1,2')).toBe('a,b  1,2');
    expect(excerpt('\u0000\u0007x\ufffdy')).toBe('??x?y');
    const long = 'x'.repeat(10_000);
    expect(excerpt(long)).toBe(`${'x'.repeat(EXCERPT_LENGTH)}…`);
    // A cut never leaves half a surrogate pair.
    expect(excerpt(`${'x'.repeat(EXCERPT_LENGTH - 1)}😀😀`)).toBe(`${'x'.repeat(EXCERPT_LENGTH - 1)}…`);
    expect(formatLocation({ file: 'f.yaml', value: long })).toBe(`f.yaml = "${'x'.repeat(EXCERPT_LENGTH)}…"`);
  });
});

