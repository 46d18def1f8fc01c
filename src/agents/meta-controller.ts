/**
 * The DeepSeek-R1 agent's meta-controller (3.3 names it without a rule; ours): after every update it
 * watches the policy's mean entropy and its k3 KL to the reference policy, and changes
 *  - the entropy coefficient: ×1.5 when entropy < target, ÷1.5 when entropy > 1.5·target (bounded);
 *  - β, the KL coefficient (adaptive KL as in PPO): ×2 when KL > 1.5·targetKl, ÷2 when < targetKl/1.5;
 *  - the exploration temperature: ×1.05 while entropy is below target, ×0.98 above it, within [0.5, 2].
 * Disabled, it keeps the coefficients fixed.
 */
export interface MetaControllerOptions {
  enabled: boolean;
  entropyCoefficient: number;
  klCoefficient: number;
  temperature: number;
  targetEntropy: number;
  targetKl: number;
}

const BOUNDS = { entropy: [1e-5, 1], kl: [1e-4, 10], temperature: [0.5, 2] } as const;

export class MetaController {
  entropyCoefficient: number;
  klCoefficient: number;
  temperature: number;

  constructor(readonly options: MetaControllerOptions) {
    this.entropyCoefficient = options.entropyCoefficient;
    this.klCoefficient = options.klCoefficient;
    this.temperature = options.temperature;
  }

  /** Adjust the coefficients from the last update's statistics. */
  observe(statistics: { entropy: number; kl: number }): void {
    if (!this.options.enabled) return;
    const { targetEntropy, targetKl } = this.options;
    const clamp = (x: number, [low, high]: readonly [number, number]) => Math.min(high, Math.max(low, x));
    // Entropy targets may be negative (Gaussian differential entropy): compare by difference.
    const margin = 0.5 * Math.abs(targetEntropy) + 1e-6;
    if (statistics.entropy < targetEntropy) {
      this.entropyCoefficient = clamp(Math.max(this.entropyCoefficient, BOUNDS.entropy[0]) * 1.5, BOUNDS.entropy);
      this.temperature = clamp(this.temperature * 1.05, BOUNDS.temperature);
    } else {
      if (statistics.entropy > targetEntropy + margin) this.entropyCoefficient = clamp(this.entropyCoefficient / 1.5, BOUNDS.entropy);
      this.temperature = clamp(this.temperature * 0.98, BOUNDS.temperature);
    }
    if (this.klCoefficient > 0 || statistics.kl > 1.5 * targetKl) {
      if (statistics.kl > 1.5 * targetKl) this.klCoefficient = clamp(Math.max(this.klCoefficient, BOUNDS.kl[0]) * 2, BOUNDS.kl);
      else if (statistics.kl < targetKl / 1.5) this.klCoefficient = clamp(this.klCoefficient / 2, BOUNDS.kl);
    }
  }

  getState(): Record<string, number> {
    return { entropyCoefficient: this.entropyCoefficient, klCoefficient: this.klCoefficient, temperature: this.temperature };
  }

  setState(state: Record<string, number>): void {
    this.entropyCoefficient = state['entropyCoefficient'] ?? this.entropyCoefficient;
    this.klCoefficient = state['klCoefficient'] ?? this.klCoefficient;
    this.temperature = state['temperature'] ?? this.temperature;
  }
}
