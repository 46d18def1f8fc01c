/**
 * Request and response shapes of the HTTP API, as zod schemas: the handlers parse with them and the
 * OpenAPI document is generated from them, so the two cannot disagree. Bars reuse the library's
 * `BarsInputSchema`; every array has a length limit.
 */
import { z } from 'zod';
import { BarsInputSchema } from '../data/bars-input.js';

/** Longest observation accepted (a 30-asset, 60-bar window of 33 features is ≈ 60,000 values). */
export const MAX_OBSERVATION = 200_000;

export const ModelIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'a model id is 1–64 letters, digits, dot, dash or underscore');

export const ErrorBodySchema = z.object({
  error: z.object({
    code: z.string().describe('stable error code (INVALID_ARGUMENT, NOT_FOUND, UNAUTHORIZED, …)'),
    message: z.string(),
    field: z.string().nullable().describe('the request field, parameter or header at fault, when one is'),
  }),
});

export const PredictRequestSchema = z
  .object({
    model: ModelIdSchema.optional().describe('model id (default: the active model)'),
    observation: z.array(z.number()).max(MAX_OBSERVATION).optional().describe("one observation in the environment's layout"),
    bars: BarsInputSchema.optional().describe('recent bars per symbol (columns); the decision is at the last common bar'),
    weights: z.array(z.number()).max(1_000).optional().describe('the current book for a bars request (default: all cash)'),
    explain: z.boolean().optional().describe('feature importances (deepseek policies)'),
  })
  .strict()
  .refine((body) => (body.observation === undefined) !== (body.bars === undefined), { message: 'give exactly one of observation or bars', path: ['observation'] });

export const PredictionSchema = z.object({
  model: z.string(),
  date: z.string().nullable(),
  weights: z.array(z.number()),
  action: z.array(z.number()),
  distribution: z.object({ mean: z.array(z.number()), std: z.array(z.number()) }),
  q: z.number().nullable(),
  value: z
    .object({ support: z.array(z.number()), probabilities: z.array(z.number()), mean: z.number(), var: z.number(), cvar: z.number(), alpha: z.number() })
    .nullable()
    .describe("the C51 critic's value distribution of the action, with VaR and CVaR of its lower tail"),
  importance: z.object({ asset: z.array(z.number()), feature: z.array(z.array(z.number())), features: z.array(z.string()) }).nullable(),
  regime: z.object({ label: z.number(), stability: z.number() }).nullable().describe('market regime at the decision bar (bars requests with enough history)'),
  latency_ms: z.number(),
});

export const AnalysisRequestSchema = z
  .object({
    bars: BarsInputSchema,
    model: ModelIdSchema.optional().describe('model whose training data the feature drift is measured against (default: the active model)'),
  })
  .strict();

export const AnalysisSchema = z.object({
  first: z.string(),
  last: z.string(),
  bars: z.number(),
  symbols: z.array(z.string()),
  regime: z.object({ label: z.number(), stability: z.number(), refits: z.number(), labels: z.array(z.number()) }).nullable(),
  metrics: z.record(z.string(), z.object({ total_return: z.number(), annual_return: z.number(), volatility: z.number(), sharpe_ratio: z.number(), max_drawdown: z.number() })),
  correlations: z.array(z.array(z.number())),
  drift: z
    .object({ model: z.string(), psi: z.record(z.string(), z.number().nullable()), max_psi: z.number().nullable(), level: z.enum(['stable', 'moderate', 'major', 'unknown']) })
    .nullable()
    .describe("population stability index of each feature against the model's training split"),
});

export const ModelInfoSchema = z.object({
  id: z.string(),
  active: z.boolean(),
  algorithm: z.string(),
  policy: z.string(),
  engine: z.enum(['onnx', 'jax']).describe('what computes the policy: onnxruntime-node (MLP policies, when installed) or jax-js'),
  checkpoint: z.string(),
  update: z.number(),
  symbols: z.array(z.string()),
  features: z.array(z.string()),
  observation_size: z.number(),
  required_bars: z.number(),
});

export const ModelListSchema = z.object({ models: z.array(ModelInfoSchema) });
export const HealthSchema = z.object({ status: z.literal('ok'), uptime_s: z.number(), version: z.string() });
export const ReadySchema = z.object({ ready: z.boolean(), models: z.number(), active: z.string().nullable() });

export type PredictRequest = z.infer<typeof PredictRequestSchema>;
export type AnalysisRequest = z.infer<typeof AnalysisRequestSchema>;
