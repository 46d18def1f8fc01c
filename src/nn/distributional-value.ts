/**
 * The specification's DistributionalValueNetwork (2.1.4), a C51 critic: 51 atoms on [−10, 10];
 * state–action embedding (Linear → GELU → Linear → GELU) → 2 transformer encoder layers (4 heads,
 * FF = 2·hidden, dropout 0.1) → value head (Linear → GELU → Linear → softmax over atoms).
 * Also the categorical projection of a Bellman target onto the support (Bellemare et al., 2017).
 */
import { checkDimensions, invalidNetworkConfig, invalidNetworkInput } from './config-errors.js';
import { Rng } from '../core/index.js';
import { nn, numpy as np } from './jax.js';
import type { Array } from './jax.js';
import { gelu } from './activation.js';
import type { ForwardContext } from './forward-context.js';
import { initLinear, linear } from './linear.js';
import type { LinearParams } from './linear.js';
import { initMlpHead, mlpHead } from './mlp-head.js';
import type { MlpHeadParams } from './mlp-head.js';
import { encoderLayer, initEncoderLayer } from './transformer-layers.js';
import type { EncoderLayerParams, TransformerLayerConfig } from './transformer-layers.js';

export interface DistributionalValueConfig {
  stateDim: number;
  actionDim: number;
  hiddenDim: number;
  numAtoms: number;
  vMin: number;
  vMax: number;
  numHeads: number;
  numLayers: number;
  dropout: number;
}

export type DistributionalValueOptions = Partial<DistributionalValueConfig> & Pick<DistributionalValueConfig, 'stateDim' | 'actionDim' | 'hiddenDim'>;

/** The specification's defaults: 51 atoms, v_min −10, v_max 10, 4 heads, 2 layers, dropout 0.1. */
export function distributionalValueConfig(options: DistributionalValueOptions): DistributionalValueConfig {
  return { numAtoms: 51, vMin: -10, vMax: 10, numHeads: 4, numLayers: 2, dropout: 0.1, ...options };
}

export type DistributionalValueParams = {
  embedding1: LinearParams;
  embedding2: LinearParams;
  layers: EncoderLayerParams[];
  valueHead: MlpHeadParams;
};

export class DistributionalValueNetwork {
  readonly config: DistributionalValueConfig;
  /** The atoms z_i = v_min + i·Δz. */
  readonly support: Float32Array;
  readonly deltaZ: number;

  constructor(options: DistributionalValueOptions) {
    this.config = distributionalValueConfig(options);
    const { numAtoms, vMin, vMax } = this.config;
    checkDimensions({ stateDim: this.config.stateDim, actionDim: this.config.actionDim, hiddenDim: this.config.hiddenDim, numHeads: this.config.numHeads, numAtoms }, { field: 'hiddenDim', value: this.config.hiddenDim, heads: this.config.numHeads });
    if (numAtoms < 2) throw invalidNetworkConfig('numAtoms', numAtoms, 'needs at least 2 atoms');
    if (!(vMax > vMin)) throw invalidNetworkConfig('vMax', vMax, `must exceed vMin ${vMin}`);
    this.deltaZ = (vMax - vMin) / (numAtoms - 1);
    this.support = Float32Array.from({ length: numAtoms }, (_, i) => vMin + i * this.deltaZ);
  }

  layerConfig(): TransformerLayerConfig {
    const c = this.config;
    return { dModel: c.hiddenDim, numHeads: c.numHeads, feedForward: c.hiddenDim * 2, dropout: c.dropout, gelu: 'exact', normFirst: false };
  }

  /** Fresh parameters (PyTorch default initialisation). */
  init(seed: number | Rng): DistributionalValueParams {
    const rng = typeof seed === 'number' ? new Rng(seed) : seed;
    const c = this.config;
    return {
      embedding1: initLinear(rng, c.stateDim + c.actionDim, c.hiddenDim),
      embedding2: initLinear(rng, c.hiddenDim, c.hiddenDim),
      layers: globalThis.Array.from({ length: c.numLayers }, () => initEncoderLayer(rng, this.layerConfig())),
      valueHead: initMlpHead(rng, c.hiddenDim, c.hiddenDim, c.numAtoms),
    };
  }

