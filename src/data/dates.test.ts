import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { detectDateFormat, formatTimestamp, parseDate, parseEndDate, parseTimestamp, toIsoDate } from './dates.js';
import { GrpoTraderError } from '../core/errors.js';

describe('parseTimestamp', () => {
  it('reads ISO dates and datetimes as UTC, applying offsets', () => {
    expect(parseTimestamp('2017-01-31', 'iso')).toBe(Date.UTC(2017, 0, 31));
    expect(parseTimestamp('2017-07-01T11:00:00Z', 'iso')).toBe(Date.UTC(2017, 6, 1, 11));
    expect(parseTimestamp('2017-07-01 11:00:00', 'iso')).toBe(Date.UTC(2017, 6, 1, 11));
    expect(parseTimestamp('2017-07-01T11:30:15.250', 'iso')).toBe(Date.UTC(2017, 6, 1, 11, 30, 15, 250));
    expect(parseTimestamp('2017-07-01T11:00:00+02:00', 'iso')).toBe(Date.UTC(2017, 6, 1, 9));
    expect(parseTimestamp('2017-07-01T11:00:00-0530', 'iso')).toBe(Date.UTC(2017, 6, 1, 16, 30));
    expect(parseTimestamp('2017/07/01', 'iso')).toBe(Date.UTC(2017, 6, 1));
    expect(parseTimestamp('  2017-07-01  ', 'iso')).toBe(Date.UTC(2017, 6, 1));
  });

  it('reads CryptoDataDownload hours like 2019-10-17 09-AM and 12-PM', () => {
    expect(parseTimestamp('2019-10-17 09-AM', 'iso')).toBe(Date.UTC(2019, 9, 17, 9));
    expect(parseTimestamp('2019-10-17 12-AM', 'iso')).toBe(Date.UTC(2019, 9, 17, 0));
    expect(parseTimestamp('2019-10-17 12-PM', 'iso')).toBe(Date.UTC(2019, 9, 17, 12));
    expect(parseTimestamp('2019-10-17 01-PM', 'iso')).toBe(Date.UTC(2019, 9, 17, 13));
    expect(parseTimestamp('2019-10-17 9:30 PM', 'iso')).toBe(Date.UTC(2019, 9, 17, 21, 30));
  });

  it('reads day-first and month-first dates', () => {
    expect(parseTimestamp('01.02.2017 22:00:00.000', 'day-first')).toBe(Date.UTC(2017, 1, 1, 22));
    expect(parseTimestamp('31/12/2017', 'day-first')).toBe(Date.UTC(2017, 11, 31));
    expect(parseTimestamp('12/31/2017', 'month-first')).toBe(Date.UTC(2017, 11, 31));
    expect(parseTimestamp('12/31/2017', 'day-first')).toBeNaN();
  });

  it('reads unix seconds, milliseconds and YYYYMMDD', () => {
    expect(parseTimestamp('1500000000', 'unix-seconds')).toBe(1_500_000_000_000);
    expect(parseTimestamp('1500000000123', 'unix-milliseconds')).toBe(1_500_000_000_123);
    expect(parseTimestamp('20170131', 'yyyymmdd')).toBe(Date.UTC(2017, 0, 31));
  });

  it('rejects impossible dates and stray text', () => {
    for (const text of ['2017-02-29', '2016-13-01', '2017-04-31', '2017-01-01T24:00', '2017-01-01x', '', 'yesterday', '2017-01-01 13-PM']) {
      expect(parseTimestamp(text, 'iso'), text).toBeNaN();
    }
    expect(parseTimestamp('2016-02-29', 'iso')).toBe(Date.UTC(2016, 1, 29));
  });

  it('agrees with Date.parse on random ISO datetimes with offsets', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1900-01-01'), max: new Date('2200-01-01'), noInvalidDate: true }), fc.integer({ min: -12 * 60, max: 14 * 60 }), (date, offsetMinutes) => {
        const iso = date.toISOString(); // ...Z
        expect(parseTimestamp(iso, 'iso')).toBe(date.getTime());
        const sign = offsetMinutes < 0 ? '-' : '+';
        const absolute = Math.abs(offsetMinutes);
        const offset = `${sign}${String(Math.floor(absolute / 60)).padStart(2, '0')}:${String(absolute % 60).padStart(2, '0')}`;
        const withOffset = iso.slice(0, -1) + offset;
        expect(parseTimestamp(withOffset, 'iso')).toBe(Date.parse(withOffset));
      }),
    );
  });
});

describe('detectDateFormat', () => {
  it('recognises each dialect', () => {
    expect(detectDateFormat(['2017-01-01', '2017-01-02'])?.format).toBe('iso');
    expect(detectDateFormat(['01.01.2017 22:00:00.000', '13.01.2017 22:00:00.000'])?.format).toBe('day-first');
    expect(detectDateFormat(['01/13/2017', '01/14/2017'])?.format).toBe('month-first');
    expect(detectDateFormat(['1500000000', '1500003600'])?.format).toBe('unix-seconds');
    expect(detectDateFormat(['1500000000000', '1500003600000'])?.format).toBe('unix-milliseconds');
    expect(detectDateFormat(['20170103', '20170104'])?.format).toBe('yyyymmdd');
  });

  it('settles ambiguous slashed dates by which reading keeps the rows in order', () => {
    // 01/02 .. 01/03 .. 02/01: month-first is Jan 2, Jan 3, Feb 1 (ordered); day-first is Feb 1, Mar 1, Jan 2 (not).
    expect(detectDateFormat(['01/02/2017', '01/03/2017', '02/01/2017'])?.format).toBe('month-first');
    expect(detectDateFormat(['02/01/2017', '03/01/2017', '01/02/2017'])?.format).toBe('day-first');
  });

  it('gives up on a single ambiguous slashed date rather than guess', () => {
    expect(detectDateFormat(['01/02/2017'])).toBeUndefined();
    expect(detectDateFormat(['hello', 'world'])).toBeUndefined();
  });
});

describe('date helpers', () => {
  it('formats midnight as a date and anything else as a full ISO datetime', () => {
    expect(toIsoDate(Date.UTC(2011, 1, 17, 15))).toBe('2011-02-17');
    expect(formatTimestamp(Date.UTC(2011, 1, 17))).toBe('2011-02-17');
    expect(formatTimestamp(Date.UTC(2011, 1, 17, 15))).toBe('2011-02-17T15:00:00.000Z');
  });

  it('parses user dates and names a bad one', () => {
    expect(parseDate('2011-02-17')).toBe(Date.UTC(2011, 1, 17));
    expect(parseDate(123)).toBe(123);
    expect(parseEndDate('2011-02-17')).toBe(Date.UTC(2011, 1, 18) - 1);
    expect(parseEndDate('2011-02-17T10:00:00Z')).toBe(Date.UTC(2011, 1, 17, 10));
    expect(() => parseDate('17/02/2011', 'trainEnd')).toThrow(GrpoTraderError);
    expect(() => parseDate('17/02/2011', 'trainEnd')).toThrow(/trainEnd "17\/02\/2011"/);
  });
});
