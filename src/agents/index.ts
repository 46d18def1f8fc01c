/**
 * Agents: one policy-gradient core (policy network, sampling, Adam with clipping and schedules),
 * group-relative GRPO, the specification's reward-penalty agent and its DeepSeek-R1 variant, the
 * training loop with checkpoints, and evaluation helpers. jax-js is initialised lazily (initEngine
 * is called by runTraining, or by you before constructing an agent).
 */
export { initPolicy, policyOutput, policyLogStd, logProbsAndEntropy, type PolicyKind, type PolicyShape, type PolicyParams, type PolicyEncoding, type PerAssetLayout } from './policy.js';
export { policyEncoding, perAssetLayoutOf } from './policy-encoding.js';
export { sampleActionInto, argmaxRow } from './policy-sampling.js';
export { OptimizerCore, type LossWithStatistics } from './optimizer-core.js';
export { groupAdvantagesInto, type AdvantageNormalization } from './group-advantages.js';
export { GroupRelativeGrpo, GROUP_RELATIVE_DEFAULTS, groupRelativeLoss, type GroupRelativeGrpoOptions, type GroupRelativeMetrics } from './group-relative-grpo.js';
export { POLICY_CORE_DEFAULTS, scheduleFromOptions, type PolicyCoreOptions, type ScheduleKind } from './policy-options.js';
export { RewardPenaltyAgent, REWARD_PENALTY_DEFAULTS, type RewardPenaltyOptions, type RewardPenaltyParams, type TransitionBatch } from './reward-penalty-agent.js';
export { GRPOAgent, DeepSeekR1GRPOAgent } from './spec-names.js';
export { MetaController, type MetaControllerOptions } from './meta-controller.js';
export type { TrainableAgent, AgentHostState } from './trainable-agent.js';
export { runEpisode, equalWeightChooser, randomChooser, type EpisodeSummary, type ActionChooser } from './evaluate.js';
export { syntheticSignalMarket, type SyntheticSignalMarketOptions } from './synthetic-market.js';
export {
  trainConfigSchema,
  parseTrainConfig,
  trainConfigJsonSchema,
  type TrainConfig,
  type TrainConfigInput,
} from './train-config.js';
export { loadTrainConfigFile, readCheckpointConfig } from './train-config-file.js';
export { estimateTrainingMemory, checkTrainingMemory, selectedFeatureCount, type MarketShape } from './training-memory.js';
export { runTraining, createAgent, environmentFactory, splitBars, type TrainRunOptions, type TrainSummary, type TrainingRecorder, type TrainingStart, type SplitEvaluation, type ModelDataRecord } from './train.js';
export { writeCheckpoint, loadCheckpoint, resolveCheckpoint, resumeTarget, readCheckpointState, checkpointName, checkpointRunDirectory, copyCheckpoint, type CheckpointState, type TrainerState } from './checkpoint.js';
export { readTrainedModel, loadTrainedModel, type TrainedModelInfo, type TrainedModel } from './load-trained-model.js';
export { SpecificationAgent, ModelSnapshot, type Transition } from './specification-agent.js';
export { ModelPredictor, valueDistribution, VALUE_RISK_ALPHA, type Prediction, type ServedModel, type ValueDistribution } from './predictor.js';
