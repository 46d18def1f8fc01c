/**
 * Timestamp parsing and formatting. Every parser is hand-written over char codes: they run once per
 * row of every file loaded, and a regex per cell would dominate load time.
 *
 * Conventions: naive timestamps (no `Z`, no offset) are UTC; results are UTC epoch milliseconds;
 * NaN means "not a timestamp in this format".
 */
import { invalidArgument } from '../core/errors.js';

/** The timestamp layouts a file's date column may use. */
export type DateFormat =
  /** Year first: `2017-01-31`, `2017/01/31`, `2017-01-31T22:00:00.000Z`, `+01:00` offsets, `2019-10-17 09-AM`. */
  | 'iso'
  /** Day first: `31.01.2017`, `31/01/2017 22:00:00.000`, `31-01-2017`. */
  | 'day-first'
  /** Month first: `01/31/2017`, `1/31/2017 10:00 PM`. */
  | 'month-first'
  /** Unix epoch seconds (integers or decimals). */
  | 'unix-seconds'
  /** Unix epoch milliseconds. */
  | 'unix-milliseconds'
  /** Compact `20170131`. */
  | 'yyyymmdd';

export const DATE_FORMATS: readonly DateFormat[] = ['iso', 'day-first', 'month-first', 'unix-seconds', 'unix-milliseconds', 'yyyymmdd'];

const MS_PER_DAY = 86_400_000;
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

function validCalendarDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  if (day > DAYS_IN_MONTH[month - 1]!) return false;
  if (month === 2 && day === 29) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return true;
}

/** Cursor state shared by the small scanning helpers below (module-level to avoid allocation). */
let cursor = 0;

/** Read 1..maxDigits digits at `cursor`; -1 when there is none. */
function readInt(text: string, end: number, minDigits: number, maxDigits: number): number {
  let value = 0;
  let count = 0;
  while (cursor < end && count < maxDigits) {
    const code = text.charCodeAt(cursor);
    if (!isDigit(code)) break;
    value = value * 10 + (code - 48);
    cursor++;
    count++;
  }
  return count >= minDigits ? value : -1;
}

/**
 * Parse the optional time-of-day part starting at `cursor` (after the date), returning ms since
 * midnight UTC (offset applied) or NaN. Accepts `[T| ]HH[:MM[:SS[.fff]]]`, `HH-AM`, `HH:MM PM`,
 * and a trailing `Z`, `UTC`, `GMT`, `±HH:MM`, `±HHMM` or `±HH`.
 */
function parseTimeOfDay(text: string, end: number): number {
  if (cursor >= end) return 0;
  const separator = text.charCodeAt(cursor);
  if (separator !== 84 /* T */ && separator !== 32 /* space */ && separator !== 116 /* t */) return Number.NaN;
  while (cursor < end && text.charCodeAt(cursor) === 32) cursor++;
  if (separator !== 32) cursor++;
  let hour = readInt(text, end, 1, 2);
  if (hour < 0) return Number.NaN;
  let minute = 0;
  let second = 0;
  let millisecond = 0;
  let code = cursor < end ? text.charCodeAt(cursor) : -1;
  if (code === 58 /* : */) {
    cursor++;
    minute = readInt(text, end, 2, 2);
    if (minute < 0) return Number.NaN;
    code = cursor < end ? text.charCodeAt(cursor) : -1;
    if (code === 58) {
      cursor++;
      second = readInt(text, end, 2, 2);
      if (second < 0) return Number.NaN;
      code = cursor < end ? text.charCodeAt(cursor) : -1;
      if (code === 46 /* . */ || code === 44 /* , */) {
        cursor++;
        // Fractional seconds: keep milliseconds, ignore finer digits.
        let scale = 100;
        let digits = 0;
        while (cursor < end && isDigit(text.charCodeAt(cursor))) {
          if (scale >= 1) millisecond += (text.charCodeAt(cursor) - 48) * scale;
          scale /= 10;
          cursor++;
          digits++;
        }
        if (digits === 0) return Number.NaN;
      }
    }
  }
  // AM/PM, written `09-AM`, `09 AM`, `9:30PM`.
  let meridiem = 0;
  let look = cursor;
  if (look < end && (text.charCodeAt(look) === 45 /* - */ || text.charCodeAt(look) === 32)) look++;
  if (look + 1 < end) {
    const first = text.charCodeAt(look) | 32;
    const second2 = text.charCodeAt(look + 1) | 32;
    if ((first === 97 /* a */ || first === 112 /* p */) && second2 === 109 /* m */) {
      meridiem = first === 97 ? 1 : 2;
      cursor = look + 2;
    }
  }
  if (meridiem !== 0) {
    if (hour < 1 || hour > 12) return Number.NaN;
    if (hour === 12) hour = 0;
    if (meridiem === 2) hour += 12;
  }
  if (hour > 23 || minute > 59 || second > 59) return Number.NaN;
  let offsetMinutes = 0;
  while (cursor < end && text.charCodeAt(cursor) === 32) cursor++;
  if (cursor < end) {
    code = text.charCodeAt(cursor);
    if (code === 90 /* Z */ || code === 122) {
      cursor++;
    } else if (code === 85 /* U */ || code === 71 /* G */) {
      const zone = text.slice(cursor, cursor + 3).toUpperCase();
      if (zone !== 'UTC' && zone !== 'GMT') return Number.NaN;
      cursor += 3;
    } else if (code === 43 /* + */ || code === 45 /* - */) {
      cursor++;
      const offsetHour = readInt(text, end, 2, 2);
      if (offsetHour < 0) return Number.NaN;
      let offsetMinute = 0;
      if (cursor < end && text.charCodeAt(cursor) === 58) cursor++;
      if (cursor < end) {
        offsetMinute = readInt(text, end, 2, 2);
        if (offsetMinute < 0) return Number.NaN;
      }
      if (offsetHour > 23 || offsetMinute > 59) return Number.NaN;
      offsetMinutes = (code === 43 ? 1 : -1) * (offsetHour * 60 + offsetMinute);
    }
  }
  if (cursor !== end) return Number.NaN;
  return ((hour * 60 + minute - offsetMinutes) * 60 + second) * 1000 + millisecond;
}

