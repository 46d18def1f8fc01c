/**
 * The specification's FeatureAttentionModule (2.1.2): feature projection Linear(F, h) → multi-head
 * self-attention over time → feature-importance network (Linear → GELU → Linear(h, F) → softmax over
 * features). The importance weights are returned so a prediction can be explained; the re-weighted
 * input x·w·F (scaled so uniform weights leave x unchanged) is what downstream layers consume.
 */
import { checkDimensions } from './config-errors.js';
import { Rng } from '../core/index.js';
import { nn } from './jax.js';
import type { Array } from './jax.js';
import { initAttention, multiHeadAttention } from './attention.js';
import type { AttentionParams } from './attention.js';
import type { ForwardContext } from './forward-context.js';
import { initLinear, linear } from './linear.js';
import type { LinearParams } from './linear.js';
import { initMlpHead, mlpHead } from './mlp-head.js';
import type { MlpHeadParams } from './mlp-head.js';

export interface FeatureAttentionConfig {
  featureDim: number;
  hiddenDim: number;
  numHeads: number;
}

export type FeatureAttentionParams = { featureProjection: LinearParams; attention: AttentionParams; featureImportance: MlpHeadParams };

export interface FeatureAttentionOutput {
  /** x re-weighted by importance × featureDim, [B, T, F]. */
  weighted: Array;
  /** Attended hidden states [B, T, h]. */
  attended: Array;
  /** Softmax feature-importance weights [B, T, F]; each row sums to 1. */
  importance: Array;
}

export class FeatureAttentionModule {
  readonly config: FeatureAttentionConfig;

  constructor(options: Partial<FeatureAttentionConfig> & Pick<FeatureAttentionConfig, 'featureDim' | 'hiddenDim'>) {
    this.config = { numHeads: 4, ...options };
    checkDimensions({ featureDim: this.config.featureDim, hiddenDim: this.config.hiddenDim, numHeads: this.config.numHeads }, { field: 'hiddenDim', value: this.config.hiddenDim, heads: this.config.numHeads });
  }

  /** Fresh parameters (PyTorch default initialisation). */
  init(seed: number | Rng): FeatureAttentionParams {
    const rng = typeof seed === 'number' ? new Rng(seed) : seed;
    const { featureDim, hiddenDim } = this.config;
    return {
      featureProjection: initLinear(rng, featureDim, hiddenDim),
      attention: initAttention(rng, hiddenDim),
      featureImportance: initMlpHead(rng, hiddenDim, hiddenDim, featureDim),
    };
  }

  /** x [B, T, F] → weighted input, attended states and importance weights. Consumes params and x. */
  apply(params: FeatureAttentionParams, x: Array, context: ForwardContext, attentionBias: Array | null = null): FeatureAttentionOutput {
    const projected = linear(params.featureProjection, x.ref);
    const [attended] = multiHeadAttention(params.attention, projected, null, context, { numHeads: this.config.numHeads, bias: attentionBias });
    const importance = nn.softmax(mlpHead(params.featureImportance, attended.ref), -1);
    const weighted = x.mul(importance.ref).mul(this.config.featureDim);
    return { weighted, attended, importance };
  }
}
