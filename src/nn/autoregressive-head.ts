/**
 * Autoregressive Gaussian head for continuous multi-asset actions (the specification's
 * "autoregressive action generation in continuous action spaces"): asset i's pre-tanh weight u_i is
 * drawn from N(μ_i, σ_i²) where (μ_i, log σ_i) come from a causal transformer decoder whose token i
 * sees the start token, u_0..u_{i-1} and the asset's learned embedding, and which cross-attends to
 * the state context (e.g. a TemporalEncoder's per-step states or a policy's embedding). Training
 * uses teacher forcing (one pass over all assets); sampling runs one pass per asset.
 */
import { Rng } from '../core/index.js';
import { numpy as np, random, tree } from './jax.js';
import type { Array } from './jax.js';
import { readArray } from './engine.js';
import { ForwardContext } from './forward-context.js';
import { normalArray } from './initializers.js';
import { initLinear, linear } from './linear.js';
import type { LinearParams } from './linear.js';
import { causalBias } from './masks.js';
import { decoderLayer, initDecoderLayer } from './transformer-layers.js';
import type { DecoderLayerParams, TransformerLayerConfig } from './transformer-layers.js';
import { squashedGaussianLogProbability } from './policy-network.js';

export interface AutoregressiveHeadConfig {
  actionDim: number;
  hiddenDim: number;
  numHeads: number;
  numLayers: number;
  dropout: number;
  /** log σ is clipped to this range for stability. */
  logStdMin: number;
  logStdMax: number;
}

export type AutoregressiveHeadParams = {
  startToken: Array;
  actionEmbedding: LinearParams;
  assetEmbedding: Array;
  layers: DecoderLayerParams[];
  output: LinearParams;
};

export class AutoregressiveGaussianHead {
  readonly config: AutoregressiveHeadConfig;

  constructor(options: Partial<AutoregressiveHeadConfig> & Pick<AutoregressiveHeadConfig, 'actionDim' | 'hiddenDim'>) {
    this.config = { numHeads: 4, numLayers: 1, dropout: 0, logStdMin: -5, logStdMax: 2, ...options };
  }

  private layerConfig(): TransformerLayerConfig {
    const c = this.config;
    return { dModel: c.hiddenDim, numHeads: c.numHeads, feedForward: 2 * c.hiddenDim, dropout: c.dropout, gelu: 'exact', normFirst: false };
  }

  /** Fresh parameters. */
  init(seed: number | Rng): AutoregressiveHeadParams {
    const rng = typeof seed === 'number' ? new Rng(seed) : seed;
    const c = this.config;
    return {
      startToken: normalArray(rng, [c.hiddenDim], 0.02),
      actionEmbedding: initLinear(rng, 1, c.hiddenDim),
      assetEmbedding: normalArray(rng, [c.actionDim, c.hiddenDim], 0.02),
      layers: globalThis.Array.from({ length: c.numLayers }, () => initDecoderLayer(rng, this.layerConfig())),
      output: initLinear(rng, c.hiddenDim, 2),
    };
  }

  /**
   * Teacher-forced distribution parameters: for context [B, S, h] and pre-tanh actions u [B, A],
   * returns [means [B, A], logStds [B, A]] where position i depends only on u_0..u_{i-1}.
   * Consumes params and inputs.
   */
  distribution(params: AutoregressiveHeadParams, context: Array, preTanh: Array, forward: ForwardContext): [Array, Array] {
    const c = this.config;
    const batch = preTanh.shape[0]!;
    const start = np.broadcastTo(params.startToken.reshape([1, 1, c.hiddenDim]), [batch, 1, c.hiddenDim]);
    let tokens: Array;
    if (c.actionDim > 1) {
      const previous = preTanh.slice([], [0, c.actionDim - 1]).reshape([batch, c.actionDim - 1, 1]);
      tokens = np.concatenate([start, linear(params.actionEmbedding, previous)], 1);
    } else {
      preTanh.dispose();
      params.actionEmbedding.weight.dispose();
      params.actionEmbedding.bias.dispose();
      tokens = start;
    }
    let h = tokens.add(params.assetEmbedding);
    for (const layer of params.layers) h = decoderLayer(layer, h, context.ref, forward, this.layerConfig(), c.actionDim > 1 ? causalBias(c.actionDim) : null, null);
    context.dispose();
    const out = linear(params.output, h);
    const means = out.ref.slice([], [], 0);
    const logStds = np.clip(out.slice([], [], 1), c.logStdMin, c.logStdMax);
    return [means, logStds];
  }

  /** Log-density of tanh-squashed actions given their pre-tanh values u [B, A]. Consumes all. */
  logProbability(params: AutoregressiveHeadParams, context: Array, preTanh: Array, forward: ForwardContext): Array {
    const [means, logStds] = this.distribution(params, context, preTanh.ref, forward);
    return squashedGaussianLogProbability(means, logStds, preTanh);
  }

  /**
   * Sample asset by asset: resolves to pre-tanh values u [B, A] (the action is tanh(u)). Eager, one
   * decoder pass per asset. Does not consume params; consumes context and key.
   */
  async sample(params: AutoregressiveHeadParams, context: Array, key: Array, deterministic = false): Promise<Array> {
    const c = this.config;
    const batch = context.shape[0]!;
    const values = new Float32Array(batch * c.actionDim);
    let currentKey = key;
    for (let i = 0; i < c.actionDim; i++) {
      const [means, logStds] = this.distribution(tree.ref(params), context.ref, np.array(values, { shape: [batch, c.actionDim] }), ForwardContext.evaluation());
      const mean = means.slice([], i);
      const std = np.exp(logStds.slice([], i));
      let draw: Array;
      if (deterministic) {
        std.dispose();
        draw = mean;
      } else {
        const keys = random.split(currentKey, 2);
        currentKey = keys.ref.slice(0);
        draw = mean.add(std.mul(random.normal(keys.slice(1), [batch])));
      }
      const drawn = await readArray(draw);
      for (let b = 0; b < batch; b++) values[b * c.actionDim + i] = drawn[b]!;
    }
    currentKey.dispose();
    context.dispose();
    return np.array(values, { shape: [batch, c.actionDim] });
  }
}