function trimBounds(text: string): [number, number] {
  let start = 0;
  let end = text.length;
  while (start < end && text.charCodeAt(start) <= 32) start++;
  while (end > start && text.charCodeAt(end - 1) <= 32) end--;
  return [start, end];
}

/** Year-first date with `-`, `/` or `.` separators and an optional time. */
function parseYearFirst(text: string): number {
  const [start, end] = trimBounds(text);
  cursor = start;
  const year = readInt(text, end, 4, 4);
  if (year < 0 || cursor >= end) return Number.NaN;
  const separator = text.charCodeAt(cursor);
  if (separator !== 45 && separator !== 47 && separator !== 46) return Number.NaN;
  cursor++;
  const month = readInt(text, end, 1, 2);
  if (month < 0 || cursor >= end || text.charCodeAt(cursor) !== separator) return Number.NaN;
  cursor++;
  const day = readInt(text, end, 1, 2);
  if (day < 0 || !validCalendarDate(year, month, day)) return Number.NaN;
  const timeOfDay = parseTimeOfDay(text, end);
  if (Number.isNaN(timeOfDay)) return Number.NaN;
  return Date.UTC(year, month - 1, day) + timeOfDay;
}

/** `dd.mm.yyyy` / `mm/dd/yyyy` style dates: the two leading fields in the given order. */
function parseTwoFieldFirst(text: string, dayFirst: boolean): number {
  const [start, end] = trimBounds(text);
  cursor = start;
  const first = readInt(text, end, 1, 2);
  if (first < 0 || cursor >= end) return Number.NaN;
  const separator = text.charCodeAt(cursor);
  if (separator !== 45 && separator !== 47 && separator !== 46) return Number.NaN;
  cursor++;
  const second = readInt(text, end, 1, 2);
  if (second < 0 || cursor >= end || text.charCodeAt(cursor) !== separator) return Number.NaN;
  cursor++;
  const year = readInt(text, end, 4, 4);
  if (year < 0) return Number.NaN;
  const day = dayFirst ? first : second;
  const month = dayFirst ? second : first;
  if (!validCalendarDate(year, month, day)) return Number.NaN;
  const timeOfDay = parseTimeOfDay(text, end);
  if (Number.isNaN(timeOfDay)) return Number.NaN;
  return Date.UTC(year, month - 1, day) + timeOfDay;
}

/** A plain unsigned decimal number (digits, optional fraction); NaN otherwise. */
function parsePlainNumber(text: string): number {
  const [start, end] = trimBounds(text);
  if (start === end) return Number.NaN;
  let dots = 0;
  for (let i = start; i < end; i++) {
    const code = text.charCodeAt(i);
    if (code === 46) dots++;
    else if (!isDigit(code)) return Number.NaN;
  }
  if (dots > 1) return Number.NaN;
  return Number(text.slice(start, end));
}

function parseCompact(text: string): number {
  const [start, end] = trimBounds(text);
  if (end - start !== 8) return Number.NaN;
  cursor = start;
  const year = readInt(text, end, 4, 4);
  const month = readInt(text, end, 2, 2);
  const day = readInt(text, end, 2, 2);
  if (year < 0 || month < 0 || day < 0 || !validCalendarDate(year, month, day)) return Number.NaN;
  return Date.UTC(year, month - 1, day);
}

/** Parse one timestamp text in a known format; NaN when it does not match. */
export function parseTimestamp(text: string, format: DateFormat): number {
  switch (format) {
    case 'iso':
      return parseYearFirst(text);
    case 'day-first':
      return parseTwoFieldFirst(text, true);
    case 'month-first':
      return parseTwoFieldFirst(text, false);
    case 'unix-seconds': {
      const value = parsePlainNumber(text);
      return Number.isNaN(value) ? value : Math.round(value * 1000);
    }
    case 'unix-milliseconds':
      return parsePlainNumber(text);
    case 'yyyymmdd':
      return parseCompact(text);
  }
}