  /**
   * Log-probabilities over atoms [B, numAtoms] for states [B, S] or [B, T, S] and actions [B, A]
   * (one-hot or continuous; broadcast over T). The last position's output is the distribution.
   * Consumes params and inputs.
   */
  logProbabilities(params: DistributionalValueParams, states: Array, actions: Array, context: ForwardContext): Array {
    const c = this.config;
    const sequence = states.ndim === 2 ? states.reshape([states.shape[0]!, 1, c.stateDim]) : states;
    const [batch, length] = sequence.shape as [number, number, number];
    const tiledActions = np.broadcastTo(actions.reshape([batch, 1, c.actionDim]), [batch, length, c.actionDim]);
    const joint = np.concatenate([sequence, tiledActions], -1);
    let h = gelu(linear(params.embedding2, gelu(linear(params.embedding1, joint))));
    for (const layer of params.layers) h = encoderLayer(layer, h, context, this.layerConfig());
    const last = h.slice([], length - 1).reshape([batch, c.hiddenDim]);
    return nn.logSoftmax(mlpHead(params.valueHead, last), -1);
  }

  /** Expected value Σ p_i z_i [B] from log-probabilities [B, N] (consumed). */
  expectedValue(logProbabilities: Array): Array {
    return np.exp(logProbabilities).mul(np.array(this.support)).sum(-1);
  }

  /** Categorical projection of r + γ(1−done)z onto this network's support (see projectDistributionInto). */
  projectInto(out: Float32Array, nextProbabilities: Float32Array, rewards: ArrayLike<number>, dones: ArrayLike<number>, gamma: number): Float32Array {
    return projectDistributionInto(out, nextProbabilities, rewards, dones, gamma, this.config.vMin, this.config.vMax, this.config.numAtoms);
  }
}

/**
 * C51 projection, written into `out` [B × N]: each atom z_j of the next-state distribution moves to
 * Tz_j = clip(r + γ(1−done)z_j, v_min, v_max); its mass p_j splits between the neighbouring atoms
 * l = ⌊b⌋ and u = ⌈b⌉ of b = (Tz_j − v_min)/Δz in proportion (u − b) and (b − l); when b lands on
 * an atom (l = u) it all goes there.
 */
export function projectDistributionInto(
  out: Float32Array,
  nextProbabilities: Float32Array,
  rewards: ArrayLike<number>,
  dones: ArrayLike<number>,
  gamma: number,
  vMin: number,
  vMax: number,
  numAtoms: number,
): Float32Array {
  const batch = rewards.length;
  if (nextProbabilities.length !== batch * numAtoms || out.length !== batch * numAtoms) {
    throw invalidNetworkInput('nextProbabilities.length', nextProbabilities.length, `projection expects ${batch}×${numAtoms} values (out has ${out.length})`);
  }
  const deltaZ = (vMax - vMin) / (numAtoms - 1);
  out.fill(0);
  for (let b = 0; b < batch; b++) {
    const discount = gamma * (1 - dones[b]!);
    for (let j = 0; j < numAtoms; j++) {
      const z = vMin + j * deltaZ;
      const target = Math.min(vMax, Math.max(vMin, rewards[b]! + discount * z));
      const position = (target - vMin) / deltaZ;
      const lower = Math.floor(position);
      const upper = Math.ceil(position);
      const mass = nextProbabilities[b * numAtoms + j]!;
      if (lower === upper) {
        out[b * numAtoms + lower] += mass;
      } else {
        out[b * numAtoms + lower] += mass * (upper - position);
        out[b * numAtoms + upper] += mass * (position - lower);
      }
    }
  }
  return out;
}

/** Cross-entropy −Σ target·log p averaged over the batch; target [B, N] and log p [B, N] consumed. */
export function categoricalCrossEntropy(target: Array, logProbabilities: Array): Array {
  return target.mul(logProbabilities).sum(-1).mean().mul(-1);
}
