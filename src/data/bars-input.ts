/**
 * Bars posted as JSON (the server's `/v1/predict` and `/v1/analysis`, any caller that has bars in
 * memory): one zod schema, with limits, and its conversion to a `MarketData` on one time axis.
 * Columnar per symbol — `{ "AAPL": { "time": [...], "open": [...], ..., "volume": [...] } }` — so a
 * request of a few hundred bars stays small and parses fast. Every problem names its field path
 * (`bars.AAPL.close[12]`) and what is wrong.
 */
import { z } from 'zod';
import { GrpoTraderError, ErrorCodes } from '../core/errors.js';
import { alignSeries } from './align.js';
import { parseTimestamp } from './dates.js';
import { OHLCV_FIELDS, type MarketData, type OhlcvSeries } from './types.js';

/** Limits of one request: symbols and bars per symbol. */
export const BARS_INPUT_LIMITS = { maxSymbols: 100, maxBars: 5_000 } as const;

const column = z.array(z.number()).max(BARS_INPUT_LIMITS.maxBars);

/** One symbol's bars as columns of equal length; `time` as ISO dates/timestamps or UTC epoch ms. */
export const SymbolBarsSchema = z.object({
  time: z.array(z.union([z.string().max(40), z.number()])).min(1).max(BARS_INPUT_LIMITS.maxBars),
  open: column,
  high: column,
  low: column,
  close: column,
  volume: column,
});

/** Bars by symbol. */
export const BarsInputSchema = z
  .record(z.string().min(1).max(32).regex(/^[A-Za-z0-9._:/^=-]+$/, 'symbols are letters, digits and . _ : / ^ = -'), SymbolBarsSchema)
  .refine((bars) => Object.keys(bars).length >= 1 && Object.keys(bars).length <= BARS_INPUT_LIMITS.maxSymbols, { message: `between 1 and ${BARS_INPUT_LIMITS.maxSymbols} symbols` });

export type BarsInput = z.infer<typeof BarsInputSchema>;

function invalid(field: string, message: string): GrpoTraderError {
  return new GrpoTraderError(ErrorCodes.invalidData, `${field}: ${message}`, { location: { field } });
}

/**
 * Convert posted bars to a market on the dates every symbol has (intersection), symbols in `order`
 * when given (each must be present). Checks: equal column lengths, parseable strictly increasing
 * times, finite positive prices, high ≥ low, finite non-negative volume.
 */
export function marketFromBarsInput(bars: BarsInput, order: readonly string[] | null = null, prefix = 'bars'): MarketData {
  const symbols = order ?? Object.keys(bars);
  for (const symbol of symbols) if (!(symbol in bars)) throw invalid(`${prefix}.${symbol}`, `missing: the model trades ${symbols.join(', ')}`);
  const series: OhlcvSeries[] = symbols.map((symbol) => {
    const input = bars[symbol]!;
    const path = `${prefix}.${symbol}`;
    const n = input.time.length;
    for (const field of OHLCV_FIELDS) if (input[field].length !== n) throw invalid(`${path}.${field}`, `has ${input[field].length} values; time has ${n}`);
    const time = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const raw = input.time[i]!;
      const t = typeof raw === 'number' ? raw : parseTimestamp(raw, 'iso');
      // ±8.64e15 ms is the range of a JavaScript Date.
      if (!Number.isFinite(t) || Math.abs(t) > 8.64e15) throw invalid(`${path}.time[${i}]`, `${JSON.stringify(raw)} is not a date (give YYYY-MM-DD, an ISO timestamp or epoch milliseconds)`);
      if (i > 0 && !(t > time[i - 1]!)) throw invalid(`${path}.time[${i}]`, 'times must be strictly increasing');
      time[i] = t;
    }
    const columns = Object.fromEntries(OHLCV_FIELDS.map((field) => [field, Float64Array.from(input[field])])) as Record<(typeof OHLCV_FIELDS)[number], Float64Array>;
    for (let i = 0; i < n; i++) {
      for (const field of ['open', 'high', 'low', 'close'] as const) {
        const v = columns[field][i]!;
        if (!(v > 0 && Number.isFinite(v))) throw invalid(`${path}.${field}[${i}]`, `${v} is not a positive price`);
      }
      if (columns.high[i]! < columns.low[i]!) throw invalid(`${path}.high[${i}]`, `high ${columns.high[i]} is below low ${columns.low[i]}`);
      const volume = columns.volume[i]!;
      if (!(volume >= 0 && Number.isFinite(volume))) throw invalid(`${path}.volume[${i}]`, `${volume} is not a volume`);
    }
    return { symbol, time, ...columns, source: path };
  });
  const market = alignSeries(series).market;
  if (market.time.length === 0) throw invalid(prefix, `the symbols ${symbols.join(', ')} have no date in common`);
  return market;
}