/** What `detectDateFormat` decided, and why when a choice was made between readings. */
export interface DateFormatDetection {
  format: DateFormat;
  /** Set when the samples fit several formats and one was chosen (e.g. day-first over month-first). */
  note?: string;
}

/**
 * Pick the format that parses the most non-empty samples (cells that fit no format are reported one
 * by one later). Day-first versus month-first is decided by a field above 12; when every sample is
 * ambiguous, by which reading keeps the rows in order (a real series is monotonic); dotted dates then
 * default to day-first (the European convention that writes them). Returns undefined when nothing
 * fits or the order stays ambiguous.
 */
export function detectDateFormat(samples: readonly string[]): DateFormatDetection | undefined {
  const values = samples.filter((sample) => sample.trim() !== '');
  if (values.length === 0) return undefined;
  const count = (parse: (value: string) => number): number => values.reduce((n, value) => n + (Number.isNaN(parse(value)) ? 0 : 1), 0);
  const isoCount = count((value) => parseTimestamp(value, 'iso'));
  const numericCount = count(parsePlainNumber);
  const dayCount = count((value) => parseTimestamp(value, 'day-first'));
  const monthCount = count((value) => parseTimestamp(value, 'month-first'));
  const best = Math.max(isoCount, numericCount, dayCount, monthCount);
  if (best === 0) return undefined;
  if (isoCount === best) return { format: 'iso' };
  if (numericCount === best) {
    const compactCount = count((value) => (/^\s*\d{8}\s*$/.test(value) ? parseCompact(value) : Number.NaN));
    if (compactCount === numericCount) return { format: 'yyyymmdd', note: 'eight-digit dates read as YYYYMMDD' };
    // Seconds until year 5138 stay below 1e11; milliseconds since 1973 are above it.
    let largest = 0;
    for (const value of values) largest = Math.max(largest, parsePlainNumber(value) || 0);
    if (largest >= 1e11) return { format: 'unix-milliseconds', note: 'numeric timestamps read as unix milliseconds' };
    return { format: 'unix-seconds', note: 'numeric timestamps read as unix seconds' };
  }
  if (dayCount === best && monthCount !== best) return { format: 'day-first' };
  if (monthCount === best && dayCount !== best) return { format: 'month-first' };
  const monotonic = (format: DateFormat): boolean => {
    let ascending = 0;
    let descending = 0;
    let previous = Number.NaN;
    for (const value of values) {
      const current = parseTimestamp(value, format);
      if (Number.isNaN(current)) continue;
      if (current > previous) ascending++;
      else if (current < previous) descending++;
      previous = current;
    }
    return ascending === 0 || descending === 0;
  };
  const dayFirstOrdered = monotonic('day-first');
  const monthFirstOrdered = monotonic('month-first');
  if (dayFirstOrdered && !monthFirstOrdered) return { format: 'day-first', note: 'ambiguous dates read day-first: only that reading keeps the rows in order' };
  if (monthFirstOrdered && !dayFirstOrdered) return { format: 'month-first', note: 'ambiguous dates read month-first: only that reading keeps the rows in order' };
  if (values.every((value) => value.includes('.'))) return { format: 'day-first', note: 'ambiguous dotted dates read day-first (dd.mm.yyyy)' };
  return undefined;
}

/** UTC date `YYYY-MM-DD` of an epoch-ms timestamp. */
export function toIsoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** `YYYY-MM-DD` when the timestamp is midnight UTC, else the full ISO form `YYYY-MM-DDTHH:MM:SS.sssZ`. */
export function formatTimestamp(ms: number): string {
  return ms % MS_PER_DAY === 0 ? toIsoDate(ms) : new Date(ms).toISOString();
}

/**
 * Parse a date given by a user (option or CLI flag): epoch ms as a number, or text in any year-first
 * form (`2011-02-17`, `2011-02-17T10:00:00Z`). Throws INVALID_ARGUMENT naming the value.
 */
export function parseDate(value: string | number | Date, what = 'date'): number {
  if (value instanceof Date) value = value.getTime();
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw invalidArgument(`${what} ${value} is not a finite epoch-millisecond timestamp`);
    return value;
  }
  const ms = parseTimestamp(value, 'iso');
  if (Number.isNaN(ms)) throw invalidArgument(`${what} "${value}" is not a date (expected YYYY-MM-DD or an ISO datetime)`);
  return ms;
}

/**
 * The last millisecond a user's inclusive end date covers: a date-only text (`2017-11-10`) covers its
 * whole day, anything else is taken as the exact instant.
 */
export function parseEndDate(value: string | number | Date, what = 'end date'): number {
  const ms = parseDate(value, what);
  if (typeof value === 'string' && /^\s*\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\s*$/.test(value)) return ms + MS_PER_DAY - 1;
  return ms;
}
