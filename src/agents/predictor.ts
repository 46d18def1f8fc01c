/**
 * A trained model served: load once, then answer decisions for an observation or for posted bars —
 * the target weights (normalised as the environment would hold them), the action distribution, the
 * C51 value distribution with VaR/CVaR where the model has a distributional critic, and the feature
 * importances of a deepseek policy. The library form of `POST /v1/predict`.
 *
 * The agent is built exactly as in training (environment layout, network sizes) over a seeded
 * synthetic market renamed to the model's symbols — the networks and the observation layout depend
 * on the number of assets, features and bars in the window, never on prices — and the checkpoint's
 * networks are loaded into it. Posted bars get their own environment per request.
 */
import { ErrorCodes, GrpoTraderError, type ErrorCode } from '../core/index.js';
import { syntheticRegimeMarket } from '../data/synthetic.js';
import { formatTimestamp } from '../data/dates.js';
import { OHLCV_FIELDS, type MarketData } from '../data/types.js';
import { buildFeatureTensor } from '../env/feature-tensor.js';
import type { MultiAssetEnv } from '../env/multi-asset-env.js';
import { actionToWeightsInto, type WeightLimits } from '../env/normalize-weights.js';
import { loadTrainedModel, readTrainedModel, type TrainedModel, type TrainedModelInfo } from './load-trained-model.js';
import { RewardPenaltyAgent } from './reward-penalty-agent.js';
import { environmentFactory } from './train.js';
import type { PolicyAgent } from './policy-agent.js';

/** Bars of the synthetic market the agent is built over (enough for every indicator's warm-up). */
const LAYOUT_BARS = 800;
/** Most requests answered by one policy call. */
const MAX_BATCH = 32;

/** One request's share of a batched policy call. */
interface BatchRow {
  mean: number[];
  std: number[];
  action: number[];
  q: number | null;
  value: ValueDistribution | null;
}

/**
 * Where a request's input came from, for errors about it: the field to name, the code of that form's
 * input errors, the observation's values before float32 and a name for each of them.
 */
interface InputSource {
  field: string;
  code: ErrorCode;
  values: ArrayLike<number>;
  name(index: number): string;
}

/** The networks compute in float32: ±3.4028234663852886e38 is the largest magnitude an input may have. */
const FLOAT32_RANGE = "float32's range (±3.4e38), which the model computes in";

/** Whether float32 holds `x` as a finite number (beyond its range it would become ±Infinity). */
function fitsFloat32(x: number): boolean {
  return Number.isFinite(Math.fround(x));
}

/** Tail probability of the value distribution's VaR and CVaR. */
export const VALUE_RISK_ALPHA = 0.05;

export interface ValueDistribution {
  /** Atom values (the critic's discounted reward sum, in reward units × rewardMultiplier). */
  support: number[];
  probabilities: number[];
  mean: number;
  /** Value at risk: the VALUE_RISK_ALPHA-quantile of the distribution. */
  var: number;
  /** Conditional value at risk: the mean of the lowest VALUE_RISK_ALPHA of the probability mass. */
  cvar: number;
  alpha: number;
}

export interface Prediction {
  /** The decision's bar date (posted bars) or null (an observation). */
  date: string | null;
  /** Target weights as the environment would hold them (`actionToWeights`: clipped to ±actionBound, gross and per-asset caps applied). */
  weights: number[];
  /** The deterministic action before the clip and normalisation (the Gaussian mean; autoregressive: tanh of the chain of means). */
  action: number[];
  /** The policy's distribution: per-asset Gaussian mean and standard deviation (before normalisation). */
  distribution: { mean: number[]; std: number[] };
  /** Scalar critic value of the action, when the model has a scalar critic. */
  q: number | null;
  value: ValueDistribution | null;
  /** What a deepseek policy attended to: each asset's share and each asset's feature weights. */
  importance: { asset: number[]; feature: number[][]; features: string[] } | null;
}

/** What the server needs of a served model (ModelPredictor; a benchmark's no-op model). */
export interface ServedModel {
  readonly info: TrainedModelInfo;
  readonly engine: 'onnx' | 'jax';
  readonly symbols: readonly string[];
  readonly observationSize: number;
  readonly requiredBars: number;
  predictObservation(observation: ArrayLike<number>, options?: { explain?: boolean }): Promise<Prediction>;
  predictMarket(market: MarketData, options?: { weights?: ArrayLike<number>; explain?: boolean }): Promise<Prediction>;
  dispose(): void;
}

