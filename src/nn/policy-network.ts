/**
 * The specification's DeepSeekPolicyNetwork (2.1.3): state embedding → transformer decoder layers →
 * action head (Linear → GELU → Linear → softmax). The decoder's target is the embedded state
 * sequence under a causal mask; its memory is that same sequence unless an encoder's output is
 * given (for example a TemporalEncoder's per-step states). The action comes from the last position.
 *
 * Action spaces: 'discrete' (softmax over actions; log-probabilities returned) and 'gaussian' (per-
 * asset weights: a diagonal Gaussian over pre-tanh values, mean from the head, a learned state-
 * independent log standard deviation, squashed by tanh with the change-of-variables correction).
 */
import { checkDimensions, invalidNetworkConfig, invalidNetworkInput } from './config-errors.js';
import { Rng } from '../core/index.js';
import { nn, numpy as np } from './jax.js';
import type { Array } from './jax.js';
import type { ForwardContext } from './forward-context.js';
import { constantArray } from './initializers.js';
import { initLinear, linear } from './linear.js';
import type { LinearParams } from './linear.js';
import { causalBias } from './masks.js';
import { initMlpHead, mlpHead } from './mlp-head.js';
import type { MlpHeadParams } from './mlp-head.js';
import { DEFAULT_MAX_LENGTH, addPositions, sinusoidalEncoding } from './positional-encoding.js';
import { decoderLayer, initDecoderLayer } from './transformer-layers.js';
import type { DecoderLayerParams, TransformerLayerConfig } from './transformer-layers.js';

export type ActionSpaceKind = 'discrete' | 'gaussian';

export interface PolicyNetworkConfig {
  stateDim: number;
  actionDim: number;
  hiddenDim: number;
  numLayers: number;
  numHeads: number;
  dropout: number;
  feedForward: number;
  maxLength: number;
  actionSpace: ActionSpaceKind;
  /** Initial log standard deviation of the Gaussian head. */
  initialLogStd: number;
  normFirst: boolean;
}

export type PolicyNetworkOptions = Partial<PolicyNetworkConfig> & Pick<PolicyNetworkConfig, 'stateDim' | 'actionDim' | 'hiddenDim'>;

/** The specification's defaults: 4 layers, 8 heads, dropout 0.1, FF = 4·hidden. */
export function policyNetworkConfig(options: PolicyNetworkOptions): PolicyNetworkConfig {
  return {
    numLayers: 4,
    numHeads: 8,
    dropout: 0.1,
    feedForward: options.hiddenDim * 4,
    maxLength: DEFAULT_MAX_LENGTH,
    actionSpace: 'discrete',
    initialLogStd: 0,
    normFirst: false,
    ...options,
  };
}

export type PolicyNetworkParams = {
  stateEmbedding: LinearParams;
  layers: DecoderLayerParams[];
  actionHead: MlpHeadParams;
  /** Gaussian head only: log standard deviation per action dimension. */
  logStd?: Array;
};

export class DeepSeekPolicyNetwork {
  readonly config: PolicyNetworkConfig;

  constructor(options: PolicyNetworkOptions) {
    this.config = policyNetworkConfig(options);
    const c = this.config;
    checkDimensions({ stateDim: c.stateDim, actionDim: c.actionDim, hiddenDim: c.hiddenDim, numHeads: c.numHeads, numLayers: c.numLayers, feedForward: c.feedForward }, { field: 'hiddenDim', value: c.hiddenDim, heads: c.numHeads });
    if (c.actionSpace !== 'discrete' && c.actionSpace !== 'gaussian') throw invalidNetworkConfig('actionSpace', c.actionSpace, "must be 'discrete' or 'gaussian'");
  }

  layerConfig(): TransformerLayerConfig {
    const c = this.config;
    return { dModel: c.hiddenDim, numHeads: c.numHeads, feedForward: c.feedForward, dropout: c.dropout, gelu: 'exact', normFirst: c.normFirst };
  }

  /** Fresh parameters (PyTorch default initialisation). */
  init(seed: number | Rng): PolicyNetworkParams {
    const rng = typeof seed === 'number' ? new Rng(seed) : seed;
    const c = this.config;
    const params: PolicyNetworkParams = {
      stateEmbedding: initLinear(rng, c.stateDim, c.hiddenDim),
      layers: globalThis.Array.from({ length: c.numLayers }, () => initDecoderLayer(rng, this.layerConfig())),
      actionHead: initMlpHead(rng, c.hiddenDim, c.hiddenDim, c.actionDim),
    };
    if (c.actionSpace === 'gaussian') params.logStd = constantArray([c.actionDim], c.initialLogStd);
    return params;
  }

