/** Every validation problem on a small hand-written CSV, located by file, line, field and value; and the repairs. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { inspectOhlcvCsv, parseOhlcvCsv } from './parse-ohlcv-csv.js';
import { GrpoTraderError } from '../core/errors.js';
import type { Problem } from './validation-report.js';

const HEADER = 'date,open,high,low,close,volume';

function inspect(lines: string[], options: Parameters<typeof inspectOhlcvCsv>[1] = {}) {
  return inspectOhlcvCsv(lines.join('\n') + '\n', { file: 'bad.csv', ...options });
}

/** The located part of each problem, for exact comparison. */
function located(problems: Problem[]): Array<[string, number | undefined, string | undefined, string | undefined]> {
  return problems.map((problem) => [problem.kind, problem.line, problem.field, problem.value]);
}

describe('validation names every problem', () => {
  it('accepts a clean file and builds the series', () => {
    const report = inspect([HEADER, '2020-01-02,10,11,9,10.5,100', '2020-01-03,10.5,12,10,11,0']);
    expect(report.problems).toEqual([]);
    expect(report.series!.close).toEqual(new Float64Array([10.5, 11]));
    expect(report.warnings).toEqual([expect.objectContaining({ kind: 'zero-volume', count: 1, lines: [3], dates: ['2020-01-03'] })]);
  });

  it('reports a missing column with the header it found', () => {
    const report = inspect(['date,open,high,close,volume', '2020-01-02,10,11,10.5,100']);
    expect(located(report.problems)).toEqual([['missing-column', 1, 'low', undefined]]);
    expect(report.problems[0]!.message).toContain('date, open, high, close, volume');
    expect(report.series).toBeUndefined();
  });

  it('collects every bad cell and impossible bar, not only the first', () => {
    const report = inspect([
      HEADER,
      '2020-01-02,10,11,9,10.5,100', // line 2: fine
      '2020-01-03,abc,11,9,10,100', // line 3: open not a number
      '2020-01-06,10,11,9,,100', // line 4: empty close
      '2020-01-07,10,11,9,NaN,100', // line 5: NaN close
      'not-a-date,10,11,9,10,100', // line 6: date
      '2020-01-09,0,11,9,10,100', // line 7: open 0 (non-positive, and outside [9, 11])
      '2020-01-10,10,8,9,8.5,100', // line 8: high below low
      '2020-01-13,12,11,9,10,100', // line 9: open above high
      '2020-01-14,10,11,9,8,100', // line 10: close below low
      '2020-01-15,10,11,9,10,-5', // line 11: negative volume
      '2020-01-16,10,11,9,10', // line 12: a cell short
      '2020-01-17,"1,234.5",1300,1200,1250,100', // line 13: thousands separator
    ]);
    expect(located(report.problems)).toEqual([
      ['unparsable-number', 3, 'open', 'abc'],
      ['empty-cell', 4, 'close', ''],
      ['not-a-number', 5, 'close', 'NaN'],
      ['unparsable-date', 6, 'date', 'not-a-date'],
      ['non-positive-price', 7, 'open', '0'],
      ['open-outside-range', 7, 'open', '0'],
      ['high-below-low', 8, 'high', '8'],
      ['open-outside-range', 9, 'open', '12'],
      ['close-outside-range', 10, 'close', '8'],
      ['negative-volume', 11, 'volume', '-5'],
      ['wrong-cell-count', 12, undefined, undefined],
      ['unparsable-number', 13, 'open', '1,234.5'],
    ]);
    expect(report.problems.every((problem) => problem.file === 'bad.csv')).toBe(true);
    expect(report.problems.find((problem) => problem.line === 13)!.message).toMatch(/thousands separators are not supported/);
  });

  it('reports repeated timestamps against the line they repeat', () => {
    const report = inspect([HEADER, '2020-01-02,10,11,9,10,1', '2020-01-03,10,11,9,10,2', '2020-01-03,10,11,9,10.5,3', '2020-01-06,10,11,9,10,4']);
    expect(located(report.problems)).toEqual([['duplicate-timestamp', 4, 'date', '2020-01-03']]);
    expect(report.problems[0]!.message).toBe('duplicate timestamp, already on line 3');
  });

  it('reports rows out of order in a mixed file but reverses a clean newest-first file', () => {
    const mixed = inspect([HEADER, '2020-01-02,10,11,9,10,1', '2020-01-06,10,11,9,10,2', '2020-01-03,10,11,9,10,3', '2020-01-07,10,11,9,10,4']);
    expect(located(mixed.problems)).toEqual([['unsorted-timestamp', 4, 'date', '2020-01-03']]);
    expect(mixed.dialect.order).toBe('mixed');

    const newestFirst = inspect([HEADER, '2020-01-07,10,11,9,10,4', '2020-01-06,10,11,9,10,3', '2020-01-03,10,11,9,10,2']);
    expect(newestFirst.problems).toEqual([]);
    expect(newestFirst.dialect.order).toBe('newest-first');
    expect(Array.from(newestFirst.series!.volume)).toEqual([2, 3, 4]);
    expect(newestFirst.warnings.map((warning) => warning.kind)).toContain('newest-first');
  });

  it('throws one line naming the first problem and counting the rest, with all of them in details', () => {
    const text = [HEADER, '2020-01-02,10,11,9,x,1', '2020-01-03,10,8,9,8.5,2', '2020-01-06,10,11,9,10,-1'].join('\n');
    let caught: unknown;
    try {
      parseOhlcvCsv(text, { file: 'bad.csv' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(GrpoTraderError);
    const error = caught as GrpoTraderError;
    expect(error.code).toBe('INVALID_DATA');
    expect(error.message).toBe('bad.csv:2: close "x": not a number (and 2 more problems)');
    expect(error.message).not.toContain('\n');
    expect((error.details as { problems: Problem[] }).problems).toHaveLength(3);
  });

  it('refuses an empty file and a file without a header', () => {
    expect(located(inspect([]).problems)).toEqual([['no-rows', undefined, undefined, undefined]]);
    expect(inspect([HEADER]).problems.map((problem) => problem.kind)).toEqual(['no-rows']);
    expect(inspect(['foo,bar,baz', '1,2,3']).problems.map((problem) => problem.kind)).toEqual(['no-header']);
    const unterminated = inspect([HEADER, '2020-01-02,10,11,9,10,1', '2020-01-03,"10,11,9,10,2']);
    expect(located(unterminated.problems)[0]).toEqual(['unterminated-quote', 3, undefined, undefined]);
  });

  it('refuses decimal commas in a semicolon file clearly', () => {
    const report = inspect(['date;open;high;low;close;volume', '2020-01-02;10,5;11;9;10;100']);
    expect(located(report.problems)).toEqual([['unparsable-number', 2, 'open', '10,5']]);
    expect(report.problems[0]!.message).toMatch(/decimal commas are not supported/);
  });
});

describe('repairs are explicit and reported', () => {
  const messy = [
    HEADER,
    '2020-01-02,10,11,9,10,1', // 2
    '2020-01-06,10,11,9,10,2', // 3
    '2020-01-03,10,11,9,10,3', // 4 out of order
    '2020-01-06,10,11,9,10.5,4', // 5 duplicate of line 3
    '2020-01-07,10,8,9,8.5,5', // 6 high below low
    '2020-01-08,10,11,9,10,6', // 7
  ];

  it('sort, dropDuplicates and dropInvalidRows together give a clean series and say what they did', () => {
    const report = inspect(messy, { repair: { sort: true, dropDuplicates: 'first', dropInvalidRows: true } });
    expect(report.problems).toEqual([]);
    expect(report.repairs.map((repair) => [repair.kind, repair.lines])).toEqual([
      ['drop-invalid-rows', [6]],
      ['sort', [4]],
      ['drop-duplicates', [5]],
    ]);
    const series = report.series!;
    expect(Array.from(series.time)).toEqual([Date.UTC(2020, 0, 2), Date.UTC(2020, 0, 3), Date.UTC(2020, 0, 6), Date.UTC(2020, 0, 8)]);
    expect(Array.from(series.volume)).toEqual([1, 3, 2, 6]);
  });

  it("dropDuplicates 'last' keeps the later line", () => {
    const report = inspect(messy, { repair: { sort: true, dropDuplicates: 'last', dropInvalidRows: true } });
    expect(report.repairs.find((repair) => repair.kind === 'drop-duplicates')!.lines).toEqual([3]);
    expect(Array.from(report.series!.volume)).toEqual([1, 3, 4, 6]);
  });

  it('a partial repair leaves the other problems in place', () => {
    const report = inspect(messy, { repair: { dropInvalidRows: true } });
    expect(report.problems.map((problem) => [problem.kind, problem.line])).toEqual([
      ['unsorted-timestamp', 4],
      ['duplicate-timestamp', 5],
    ]);
    expect(report.series).toBeUndefined();
  });

  it('dropInvalidRows cannot invent a missing column', () => {
    const report = inspect(['date,open,high,low,close', '2020-01-02,10,11,9,10'], { repair: { dropInvalidRows: true } });
    expect(report.problems.map((problem) => problem.kind)).toEqual(['missing-column']);
    const zero = inspect(['date,open,high,low,close', '2020-01-02,10,11,9,10'], { missingVolume: 'zero' });
    expect(zero.problems).toEqual([]);
    expect(Array.from(zero.series!.volume)).toEqual([0]);
  });
});

describe('dialects and overrides', () => {
  it('reads BOM, CRLF, quoted numbers, extra columns, mixed-case aliases and trailing blank lines', () => {
    const text = '\ufeff"Datetime";"OPEN";"High";"Low";"Close";"Vol";"Note"\r\n"2020-01-02 10:00";"10";"11";"9";"10.5";"100";"x"\r\n\r\n\r\n';
    const report = inspectOhlcvCsv(text, { file: 'quoted.csv' });
    expect(report.problems).toEqual([]);
    expect(report.dialect.delimiter).toBe(';');
    expect(report.series!.time[0]).toBe(Date.UTC(2020, 0, 2, 10));
    expect(report.series!.close[0]).toBe(10.5);
    expect(report.series!.volume[0]).toBe(100);
    expect(report.symbol).toBe('quoted');
  });

  it('reads tab-separated unix seconds and headerless files', () => {
    const tabbed = inspectOhlcvCsv('unix\topen\thigh\tlow\tclose\tvolume\n1577923200\t1\t2\t0.5\t1.5\t7\n', { file: 't.tsv' });
    expect(tabbed.problems).toEqual([]);
    expect(tabbed.series!.time[0]).toBe(Date.UTC(2020, 0, 2));
    const headerless = inspectOhlcvCsv('2020-01-02,1,2,0.5,1.5,7\n2020-01-03,1,2,0.5,1.5,8\n', { file: 'h.csv' });
    expect(headerless.problems).toEqual([]);
    expect(headerless.dialect.headerLine).toBe(0);
    expect(Array.from(headerless.series!.volume)).toEqual([7, 8]);
  });

  it('reads headerless Binance klines (unix ms, twelve columns)', () => {
    const text = '1577836800000,7195.24,7196.25,7183.14,7186.68,51.642812,1577836859999,371233.89,493,19.24,138.3,0\n1577836860000,7187.67,7188.06,7182.78,7184.03,7.248148,1577836919999,52080.87,135,2.58,18.57,0\n';
    const report = inspectOhlcvCsv(text, { file: 'BTCUSDT-1m-2020-01-01.csv' });
    expect(report.problems).toEqual([]);
    expect(report.dialect.dateFormat).toBe('unix-milliseconds');
    expect(Array.from(report.series!.time)).toEqual([Date.UTC(2020, 0, 1, 0, 0), Date.UTC(2020, 0, 1, 0, 1)]);
    expect(Array.from(report.series!.volume)).toEqual([51.642812, 7.248148]);
  });

  it('honours explicit column names, dayFirst and delimiter', () => {
    const text = 'when|o|hi|lo|px|qty\n01/02/2020|1|2|0.5|1.5|7\n';
    const report = inspectOhlcvCsv(text, {
      file: 'custom.csv',
      delimiter: '|',
      dayFirst: true,
      columns: { time: 'WHEN', open: 'o', high: 'hi', low: 'lo', close: 'px', volume: 'qty' },
    });
    expect(report.problems).toEqual([]);
    expect(report.series!.time[0]).toBe(Date.UTC(2020, 1, 1));
    const monthFirst = inspectOhlcvCsv(text, { file: 'custom.csv', dayFirst: false, columns: { time: 'when', high: 'hi', low: 'lo', close: 'px', volume: 'qty' } });
    expect(monthFirst.series!.time[0]).toBe(Date.UTC(2020, 0, 2));
  });

  it('joins MetaTrader-style separate date and time columns', () => {
    const report = inspectOhlcvCsv('<DATE>,<TIME>,<OPEN>,<HIGH>,<LOW>,<CLOSE>,<VOL>\n2017.01.02,00:00,1.05,1.06,1.04,1.055,10\n2017.01.02,01:00,1.055,1.06,1.05,1.058,12\n', { file: 'mt4.csv' });
    expect(report.problems).toEqual([]);
    expect(report.dialect.columns.date).toBe('<DATE> + <TIME>');
    expect(Array.from(report.series!.time)).toEqual([Date.UTC(2017, 0, 2, 0), Date.UTC(2017, 0, 2, 1)]);
  });

  it('reads the unnamed date column pandas writes for an unnamed index', () => {
    const report = inspectOhlcvCsv(',Open,High,Low,Close,Volume\n2020-01-02 00:00:00+00:00,1,2,0.5,1.5,7\n', { file: 'pandas.csv' });
    expect(report.problems).toEqual([]);
    expect(report.series!.time[0]).toBe(Date.UTC(2020, 0, 2));
    expect(report.warnings.map((warning) => warning.kind)).toContain('unnamed-date-column');
  });

  it('names a requested column that is not there', () => {
    const report = inspectOhlcvCsv(`${HEADER}\n2020-01-02,1,2,0.5,1.5,7\n`, { file: 'x.csv', volumeColumn: 'volume_usd' });
    expect(located(report.problems)).toEqual([['missing-column', 1, 'volume', 'volume_usd']]);
  });

  it('refuses invalid options as INVALID_ARGUMENT naming the option', () => {
    const text = `${HEADER}\n2020-01-02,1,2,0.5,1.5,7\n`;
    expect(() => inspectOhlcvCsv(text, { dateFormat: 'dd/mm' as never })).toThrow(/dateFormat "dd\/mm"/);
    expect(() => inspectOhlcvCsv(text, { delimiter: ';;' })).toThrow(/delimiter/);
    expect(() => inspectOhlcvCsv(text, { repair: { dropDuplicates: 'middle' as never } })).toThrow(/dropDuplicates/);
    expect(() => inspectOhlcvCsv(text, { dateFormat: 'iso', dayFirst: true })).toThrow(/not both/);
  });

  it('refuses ambiguous slashed dates it cannot settle, asking for dayFirst', () => {
    const report = inspectOhlcvCsv(`${HEADER}\n01/02/2020,1,2,0.5,1.5,7\n`, { file: 'x.csv' });
    expect(located(report.problems)).toEqual([['unparsable-date', 2, 'date', '01/02/2020']]);
    expect(report.problems[0]!.message).toMatch(/dayFirst/);
  });
});

describe('robustness (property)', () => {
  it('never throws on arbitrary CSV-like text, and whatever loads is a valid series', () => {
    const cell = fc.oneof(
      fc.constantFrom('date', 'open', 'high', 'low', 'close', 'volume', 'Adj Close', '', 'NaN', '"1,5"', '-1', '0'),
      fc.integer({ min: 0, max: 3000 }).map((day) => new Date(Date.UTC(2015, 0, 1) + day * 86_400_000).toISOString().slice(0, 10)),
      fc.double({ min: -5, max: 200, noNaN: true }).map(String),
      fc.string({ maxLength: 6 }),
    );
    const line = fc.array(cell, { minLength: 0, maxLength: 8 }).map((cells) => cells.join(','));
    const text = fc
      .tuple(fc.boolean(), fc.array(line, { maxLength: 12 }), fc.constantFrom('\n', '\r\n'))
      .map(([header, lines, newline]) => (header ? [HEADER, ...lines] : lines).join(newline));
    fc.assert(
      fc.property(text, (csv) => {
        const report = inspectOhlcvCsv(csv, { file: 'fuzz.csv' });
        if (report.series) {
          expect(report.problems).toEqual([]);
          const { time, open, high, low, close, volume } = report.series;
          for (let i = 0; i < time.length; i++) {
            if (i > 0) expect(time[i]!).toBeGreaterThan(time[i - 1]!);
            expect(low[i]!).toBeGreaterThan(0);
            expect(high[i]!).toBeGreaterThanOrEqual(low[i]!);
            expect(open[i]! >= low[i]! && open[i]! <= high[i]!).toBe(true);
            expect(close[i]! >= low[i]! && close[i]! <= high[i]!).toBe(true);
            expect(volume[i]!).toBeGreaterThanOrEqual(0);
          }
        } else {
          expect(report.problems.length).toBeGreaterThan(0);
        }
        // With every repair, rows that survive are valid too (and it still never throws).
        const repaired = inspectOhlcvCsv(csv, { file: 'fuzz.csv', repair: { sort: true, dropDuplicates: 'first', dropInvalidRows: true } });
        if (repaired.series) for (let i = 1; i < repaired.series.time.length; i++) expect(repaired.series.time[i]!).toBeGreaterThan(repaired.series.time[i - 1]!);
      }),
      { numRuns: 300 },
    );
  });
});
