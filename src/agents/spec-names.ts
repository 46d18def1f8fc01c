/**
 * The specification's class names (3.2, 3.3), so they can be found: `GRPOAgent` is the
 * reward-penalty agent with a Q critic, `DeepSeekR1GRPOAgent` its extension with KL to a reference,
 * entropy regularisation, exploration temperature and the meta-controller.
 */
import type { Env } from '../env/index.js';
import { RewardPenaltyAgent, type RewardPenaltyOptions } from './reward-penalty-agent.js';

/** The specification's `GRPOAgent` (3.2): Generalized Reward-Penalty Optimization. */
export class GRPOAgent extends RewardPenaltyAgent {
  constructor(envs: Env[], options: Partial<Omit<RewardPenaltyOptions, 'variant'>> = {}) {
    super(envs, { ...options, variant: 'basic' });
  }
}

/** The specification's `DeepSeekR1GRPOAgent` (3.3); the meta-controller is on by default. */
export class DeepSeekR1GRPOAgent extends RewardPenaltyAgent {
  constructor(envs: Env[], options: Partial<Omit<RewardPenaltyOptions, 'variant'>> = {}) {
    super(envs, { metaController: true, klCoefficient: 0.01, ...options, variant: 'deepseek_r1' });
  }
}
