/**
 * env.multi_asset_30: multi-asset environment steps with the 30 Dow stocks of
 * ../shared/data/us-equities-daily (aligned 2005-02-25 .. 2017-11-10, 3,200 bars), lookback 30,
 * the 12 causal `*_norm` features, and the full observation (feature window + weights + 10 recent
 * returns + total return + the 30×30 correlation of the last 30 returns): asset-steps per second,
 * single thread, and the vectorised form with N = 64.
 *
 * Reference, measured in the same run: a faithful "spec-style" TypeScript port of the
 * specification's environment (4.2–4.3): per-asset rows as objects accessed by column name, the
 * observation rebuilt with arrays from the current row of each asset, the correlation recomputed
 * from price slices every step (np.corrcoef), normalisation and rebalancing as written. It does
 * less observation work than ours (no 30-bar feature window). Also reported: the Python
 * figure (pandas, 483 steps/s × 30 assets ≈ 14,500 asset-steps/s on this machine class).
 */
import { Rng } from '../src/core/rng.js';
import { loadMarket, type MarketData } from '../src/data/index.js';
import { buildFeatureTensor, MultiAssetEnv, VectorEnv, type FeatureTensor } from '../src/env/index.js';
import { round, timeMedianMs, type Benchmark, type BenchResult } from './harness.js';
import { benchData } from './harness.js';

const dataDirectory = () => benchData('us-equities-daily');
const DOW_30 = 'AAPL AXP BA CAT CSCO CVX DIS GE GS HD IBM INTC JNJ JPM KO MCD MMM MRK MSFT NKE PEP PFE PG T TRV UNH UTX VZ WMT XOM'.split(' ');
const PYTHON_ASSET_STEPS_PER_SECOND = 14_500;
const LOOKBACK = 30;

/** Random target weights in [−1, 1], precomputed so the policy costs nothing. */
function actionTable(nAssets: number, rows: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  const table = new Float64Array(rows * nAssets);
  for (let i = 0; i < table.length; i++) table[i] = rng.uniform(-1, 1);
  return table;
}

// ---------------------------------------------------------------------------------------------
// The spec-style reference (architecture.md 4.2–4.3 transcribed with its data access patterns).
type Row = Record<string, number>;

class SpecStyleEnv {
  private readonly assetData: Record<string, Row[]> = {};
  private readonly indices: Record<string, number> = {};
  private portfolioWeights: number[];
  private portfolioReturns: number[] = [];
  private portfolioValue = 100_000;
  private correlationMatrix: number[][];

  constructor(
    market: MarketData,
    features: FeatureTensor,
    private readonly startIndex: number,
    private readonly featureColumns = features.names,
    private readonly assets = [...market.symbols],
    private readonly correlationLookback = 30,
    private readonly maxPositionSize = 1,
    private readonly maxAssetWeight = 1,
    private readonly tradingCost = 0.0005,
    private readonly slippage = 0.0001,
  ) {
    const nAssets = market.symbols.length;
    const nFeatures = features.names.length;
    this.assets.forEach((symbol, a) => {
      const rows: Row[] = [];
      for (let t = 0; t < market.time.length; t++) {
        const row: Row = { Open: market.open[t * nAssets + a]!, High: market.high[t * nAssets + a]!, Low: market.low[t * nAssets + a]!, Close: market.close[t * nAssets + a]!, Volume: market.volume[t * nAssets + a]! };
        features.names.forEach((name, f) => (row[name] = features.values[(t * nAssets + a) * nFeatures + f]!));
        rows.push(row);
      }
      this.assetData[symbol] = rows;
    });
    this.portfolioWeights = this.assets.map(() => 0);
    this.correlationMatrix = this.assets.map((_, i) => this.assets.map((__, j) => (i === j ? 1 : 0)));
    this.reset();
  }

  reset(): number[] {
    for (const symbol of this.assets) this.indices[symbol] = this.startIndex;
    this.portfolioWeights = this.assets.map(() => 0);
    this.portfolioReturns = new Array(10).fill(0);
    this.portfolioValue = 100_000;
    this.updateCorrelationMatrix();
    return this.getObservation();
  }