export class ModelPredictor implements ServedModel {
  readonly symbols: readonly string[];
  readonly observationSize: number;
  /** Bars a request must post per symbol: warm-up of the model's features plus its lookback, plus one. */
  readonly requiredBars: number;
  /** The environment's action box and caps: what turns the policy's action into weights. */
  private readonly limits: WeightLimits;

  private constructor(
    readonly info: TrainedModelInfo,
    private readonly model: TrainedModel,
    /** The policy's ONNX session when served through onnxruntime (null: jax-js). */
    private readonly session: OnnxSession | null,
  ) {
    this.symbols = info.symbols ?? [];
    this.observationSize = model.agent.observationSize;
    const layout = model.makeEnv({ firstBar: 0, lastBar: LAYOUT_BARS - 1 }) as MultiAssetEnv;
    this.requiredBars = layout.minStart + 2;
    this.limits = layout.config;
  }

  /**
   * The policy as an ONNX model, with the model's identity as metadata and the limits that turn its
   * `mean` output into weights (`actionToWeights`), so that a consumer holds what the server serves.
   */
  exportOnnx(): Promise<Uint8Array> {
    const l = this.limits;
    return (this.model.agent as unknown as PolicyAgent<never, never>).exportOnnx({
      symbols: this.symbols.join(','),
      algorithm: this.info.algorithm,
      checkpoint: this.info.checkpointLabel,
      update: String(this.info.update),
      action_bound: String(l.actionBound),
      max_position_size: String(l.maxPositionSize),
      max_asset_weight: String(l.maxAssetWeight),
      weights: 'clip mean to ±action_bound; if Σ|w| > max_position_size scale all by max_position_size/Σ|w|; clip each to ±max_asset_weight',
    });
  }

  /** Which engine computes the policy: onnxruntime-node or jax-js. */
  get engine(): 'onnx' | 'jax' {
    return this.session ? 'onnx' : 'jax';
  }

  /**
   * Load a `train --out` directory's model (`checkpoint`: best, latest, …) for serving; multi-asset
   * models only. `engine`: `auto` (default) runs an MLP policy through onnxruntime-node when it is
   * installed and everything else through jax-js; `onnx` insists; `jax` never uses onnxruntime.
   */
  static async load(directory: string, checkpoint?: string, options: { engine?: 'auto' | 'onnx' | 'jax' } = {}): Promise<ModelPredictor> {
    const info = await readTrainedModel(directory, checkpoint);
    if (info.config.environment.type !== 'multi_asset') {
      throw new GrpoTraderError(ErrorCodes.unsupported, `serving supports multi_asset models; this one is ${info.config.environment.type}`, { location: { file: directory, field: 'environment.type' } });
    }
    if (!info.symbols || info.symbols.length === 0) {
      throw new GrpoTraderError(ErrorCodes.invalidData, 'the model does not record its symbols (data.json is missing): retrain it with this version', { location: { file: directory } });
    }
    const synthetic = syntheticRegimeMarket({ assets: info.symbols.length, bars: LAYOUT_BARS, seed: 1 }).market;
    const market: MarketData = { ...synthetic, symbols: info.symbols };
    const features = buildFeatureTensor(market, { features: info.config.data.features });
    const model = await loadTrainedModel(info, market, features);
    const engine = options.engine ?? 'auto';
    let session: OnnxSession | null = null;
    try {
      const agent = model.agent as unknown as PolicyAgent<never, never>;
      // Autoregressive policies act by a chain of conditional means: not exported.
      const exportable = !agent.isAutoregressive;
      if (engine === 'onnx' && !exportable) throw new GrpoTraderError(ErrorCodes.unsupported, '--engine onnx: autoregressive policies are not exported to ONNX', { location: { file: directory, field: 'algorithm.deepseek.autoregressive' } });
      if (engine !== 'jax' && exportable) {
        const ort = await loadOnnxRuntime();
        if (!ort && engine === 'onnx') throw new GrpoTraderError(ErrorCodes.unsupported, 'onnxruntime-node is not installed (npm install onnxruntime-node)', { location: { field: 'engine' } });
        // The MLP graph takes any batch; traced encoder graphs are built for one observation.
        // Under `auto` a model the exporter or onnxruntime cannot take is served by jax-js instead.
        if (ort) {
          try {
            session = await OnnxSession.create(ort, await agent.exportOnnx(), agent.encoding === null ? null : 1);
          } catch (error) {
            if (engine === 'onnx') throw error;
          }
        }
      }
    } catch (error) {
      model.dispose();
      throw error;
    }
    return new ModelPredictor(info, model, session);
  }

