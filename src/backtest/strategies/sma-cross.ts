/**
 * SMA crossover, one signal per asset: hold `weight` (default 1/N) of the portfolio in an asset
 * while its fast SMA is above its slow SMA at the close, nothing otherwise. Trades happen only when
 * an asset's signal changes (as an event-driven crossover strategy places orders), so the other
 * assets keep their drifted weights.
 */
import { invalidArgument } from '../../core/errors.js';
import { columnInto } from '../../data/market.js';
import { smaInto } from '../../features/kernels.js';
import type { Strategy } from '../types.js';
import { emptyTargets, positiveInteger } from './schedule.js';

export interface SmaCrossOptions {
  fast?: number;
  slow?: number;
  /** Weight held in an asset whose signal is on; default 1/N. */
  weight?: number;
}

/** SMA(fast)/SMA(slow) crossover, long or flat per asset. */
export function smaCross(options: SmaCrossOptions = {}): Strategy {
  const fast = positiveInteger('sma_cross fast', options.fast ?? 20);
  const slow = positiveInteger('sma_cross slow', options.slow ?? 50);
  if (fast >= slow) throw invalidArgument(`sma_cross needs fast < slow, got fast ${fast}, slow ${slow}`);
  if (options.weight !== undefined && !(Number.isFinite(options.weight) && options.weight > 0)) throw invalidArgument(`sma_cross weight must be positive, got ${options.weight}`);
  return {
    name: 'sma_cross',
    targets(market, firstBar) {
      const n = market.symbols.length;
      const nBars = market.time.length;
      const weight = options.weight ?? 1 / n;
      const targets = emptyTargets(nBars, n);
      const close = new Float64Array(nBars);
      const fastSma = new Float64Array(nBars);
      const slowSma = new Float64Array(nBars);
      for (let a = 0; a < n; a++) {
        columnInto(close, market, 'close', a);
        smaInto(fastSma, close, fast);
        smaInto(slowSma, close, slow);
        // NaN (warm-up) compares false: flat until both averages exist.
        let previous = fastSma[firstBar]! > slowSma[firstBar]!;
        targets[firstBar * n + a] = previous ? weight : 0;
        for (let t = firstBar + 1; t < nBars; t++) {
          const on = fastSma[t]! > slowSma[t]!;
          if (on !== previous) targets[t * n + a] = on ? weight : 0;
          previous = on;
        }
      }
      return targets;
    },
  };
}
