/**
 * `/v1/predict` with finite inputs the model cannot compute with: values float32 cannot hold are
 * refused up front naming the field, and inputs that overflow float32 inside the network (a layer
 * norm's variance) are refused naming the input — a coded 4xx, never a 200 with null weights. Both
 * request forms (an observation, posted bars), both engines, spoken to with Fastify's `inject()`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainTinyModel } from '../../test/tiny-model.js';
import { loadOnnxRuntime, ModelPredictor } from '../agents/predictor.js';
import { loadMarket, sliceByDate } from '../data/index.js';
import type { MarketData } from '../data/types.js';
import { buildServer } from './app.js';
import { ModelRegistry } from './registry.js';

const hasOnnxRuntime = (await loadOnnxRuntime()) !== null;
const TINY_DEEPSEEK = { hiddenDim: 8, encoderLayers: 1, encoderHeads: 2, attentionHeads: 2, decoderLayers: 1, decoderHeads: 2, feedForward: 16, dropout: 0 };

let dir: string;
let model: string;
let market: MarketData;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'grpo-predict-inputs-'));
  // Raw SMA20 and OBV scale with the posted prices and volumes; a DeepSeek network has layer norms.
  const trained = await trainTinyModel(dir, {
    bars: 400,
    overrides: {
      data: { paths: ['data'], features: ['RSI_norm', 'SMA20', 'OBV'] },
      algorithm: { type: 'reward_penalty', policy: 'deepseek', deepseek: TINY_DEEPSEEK, hiddenSizes: [16], initialMean: 'equal', initialStd: 0.2 },
      training: { updates: 1, envs: 2, evalInterval: 1, checkpointInterval: 1, patience: 0 },
    },
  });
  model = trained.model;
  ({ market } = await loadMarket([trained.dataDir]));
  market = sliceByDate(market, undefined, '2011-03-15');
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

type Columns = Record<'open' | 'high' | 'low' | 'close' | 'volume', number[]>;

/** The market as posted bars, each symbol's columns passed through `edit` first. */
function postedBars(edit: (symbol: string, columns: Columns) => void = () => {}) {
  const A = market.symbols.length;
  return Object.fromEntries(
    market.symbols.map((symbol, a) => {
      const column = (values: Float64Array) => Array.from({ length: market.time.length }, (_, t) => values[t * A + a]!);
      const columns: Columns = { open: column(market.open), high: column(market.high), low: column(market.low), close: column(market.close), volume: column(market.volume) };
      edit(symbol, columns);
      return [symbol, { time: Array.from(market.time, (t) => new Date(t).toISOString().slice(0, 10)), ...columns }];
    }),
  );
}

describe.each(['jax', 'onnx'] as const)('/v1/predict refuses inputs the model cannot compute with (%s)', (engine) => {
  it.skipIf(engine === 'onnx' && !hasOnnxRuntime)('answers a coded 4xx naming the input, never a 200 with non-finite numbers', async () => {
    const registry = new ModelRegistry();
    registry.add(await ModelPredictor.load(model, undefined, { engine }));
    const app = await buildServer({ registry, token: null, rateLimitPerMinute: 0 });
    try {
      const D = registry.get().predictor.observationSize;
      const predict = async (body: unknown) => {
        const response = await app.inject({ method: 'POST', url: '/v1/predict', payload: body as Record<string, unknown> });
        return { status: response.statusCode, body: response.json<Record<string, unknown>>() };
      };
      const refused = async (body: unknown, status: number, code: string, field: string, message: RegExp) => {
        const answer = await predict(body);
        expect(answer.status, JSON.stringify(answer.body)).toBe(status);
        expect(answer.body).toEqual({ error: { code, field, message: expect.stringMatching(message) } });
      };

      // The same requests with ordinary values are answered, with finite weights.
      const fine = await predict({ bars: postedBars() });
      expect(fine.status, JSON.stringify(fine.body)).toBe(200);
      for (const w of fine.body['weights'] as number[]) expect(Number.isFinite(w)).toBe(true);
      expect((await predict({ observation: Array.from({ length: D }, () => 0.1) })).status).toBe(200);

      // Observation form: one value float32 cannot hold (it would be Infinity), named with its index.
      await refused({ observation: Array.from({ length: D }, (_, i) => (i === 5 ? 1e39 : 0.1)) }, 400, 'INVALID_ARGUMENT', 'observation[5]', /^observation\[5\] is 1e\+39: beyond float32's range/);
      // Every value representable, but the network's layer norms overflow: the output is not finite.
      await refused({ observation: Array.from({ length: D }, () => 1e25) }, 400, 'INVALID_ARGUMENT', 'observation', /not finite for this input \(float32 overflow inside the network\).*observation\[0\] = 1e\+25/);

      // Bars form: a posted price float32 cannot hold.
      const lastBar = market.time.length - 1;
      await refused({ bars: postedBars((symbol, c) => symbol === 'SYN02' && (c.close[lastBar] = 1e39)) }, 422, 'INVALID_DATA', 'bars.SYN02.close', /^bars\.SYN02\.close: 1e\+39 on 2011-03-15.* beyond float32's range/);
      // Prices and volumes float32 holds, but SYN01's on-balance volume (rising closes: Σ volume) outgrows it.
      const rising = (symbol: string, c: Columns) => {
        if (symbol !== 'SYN01') return;
        c.close.forEach((_, t) => (c.open[t] = c.high[t] = c.low[t] = c.close[t] = 100 + t));
        c.volume.fill(1e38);
      };
      await refused({ bars: postedBars(rising) }, 422, 'INVALID_DATA', 'bars.SYN01', /^bars\.SYN01: features\[t(-\d+)?\]\.SYN01\.OBV = [\d.]+e\+\d+ in the model's input for 2011-03-15, beyond float32's range/);
      // Prices float32 holds whose 20-bar average still overflows the network.
      const huge = (symbol: string, c: Columns) => {
        if (symbol !== 'SYN01') return;
        for (const field of ['open', 'high', 'low', 'close'] as const) c[field] = c[field].map((p) => p * 1e23);
      };
      await refused({ bars: postedBars(huge) }, 422, 'INVALID_DATA', 'bars', /^bars: the model's \w+ is not finite for this input.*features\[t(-\d+)?\]\.SYN01\.SMA20 = /);
      // A posted book float32 cannot hold, named as the weight it is.
      await refused({ bars: postedBars(), weights: [1e39, 0, 0] }, 400, 'INVALID_ARGUMENT', 'weights[0]', /^weights\[0\]: weights\.SYN01 = 1e\+39 in the model's input for 2011-03-15, beyond float32's range/);
    } finally {
      await app.close();
      registry.dispose();
    }
  }, 60_000);
});
