/**
 * Strict decimal parsing for price and volume cells. `Number()` alone would accept `""` (as 0),
 * `0x1f`, `Infinity` and `1_000`; a cell must be a plain decimal, optionally with an exponent.
 */

/** Why a cell is not a number; `undefined` when it parsed. */
export type NumberCellIssue = 'empty' | 'not-a-number' | 'thousands-separator' | 'decimal-comma' | 'invalid';

/** Parsed value of the last `parseNumberCell` call and, when NaN, why. Module-level: no allocation per cell. */
export let lastNumberIssue: NumberCellIssue | undefined;

const MISSING_MARKERS = new Set(['nan', 'na', 'n/a', 'null', 'none', '-', '#n/a', 'inf', '-inf', '+inf', 'infinity', '-infinity', '+infinity']);

const POWERS_OF_TEN = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** Parse a price or volume cell; NaN with `lastNumberIssue` set when it is not a plain decimal. */
export function parseNumberCell(text: string): number {
  let start = 0;
  let end = text.length;
  while (start < end && text.charCodeAt(start) <= 32) start++;
  while (end > start && text.charCodeAt(end - 1) <= 32) end--;
  if (start === end) {
    lastNumberIssue = 'empty';
    return Number.NaN;
  }
  let i = start;
  let code = text.charCodeAt(i);
  let negative = false;
  if (code === 43 || code === 45) {
    negative = code === 45;
    i++;
  }
  // Fast path (Clinger): up to 15 significant digits and no exponent. The mantissa and 10^k are exact
  // doubles and one IEEE division rounds correctly, so the result equals Number(text) bit for bit.
  let mantissa = 0;
  let digits = 0;
  let fractionDigits = 0;
  let dots = 0;
  let j = i;
  for (; j < end; j++) {
    code = text.charCodeAt(j);
    if (isDigit(code)) {
      mantissa = mantissa * 10 + (code - 48);
      digits++;
      if (dots > 0) fractionDigits++;
    } else if (code === 46 && dots === 0) {
      dots = 1;
    } else break;
  }
  if (j === end && digits > 0 && digits <= 15) {
    lastNumberIssue = undefined;
    const value = fractionDigits === 0 ? mantissa : mantissa / POWERS_OF_TEN[fractionDigits]!;
    return negative ? -value : value;
  }
  digits = 0;
  dots = 0;
  let commas = 0;
  let exponent = false;
  for (; i < end; i++) {
    code = text.charCodeAt(i);
    if (isDigit(code)) {
      digits++;
    } else if (code === 46 && !exponent) {
      dots++;
    } else if (code === 44 && !exponent) {
      commas++;
    } else if ((code === 101 || code === 69) && digits > 0 && !exponent) {
      exponent = true;
      const next = i + 1 < end ? text.charCodeAt(i + 1) : -1;
      if (next === 43 || next === 45) i++;
      if (i + 1 >= end || !isDigit(text.charCodeAt(i + 1))) return fail(text, start, end);
    } else {
      return fail(text, start, end);
    }
  }
  if (digits === 0 || dots > 1) return fail(text, start, end);
  if (commas > 0) {
    lastNumberIssue = dots > 0 || commas > 1 || /,\d{3}$/.test(text.slice(start, end)) ? 'thousands-separator' : 'decimal-comma';
    return Number.NaN;
  }
  lastNumberIssue = undefined;
  return Number(start === 0 && end === text.length ? text : text.slice(start, end));
}

function fail(text: string, start: number, end: number): number {
  lastNumberIssue = MISSING_MARKERS.has(text.slice(start, end).toLowerCase()) ? 'not-a-number' : 'invalid';
  return Number.NaN;
}

/** A human explanation of a number issue, for problem messages. */
export function describeNumberIssue(issue: NumberCellIssue): string {
  switch (issue) {
    case 'empty':
      return 'empty cell';
    case 'not-a-number':
      return 'not a number (missing-value marker)';
    case 'thousands-separator':
      return 'thousands separators are not supported; write plain decimals like 1234.5';
    case 'decimal-comma':
      return 'decimal commas are not supported; write a decimal point (1234.5)';
    case 'invalid':
      return 'not a number';
  }
}