  step(action: number[]): { observation: number[]; reward: number; done: boolean } {
    const target = this.normalizeWeights(action.slice());
    const before = this.portfolioValue;
    this.rebalancePortfolio(target);
    let portfolioReturn = 0;
    this.assets.forEach((symbol, i) => {
      const rows = this.assetData[symbol]!;
      const index = this.indices[symbol]!;
      portfolioReturn += this.portfolioWeights[i]! * (rows[index + 1]!['Close']! / rows[index]!['Close']! - 1);
      this.indices[symbol] = index + 1;
    });
    this.portfolioValue *= 1 + portfolioReturn;
    this.portfolioReturns = [...this.portfolioReturns.slice(1), portfolioReturn];
    this.updateCorrelationMatrix();
    const done = this.indices[this.assets[0]!]! >= this.assetData[this.assets[0]!]!.length - 1;
    return { observation: this.getObservation(), reward: this.portfolioValue / before - 1, done };
  }

  private normalizeWeights(weights: number[]): number[] {
    const absSum = weights.reduce((sum, w) => sum + Math.abs(w), 0);
    if (absSum > this.maxPositionSize) weights = weights.map((w) => w * (this.maxPositionSize / absSum));
    for (let i = 0; i < weights.length; i++) if (Math.abs(weights[i]!) > this.maxAssetWeight) weights[i] = Math.sign(weights[i]!) * this.maxAssetWeight;
    return weights;
  }

  private rebalancePortfolio(target: number[]): number {
    const tradeWeights = target.map((w, i) => w - this.portfolioWeights[i]!);
    const tradeValue = tradeWeights.reduce((sum, w) => sum + Math.abs(w), 0) * this.portfolioValue;
    const totalCost = tradeValue * this.tradingCost + tradeValue * this.slippage;
    this.portfolioValue -= totalCost;
    this.portfolioWeights = target;
    return totalCost;
  }

  private updateCorrelationMatrix(): void {
    const returnsData: number[][] = [];
    for (const symbol of this.assets) {
      const index = this.indices[symbol]!;
      const prices = this.assetData[symbol]!.slice(Math.max(0, index - this.correlationLookback), index + 1).map((row) => row['Close']!);
      if (prices.length > 1) returnsData.push(prices.slice(1).map((p, i) => (p - prices[i]!) / prices[i]!));
    }
    if (returnsData.length > 1) this.correlationMatrix = corrcoef(returnsData);
  }

  private getObservation(): number[] {
    const assetFeatures: number[] = [];
    for (const symbol of this.assets) {
      const row = this.assetData[symbol]![this.indices[symbol]!]!;
      assetFeatures.push(...this.featureColumns.map((f) => row[f]!));
    }
    const portfolioInfo = [...this.portfolioWeights, ...this.portfolioReturns, this.portfolioValue / 100_000 - 1];
    return [...assetFeatures, ...portfolioInfo, ...this.correlationMatrix.flat()];
  }
}

function corrcoef(rows: number[][]): number[][] {
  const means = rows.map((r) => r.reduce((a, b) => a + b, 0) / r.length);
  const centered = rows.map((r, i) => r.map((x) => x - means[i]!));
  const cov = centered.map((a) => centered.map((b) => a.reduce((sum, x, k) => sum + x * b[k]!, 0)));
  return cov.map((row, i) => row.map((c, j) => c / Math.sqrt(cov[i]![i]! * cov[j]![j]!)));
}
// ---------------------------------------------------------------------------------------------

