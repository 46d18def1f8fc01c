import { describe, expect, it } from 'vitest';
import { GrpoTraderError, formatLocation } from './errors.js';

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
});