  /** Whether the exported ONNX graph takes any batch (the plain MLP) rather than one observation (traced encoder graphs). */
  get batchedOnnx(): boolean {
    return this.agent.encoding === null;
  }

  private get agent(): PolicyAgent<never, never> {
    return this.model.agent as unknown as PolicyAgent<never, never>;
  }

  /** Decide for one observation (the environment's layout, `observationSize` values). */
  async predictObservation(observation: ArrayLike<number>, options: { explain?: boolean } = {}): Promise<Prediction> {
    if (observation.length !== this.observationSize) {
      throw new GrpoTraderError(ErrorCodes.invalidArgument, `observation has ${observation.length} values; the model reads ${this.observationSize}`, { location: { field: 'observation' } });
    }
    const input = new Float32Array(this.observationSize);
    for (let i = 0; i < input.length; i++) {
      const x = observation[i]!;
      if (!Number.isFinite(x)) throw new GrpoTraderError(ErrorCodes.invalidArgument, `observation[${i}] is ${x}: values must be finite`, { location: { field: `observation[${i}]` } });
      if (!fitsFloat32(x)) throw new GrpoTraderError(ErrorCodes.invalidArgument, `observation[${i}] is ${x}: beyond ${FLOAT32_RANGE}`, { location: { field: `observation[${i}]` } });
      input[i] = x;
    }
    return this.decide(input, null, options.explain === true, { field: 'observation', code: ErrorCodes.invalidArgument, values: observation, name: (i) => `observation[${i}]` });
  }

  /** Decide at the last posted bar (bars aligned on one calendar, the model's symbols in order), for a book `weights` (default cash). */
  async predictMarket(market: MarketData, options: { weights?: ArrayLike<number>; explain?: boolean } = {}): Promise<Prediction> {
    if (market.symbols.join(',') !== this.symbols.join(',')) {
      throw new GrpoTraderError(ErrorCodes.invalidArgument, `bars are for ${market.symbols.join(',')}; the model trades ${this.symbols.join(',')}`, { location: { field: 'bars' } });
    }
    const A = market.symbols.length;
    for (const field of OHLCV_FIELDS) {
      const values = market[field];
      for (let i = 0; i < values.length; i++) {
        if (fitsFloat32(values[i]!)) continue;
        const name = `bars.${market.symbols[i % A]}.${field}`;
        throw new GrpoTraderError(ErrorCodes.invalidData, `${name}: ${values[i]} on ${formatTimestamp(market.time[Math.floor(i / A)]!)} is beyond ${FLOAT32_RANGE}`, { location: { field: name } });
      }
    }
    const features = buildFeatureTensor(market, { features: this.info.config.data.features });
    const needed = this.requiredBars;
    if (market.time.length < needed) {
      throw new GrpoTraderError(ErrorCodes.invalidArgument, `${market.time.length} aligned bars posted; the model needs at least ${needed} (indicator warm-up and its ${this.info.config.environment.lookback}-bar window)`, { location: { field: 'bars' } });
    }
    const env = environmentFactory(this.info.config, market, features)({ firstBar: 0, lastBar: market.time.length - 1 }, false) as MultiAssetEnv;
    const last = market.time.length - 1;
    const date = formatTimestamp(market.time[last]!);
    const observation = env.observe(last, options.weights);
    // Named on the error path only: features[t].AAPL.OBV, weights.AAPL, portfolio_returns[t-1], …
    const name = (i: number) => env.observationNames()[i]!;
    for (let i = 0; i < observation.length; i++) {
      if (fitsFloat32(observation[i]!)) continue;
      // A feature names its symbol's bars; the posted book its weight; the rest comes from all the bars.
      const parts = name(i).split('.');
      const [field, code] = parts[0] === 'weights' ? [`weights[${this.symbols.indexOf(parts[1]!)}]`, ErrorCodes.invalidArgument] : [parts[0]!.startsWith('features') ? `bars.${parts[1]}` : 'bars', ErrorCodes.invalidData];
      throw new GrpoTraderError(code, `${field}: ${name(i)} = ${observation[i]} in the model's input for ${date}, beyond ${FLOAT32_RANGE}`, { location: { field } });
    }
    return this.decide(Float32Array.from(observation), date, options.explain === true, { field: 'bars', code: ErrorCodes.invalidData, values: observation, name });
  }

