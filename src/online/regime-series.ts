/**
 * The regime detector over a whole market, bar by bar as a live feed would deliver it: the series a
 * regime is read from (one symbol, or by default the equal-weight composite: an index of the mean
 * simple return of the assets, and their summed volume), and every bar's label as known at its close.
 */
import { ErrorCodes, GrpoTraderError } from '../core/errors.js';
import { formatTimestamp } from '../data/dates.js';
import type { MarketData } from '../data/types.js';
import { RegimeDetector, type RegimeDetectorOptions, type RegimeImportance, type RegimeStep } from './regime-detector.js';

/** Close and volume of the series the regime is read from. */
export function regimeSource(market: MarketData, symbol: string | null = null): { name: string; close: Float64Array; volume: Float64Array } {
  const n = market.symbols.length;
  const bars = market.time.length;
  if (symbol !== null) {
    const a = market.symbols.indexOf(symbol);
    if (a < 0) throw new GrpoTraderError(ErrorCodes.invalidArgument, `symbol ${symbol} is not in the data (${market.symbols.join(', ')})`, { location: { field: 'symbol', value: symbol } });
    return { name: symbol, close: Float64Array.from({ length: bars }, (_, t) => market.close[t * n + a]!), volume: Float64Array.from({ length: bars }, (_, t) => market.volume[t * n + a]!) };
  }
  const close = new Float64Array(bars);
  const volume = new Float64Array(bars);
  let level = 100;
  for (let t = 0; t < bars; t++) {
    if (t > 0) {
      let mean = 0;
      for (let a = 0; a < n; a++) mean += market.close[t * n + a]! / market.close[(t - 1) * n + a]! - 1;
      level *= 1 + mean / n;
    }
    close[t] = level;
    for (let a = 0; a < n; a++) volume[t] += market.volume[t * n + a]!;
  }
  return { name: n === 1 ? market.symbols[0]! : `equal-weight composite of ${n} assets`, close, volume };
}

export interface RegimeSeries {
  source: string;
  /** Bars the detector needs before its first label (the first `barsNeeded − 1` bars are labelled −1). */
  barsNeeded: number;
  /** Why no bar is labelled, when none is (too few bars); null otherwise. */
  note: string | null;
  dates: string[];
  labels: number[];
  stability: number[];
  refits: { date: string; bar: number; reason: string; agreement: number | null }[];
  importance: RegimeImportance | null;
  centroids: number[][] | null;
}

/** Run the detector over every bar of `market` (decisions at each close use bars up to it only). */
export function detectRegimes(market: MarketData, options: Partial<RegimeDetectorOptions> = {}, symbol: string | null = null): RegimeSeries {
  const source = regimeSource(market, symbol);
  const detector = new RegimeDetector(options);
  const barsNeeded = detector.barsBeforeFirstLabel();
  const bars = source.close.length;
  const o = detector.options;
  const note = bars >= barsNeeded ? null : `no bar labelled: the first fit needs ${barsNeeded} bars (the first feature row at bar ${o.featureWindow}, then ${o.regimes} regimes × ${o.minSamplesPerRegime} rows), got ${bars}`;
  const series: RegimeSeries = { source: source.name, barsNeeded, note, dates: [], labels: [], stability: [], refits: [], importance: null, centroids: null };
  for (let t = 0; t < source.close.length; t++) {
    const step: RegimeStep = detector.update(source.close[t]!, source.volume[t]!);
    const date = formatTimestamp(market.time[t]!).slice(0, 10);
    series.dates.push(date);
    series.labels.push(step.label);
    series.stability.push(step.stability);
    if (step.refit) series.refits.push({ date, bar: t, reason: step.refit.reason, agreement: step.refit.agreement });
  }
  series.importance = detector.importance;
  series.centroids = detector.centroids;
  return series;
}
