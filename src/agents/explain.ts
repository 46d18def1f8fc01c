/**
 * Explanations of the deepseek policy's decisions, as typed arrays: what the feature-attention module
 * (2.1.2) weighted in each bar of the window, per asset and feature, and how the last decoder layer's
 * cross-attention spread the decision over the bars. They describe what the network attended to when
 * it produced this output — not a causal attribution (changing a feature with a high weight need not
 * change the action most), and not a statement that the weighted feature predicts returns.
 */
import { ErrorCodes, GrpoTraderError } from '../core/index.js';
import type { Env, ObservationLayout } from '../env/index.js';
import { readArray } from '../nn/index.js';
import { jit, numpy as np, tree } from '../nn/jax.js';
import type { Array } from '../nn/jax.js';
import { explainPolicyOutput, type PolicyEncoding, type PolicyParams } from './policy.js';

/** One decision's explanation. Arrays are laid out as named; symbols and features name the axes. */
export interface DecisionExplanation {
  symbols: string[];
  features: string[];
  /** Bars in the window, oldest first (the last is the decision bar). */
  lookback: number;
  /** Feature-attention weights [lookback × assets × features]; each bar's weights sum to 1. */
  importance: Float32Array;
  /** `importance` averaged over the window's bars [assets × features] (sums to 1). */
  featureImportance: Float32Array;
  /** Per asset, the sum of its features' averaged weights [assets] (sums to 1). */
  assetImportance: Float32Array;
  /** The decision's attention over the window's bars [lookback], oldest first (sums to 1). */
  temporal: Float32Array;
  /** The network's output for the decision: Gaussian means (pre-normalisation weights) or action logits. */
  output: Float32Array;
}

type Explainer = ((params: PolicyParams, observations: Array) => [Array, Array, Array]) & { dispose(): void };

/** A jitted explanation pass for a deepseek policy over an environment's observation layout. */
export class PolicyExplainer {
  private readonly compiled: Explainer;
  readonly layout: ObservationLayout;

  constructor(
    private readonly encoding: PolicyEncoding | null,
    env: Env,
  ) {
    if (encoding?.type !== 'deepseek') {
      throw new GrpoTraderError(ErrorCodes.unsupported, 'explanations need a model trained with algorithm.policy: deepseek (its feature attention and decoder attention are what they report)', {
        location: { field: 'algorithm.policy' },
      });
    }
    this.layout = (env as unknown as { observationLayout(): ObservationLayout }).observationLayout();
    this.compiled = jit((p: PolicyParams, x: Array): [Array, Array, Array] => {
      const [output, explanation] = explainPolicyOutput(p, x, encoding);
      return [output, explanation.importance, explanation.temporal];
    }) as unknown as Explainer;
  }

  /** Explain `count` decisions from observations [count × D] (params are not consumed). */
  async explain(params: PolicyParams, observations: Float32Array, count: number): Promise<DecisionExplanation[]> {
    const size = observations.length / count;
    const [output, importance, temporal] = this.compiled(tree.ref(params), np.array(observations, { shape: [count, size] }));
    const outputs = await readArray(output);
    const weights = await readArray(importance);
    const over = await readArray(temporal);
    const { lookback: L, assets: A, features: F } = (this.encoding as Extract<PolicyEncoding, { type: 'deepseek' }>).layout;
    const perDecisionOutput = outputs.length / count;
    return globalThis.Array.from({ length: count }, (_, b) => {
      const window = weights.slice(b * L * A * F, (b + 1) * L * A * F);
      const featureImportance = new Float32Array(A * F);
      for (let t = 0; t < L; t++) for (let k = 0; k < A * F; k++) featureImportance[k]! += window[t * A * F + k]! / L;
      const assetImportance = new Float32Array(A);
      for (let a = 0; a < A; a++) for (let f = 0; f < F; f++) assetImportance[a]! += featureImportance[a * F + f]!;
      return {
        symbols: this.layout.symbols.slice(),
        features: this.layout.featureNames.slice(),
        lookback: L,
        importance: window,
        featureImportance,
        assetImportance,
        temporal: over.slice(b * L, (b + 1) * L),
        output: outputs.slice(b * perDecisionOutput, (b + 1) * perDecisionOutput),
      };
    });
  }

  dispose(): void {
    this.compiled.dispose();
  }
}