  /**
   * Requests waiting for the policy. Concurrent requests are answered by one batched policy (and
   * critic) call: while a batch is being computed the next ones queue, then go together — padded to
   * a power of two so that only a few batch shapes are ever compiled.
   */
  private readonly pending: { input: Float32Array; resolve: (row: BatchRow) => void; reject: (error: unknown) => void }[] = [];
  private running = false;

  private evaluate(input: Float32Array): Promise<BatchRow> {
    return new Promise((resolve, reject) => {
      this.pending.push({ input, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    const agent = this.agent;
    const D = this.observationSize;
    const A = this.symbols.length;
    try {
      while (this.pending.length > 0) {
        const batch = this.pending.splice(0, MAX_BATCH);
        // jax-js compiles one program per batch shape: pad to a power of two so it sees few shapes.
        // onnxruntime compiles nothing, so it runs only the real rows.
        let size = 1;
        while (size < batch.length) size *= 2;
        const observations = new Float32Array(size * D);
        batch.forEach((request, i) => observations.set(request.input, i * D));
        try {
          const { output, logStd } = this.session ? await this.session.run(observations.subarray(0, batch.length * D), batch.length, D) : await agent.policyOutputs(observations, size);
          // The deterministic action is the Gaussian mean (autoregressive policies chain their conditional means).
          const actions = agent.isAutoregressive ? await agent.act(observations, size) : null;
          const value = this.model.agent instanceof RewardPenaltyAgent ? await this.model.agent.valueOfMeanAction(observations, size) : null;
          const std = Array.from(logStd.subarray(0, A), Math.exp);
          batch.forEach((request, i) => {
            const mean = output.subarray(i * A, (i + 1) * A);
            request.resolve({
              mean: Array.from(mean),
              std,
              action: actions ? Array.from(actions.subarray(i * A, (i + 1) * A)) : Array.from(mean),
              q: value && 'q' in value ? value.q[i]! : null,
              value: value && 'probabilities' in value ? valueDistribution(value.support, value.probabilities.subarray(i * value.support.length, (i + 1) * value.support.length)) : null,
            });
          });
        } catch (error) {
          for (const request of batch) request.reject(error);
        }
      }
    } finally {
      this.running = false;
    }
  }

  private async decide(input: Float32Array, date: string | null, explain: boolean, source: InputSource): Promise<Prediction> {
    const row = await this.evaluate(input);
    const A = this.symbols.length;
    const prediction: Prediction = { date, weights: [], action: row.action, distribution: { mean: row.mean, std: row.std }, q: row.q, value: row.value, importance: null };
    if (explain && this.info.config.algorithm.policy === 'deepseek') {
      const [explained] = await this.agent.explain(input, 1);
      const F = explained!.features.length;
      prediction.importance = {
        asset: Array.from(explained!.assetImportance),
        feature: Array.from({ length: A }, (_, a) => Array.from(explained!.featureImportance.subarray(a * F, (a + 1) * F))),
        features: explained!.features,
      };
    }
    refuseNonFinite(prediction, source);
    // The environment's own rule (clip to ±actionBound, then the caps): the weights a backtest holds.
    prediction.weights = Array.from(actionToWeightsInto(new Float64Array(A), row.action, this.limits));
    return prediction;
  }

  dispose(): void {
    void this.session?.release();
    this.model.dispose();
  }
}

/**
 * A prediction whose numbers are not all finite is refused with the input's error code, naming the
 * input and its largest value: finite inputs far outside what the model was trained on overflow
 * float32 inside the network (a layer norm's variance, a logit), and NaN is no decision.
 */
function refuseNonFinite(prediction: Prediction, source: InputSource): void {
  const outputs: [string, ArrayLike<number> | number | null][] = [
    ['action', prediction.action],
    ['distribution.mean', prediction.distribution.mean],
    ['distribution.std', prediction.distribution.std],
    ['q', prediction.q],
    ['value', prediction.value && [...prediction.value.support, ...prediction.value.probabilities, prediction.value.mean, prediction.value.var, prediction.value.cvar]],
    ['importance', prediction.importance && [...prediction.importance.asset, ...prediction.importance.feature.flat()]],
  ];
  const finite = (values: ArrayLike<number> | number | null) => values === null || (typeof values === 'number' ? Number.isFinite(values) : Array.prototype.every.call(values, Number.isFinite));
  const bad = outputs.find(([, values]) => !finite(values));
  if (!bad) return;
  const values = source.values;
  let largest = 0;
  for (let i = 1; i < values.length; i++) if (Math.abs(values[i]!) > Math.abs(values[largest]!)) largest = i;
  throw new GrpoTraderError(
    source.code,
    `${source.field}: the model's ${bad[0]} is not finite for this input (float32 overflow inside the network): its values are far outside the range the model was trained on (the largest is ${source.name(largest)} = ${values[largest]})`,
    { location: { field: source.field } },
  );
}

/** What serving uses of onnxruntime-node (declared here: the optional package may be absent at build time). */
interface OrtSession {
  run(feeds: Record<string, unknown>): Promise<Record<string, { data: unknown }>>;
  release(): Promise<void>;
}
interface OnnxRuntime {
  InferenceSession: { create(model: Uint8Array, options: Record<string, unknown>): Promise<OrtSession> };
  Tensor: new (type: 'float32', data: Float32Array, dims: number[]) => unknown;
}

/** The optional dependency's name, in a variable so that the build does not need the package. */
const ONNX_RUNTIME_PACKAGE = 'onnxruntime-node';

/** onnxruntime-node when it is installed (an optional dependency), else null. */
export async function loadOnnxRuntime(): Promise<OnnxRuntime | null> {
  try {
    return (await import(ONNX_RUNTIME_PACKAGE)) as OnnxRuntime;
  } catch {
    return null;
  }
}

/** An exported policy in onnxruntime: observations [n × D] → means [n × A] and the log-std [A]. */
export class OnnxSession {
  private constructor(
    private readonly ort: OnnxRuntime,
    private readonly session: OrtSession,
    /** The graph's fixed batch size (traced graphs: 1), or null when any batch goes through. */
    private readonly batch: number | null,
  ) {}

  static async create(ort: OnnxRuntime, model: Uint8Array, batch: number | null = null): Promise<OnnxSession> {
    // One thread, sequential: the server's event loop and the other requests share the cores.
    return new OnnxSession(ort, await ort.InferenceSession.create(model, { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' }), batch);
  }

  async run(observations: Float32Array, count: number, size: number): Promise<{ output: Float32Array; logStd: Float32Array }> {
    if (this.batch === null) {
      const result = await this.session.run({ observation: new this.ort.Tensor('float32', observations, [count, size]) });
      return { output: result['mean']!.data as Float32Array, logStd: result['log_std']!.data as Float32Array };
    }
    // A fixed-batch graph: one observation at a time.
    let output: Float32Array | null = null;
    let logStd: Float32Array = new Float32Array(0);
    for (let i = 0; i < count; i++) {
      const result = await this.session.run({ observation: new this.ort.Tensor('float32', observations.subarray(i * size, (i + 1) * size), [1, size]) });
      const mean = result['mean']!.data as Float32Array;
      output ??= new Float32Array(count * mean.length);
      output.set(mean, i * mean.length);
      logStd = result['log_std']!.data as Float32Array;
    }
    return { output: output ?? new Float32Array(0), logStd };
  }

  release(): Promise<void> {
    return this.session.release();
  }
}

/** Mean, VaR and CVaR (lower tail VALUE_RISK_ALPHA) of a discrete distribution over sorted atoms. */
export function valueDistribution(support: ArrayLike<number>, probabilities: ArrayLike<number>, alpha = VALUE_RISK_ALPHA): ValueDistribution {
  let total = 0;
  for (let i = 0; i < probabilities.length; i++) total += probabilities[i]!;
  let mean = 0;
  let cumulative = 0;
  let tail = 0;
  let quantile = Number.NaN;
  for (let i = 0; i < support.length; i++) {
    const p = probabilities[i]! / total;
    mean += p * support[i]!;
    // The lowest alpha of the mass: whole atoms, then the fraction of the atom that crosses alpha.
    const take = Math.max(0, Math.min(p, alpha - cumulative));
    tail += take * support[i]!;
    cumulative += p;
    if (Number.isNaN(quantile) && cumulative >= alpha) quantile = support[i]!;
  }
  return { support: Array.from(support), probabilities: Array.from(probabilities, (p) => p / total), mean, var: quantile, cvar: tail / alpha, alpha };
}


