/**
 * A served decision is the decision the backtest takes: for every multi-asset policy kind (MLP,
 * per-asset and temporal encoders, the DeepSeek network, its autoregressive head) and both engines
 * (jax-js; onnxruntime where it is installed and the policy exports), with an actionBound that
 * binds — the environment clips the action to ±actionBound before normalising, so serving must too.
 * And every path that turns an action into weights (environment step, server, explain, online agent)
 * gives the same weights for the same action, through the one function `actionToWeights`.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainTinyModel } from '../../test/tiny-model.js';
import { backtestModel, evaluationRange, explainDecision, modelFeatures, readModel } from '../backtest/model-backtest.js';
import { loadMarket, sliceByDate } from '../data/index.js';
import type { MarketData } from '../data/types.js';
import type { MultiAssetEnv } from '../env/multi-asset-env.js';
import { actionToWeights, normalizeWeights } from '../env/normalize-weights.js';
import { OnlineLearningAgent } from '../online/online-agent.js';
import { loadTrainedModel } from './load-trained-model.js';
import { loadOnnxRuntime, ModelPredictor } from './predictor.js';
import { SpecificationAgent } from './specification-agent.js';

const hasOnnxRuntime = (await loadOnnxRuntime()) !== null;

/** Small enough that 3 assets at the initial mean 1/3 all exceed it: the clip binds. */
const ACTION_BOUND = 0.2;
const DATE = '2011-03-15';
const TINY_DEEPSEEK = { hiddenDim: 8, encoderLayers: 1, encoderHeads: 2, attentionHeads: 2, decoderLayers: 1, decoderHeads: 2, feedForward: 16, dropout: 0 };
const KINDS = {
  mlp: { type: 'grpo', grpo: { groupSize: 2, rolloutSteps: 2 } },
  per_asset: { type: 'reward_penalty', encoder: 'per_asset' },
  cross_asset: { type: 'grpo', encoder: 'per_asset', crossAsset: true, marketContext: true, grpo: { groupSize: 2, rolloutSteps: 2 } },
  temporal: { type: 'grpo', encoder: 'temporal', temporalHidden: 8, grpo: { groupSize: 2, rolloutSteps: 2 } },
  deepseek: { type: 'deepseek_r1', policy: 'deepseek', deepseek: TINY_DEEPSEEK, rewardPenalty: { critic: 'distributional', criticHidden: 8, criticLayers: 1 } },
  autoregressive: { type: 'grpo', policy: 'deepseek', deepseek: { ...TINY_DEEPSEEK, autoregressive: true }, grpo: { groupSize: 2, rolloutSteps: 2 } },
} as const;
type Kind = keyof typeof KINDS;

let dir: string;
let market: MarketData;
const models = {} as Record<Kind, string>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'grpo-predictor-'));
  let dataDir = '';
  for (const [kind, algorithm] of Object.entries(KINDS) as [Kind, Record<string, unknown>][]) {
    await mkdir(join(dir, kind));
    const trained = await trainTinyModel(join(dir, kind), {
      bars: 400,
      overrides: {
        environment: { lookback: 3, episodeLength: 20, returnHistory: 2, actionBound: ACTION_BOUND } as never,
        algorithm: { hiddenSizes: [16], initialMean: 'equal', initialStd: 0.2, ...algorithm },
        training: { updates: 1, envs: 2, evalInterval: 1, checkpointInterval: 1, patience: 0 },
      },
    });
    models[kind] = trained.model;
    dataDir = trained.dataDir;
  }
  ({ market } = await loadMarket([dataDir]));
}, 300_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The first decision of a backtest starting at DATE from cash: its action is the environment's, its weights what the book held. */
async function backtestedAt(model: string) {
  const info = await readModel(model);
  const { start, end } = evaluationRange(market, DATE, '2011-04-01');
  const { result } = await backtestModel(info, market, modelFeatures(info, market), start, end);
  expect(new Date(result.time[0]!).toISOString().slice(0, 10)).toBe(DATE);
  return Array.from(result.weights.subarray(0, market.symbols.length));
}

// Autoregressive policies are not exported to ONNX (a chain of conditional means): jax-js only.
const engines = (kind: Kind) => (kind === 'autoregressive' ? ['jax' as const] : ['jax' as const, 'onnx' as const]);

