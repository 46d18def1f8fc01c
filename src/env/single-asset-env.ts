/**
 * The single-asset, discrete-action environment: the specification's basic agent samples an index
 * from a categorical policy; index i means "hold positions[i] of the portfolio value in the asset"
 * (default ladder [−1, 0, 1]: short, flat, long). Accounting, time rule, costs, rewards and
 * snapshots are the multi-asset environment's with one asset and no correlation block.
 */
import { ErrorCodes, GrpoTraderError } from '../core/errors.js';
import type { MarketData } from '../data/types.js';
import type { FeatureTensor } from './feature-tensor.js';
import { MultiAssetEnv, type MultiAssetEnvOptions, type ObservationLayout } from './multi-asset-env.js';
import { Discrete, type Box } from './spaces.js';
import type { Env, EnvSnapshot, ResetArguments, ResetResult, StepResult } from './types.js';

export interface SingleAssetEnvOptions extends Omit<MultiAssetEnvOptions, 'includeCorrelation' | 'correlationLookback' | 'correlationPenalty' | 'correlation' | 'actionBound'> {
  /** Which asset of the market to trade (default: the market's only asset). */
  symbol?: string;
  /** Target weight of each discrete action, e.g. [−1, −0.5, 0, 0.5, 1]. Default [−1, 0, 1]. */
  positions?: readonly number[];
}

export class SingleAssetEnv implements Env<number | ArrayLike<number>> {
  readonly inner: MultiAssetEnv;
  readonly positions: readonly number[];
  readonly actionSpace: Discrete;
  readonly observationSpace: Box;
  readonly observationSize: number;
  readonly symbol: string;
  private readonly targetWeight = new Float64Array(1);
  private readonly ladder: Float64Array;

  constructor(market: MarketData, features: FeatureTensor, options: SingleAssetEnvOptions = {}) {
    const { symbol, positions = [-1, 0, 1], ...rest } = options;
    if (positions.length === 0 || positions.some((p) => !Number.isFinite(p))) {
      throw new GrpoTraderError(ErrorCodes.invalidConfig, 'positions must be a non-empty list of finite weights', { location: { field: 'positions' } });
    }
    const index = symbol === undefined ? (market.symbols.length === 1 ? 0 : -1) : market.symbols.indexOf(symbol);
    if (index < 0) {
      throw new GrpoTraderError(ErrorCodes.invalidArgument, symbol === undefined ? `the market has ${market.symbols.length} assets: name the one to trade (symbol)` : `no asset ${symbol} in the market (${market.symbols.join(', ')})`);
    }
    this.symbol = market.symbols[index]!;
    const largest = Math.max(...positions.map(Math.abs)) || 1;
    const [oneMarket, oneFeatures] = market.symbols.length === 1 ? [market, features] : sliceAsset(market, features, index);
    this.inner = new MultiAssetEnv(oneMarket, oneFeatures, {
      maxPositionSize: largest,
      maxAssetWeight: largest,
      ...rest,
      actionBound: largest,
      includeCorrelation: false,
    });
    this.positions = [...positions];
    this.ladder = Float64Array.from(positions);
    this.actionSpace = new Discrete(positions.length);
    this.observationSpace = this.inner.observationSpace;
    this.observationSize = this.inner.observationSize;
  }

  reset(args?: ResetArguments): ResetResult<Float64Array> {
    return this.inner.reset(args);
  }

  /** Hold `positions[action]` from this bar's close to the next. */
  step(action: number | ArrayLike<number>): StepResult<Float64Array> {
    // Both branches end as int32: a number/float64 mix would make V8 box the action.
    let index = -1;
    if (typeof action === 'number') {
      if (Number.isInteger(action)) index = action | 0;
    } else if (Number.isInteger(action[0])) {
      index = action[0]! | 0;
    }
    if (index < 0 || index >= this.positions.length) {
      throw new GrpoTraderError(ErrorCodes.invalidArgument, `action ${typeof action === 'number' ? action : action[0]} is not one of 0 .. ${this.positions.length - 1}`);
    }
    this.targetWeight[0] = this.ladder[index]!;
    return this.inner.step(this.targetWeight);
  }

  snapshot(out?: EnvSnapshot): EnvSnapshot {
    return this.inner.snapshot(out);
  }

  restore(snapshot: EnvSnapshot): Float64Array {
    return this.inner.restore(snapshot);
  }

  observationLayout(): ObservationLayout {
    return this.inner.observationLayout();
  }

  observationNames(): string[] {
    return this.inner.observationNames();
  }
}

function sliceAsset(market: MarketData, features: FeatureTensor, index: number): [MarketData, FeatureTensor] {
  const nAssets = market.symbols.length;
  const nBars = market.time.length;
  const nFeatures = features.names.length;
  const field = (values: Float64Array) => {
    const out = new Float64Array(nBars);
    for (let t = 0; t < nBars; t++) out[t] = values[t * nAssets + index]!;
    return out;
  };
  const values = new Float64Array(nBars * nFeatures);
  for (let t = 0; t < nBars; t++) for (let f = 0; f < nFeatures; f++) values[t * nFeatures + f] = features.values[(t * nAssets + index) * nFeatures + f]!;
  return [
    { symbols: [market.symbols[index]!], time: market.time, open: field(market.open), high: field(market.high), low: field(market.low), close: field(market.close), volume: field(market.volume) },
    { names: features.names, values },
  ];
}
