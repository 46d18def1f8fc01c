import { describe, expect, it } from 'vitest';
import { detectDelimiter, normalizeCsvText, tokenizeCsv } from './csv-tokenizer.js';

describe('tokenizeCsv', () => {
  it('splits plain lines and numbers records by their first line', () => {
    const { records, lines } = tokenizeCsv('a,b,c\n1,2,3\n\n4,5,6\n', ',');
    expect(records).toEqual([['a', 'b', 'c'], ['1', '2', '3'], ['4', '5', '6']]);
    expect(lines).toEqual([1, 2, 4]);
  });

  it('handles CRLF, quotes, escaped quotes and newlines inside quotes', () => {
    const text = 'a,b\r\n"x,1","say ""hi"""\r\n"two\nlines",3\r\n5,6\r\n';
    const { records, lines } = tokenizeCsv(text, ',');
    expect(records).toEqual([['a', 'b'], ['x,1', 'say "hi"'], ['two\nlines', '3'], ['5', '6']]);
    expect(lines).toEqual([1, 2, 3, 5]);
  });

  it('skips lines that hold only delimiters or spaces and counts them', () => {
    const { records, blankLines } = tokenizeCsv('a;b\n1;2\n;\n  \n', ';');
    expect(records).toEqual([['a', 'b'], ['1', '2']]);
    expect(blankLines).toBe(2);
  });

  it('reports where an unterminated quote opened', () => {
    const result = tokenizeCsv('a,b\n1,"oops\n2,3\n', ',');
    expect(result.unterminatedQuoteLine).toBe(2);
  });

  it('strips a byte-order mark and reads old-Mac line ends', () => {
    expect(normalizeCsvText('\ufeffa,b\n')).toBe('a,b\n');
    expect(normalizeCsvText('a,b\r1,2\r')).toBe('a,b\n1,2\n');
  });
});

describe('detectDelimiter', () => {
  it('picks the delimiter most lines agree on, despite a banner line', () => {
    expect(detectDelimiter('Banner,http://x\ndate,open,high,low,close\n2017-01-01,1,2,0.5,1\n')).toBe(',');
    expect(detectDelimiter('date;open;high;low;close;volume\n2017-01-01;1,5;2;1;1,5;10\n2017-01-02;1,5;2;1;1,5;10\n')).toBe(';');
    expect(detectDelimiter('date\topen\thigh\n2017-01-01\t1\t2\n')).toBe('\t');
  });
});