export const benchmarks: Benchmark[] = [
  {
    name: 'env.multi_asset_30',
    description: 'multi-asset env, 30 assets, lookback 30, full observation: single thread and N = 64 vectorised, vs a spec-style TS port (and Python 14,500 asset-steps/s)',
    async run(): Promise<BenchResult[]> {
      const { market } = await loadMarket([dataDirectory()], { symbols: DOW_30 });
      const features = buildFeatureTensor(market);
      const nAssets = market.symbols.length;
      const actions = actionTable(nAssets, 256, 1);
      const actionRows = Array.from({ length: 256 }, (_, k) => actions.subarray(k * nAssets, (k + 1) * nAssets));
      const options = { lookback: LOOKBACK, correlationLookback: 30, returnHistory: 10, reward: { type: 'sharpe' } };

      // Cold: a fresh environment (empty correlation cache) through the whole data once.
      const cold = new MultiAssetEnv(market, features, options);
      cold.reset();
      let coldSteps = 0;
      const coldStart = performance.now();
      for (let done = false; !done; coldSteps++) {
        const result = cold.step(actionRows[coldSteps & 255]!);
        done = result.terminated || result.truncated;
      }
      const coldRate = (coldSteps * nAssets) / ((performance.now() - coldStart) / 1000);

      // Single environment, steady state.
      const env = new MultiAssetEnv(market, features, { ...options, correlation: cold.correlation! });
      env.reset();
      const steps = 20_000;
      let sink = 0;
      let k = 0;
      const singleMs = await timeMedianMs(() => {
        for (let i = 0; i < steps; i++) {
          const result = env.step(actionRows[k++ & 255]!);
          sink += result.reward;
          if (result.terminated || result.truncated) env.reset();
        }
      }, 5, 1);
      const single = (steps * nAssets) / (singleMs / 1000);

      // Vectorised, N = 64, random starts, same-step auto-reset, one shared correlation cache.
      const count = 64;
      const vector = new VectorEnv(count, (_, observationBuffer) => new MultiAssetEnv(market, features, { ...options, randomStart: true, episodeLength: 252, correlation: cold.correlation!, observationBuffer }));
      vector.reset({ seed: 1 });
      const vectorActions = actionTable(nAssets * count, 8, 2);
      const vectorSteps = 400;
      const vectorMs = await timeMedianMs(() => {
        for (let i = 0; i < vectorSteps; i++) vector.step(vectorActions.subarray((i & 7) * count * nAssets, ((i & 7) + 1) * count * nAssets));
      }, 5, 1);
      const vectorRate = (vectorSteps * count * nAssets) / (vectorMs / 1000);

      // The spec-style reference.
      const reference = new SpecStyleEnv(market, features, env.minStart);
      const referenceActions = Array.from({ length: 256 }, (_, i) => Array.from(actionRows[i]!));
      const referenceSteps = 1_000;
      let r = 0;
      const referenceMs = await timeMedianMs(() => {
        for (let i = 0; i < referenceSteps; i++) {
          const result = reference.step(referenceActions[r++ & 255]!);
          sink += result.reward;
          if (result.done) reference.reset();
        }
      }, 5, 1);
      const referenceRate = (referenceSteps * nAssets) / (referenceMs / 1000);
      if (!Number.isFinite(sink)) process.stderr.write('bench: non-finite reward sum\n');

      const common = {
        unit: 'asset_steps_per_second',
        reference: round(referenceRate),
        reference_name: 'spec-style TypeScript port of 4.2-4.3 (row objects, per-step corrcoef), same run',
        runs: 5,
        python_reference: PYTHON_ASSET_STEPS_PER_SECOND,
        assets: nAssets,
        lookback: LOOKBACK,
        features: features.names.length,
        observation_size: env.observationSize,
      };
      return [
        { name: 'env.multi_asset_30', value: round(single), ...common, ratio: round(single / referenceRate), ratio_vs_python: round(single / PYTHON_ASSET_STEPS_PER_SECOND), steps_per_second: round(single / nAssets), cold_first_pass_asset_steps_per_second: round(coldRate) },
        { name: 'env.multi_asset_30.vector_64', value: round(vectorRate), ...common, ratio: round(vectorRate / referenceRate), ratio_vs_python: round(vectorRate / PYTHON_ASSET_STEPS_PER_SECOND), environments: count, env_steps_per_second: round(vectorRate / nAssets) },
      ];
    },
  },
];
