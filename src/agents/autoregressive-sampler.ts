/**
 * Drawing autoregressive actions (algorithm.deepseek.autoregressive): asset by asset, each pre-tanh
 * weight u_i ~ N(m_i + μ_i, (T·σ_i)²) with (μ_i, σ_i) from the autoregressive head given the
 * decoder's states and u_0..u_{i−1} — A passes of the head per batch, the noise from the agent's
 * seeded host generator (so a checkpoint restores it exactly). Deterministic: u_i = m_i + μ_i.
 */
import type { Rng } from '../core/index.js';
import { ForwardContext, readArray } from '../nn/index.js';
import type { AutoregressiveHeadParams } from '../nn/index.js';
import { jit, numpy as np, tree } from '../nn/jax.js';
import type { Array } from '../nn/jax.js';
import { deepSeekParts, type DeepSeekEncoding, type PolicyParams } from './policy.js';

type Jitted<F> = F & { dispose(): void };

export class AutoregressiveSampler {
  private readonly states: Jitted<(p: PolicyParams, x: Array) => [Array, Array]>;
  private readonly conditionals: Jitted<(head: AutoregressiveHeadParams, states: Array, values: Array) => [Array, Array]>;

  constructor(private readonly encoding: DeepSeekEncoding) {
    const head = encoding.autoregressive!;
    this.states = jit((p: PolicyParams, x: Array): [Array, Array] => {
      tree.dispose({ autoregressive: p.autoregressive, logStd: p.logStd });
      const [base, hidden] = deepSeekParts(p, x, encoding, ForwardContext.evaluation());
      return [base, hidden];
    }) as unknown as typeof this.states;
    this.conditionals = jit((h: AutoregressiveHeadParams, states: Array, values: Array): [Array, Array] => head.distribution(h, states, values, ForwardContext.evaluation())) as unknown as typeof this.conditionals;
  }

  /**
   * `perState` draws for each of `count` observations [count × D] into `out` [count·perState × A]
   * (pre-tanh; the environment gets tanh). `rng` null: the deterministic chain of means.
   */
  async sample(params: PolicyParams, observations: Float32Array, count: number, perState: number, rng: Rng | null, temperature: number, out: Float32Array): Promise<void> {
    const A = this.encoding.layout.assets;
    const [base, hidden] = this.states(tree.ref(params), np.array(observations, { shape: [count, observations.length / count] }));
    const baseValues = await readArray(base);
    const [, length, width] = hidden.shape as [number, number, number];
    const rows = count * perState;
    const expanded = np.broadcastTo(hidden.reshape([count, 1, length, width]), [count, perState, length, width]).reshape([rows, length, width]);
    const values = out.subarray(0, rows * A).fill(0);
    for (let i = 0; i < A; i++) {
      const [corrections, logStds] = this.conditionals(tree.ref(params.autoregressive!), expanded.ref, np.array(values, { shape: [rows, A] }));
      const correction = await readArray(corrections);
      const logStd = await readArray(logStds);
      for (let row = 0; row < rows; row++) {
        const mean = baseValues[Math.floor(row / perState) * A + i]! + correction[row * A + i]!;
        values[row * A + i] = rng === null ? mean : mean + temperature * Math.exp(logStd[row * A + i]!) * rng.normal();
      }
    }
    expanded.dispose();
  }

  dispose(): void {
    this.states.dispose();
    this.conditionals.dispose();
  }
}
