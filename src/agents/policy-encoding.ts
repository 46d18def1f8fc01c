/** Observation encoders of the policy: the per-asset layout read from a multi-asset environment, and the temporal encoder. */
import { ErrorCodes, GrpoTraderError } from '../core/index.js';
import type { Env, ObservationLayout } from '../env/index.js';
import { AutoregressiveGaussianHead, DeepSeekPolicyNetwork, FeatureAttentionModule, TemporalEncoder } from '../nn/index.js';
import type { DeepSeekEncoding, PerAssetLayout, PolicyEncoding, PolicyKind } from './policy.js';
import { resolveEncoder, type EncoderName, type PolicyCoreOptions } from './policy-options.js';

/** The policy encoding the options select (null for the plain MLP). */
export function policyEncodingOf(options: Pick<PolicyCoreOptions, 'policy' | 'deepseek' | 'encoder' | 'temporalHidden' | 'featureAttention' | 'crossAsset' | 'marketContext'>, env: Env, kind: PolicyKind): PolicyEncoding | null {
  if (options.policy === 'deepseek') {
    refusePerAssetOptions(options.crossAsset, options.marketContext, 'the deepseek policy');
    return deepSeekEncoding(options.deepseek, env, kind);
  }
  return policyEncoding(options.encoder, env, kind, options.temporalHidden, options.featureAttention, options.crossAsset, options.marketContext);
}

/** The specification's network (2.1.1–2.1.3) over the environment's feature window. */
export function deepSeekEncoding(sizes: PolicyCoreOptions['deepseek'], env: Env, kind: PolicyKind): DeepSeekEncoding {
  const layout = perAssetLayoutOf(env, 'gaussian', 'deepseek');
  const featureDim = layout.assets * layout.features;
  const feedForward = sizes.feedForward ?? sizes.hiddenDim * 4;
  const restSize = env.observationSize - layout.lookback * featureDim;
  const maxLength = Math.max(layout.lookback, 8);
  return {
    type: 'deepseek',
    layout,
    featureAttention: new FeatureAttentionModule({ featureDim, hiddenDim: sizes.hiddenDim, numHeads: sizes.attentionHeads }),
    encoder: new TemporalEncoder({ featureDim, hiddenDim: sizes.hiddenDim, numHeads: sizes.encoderHeads, numLayers: sizes.encoderLayers, dropout: sizes.dropout, feedForward, maxLength, pooling: 'mean' }),
    decoder: new DeepSeekPolicyNetwork({
      stateDim: featureDim + restSize,
      actionDim: kind === 'gaussian' ? layout.assets : (env.actionSpace as { n: number }).n,
      hiddenDim: sizes.hiddenDim,
      numLayers: sizes.decoderLayers,
      numHeads: sizes.decoderHeads,
      dropout: sizes.dropout,
      feedForward,
      maxLength,
      actionSpace: kind === 'gaussian' ? 'gaussian' : 'discrete',
    }),
    autoregressive: sizes.autoregressive ? autoregressiveHead(sizes, kind, layout.assets) : null,
  };
}

/** The autoregressive head over the decoder's states: continuous actions only. */
function autoregressiveHead(sizes: PolicyCoreOptions['deepseek'], kind: PolicyKind, assets: number): AutoregressiveGaussianHead {
  if (kind !== 'gaussian') {
    throw new GrpoTraderError(ErrorCodes.invalidConfig, 'autoregressive actions are for continuous weights (a multi-asset environment); a discrete policy already picks one action', {
      location: { field: 'algorithm.deepseek.autoregressive', value: 'true' },
    });
  }
  return new AutoregressiveGaussianHead({ actionDim: assets, hiddenDim: sizes.hiddenDim, numHeads: sizes.decoderHeads, numLayers: 1, dropout: sizes.dropout });
}

/** The per-asset encoder's options are refused, naming the field, where another network reads the observation. */
function refusePerAssetOptions(crossAsset: boolean, marketContext: boolean, network: string): void {
  const field = crossAsset ? 'crossAsset' : marketContext ? 'marketContext' : null;
  if (field === null) return;
  throw new GrpoTraderError(ErrorCodes.invalidConfig, `algorithm.${field} needs the per_asset encoder (continuous weights of two or more assets); the policy here is ${network}`, { location: { field: `algorithm.${field}` } });
}

/** The policy encoding for an encoder name (null for the plain MLP). */
export function policyEncoding(name: EncoderName, env: Env, kind: PolicyKind, temporalHidden = 32, featureAttention = false, crossAsset = false, marketContext = false): PolicyEncoding | null {
  const encoder = resolveEncoder(name, perAssetLayoutOrNull(env, kind));
  if (encoder !== 'per_asset') refusePerAssetOptions(crossAsset, marketContext, `the ${encoder}${name === 'auto' ? ' (auto)' : ''} encoder`);
  if (encoder === 'mlp') return null;
  if (encoder === 'per_asset') return { type: 'per_asset', layout: perAssetLayoutOf(env, kind, 'per_asset'), crossAsset, marketContext };
  const layout = perAssetLayoutOf(env, 'gaussian', 'temporal');
  const encoderNetwork = new TemporalEncoder({
    featureDim: layout.assets * layout.features,
    hiddenDim: temporalHidden,
    numHeads: 4,
    numLayers: 1,
    dropout: 0,
    feedForward: temporalHidden * 2,
    maxLength: Math.max(layout.lookback, 8),
    padToMultiple: 1,
  });
  const attention = featureAttention ? new FeatureAttentionModule({ featureDim: layout.assets * layout.features, hiddenDim: temporalHidden, numHeads: 4 }) : null;
  return { type: 'temporal', layout, encoder: encoderNetwork, featureAttention: attention };
}

/** The features-then-weights layout the per-asset encoders read, or null when the environment has none (or the actions are discrete). */
function perAssetLayoutOrNull(env: Env, kind: PolicyKind): PerAssetLayout | null {
  const describe = (env as Partial<{ observationLayout(): ObservationLayout }>).observationLayout;
  const layout = kind === 'gaussian' && typeof describe === 'function' ? describe.call(env) : null;
  const features = layout?.segments.find((segment) => segment.name === 'features');
  const weights = layout?.segments.find((segment) => segment.name === 'weights');
  if (!layout || !features || !weights || features.offset !== 0 || weights.offset !== features.length) return null;
  return { lookback: layout.lookback, assets: layout.symbols.length, features: layout.featureNames.length };
}

/** Check the environment exposes the features-then-weights layout and return its sizes. */
export function perAssetLayoutOf(env: Env, kind: PolicyKind, encoder = 'per_asset'): PerAssetLayout {
  const layout = perAssetLayoutOrNull(env, kind);
  if (!layout) {
    throw new GrpoTraderError(ErrorCodes.invalidConfig, `the ${encoder} ${encoder === 'deepseek' ? 'policy' : 'encoder'} needs ${encoder === 'per_asset' ? 'a multi-asset environment (continuous weights, ' : 'an environment with a feature window ('}features then weights in the observation)`, {
      location: { field: encoder === 'deepseek' ? 'algorithm.policy' : 'algorithm.encoder', value: encoder },
    });
  }
  return layout;
}
