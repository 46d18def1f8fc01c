/** Environments: spaces, accounting, the single- and multi-asset environments, vectorised form, checker. */
export { Box, Discrete, type Space } from './spaces.js';
export type { Env, EnvSnapshot, ResetArguments, ResetResult, StepInfo, StepResult } from './types.js';
export { actionToWeights, actionToWeightsInto, normalizeWeights, normalizeWeightsInto, type WeightLimits } from './normalize-weights.js';
export { advanceWeightsInto, turnoverOf } from './accounting.js';
export { simulateWeights, simulateDefaults, type SimulateWeightsOptions, type SimulationResult, type WeightRows } from './simulate-weights.js';
export { RollingCorrelation } from './correlation.js';
export { buildFeatureTensor, FeatureTensorStream, firstFiniteBar, describeNonFinite, type FeatureTensor, type BuildFeatureTensorOptions, type ComputeFeatures } from './feature-tensor.js';
export { multiAssetEnvConfigSchema, parseMultiAssetEnvConfig, type MultiAssetEnvConfig, type MultiAssetEnvConfigInput } from './multi-asset-options.js';
export { MultiAssetEnv, type MultiAssetEnvOptions, type ObservationLayout, type ObservationSegment } from './multi-asset-env.js';
export { SingleAssetEnv, type SingleAssetEnvOptions } from './single-asset-env.js';
export { VectorEnv, type AutoResetMode, type VectorEnvOptions } from './vector-env.js';
export { checkEnv, type CheckEnvOptions, type CheckEnvReport } from './check-env.js';