  /**
   * Head outputs for states [B, stateDim] or [B, T, stateDim]: discrete → log-probabilities [B, A];
   * gaussian → pre-tanh means [B, A]. `memory` [B, S, hidden] replaces the self-memory when given.
   * Consumes params (except logStd, which is returned untouched in `rest`), states and memory. With
   * `crossAttention`, each layer's cross-attention weights [B, T, S] (mean over heads) are pushed to it.
   */
  headOutputs(params: Omit<PolicyNetworkParams, 'logStd'>, states: Array, context: ForwardContext, memory: Array | null = null, crossAttention: Array[] | null = null): Array {
    const [output, hidden] = this.outputsAndStates(params, states, context, memory, crossAttention);
    hidden.dispose();
    return output;
  }

  /**
   * Like headOutputs, also returning the decoder's output sequence [B, T, hidden] (what an
   * autoregressive action head cross-attends to). Consumes params, states and memory.
   */
  outputsAndStates(params: Omit<PolicyNetworkParams, 'logStd'>, states: Array, context: ForwardContext, memory: Array | null = null, crossAttention: Array[] | null = null): [Array, Array] {
    const c = this.config;
    const sequence = states.ndim === 2 ? states.reshape([states.shape[0]!, 1, c.stateDim]) : states;
    const [batch, length] = sequence.shape as [number, number, number];
    let h = linear(params.stateEmbedding, sequence);
    h = context.dropout(addPositions(h, sinusoidalEncoding(length, c.hiddenDim)), c.dropout);
    const layerConfig = this.layerConfig();
    for (const layer of params.layers) {
      const target = h;
      const source = memory === null ? target.ref : memory.ref;
      h = decoderLayer(layer, target, source, context, layerConfig, length > 1 ? causalBias(length) : null, null, crossAttention ? (weights) => crossAttention.push(weights) : null);
    }
    memory?.dispose();
    const last = h.ref.slice([], length - 1).reshape([batch, c.hiddenDim]);
    const logits = mlpHead(params.actionHead, last);
    return [c.actionSpace === 'discrete' ? nn.logSoftmax(logits, -1) : logits, h];
  }

  /** Discrete policy: log-probabilities [B, A]. Consumes params and inputs. */
  logProbabilities(params: PolicyNetworkParams, states: Array, context: ForwardContext, memory: Array | null = null): Array {
    const { logStd, ...rest } = params;
    logStd?.dispose();
    if (this.config.actionSpace !== 'discrete') throw invalidNetworkInput('actionSpace', this.config.actionSpace, 'logProbabilities needs a discrete action space');
    return this.headOutputs(rest, states, context, memory);
  }

  /** Gaussian policy: [means [B, A], logStd [A]] of the pre-tanh distribution. Consumes params and inputs. */
  gaussian(params: PolicyNetworkParams, states: Array, context: ForwardContext, memory: Array | null = null): [Array, Array] {
    const { logStd, ...rest } = params;
    if (this.config.actionSpace !== 'gaussian' || !logStd) throw invalidNetworkInput('actionSpace', this.config.actionSpace, 'gaussian needs a gaussian action space');
    return [this.headOutputs(rest, states, context, memory), logStd];
  }
}

/**
 * Log-density of tanh-squashed actions a = tanh(u) under u ~ N(mean, exp(logStd)²), summed over
 * action dimensions: Σ [log N(u; μ, σ) − log(1 − tanh²u)], with the stable form
 * log(1 − tanh²u) = 2(log 2 − u − softplus(−2u)). Inputs are pre-tanh values u [B, A]. Consumes all.
 */
export function squashedGaussianLogProbability(means: Array, logStd: Array, preTanh: Array): Array {
  const z = preTanh.ref.sub(means).mul(np.exp(logStd.ref.mul(-1)));
  const gaussian = z.ref.mul(z).mul(-0.5).sub(logStd).sub(0.5 * Math.log(2 * Math.PI));
  const correction = nn.softplus(preTanh.ref.mul(-2)).add(preTanh).mul(-1).add(Math.LN2).mul(2);
  return gaussian.sub(correction).sum(-1);
}