describe('served = backtested, with an actionBound that binds', () => {
  for (const kind of Object.keys(KINDS) as Kind[]) {
    for (const engine of engines(kind)) {
      it.skipIf(engine === 'onnx' && !hasOnnxRuntime)(`${kind} policy on ${engine}`, async () => {
        const backtested = await backtestedAt(models[kind]);
        const predictor = await ModelPredictor.load(models[kind], undefined, { engine });
        try {
          expect(predictor.engine).toBe(engine);
          // The posted history up to DATE: the features read what the backtest's read.
          const served = await predictor.predictMarket(sliceByDate(market, undefined, DATE));
          expect(served.date?.slice(0, 10)).toBe(DATE);
          // The bound binds: some action is beyond it, and normalising without the clip gives other weights.
          expect(Math.max(...served.action.map(Math.abs))).toBeGreaterThan(ACTION_BOUND + 0.01);
          const unclipped = normalizeWeights(served.action, 1, 1);
          expect(Math.max(...backtested.map((w, a) => Math.abs(w - unclipped[a]!)))).toBeGreaterThan(0.01);
          // onnxruntime's means equal jax-js's within 1e-5 (docs/server.md); jax-js serves the backtest's own numbers.
          served.weights.forEach((w, a) => expect(Math.abs(w - backtested[a]!)).toBeLessThanOrEqual(engine === 'jax' ? 1e-9 : 1e-5));
        } finally {
          predictor.dispose();
        }
      });
    }
  }
});

describe('every path turns an action into weights through one function', () => {
  it('environment step, server (both engines), explain and the online agent hold the same weights for the same action', async () => {
    const model = models.deepseek;
    const info = await readModel(model);
    const features = modelFeatures(info, market);
    const backtested = await backtestedAt(model);

    const served = await ModelPredictor.load(model, undefined, { engine: 'jax' });
    const prediction = await served.predictMarket(sliceByDate(market, undefined, DATE));
    // The exported graph outputs the action (mean); its metadata carries the limits that turn it into weights
    // (ModelProto.metadata_props: key, then field 2 of 3 bytes, the value).
    const exported = Buffer.from(await served.exportOnnx()).toString('latin1');
    expect(exported).toContain(`action_bound\x12\x03${ACTION_BOUND}`);
    expect(exported).toContain('max_position_size\x12\x011');
    served.dispose();
    const explained = await explainDecision(info, market, features, DATE);

    const trained = await loadTrainedModel(info, market, features);
    try {
      const { start, end } = evaluationRange(market, DATE, '2011-04-01');
      const env = trained.makeEnv({ firstBar: start, lastBar: end - 1 }) as MultiAssetEnv;
      const online = new OnlineLearningAgent(new SpecificationAgent(trained.agent as never, info.config), env, market, { explore: false, championChallenger: false, seed: 1 });
      online.start(start);
      const decision = await online.decide();
      expect(decision.bar).toBe(start);
      const step = await online.step();

      // One action: the server's, the explanation's and the online agent's are the same deterministic action.
      const action = prediction.action;
      expect(Array.from(decision.action)).toEqual(action);
      expect(explained.action).toEqual(action);
      const expected = Array.from(actionToWeights(action, env.config));
      expect(prediction.weights).toEqual(expected);
      expect(explained.weights).toEqual(expected);
      expect(Array.from(decision.weights)).toEqual(expected);
      expect(Array.from(step.weights)).toEqual(expected);
      expect(backtested).toEqual(expected);
      online.dispose();
    } finally {
      trained.dispose();
    }
    if (hasOnnxRuntime) {
      const onnx = await ModelPredictor.load(model, undefined, { engine: 'onnx' });
      const viaOnnx = await onnx.predictMarket(sliceByDate(market, undefined, DATE));
      onnx.dispose();
      expect(viaOnnx.weights).toEqual(Array.from(actionToWeights(viaOnnx.action, info.config.environment)));
      viaOnnx.weights.forEach((w, a) => expect(Math.abs(w - backtested[a]!)).toBeLessThanOrEqual(1e-5));
    }
  }, 60_000);
});
